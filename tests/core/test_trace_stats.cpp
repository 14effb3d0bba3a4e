// Trace statistics (core/trace_stats.hpp) on small hand-made traces whose
// figures are worked out by hand in the comments: states, users and queues,
// GPU-hours with shared and CPU-only jobs, numpy-linear percentiles, arrivals
// by hour on dated and undated clocks, bad rows, and the JSON and table
// output.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "core/random.hpp"
#include "core/trace_stats.hpp"
#include "tests/support/helpers.hpp"

using namespace capsim;
using capsim::testing::input_error_of;
using capsim::testing::TempDir;

namespace {

TraceSpec csv_spec(const std::filesystem::path& path, bool skip_bad_rows = false) {
  TraceSpec spec;
  spec.format = TraceFormat::kCsv;
  spec.path = path;
  spec.recorded_on = *GpuCatalog::builtin().find("V100");
  spec.skip_bad_rows = skip_bad_rows;
  return spec;
}

// Five jobs, one in each state, not in submit order; the earliest (b) is
// submitted at 1000.25 s on the trace's clock, which has no dates.
//   job  submit-first  GPUs  run time  user  queue  state
//   a    3600          1     1800      ana   prod   completed
//   b    0             2     3600      bob   prod   failed
//   c    7200.5        0.25  3600      ana   dev    killed
//   d    90000         0     5000      -     dev    running   (CPU only)
//   e    1800          8     0         carl  -      cancelled
const char* kFiveJobs =
    "job_id,submit_s,gpus,duration_s,user,queue,state,cpus\n"
    "a,4600.25,1,1800,ana,prod,completed,\n"
    "b,1000.25,2,3600,bob,prod,failed,\n"
    "c,8200.75,0.25,3600,ana,dev,killed,\n"
    "d,91000.25,0,5000,,dev,running,4\n"
    "e,2800.25,8,0,carl,,cancelled,\n";

}  // namespace

TEST_CASE("percentiles interpolate linearly as numpy does", "[core][trace_stats]") {
  const std::vector<double> values = {1, 2, 3, 4};
  CHECK(percentile_of_sorted(values, 50) == 2.5);  // numpy.percentile([1,2,3,4], 50)
  CHECK(percentile_of_sorted(values, 90) == Approx(3.7));
  CHECK(percentile_of_sorted(values, 0) == 1);
  CHECK(percentile_of_sorted(values, 100) == 4);
  const std::vector<double> one = {7};
  CHECK(percentile_of_sorted(one, 99) == 7);
  CHECK(std::isnan(percentile_of_sorted({}, 50)));
}

