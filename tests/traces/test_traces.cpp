// Integration with a real trace: Microsoft's Philly job list (see
// ../shared/traces/README.md). The test converts it into capsim's native CSV
// in a temporary folder (the trace itself is never copied into the project),
// replays all 82,247 jobs on a cluster the size of Philly's, and checks the
// figures the trace's README gives; it also re-derives the synthetic preset's
// fit. The ctest entry skips it, saying so, when ../shared/traces is absent.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>

#include "core/csv.hpp"
#include "core/synthetic.hpp"
#include "tests/support/helpers.hpp"

using namespace capsim;

namespace {

struct PhillyJob {
  std::int64_t submit_s;
  double duration_s;
  int gpus;
  std::string cluster;
};

// Seconds since 1970 of "YYYY-MM-DD HH:MM:SS" (UTC; days from civil, Hinnant).
std::int64_t epoch_seconds(std::string_view text) {
  const auto number = [&](std::size_t at, std::size_t length) {
    return std::stoll(std::string(text.substr(at, length)));
  };
  std::int64_t y = number(0, 4);
  const std::int64_t m = number(5, 2), d = number(8, 2);
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const std::int64_t yoe = y - era * 400;
  const std::int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  const std::int64_t days = era * 146097 + doe - 719468;
  return days * 86400 + number(11, 2) * 3600 + number(14, 2) * 60 + number(17, 2);
}

std::vector<PhillyJob> read_philly(const std::filesystem::path& path) {
  CsvReader reader(path.string());
  std::vector<std::string_view> fields;
  REQUIRE(reader.next(fields));  // header
  REQUIRE(fields[0] == "timestamp");
  std::vector<PhillyJob> jobs;
  while (reader.next(fields)) {
    jobs.push_back({epoch_seconds(fields[0]), std::stod(std::string(fields[1])), std::stoi(std::string(fields[2])),
                    std::string(fields[4])});
  }
  return jobs;
}

}  // namespace

TEST_CASE("the Philly trace replays in full on a Philly-sized cluster", "[traces][philly]") {
  const auto traces = capsim::testing::shared_traces();
  REQUIRE(traces.has_value());
  auto jobs = read_philly(*traces / "philly/philly_jobs.csv");
  REQUIRE(jobs.size() == 82'247);
  double gpu_seconds = 0;
  for (const auto& job : jobs) gpu_seconds += job.duration_s * job.gpus;
  CHECK(gpu_seconds / 3600 == Approx(978'078.5).epsilon(1e-6));  // the README's figure

  // Native CSV, sorted by submit time (the trace's rows are not).
  std::stable_sort(jobs.begin(), jobs.end(), [](const auto& a, const auto& b) { return a.submit_s < b.submit_s; });
  capsim::testing::TempDir dir;
  {
    std::ofstream out(dir.path() / "philly.csv");
    out << "job_id,submit_s,gpus,duration_s,user\n";
    out.precision(17);
    for (std::size_t i = 0; i < jobs.size(); ++i) {
      out << "p" << i << "," << jobs[i].submit_s - jobs.front().submit_s << "," << jobs[i].gpus << ","
          << jobs[i].duration_s << "," << jobs[i].cluster << "\n";
    }
  }
  // About 2,490 GPUs (ATC'19): 311 nodes of 8.
  const Scenario scenario = capsim::testing::scenario_from(
      "name: philly-replay\n"
      "cluster: {node_groups: [{gpu: V100, gpus_per_node: 8, count: 311}]}\n"
      "workload: {trace: {format: csv, path: philly.csv, recorded_on: V100}}\n"
      "policies: {queue: {name: fifo, skip_blocked: true}, placement: best_fit}\n"
      "run: {metrics_interval: 1d}\n",
      "philly.yaml", dir.path());
  const auto results = sim::run_scenario(scenario);
  CHECK(results.summary.jobs_submitted == 82'247);
  CHECK(results.summary.jobs_completed == 82'247);  // none above 2,488 GPUs, none left
  // Every job ran its recorded time on V100s: the GPU-hours are the trace's.
  CHECK(results.summary.gpu_hours_allocated == Approx(978'078.5).epsilon(1e-6));
  // The trace spans 2017-09-04 to 2017-12-22: the replay cannot be shorter.
  CHECK(results.summary.makespan_s >= (epoch_seconds("2017-12-22 08:02:11") - epoch_seconds("2017-09-04 10:30:41")));
  CHECK(results.summary.gpu_utilisation > 0.05);
  CHECK(results.summary.gpu_utilisation < 1.0);
}

TEST_CASE("the philly-2017 preset is the fit of the trace", "[traces][philly]") {
  const auto traces = capsim::testing::shared_traces();
  REQUIRE(traces.has_value());
  const auto jobs = read_philly(*traces / "philly/philly_jobs.csv");
  const auto preset = SyntheticWorkloadSpec::philly_2017();
  // Maximum-likelihood lognormal per class, as scripts/fit_synthetic.py does.
  int low = 1;
  for (const DurationClass& cls : preset.duration_classes) {
    double sum = 0, sum2 = 0;
    int n = 0;
    for (const auto& job : jobs) {
      if (job.gpus < low || job.gpus > cls.max_gpus) continue;
      const double l = std::log(std::max(job.duration_s, 1.0));
      sum += l;
      sum2 += l * l;
      ++n;
    }
    const double mean = sum / n;
    INFO("class up to " << cls.max_gpus << " GPUs");
    CHECK(mean == Approx(cls.log_mean).margin(1e-4));
    CHECK(std::sqrt(sum2 / n - mean * mean) == Approx(cls.log_sigma).margin(1e-4));
    low = cls.max_gpus + 1;
  }
  for (const auto& [gpus, weight] : preset.gpu_weights) {
    const auto count = std::count_if(jobs.begin(), jobs.end(), [&](const auto& job) { return job.gpus == gpus; });
    CHECK(static_cast<double>(count) == weight);
  }
}
