// Durations: the parser accepts what a planner writes and nothing else, and
// time is integer microseconds so that sums are exact.
#include <catch2/catch.hpp>

#include "core/time.hpp"

using capsim::Duration;
using capsim::format_duration;
using capsim::parse_duration;
using capsim::Time;

TEST_CASE("parse_duration reads single and compound units", "[core][time]") {
  CHECK(parse_duration("90s") == Duration::seconds(90));
  CHECK(parse_duration("2h30m") == Duration::minutes(150));
  CHECK(parse_duration("1d 12h") == Duration::hours(36));
  CHECK(parse_duration("1.5h") == Duration::minutes(90));
  CHECK(parse_duration("250ms") == Duration::milliseconds(250));
  CHECK(parse_duration("17us") == Duration::microseconds(17));
  CHECK(parse_duration("2w") == Duration::days(14));
  CHECK(parse_duration("0") == Duration());
  CHECK(parse_duration("0s") == Duration());
  CHECK(parse_duration(".5s") == Duration::milliseconds(500));
  CHECK(parse_duration("  45m  ") == Duration::minutes(45));
  CHECK(parse_duration("10min") == Duration::minutes(10));
}

TEST_CASE("parse_duration refuses what is not a duration", "[core][time]") {
  for (const char* bad : {"", " ", "90", "1.5", "-5s", "5 s x", "h", "1x", "1e3s", "1..5h", "nan", "inf s", "1s2",
                          "101y", "40000d", "9999999999999999h"}) {
    INFO(bad);
    CHECK_FALSE(parse_duration(bad).has_value());
  }
}

TEST_CASE("parse_duration is exact to the microsecond", "[core][time]") {
  // 1.000001s is 1,000,001 microseconds, not a rounded double sum.
  CHECK(parse_duration("1.000001s")->count_us() == 1'000'001);
  CHECK(parse_duration("3h0.000001s")->count_us() == 3LL * 3600 * 1'000'000 + 1);
}

TEST_CASE("time arithmetic is integer", "[core][time]") {
  Time t = Time::zero();
  for (int i = 0; i < 1'000'000; ++i) t = t + Duration::microseconds(1);
  CHECK(t.count_us() == 1'000'000);
  CHECK(t.to_seconds() == 1.0);
  CHECK((Time::from_us(5) - Time::from_us(2)) == Duration::microseconds(3));
  CHECK(Duration::from_seconds(0.1234564) == Duration::microseconds(123456));
  CHECK(Duration::from_seconds(0.1234566) == Duration::microseconds(123457));
}

TEST_CASE("format_duration is compact and readable", "[core][time]") {
  CHECK(format_duration(Duration()) == "0s");
  CHECK(format_duration(Duration::microseconds(12)) == "12us");
  CHECK(format_duration(Duration::milliseconds(350)) == "350ms");
  CHECK(format_duration(Duration::milliseconds(45200)) == "45.2s");
  CHECK(format_duration(Duration::seconds(125)) == "2m 05s");
  CHECK(format_duration(Duration::minutes(150)) == "2h 30m");
  CHECK(format_duration(Duration::hours(76) + Duration::minutes(5)) == "3d 04h 05m");
}
