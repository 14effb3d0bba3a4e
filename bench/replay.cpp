// bench/replay: jobs per second and peak memory replaying whole scenarios:
// the quickstart, a million Philly-shaped jobs on 10,000 GPUs with FIFO and
// best fit (bench/scenarios/million_jobs.yaml), and, when ../shared/traces
// is there, each real trace's bundled scenario (scenarios/philly.yaml, ...).
// bench/scenarios/ten_million_jobs.yaml (ten million jobs, 100,000 GPUs) is
// run when named. Each replay runs in a child process so that its peak
// memory (the kernel's maximum resident set) is its own; the figures are
// medians over the repeats.
//
// Usage: bench/replay [--repeat R] [SCENARIO ...]   (run from the repository root)
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "bench/child.hpp"
#include "core/scenario.hpp"
#include "sim/results_writer.hpp"
#include "sim/run.hpp"

namespace {

struct Measure {
  double simulate_s = 0;
  double write_s = 0;
  double jobs = 0;
  double peak_mib = 0;
};

// Runs the scenario in a child process (bench/child.hpp).
Measure replay_in_child(const std::string& path) {
  const auto report = capsim::bench::run_in_child<3>([&] {
    capsim::Scenario scenario;
    try {
      scenario = capsim::load_scenario(path);
    } catch (const capsim::InputError& e) {
      std::fprintf(stderr, "%s\n", e.what());
      ::_exit(2);
    }
    const auto start = std::chrono::steady_clock::now();
    const auto results = capsim::sim::run_scenario(scenario);
    const auto simulated = std::chrono::steady_clock::now();
    const auto out = std::filesystem::temp_directory_path() / ("capsim-bench-" + std::to_string(::getpid()));
    capsim::sim::write_results(results, out);
    const auto written = std::chrono::steady_clock::now();
    std::filesystem::remove_all(out);
    return std::array<double, 3>{std::chrono::duration<double>(simulated - start).count(),
                                 std::chrono::duration<double>(written - simulated).count(),
                                 static_cast<double>(results.summary.jobs_submitted)};
  });
  if (!report) {
    std::fprintf(stderr, "replay of %s failed\n", path.c_str());
    std::exit(1);
  }
  return {report->figures[0], report->figures[1], report->figures[2], report->peak_mib};
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  int repeat = 3;
  std::vector<std::string> scenarios;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--repeat") == 0 && i + 1 < argc) {
      repeat = std::max(1, std::atoi(argv[++i]));
    } else {
      scenarios.emplace_back(argv[i]);
    }
  }
  if (scenarios.empty()) {
    scenarios = {"scenarios/quickstart.yaml", "bench/scenarios/million_jobs.yaml"};
    if (std::filesystem::is_directory("../shared/traces")) {
      for (const char* trace : {"philly", "alibaba_openb", "azure_llm", "swf_nasa_ipsc", "swf_lcg"}) {
        scenarios.push_back(std::string("scenarios/") + trace + ".yaml");
      }
    }
  }
  for (const std::string& path : scenarios) {
    std::vector<double> simulate, write, peak;
    double jobs = 0;
    for (int r = 0; r < repeat; ++r) {
      const Measure m = replay_in_child(path);
      simulate.push_back(m.simulate_s);
      write.push_back(m.write_s);
      peak.push_back(m.peak_mib);
      jobs = m.jobs;
    }
    const double s = median(simulate);
    std::printf(
        "replay %s: %.0f jobs in %.3f s (%.0f jobs/s), results written in %.3f s, peak memory %.1f MiB "
        "(medians of %d runs)\n",
        path.c_str(), jobs, s, jobs / s, median(write), median(peak), repeat);
  }
  return 0;
}
