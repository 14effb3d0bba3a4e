// Simulated time: an integer count of microseconds (DESIGN.md, "Time and
// determinism"), so that long runs do not drift and simultaneous events tie
// exactly. Time is a point since the start of a simulation; Duration is a span.
#pragma once

#include <compare>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

namespace capsim {

class Duration {
 public:
  constexpr Duration() = default;
  static constexpr Duration microseconds(std::int64_t us) { return Duration(us); }
  static constexpr Duration milliseconds(std::int64_t ms) { return Duration(ms * 1000); }
  static constexpr Duration seconds(std::int64_t s) { return Duration(s * 1'000'000); }
  static constexpr Duration minutes(std::int64_t m) { return seconds(m * 60); }
  static constexpr Duration hours(std::int64_t h) { return seconds(h * 3600); }
  static constexpr Duration days(std::int64_t d) { return seconds(d * 86400); }
  static constexpr Duration max() { return Duration(std::numeric_limits<std::int64_t>::max()); }
  // Rounds to the nearest microsecond. `s` must be finite and fit (see
  // seconds_fit()); callers validating input check that first.
  static Duration from_seconds(double s);
  // Whether from_seconds(s) is defined: finite and within about 290,000 years.
  static bool seconds_fit(double s);

  constexpr std::int64_t count_us() const { return us_; }
  constexpr double to_seconds() const { return static_cast<double>(us_) / 1e6; }

  friend constexpr auto operator<=>(Duration, Duration) = default;
  friend constexpr Duration operator+(Duration a, Duration b) { return Duration(a.us_ + b.us_); }
  friend constexpr Duration operator-(Duration a, Duration b) { return Duration(a.us_ - b.us_); }
  friend constexpr Duration operator*(Duration a, std::int64_t k) { return Duration(a.us_ * k); }
  constexpr Duration& operator+=(Duration d) {
    us_ += d.us_;
    return *this;
  }

 private:
  constexpr explicit Duration(std::int64_t us) : us_(us) {}
  std::int64_t us_ = 0;
};

class Time {
 public:
  constexpr Time() = default;
  static constexpr Time zero() { return Time(); }
  static constexpr Time from_us(std::int64_t us) { return Time(us); }
  static constexpr Time max() { return Time(std::numeric_limits<std::int64_t>::max()); }

  constexpr std::int64_t count_us() const { return us_; }
  constexpr double to_seconds() const { return static_cast<double>(us_) / 1e6; }
  constexpr Duration since_start() const { return Duration::microseconds(us_); }

  friend constexpr auto operator<=>(Time, Time) = default;
  friend constexpr Time operator+(Time t, Duration d) { return Time(t.us_ + d.count_us()); }
  friend constexpr Time operator-(Time t, Duration d) { return Time(t.us_ - d.count_us()); }
  friend constexpr Duration operator-(Time a, Time b) { return Duration::microseconds(a.us_ - b.us_); }

 private:
  constexpr explicit Time(std::int64_t us) : us_(us) {}
  std::int64_t us_ = 0;
};

// Parses a human duration: one or more <number><unit> parts, units
// w, d, h, m (minutes), s, ms, us; numbers may have a fraction ("1.5h").
// Examples: "90s", "2h30m", "1d 12h", "250ms", "0". Returns nothing on
// anything else, negative values and values over 100 years included.
std::optional<Duration> parse_duration(std::string_view text);

// What parse_duration accepts, for error messages.
inline constexpr std::string_view kDurationExpected =
    "a duration such as 90s, 2h30m, 1.5d or 250ms (units w, d, h, m, s, ms, us)";

// "3d 4h 05m", "2h 30m", "45.2s", "350ms": compact, for tables and progress.
std::string format_duration(Duration d);

// Wall-clock instants, as traces write them: microseconds since 1970-01-01
// 00:00:00 UTC (proleptic Gregorian calendar).
//
// Parses "YYYY-MM-DD", "YYYY-MM-DD HH:MM:SS" or the same with 'T' for the
// space, optionally with a fraction of a second of up to 9 digits (rounded to
// the microsecond) and an optional trailing 'Z'. Years 1900 to 2999. Returns
// nothing on anything else (an impossible date such as 2023-02-30 included).
std::optional<std::int64_t> parse_datetime_us(std::string_view text);
// What parse_datetime_us accepts, for error messages.
inline constexpr std::string_view kDatetimeExpected = "a date-time such as 2017-10-02 or 2017-10-02 08:30:00";
// "2017-10-02 08:30:00" (UTC; a fraction of a second is dropped).
std::string format_datetime(std::int64_t us_since_1970);
// Days since 1970-01-01 of a civil date, and back (Howard Hinnant's
// days-from-civil algorithm, written for capsim).
std::int64_t days_from_civil(std::int64_t year, unsigned month, unsigned day);
void civil_from_days(std::int64_t days, std::int64_t& year, unsigned& month, unsigned& day);

}  // namespace capsim
