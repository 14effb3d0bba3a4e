// bench/sweep: how fast a sweep runs (issue 10's bar: a 200-point sweep of
// the quickstart in under 2 minutes on this machine) and how much the
// parallel pool helps: the sweep's points (table only, no files) on one
// thread and on every core, alternating within each repeat so that the
// machine's noise falls on both, medians over the repeats.
//
// Usage: bench/sweep [--repeat R] [SCENARIO]   (run from the repository root;
// default scenarios/sweep.yaml, 200 points)
#include <chrono>
#include <cstdio>
#include <thread>
#include <vector>

#include "bench/scenario_bench.hpp"
#include "core/sweep.hpp"
#include "sim/sweep.hpp"

int main(int argc, char** argv) {
  const auto bench = capsim::bench::scenario_bench(argc, argv, 3, "scenarios/sweep.yaml");
  if (!bench) return 2;
  const auto spec = capsim::parse_sweep(bench->scenario);
  if (!spec) {
    std::fprintf(stderr, "bench/sweep: %s has no sweep: block\n", bench->path.c_str());
    return 2;
  }
  const auto expand_start = std::chrono::steady_clock::now();
  const std::vector<capsim::SweepPoint> points = capsim::expand_sweep(bench->scenario, *spec);
  const double expand_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - expand_start).count();
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  const std::vector<unsigned> thread_counts = cores > 1 ? std::vector<unsigned>{1, cores} : std::vector<unsigned>{1};
  std::vector<std::vector<double>> seconds(thread_counts.size());
  for (int r = 0; r < bench->repeat; ++r) {
    for (std::size_t t = 0; t < thread_counts.size(); ++t) {
      capsim::sim::SweepOptions options;
      options.threads = thread_counts[t];
      const auto start = std::chrono::steady_clock::now();
      const capsim::sim::SweepRuns runs = capsim::sim::run_sweep(points, options);
      const auto table = capsim::sim::make_sweep_table(bench->scenario.name, spec->fields(), points, runs.figures);
      const std::string csv = capsim::sim::sweep_csv(table);
      seconds[t].push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
      if (csv.empty()) return 1;
    }
  }
  std::printf("%s: %zu points (read in %.0f ms), median of %d runs each\n\n", bench->path.c_str(), points.size(),
              expand_s * 1000, bench->repeat);
  std::printf("%-10s %10s %10s %10s\n", "threads", "wall s", "points/s", "speed-up");
  const double one = capsim::bench::median(seconds[0]);
  for (std::size_t t = 0; t < thread_counts.size(); ++t) {
    const double s = capsim::bench::median(seconds[t]);
    std::printf("%-10u %10.2f %10.1f %9.2fx\n", thread_counts[t], s, static_cast<double>(points.size()) / s, one / s);
  }
  return 0;
}
