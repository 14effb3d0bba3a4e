// Many independent simulations at once (a comparison's variants, a sweep's
// points, a plan's candidates): a pool of threads takes the runs in index
// order. Each run is deterministic on its own, so what is computed does not
// depend on the thread count; only the order of the `done` calls does.
#pragma once

#include <cstddef>
#include <functional>
#include <vector>

#include "core/scenario.hpp"
#include "scheduler/registry.hpp"
#include "sim/results.hpp"

namespace capsim::sim {

struct BatchOptions {
  unsigned threads = 1;                                 // at least 1
  const scheduler::PolicyRegistry* registry = nullptr;  // null: the built-in policies
  std::function<bool()> should_stop;                    // polled; true stops the runs (those running end partial)
};

// Runs every scenario of `scenarios` (borrowed; they outlive the call) and
// calls `done(i, results)` for each one that finished, one call at a time
// (the calls are serialised; on any thread). After a run fails, runs not yet
// started are skipped and the failure of the lowest index is rethrown once
// all threads have stopped. Returns true when should_stop stopped the batch
// (some runs then never started, or ended partial).
bool run_batch(const std::vector<const Scenario*>& scenarios, const BatchOptions& options,
               const std::function<void(std::size_t, const RunResults&)>& done);

}  // namespace capsim::sim
