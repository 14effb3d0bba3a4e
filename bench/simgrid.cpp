// bench/simgrid: the SimGrid driver's throughput (jobs per second) next to the
// native engine's on the same scenario: by default scenarios/topology.yaml
// (1,024 GPUs, about 10,000 jobs), once per placement of its compare block.
// Runs alternate between the engines so that the machine's noise falls on
// both; the figures are medians over the repeats. Each SimGrid run happens in
// a child process (sim::run_scenario forks for it), which the timing
// includes.
//
// Usage: bench/simgrid [--repeat R] [SCENARIO]   (run from the repository root)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "core/scenario.hpp"
#include "sim/compare.hpp"
#include "sim/run.hpp"

namespace {

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

}  // namespace

int main(int argc, char** argv) {
  int repeat = 3;
  std::string path = "scenarios/topology.yaml";
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--repeat") == 0 && i + 1 < argc) {
      repeat = std::max(1, std::atoi(argv[++i]));
    } else {
      path = argv[i];
    }
  }
  capsim::Scenario base;
  try {
    base = capsim::load_scenario(path);
  } catch (const capsim::InputError& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 2;
  }
  std::printf("%s, median of %d runs each (wall seconds, in-process for native, child process for SimGrid)\n\n",
              path.c_str(), repeat);
  std::printf("%-28s %8s %10s %10s %10s %10s %8s\n", "variant", "jobs", "native s", "jobs/s", "simgrid s", "jobs/s",
              "ratio");
  for (const capsim::sim::Variant& variant : capsim::sim::expand_variants(base)) {
    std::vector<double> native_s, simgrid_s;
    double jobs = 0;
    for (int r = 0; r < repeat; ++r) {
      for (const char* engine : {"native", "simgrid"}) {
        capsim::Scenario scenario = variant.scenario;
        scenario.run.engine = engine;
        const auto start = std::chrono::steady_clock::now();
        const capsim::sim::RunResults results = capsim::sim::run_scenario(scenario);
        const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        (std::strcmp(engine, "native") == 0 ? native_s : simgrid_s).push_back(s);
        jobs = static_cast<double>(results.summary.jobs_submitted);
      }
    }
    const double n = median(native_s), g = median(simgrid_s);
    std::printf("%-28s %8.0f %10.3f %10.0f %10.3f %10.0f %7.1fx\n", variant.label.c_str(), jobs, n, jobs / n, g,
                jobs / g, g / n);
  }
  return 0;
}
