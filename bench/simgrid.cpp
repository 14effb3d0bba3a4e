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

#include "bench/scenario_bench.hpp"
#include "core/scenario.hpp"
#include "sim/compare.hpp"
#include "sim/run.hpp"

int main(int argc, char** argv) {
  const auto bench = capsim::bench::scenario_bench(argc, argv, 3, "scenarios/topology.yaml");
  if (!bench) return 2;
  const int repeat = bench->repeat;
  const std::string& path = bench->path;
  const capsim::Scenario& base = bench->scenario;
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
    const double n = capsim::bench::median(native_s), g = capsim::bench::median(simgrid_s);
    std::printf("%-28s %8.0f %10.3f %10.0f %10.3f %10.0f %7.1fx\n", variant.label.c_str(), jobs, n, jobs / n, g,
                jobs / g, g / n);
  }
  return 0;
}