TEST_CASE("trace stats of five hand-made jobs", "[core][trace_stats]") {
  TempDir dir;
  const auto path = dir.write("five.csv", kFiveJobs);
  const TraceStatsSummary s = trace_stats(csv_spec(path), GpuCatalog::builtin());

  CHECK(s.trace == path.string());
  CHECK(s.format == "csv");
  CHECK(s.rows == 5);
  CHECK(s.bad_rows == 0);
  CHECK(s.jobs == 5);
  CHECK(s.completed == 1);
  CHECK(s.failed == 1);
  CHECK(s.killed == 1);
  CHECK(s.running == 1);
  CHECK(s.cancelled == 1);

  // GPU-seconds: a 1800 x 1 + b 3600 x 2 + c 3600 x 0.25 = 9900 (d has no
  // GPU, e never ran) = 2.75 GPU-hours.
  CHECK(s.gpu_hours == Approx(2.75).epsilon(1e-12));

  // Users: ana (a, c: 2700 GPU-s), bob (b: 7200), carl (e: 0); d has none.
  CHECK(s.users.distinct == 3);
  CHECK(s.users.jobs_without == 1);
  REQUIRE(s.users.top.size() == 3);
  CHECK(s.users.top[0] == TraceStatsShare{"bob", 1, 2.0});
  CHECK(s.users.top[1] == TraceStatsShare{"ana", 2, 0.75});
  CHECK(s.users.top[2] == TraceStatsShare{"carl", 1, 0.0});
  // Queues: prod (a, b: 9000 GPU-s), dev (c, d: 900); e has none.
  CHECK(s.queues.distinct == 2);
  CHECK(s.queues.jobs_without == 1);
  REQUIRE(s.queues.top.size() == 2);
  CHECK(s.queues.top[0] == TraceStatsShare{"prod", 2, 2.5});
  CHECK(s.queues.top[1] == TraceStatsShare{"dev", 2, 0.25});

  // One job per request: CPU only, a quarter GPU, 1, 2 and 8 GPUs.
  const std::vector<std::pair<std::int64_t, std::int64_t>> gpus = {{0, 1}, {250, 1}, {1000, 1}, {2000, 1}, {8000, 1}};
  CHECK(s.gpus_per_job == gpus);

  // Run times of the four that ran, sorted: 1800, 3600, 3600, 5000.
  // mean 14000 / 4 = 3500; p50 at rank 1.5 -> 3600; p90 at rank 2.7 ->
  // 3600 + 0.7 x 1400 = 4580; p99 at rank 2.97 -> 3600 + 0.97 x 1400 = 4958.
  CHECK(s.duration_s.jobs == 4);
  CHECK(s.duration_s.mean == 3500);
  CHECK(s.duration_s.p50 == 3600);
  CHECK(s.duration_s.p90 == Approx(4580).epsilon(1e-12));
  CHECK(s.duration_s.p99 == Approx(4958).epsilon(1e-12));
  CHECK(s.duration_s.max == 5000);

  // No dates: hours since the first submit's second (1000). a +3600 -> hour
  // 1, b +0 -> 0, c +7200.5 -> 2, d +90000 = 25 h -> 1, e +1800 -> 0.
  CHECK_FALSE(s.dated);
  std::vector<std::int64_t> hours(24, 0);
  hours[0] = 2;
  hours[1] = 2;
  hours[2] = 1;
  CHECK(s.arrivals_by_hour == hours);
  REQUIRE(s.first_submit_s.has_value());
  CHECK(*s.first_submit_s == 1000.25);
  CHECK(*s.last_submit_s == 91000.25);
}

TEST_CASE("the JSON output has every figure under fixed keys", "[core][trace_stats]") {
  TempDir dir;
  const TraceStatsSummary s = trace_stats(csv_spec(dir.write("five.csv", kFiveJobs)), GpuCatalog::builtin());
  const std::string text = trace_stats_json(s);
  const auto j = nlohmann::ordered_json::parse(text);
  std::vector<std::string> keys;
  for (const auto& item : j.items()) keys.push_back(item.key());
  const std::vector<std::string> expected = {
      "trace",  "format",    "rows",         "bad_rows",   "first_bad_rows",   "jobs",  "states", "users",
      "queues", "gpu_hours", "gpus_per_job", "duration_s", "arrivals_by_hour", "hours", "span"};
  CHECK(keys == expected);
  CHECK(j["rows"] == 5);
  CHECK(j["states"]["cancelled"] == 1);
  CHECK(j["users"]["distinct"] == 3);
  CHECK(j["users"]["top_by_gpu_hours"][0]["name"] == "bob");
  CHECK(j["queues"]["top_by_gpu_hours"][0]["gpu_hours"] == 2.5);
  CHECK(j["gpu_hours"].get<double>() == Approx(2.75));
  CHECK(j["gpus_per_job"].dump() == R"({"0":1,"0.25":1,"1":1,"2":1,"8":1})");
  CHECK(j["duration_s"]["p50"] == 3600.0);
  CHECK(j["arrivals_by_hour"].size() == 24);
  CHECK(j["hours"] == "since first submit");
  CHECK(j["span"]["seconds"] == 90000.0);
  CHECK(j["span"]["first_submit"].is_null());  // no dates
  CHECK(text.back() == '\n');
}

