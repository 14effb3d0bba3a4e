// Fitting the synthetic generator to a trace (core/trace_fit.hpp) on small
// hand-made traces, with every parameter worked out by hand; and the YAML it
// writes, which must load with the scenario loader into the same parameters.
#include <catch2/catch.hpp>

#include <cmath>
#include <numeric>

#include "core/trace_fit.hpp"
#include "tests/support/helpers.hpp"

using namespace capsim;
using capsim::testing::input_error_of;
using capsim::testing::TempDir;

namespace {

constexpr std::int32_t kOpenEnded = 1 << 30;

TraceSpec spec_of(const std::filesystem::path& path, TraceFormat format = TraceFormat::kCsv) {
  TraceSpec spec;
  spec.format = format;
  spec.path = path;
  spec.recorded_on = *GpuCatalog::builtin().find("V100");
  return spec;
}

// Five jobs that ran on whole GPUs (times in seconds; the trace has no
// dates, so hours count from the first submit), and three the fit leaves
// out, submitted late so that they would stretch the span if counted:
//   j1  0      1 GPU   100 s     u1
//   j2  3600   1 GPU   10000 s   u2
//   j3  7200   2 GPUs  1000 s    u1
//   j4  10800  4 GPUs  0.5 s     (below 1 s: counts as 1 s)
//   j5  36000  16 GPUs 7200 s
const char* kTrace =
    "job_id,submit_s,gpus,duration_s,user,state,cpus\n"
    "j2,3600,1,10000,u2,,\n"
    "j1,0,1,100,u1,completed,\n"
    "j3,7200,2,1000,u1,failed,\n"
    "j4,10800,4,0.5,,,\n"
    "j5,36000,16,7200,,killed,\n"
    "x1,50000,1,100,u3,cancelled,\n"
    "x2,50000,0,100,u4,,2\n"
    "x3,50000,0.5,100,u5,,\n";

TraceFit fit_of(const std::filesystem::path& path, TraceFitOptions options = {}) {
  return fit_trace(spec_of(path), GpuCatalog::builtin(), options);
}

}  // namespace

TEST_CASE("the fit of five hand-made jobs", "[core][trace_fit]") {
  TempDir dir;
  const TraceFit fit = fit_of(dir.write("t.csv", kTrace));
  CHECK(fit.jobs == 5);
  CHECK(fit.cancelled == 1);
  CHECK(fit.cpu_only == 1);
  CHECK(fit.fractional_gpu == 1);
  CHECK(fit.above_max_gpus == 0);
  CHECK(fit.users == 2);  // u1, u2: the left-out jobs' users do not count
  CHECK_FALSE(fit.dated);

  const SyntheticWorkloadSpec& spec = fit.spec;
  // 5 jobs over 10 hours (0 to 36000 s).
  CHECK(spec.jobs_per_hour == Approx(0.5).epsilon(1e-12));
  CHECK(spec.span == Duration::days(7));
  // Hours since the first submit: 0, 1, 2, 3 and 10, one job each; the mean
  // is 5/24, so those hours weigh 24/5 = 4.8 and the others 0.
  std::vector<double> daily(24, 0.0);
  for (const int h : {0, 1, 2, 3, 10}) daily[h] = 4.8;
  REQUIRE(spec.daily_profile.size() == 24);
  for (std::size_t h = 0; h < 24; ++h) CHECK(spec.daily_profile[h] == Approx(daily[h]).epsilon(1e-12));
  // All on the first day: 5 / (5/7) = 7.
  CHECK(spec.weekly_profile == std::vector<double>{7, 0, 0, 0, 0, 0, 0});
  CHECK(spec.gpu_weights == std::vector<std::pair<std::int32_t, double>>{{1, 2}, {2, 1}, {4, 1}, {16, 1}});

  // Classes 1, 2-4, 5-8 (no jobs: left out), 9+.
  //   1 GPU: ln 100, ln 10000 -> mean ln 1000, sigma ln 10
  //   2-4:   ln 1000, ln 1 = 0 -> mean and sigma ln(1000) / 2
  //   9+:    ln 7200           -> mean ln 7200, sigma 0
  REQUIRE(spec.duration_classes.size() == 3);
  CHECK(spec.duration_classes[0].max_gpus == 1);
  CHECK(spec.duration_classes[0].log_mean == Approx(std::log(1000.0)).epsilon(1e-12));
  CHECK(spec.duration_classes[0].log_sigma == Approx(std::log(10.0)).epsilon(1e-12));
  CHECK(spec.duration_classes[1].max_gpus == 4);
  CHECK(spec.duration_classes[1].log_mean == Approx(std::log(1000.0) / 2).epsilon(1e-12));
  CHECK(spec.duration_classes[1].log_sigma == Approx(std::log(1000.0) / 2).epsilon(1e-12));
  CHECK(spec.duration_classes[2].max_gpus == kOpenEnded);
  CHECK(spec.duration_classes[2].log_mean == Approx(std::log(7200.0)).epsilon(1e-12));
  CHECK(spec.duration_classes[2].log_sigma == 0);
  REQUIRE(fit.classes.size() == 3);
  CHECK(fit.classes[1].min_gpus == 2);
  CHECK(fit.classes[1].jobs == 2);
  CHECK(fit.classes[2].min_gpus == 9);

  CHECK(spec.recorded_speed == 1.0);
  CHECK(spec.users == 2);
  CHECK(fit.first_submit_s == 0);
  CHECK(fit.last_submit_s == 36000);
}

