// bench/services: how fast the native engine simulates inference services:
// simulated requests and service intervals per wall second, per autoscaler
// of the scenario's compare block (by default bench/scenarios/azure_day.yaml:
// a day of Azure's LLM conv trace at its recorded rate on 1,000 H100s that
// also run a day of training jobs). The figures are medians over the repeats;
// the variants alternate within each repeat so that the machine's noise
// falls on all of them.
//
// Usage: bench/services [--repeat R] [SCENARIO]   (run from the repository root)
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
  const auto bench = capsim::bench::scenario_bench(argc, argv, 5, "bench/scenarios/azure_day.yaml");
  if (!bench) return 2;
  const int repeat = bench->repeat;
  const std::string& path = bench->path;
  const capsim::Scenario& base = bench->scenario;
  const std::vector<capsim::sim::Variant> variants = capsim::sim::expand_variants(base);
  std::vector<std::vector<double>> seconds(variants.size());
  std::vector<double> requests(variants.size()), intervals(variants.size()), jobs(variants.size());
  for (int r = 0; r < repeat; ++r) {
    for (std::size_t v = 0; v < variants.size(); ++v) {
      const auto start = std::chrono::steady_clock::now();
      const capsim::sim::RunResults results = capsim::sim::run_scenario(variants[v].scenario);
      seconds[v].push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
      requests[v] = 0;
      for (const capsim::sim::ServiceSummary& s : results.summary.services) requests[v] += s.figure("requests");
      intervals[v] = static_cast<double>(results.services.size());
      jobs[v] = static_cast<double>(results.summary.jobs_submitted);
    }
  }
  std::printf("%s: median of %d runs each (wall seconds, whole run: load, engine, summary)\n\n", path.c_str(), repeat);
  std::printf("%-36s %8s %12s %10s %9s %14s %14s\n", "variant", "jobs", "requests", "intervals", "wall s", "requests/s",
              "intervals/s");
  for (std::size_t v = 0; v < variants.size(); ++v) {
    const double s = capsim::bench::median(seconds[v]);
    std::printf("%-36s %8.0f %12.0f %10.0f %9.3f %14.0f %14.0f\n", variants[v].label.c_str(), jobs[v], requests[v],
                intervals[v], s, requests[v] / s, intervals[v] / s);
  }
  return 0;
}