TEST_CASE("the table lines up the figures", "[core][trace_stats]") {
  TempDir dir;
  const TraceStatsSummary s = trace_stats(csv_spec(dir.write("five.csv", kFiveJobs)), GpuCatalog::builtin());
  const std::string text = format_trace_stats(s);
  INFO(text);
  CHECK(text.find("  rows               5 read, none bad\n") != std::string::npos);
  CHECK(text.find("  jobs               5: 1 completed, 1 failed, 1 killed, 1 running at the end, 1 cancelled") !=
        std::string::npos);
  CHECK(text.find("  GPU-hours          2.75\n") != std::string::npos);
  CHECK(text.find("  GPUs per job       0: 1   0.25: 1   1: 1   2: 1   8: 1\n") != std::string::npos);
  CHECK(text.find("  users              3 (1 job without); the largest by GPU-hours:\n"
                  "                     bob   2.00 GPU-hours  72.7%  1 job\n"
                  "                     ana   0.75 GPU-hours  27.3%  2 jobs\n"
                  "                     carl  0.00 GPU-hours   0.0%  1 job\n") != std::string::npos);
  CHECK(text.find("    seconds                 3,500        3,600        4,580        4,958        5,000\n") !=
        std::string::npos);
  CHECK(text.find("(of the 4 jobs that ran") != std::string::npos);
  CHECK(text.find("hours since the first submit") != std::string::npos);
  CHECK(text.find("    00-07    2    2    1    0    0    0    0    0\n") != std::string::npos);
}

TEST_CASE("an empty trace has no run times and no span", "[core][trace_stats]") {
  TempDir dir;
  const TraceStatsSummary s =
      trace_stats(csv_spec(dir.write("empty.csv", "submit_s,gpus,duration_s\n")), GpuCatalog::builtin());
  CHECK(s.jobs == 0);
  CHECK(s.gpu_hours == 0);
  CHECK(std::isnan(s.duration_s.p50));
  CHECK_FALSE(s.first_submit_s.has_value());
  const auto j = nlohmann::json::parse(trace_stats_json(s));
  CHECK(j["duration_s"]["p50"].is_null());
  CHECK(j["span"]["seconds"].is_null());
  CHECK(format_trace_stats(s).find("GPU-hours          0.00") != std::string::npos);
}

TEST_CASE("bad rows stop the stats, or are skipped and listed", "[core][trace_stats][errors]") {
  TempDir dir;
  const auto path = dir.write("bad.csv",
                              "submit_s,gpus,duration_s\n"
                              "0,1,10\n"
                              "5,x,10\n"
                              "6,1,-3\n"
                              "7,2,10\n");
  const InputError error = input_error_of([&] { trace_stats(csv_spec(path), GpuCatalog::builtin()); });
  CHECK(error.where().line == 3);
  CHECK(error.where().column == 3);
  CHECK(error.field() == "gpus");
  CHECK(error.got() == "\"x\"");

  const TraceStatsSummary s = trace_stats(csv_spec(path, /*skip_bad_rows=*/true), GpuCatalog::builtin());
  CHECK(s.rows == 4);
  CHECK(s.bad_rows == 2);
  CHECK(s.jobs == 2);
  REQUIRE(s.first_bad_rows.size() == 2);
  CHECK(s.first_bad_rows[0].find("bad.csv:3:3: gpus: expected") != std::string::npos);
  CHECK(s.first_bad_rows[1].find("bad.csv:4:") != std::string::npos);
  CHECK(s.gpu_hours == Approx(30.0 / 3600));
  const std::string text = format_trace_stats(s);
  CHECK(text.find("4 read, 2 bad (skipped)") != std::string::npos);
  CHECK(text.find("bad rows           2 skipped:\n") != std::string::npos);
}