TEST_CASE("max_gpus leaves larger jobs out of the whole fit", "[core][trace_fit]") {
  TempDir dir;
  TraceFitOptions options;
  options.max_gpus = 8;
  const TraceFit fit = fit_of(dir.write("t.csv", kTrace), options);
  // j5 is out: 4 jobs from 0 to 10800 s, 4 / 3 h.
  CHECK(fit.jobs == 4);
  CHECK(fit.above_max_gpus == 1);
  CHECK(fit.spec.jobs_per_hour == Approx(4.0 / 3).epsilon(1e-12));
  // Classes 5-8 and 9+ are empty: 2-4 becomes the open-ended last class.
  REQUIRE(fit.spec.duration_classes.size() == 2);
  CHECK(fit.spec.duration_classes[1].max_gpus == kOpenEnded);
  CHECK(fit.spec.gpu_weights.back().first == 4);
}

TEST_CASE("duration classes follow the options", "[core][trace_fit]") {
  TempDir dir;
  TraceFitOptions options;
  options.class_max_gpus = {2};
  const TraceFit fit = fit_of(dir.write("t.csv", kTrace), options);
  // 1-2 GPUs: ln 100, ln 10000, ln 1000 -> mean ln 1000, sigma ln 10 x sqrt(2/3).
  // 3+: ln 1, ln 7200 -> mean and sigma ln(7200) / 2.
  REQUIRE(fit.spec.duration_classes.size() == 2);
  CHECK(fit.spec.duration_classes[0].max_gpus == 2);
  CHECK(fit.spec.duration_classes[0].log_mean == Approx(std::log(1000.0)).epsilon(1e-12));
  CHECK(fit.spec.duration_classes[0].log_sigma == Approx(std::log(10.0) * std::sqrt(2.0 / 3)).epsilon(1e-12));
  CHECK(fit.spec.duration_classes[1].log_mean == Approx(std::log(7200.0) / 2).epsilon(1e-12));
  CHECK(fit.spec.duration_classes[1].log_sigma == Approx(std::log(7200.0) / 2).epsilon(1e-12));

  TraceFitOptions descending;
  descending.class_max_gpus = {4, 2};
  const InputError error = input_error_of([&] { fit_of(dir.write("t.csv", kTrace), descending); });
  CHECK(error.field() == "--classes");
  CHECK(error.got() == "2");
  TraceFitOptions type;
  type.recorded_on = "V200";
  CHECK(input_error_of([&] { fit_of(dir.write("t.csv", kTrace), type); }).field() == "--recorded-on");
}

