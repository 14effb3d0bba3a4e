// Several policies on the same world, side by side: a scenario's `compare:`
// block (or `capsim run --policy a,b,c`) expands into variants (queue policy
// x placement policy x seed), each run as its own simulation; the headline
// metrics of each policy pair are averaged over the seeds and tabled.
// Changing only the policy leaves the arrivals unchanged (DESIGN.md), so the
// columns differ by the policy alone.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/scenario.hpp"
#include "scheduler/registry.hpp"
#include "sim/results.hpp"

namespace capsim::sim {

struct Variant {
  std::string label;     // "srtf+best_fit/seed-3": also its results folder
  std::string policies;  // "srtf+best_fit": the column it belongs to
  Scenario scenario;     // the scenario with the variant's policies and seed
};

// The variants of a scenario's compare block, in a fixed order (queue,
// then placement, then seed). Without one: the scenario alone.
std::vector<Variant> expand_variants(const Scenario& scenario);

// The metrics a comparison tables, in order (NaN where a run has none).
std::vector<Metric> headline_metrics(const Summary& summary);

// Runs the variants on up to `threads` threads (results come back in
// variant order whatever the thread count: each run is deterministic on its
// own). `done` is called after each variant finishes, from the calling
// thread or a worker (serialise inside it), with the variant and its
// results; the results are dropped afterwards unless `keep` is set.
struct CompareOptions {
  unsigned threads = 1;
  const scheduler::PolicyRegistry* registry = nullptr;
  std::function<void(const Variant&, const RunResults&)> done;
  std::function<bool()> should_stop;
};
struct ComparedColumn {
  std::string policies;  // "srtf+best_fit"
  std::vector<std::uint64_t> seeds;
  std::vector<Metric> mean;    // over the seeds
  std::vector<double> stddev;  // sample standard deviation over the seeds (NaN for one seed)
};
struct Comparison {
  std::vector<ComparedColumn> columns;  // in variant order
  bool interrupted = false;
};
Comparison run_comparison(const std::vector<Variant>& variants, const CompareOptions& options);

// The side-by-side table the CLI prints.
std::string format_comparison(const Comparison& comparison);
// As CSV (one row per column x metric) and JSON, for notebooks and CI.
std::string comparison_csv(const Comparison& comparison);
std::string comparison_json(const Comparison& comparison);

}  // namespace capsim::sim