TEST_CASE("only the first bad rows are kept, all are counted", "[core][trace_stats][errors]") {
  TraceStats stats("t", "csv", {});
  for (int i = 0; i < 25; ++i) stats.add_bad_row("row " + std::to_string(i));
  const TraceStatsSummary s = stats.finish();
  CHECK(s.bad_rows == 25);
  REQUIRE(s.first_bad_rows.size() == TraceStats::kBadRowsKept);
  CHECK(s.first_bad_rows.back() == "row 9");
}

TEST_CASE("arrivals on a dated clock are hours of the trace's local time", "[core][trace_stats]") {
  // 2024-01-01 was a Monday. The clock's zero is its midnight UTC, and local
  // time is UTC+1.
  const TraceClock clock{days_from_civil(2024, 1, 1) * 86400, 3600};
  ArrivalCalendar calendar(clock);
  calendar.add(Time::zero() + Duration::minutes(22 * 60 + 30));          // Mon 22:30 UTC = Mon 23:30 local
  calendar.add(Time::zero() + Duration::minutes(23 * 60 + 30));          // Mon 23:30 UTC = Tue 00:30 local
  calendar.add(Time::zero() - Duration::hours(1));                       // Sun 23:00 UTC = Mon 00:00 local
  calendar.add(Time::zero() + Duration::days(6) + Duration::hours(23));  // Sun 23:00 UTC = Mon 00:00 local
  CHECK(calendar.dated());
  const auto week = calendar.hours_of_week();
  CHECK(week[23] == 1);
  CHECK(week[24] == 1);
  CHECK(week[0] == 2);
  const auto days = calendar.days_of_week();
  CHECK(days == std::vector<std::int64_t>{3, 1, 0, 0, 0, 0, 0});
  const auto hours = calendar.hours_of_day();
  CHECK(hours[0] == 3);
  CHECK(hours[23] == 1);

  // The summary's span is printed as local dates.
  TraceStats stats("t", "swf", clock);
  JobSpec job;
  job.submit = Time::zero() + Duration::minutes(22 * 60 + 30);
  stats.add(job);
  const TraceStatsSummary s = stats.finish();
  CHECK(s.dated);
  CHECK(format_trace_stats(s).find("2024-01-01 23:30:00 to 2024-01-01 23:30:00 (UTC+01:00)") != std::string::npos);
  CHECK(nlohmann::json::parse(trace_stats_json(s))["span"]["first_submit"] == "2024-01-01 23:30:00");
}

TEST_CASE("percentiles are exact beyond one chunk of run times", "[core][trace_stats]") {
  // 600,000 run times fill three chunks of the run-time store; the figures
  // must equal those of one sorted array.
  RandomStream random = RandomStream::derive(7, "trace_stats.test");
  TraceStats stats("t", "csv", {});
  std::vector<double> all;
  JobSpec job;
  for (int i = 0; i < 600'000; ++i) {
    job.duration = Duration::microseconds(static_cast<std::int64_t>(random.uniform01() * 1e12));
    job.submit = Time::zero() + Duration::seconds(144 * std::int64_t{i});
    stats.add(job);
    all.push_back(job.duration.to_seconds());
  }
  const TraceStatsSummary s = stats.finish();
  std::sort(all.begin(), all.end());
  CHECK(s.duration_s.jobs == 600'000);
  CHECK(s.duration_s.p50 == percentile_of_sorted(all, 50));
  CHECK(s.duration_s.p90 == percentile_of_sorted(all, 90));
  CHECK(s.duration_s.p99 == percentile_of_sorted(all, 99));
  CHECK(s.duration_s.max == all.back());
  // One arrival every 144 s for 1,000 days: 25 in every hour.
  CHECK(s.arrivals_by_hour == std::vector<std::int64_t>(24, 25'000));
}

TEST_CASE("GPU requests print as counts and shares", "[core][trace_stats]") {
  CHECK(format_gpus(0) == "0");
  CHECK(format_gpus(250) == "0.25");
  CHECK(format_gpus(5) == "0.005");
  CHECK(format_gpus(1500) == "1.5");
  CHECK(format_gpus(8000) == "8");
}