TEST_CASE("a trace with nothing to fit is an input error", "[core][trace_fit][errors]") {
  TempDir dir;
  const InputError none = input_error_of(
      [&] { fit_of(dir.write("none.csv", "submit_s,gpus,duration_s,state\n0,1,10,cancelled\n0,0.5,10,\n")); });
  CHECK(none.expected() == "jobs that ran on whole GPUs to fit");
  CHECK(none.got().find("1 cancelled") != std::string::npos);
  const InputError instant =
      input_error_of([&] { fit_of(dir.write("instant.csv", "submit_s,gpus,duration_s\n5,1,10\n5,2,10\n")); });
  CHECK(instant.expected().find("two different times") != std::string::npos);
}

TEST_CASE("a dated trace is fitted on its own clock", "[core][trace_fit]") {
  // Philly's format: dates as recorded. 2017-10-02 was a Monday.
  //   Mon 08:15, Tue 08:45, Sun 23:59:59: hours 8, 8, 23; days Mon, Tue, Sun.
  TempDir dir;
  const auto path = dir.write("philly.csv",
                              "timestamp,duration,num_gpus,gpu_time,cluster\n"
                              "2017-10-03 08:45:00,60,1,60,vc1\n"
                              "2017-10-02 08:15:00,3600,8,28800,vc2\n"
                              "2017-10-08 23:59:59,1,1,1,vc1\n");
  const TraceFit fit = fit_trace(spec_of(path, TraceFormat::kPhilly), GpuCatalog::builtin(), {});
  CHECK(fit.dated);
  // Span: Mon 08:15:00 to Sun 23:59:59 = 6 d 15 h 44 min 59 s = 575,099 s.
  CHECK(fit.spec.jobs_per_hour == Approx(3 / (575'099 / 3600.0)).epsilon(1e-12));
  CHECK(fit.spec.daily_profile[8] == Approx(16).epsilon(1e-12));  // 2 / (3/24)
  CHECK(fit.spec.daily_profile[23] == Approx(8).epsilon(1e-12));
  CHECK(fit.spec.daily_profile[0] == 0);
  const double third = 7.0 / 3;
  CHECK(fit.spec.weekly_profile == std::vector<double>{third, third, 0, 0, 0, 0, third});
  CHECK(fit.spec.users == 0);  // Philly has no users
}

TEST_CASE("the fitted YAML loads into the fitted spec", "[core][trace_fit]") {
  TempDir dir;
  const TraceFit fit = fit_of(dir.write("t.csv", kTrace));
  const std::string yaml = format_fit_yaml(fit, {"t.csv", "csv", 8, 0, "2025-01-01 00:00:00 UTC", "0.1.0"});
  INFO(yaml);
  CHECK(yaml.find("# A synthetic workload fitted by `capsim trace fit` (capsim 0.1.0) on 2025-01-01 00:00:00 UTC\n"
                  "# to t.csv (csv): 8 rows, 5 jobs fitted,\n") == 0);
  CHECK(yaml.find("# Jobs left out (the generator draws jobs that run on whole GPUs): 1 cancelled (never ran), "
                  "1 CPU-only, 1 on a share of one GPU.\n") != std::string::npos);
  CHECK(yaml.find("# The trace spans only 10h 00m: the hours and days it does not cover get no arrivals.\n") !=
        std::string::npos);
  CHECK(yaml.find("      - {max_gpus: 1, median: 1000s, sigma: 2.3026}") != std::string::npos);

  // Spliced after a cluster large enough for the 16-GPU jobs.
  const Scenario scenario = capsim::testing::scenario_from(
      "cluster: {node_groups: [{gpu: V100, gpus_per_node: 8, count: 2}]}\n" + yaml, "fit.yaml", dir.path());
  REQUIRE(scenario.workload.synthetic.has_value());
  const SyntheticWorkloadSpec& parsed = *scenario.workload.synthetic;
  const SyntheticWorkloadSpec& fitted = fit.spec;
  CHECK(parsed.jobs_per_hour == Approx(fitted.jobs_per_hour).epsilon(1e-6));  // six significant digits
  CHECK(parsed.span == fitted.span);
  CHECK(parsed.max_jobs == fitted.max_jobs);
  for (std::size_t h = 0; h < 24; ++h) {
    CHECK(parsed.daily_profile[h] == Approx(fitted.daily_profile[h]).epsilon(5e-4));  // four significant digits
  }
  for (std::size_t d = 0; d < 7; ++d) CHECK(parsed.weekly_profile[d] == Approx(fitted.weekly_profile[d]).epsilon(5e-4));
  CHECK(parsed.gpu_weights == fitted.gpu_weights);
  REQUIRE(parsed.duration_classes.size() == fitted.duration_classes.size());
  for (std::size_t i = 0; i < parsed.duration_classes.size(); ++i) {
    INFO("class " << i);
    CHECK(parsed.duration_classes[i].max_gpus == fitted.duration_classes[i].max_gpus);
    // Medians are written to the microsecond.
    CHECK(parsed.duration_classes[i].log_mean == Approx(fitted.duration_classes[i].log_mean).margin(1e-8));
    CHECK(parsed.duration_classes[i].log_sigma == Approx(fitted.duration_classes[i].log_sigma).margin(5e-5));
  }
  CHECK(parsed.recorded_speed == fitted.recorded_speed);
  CHECK(parsed.users == fitted.users);
  CHECK(parsed.duration_scale == fitted.duration_scale);
  CHECK(parsed.min_duration == fitted.min_duration);
  CHECK(parsed.max_duration == fitted.max_duration);
}

TEST_CASE("the fit of the philly-2017 preset's own draws finds its parameters", "[core][trace_fit]") {
  // Ten weeks of the preset's jobs, fitted back: the rate, the profiles and
  // the lognormals come back within sampling error.
  SyntheticWorkloadSpec preset = SyntheticWorkloadSpec::philly_2017();
  preset.span = Duration::days(70);
  SyntheticJobSource source(preset, 3);
  const TraceClock clock{days_from_civil(2024, 1, 1) * 86400, 0};  // time 0 on a Monday
  TraceFitter fitter("synthetic", clock, {}, GpuCatalog::builtin());
  JobSpec job;
  std::int64_t n = 0;
  while (source.next(job)) {
    fitter.add(job);
    ++n;
  }
  const TraceFit fit = fitter.finish();
  CHECK(fit.jobs == n);
  CHECK(fit.spec.jobs_per_hour == Approx(preset.jobs_per_hour).epsilon(0.02));
  for (std::size_t h = 0; h < 24; ++h) {
    const double mean = std::accumulate(preset.daily_profile.begin(), preset.daily_profile.end(), 0.0) / 24;
    CHECK(fit.spec.daily_profile[h] == Approx(preset.daily_profile[h] / mean).epsilon(0.1));  // 2,200 a bin: 2% noise
  }
  // One-GPU jobs, about 48,000 of them: the standard error of the mean is
  // 1.97 / sqrt(48,000) = 0.009. (The classes with more spread lose draws
  // below the generator's 1 s minimum, which shifts their fit.)
  CHECK(fit.spec.duration_classes[0].log_mean == Approx(preset.duration_classes[0].log_mean).margin(0.05));
  CHECK(fit.spec.duration_classes[0].log_sigma == Approx(preset.duration_classes[0].log_sigma).epsilon(0.02));
}
