// Runs a scenario end to end on the native engine: the one entry point that
// the command line and Python call. It builds the cluster, the scheduler core
// with the scenario's policies, the workload stream and the recorders, runs
// the engine, and returns the results (which sim/results_writer.hpp writes).
#pragma once

#include <functional>
#include <ostream>

#include "core/scenario.hpp"
#include "scheduler/registry.hpp"
#include "sim/engine.hpp"
#include "sim/results.hpp"

namespace capsim::sim {

struct RunOptions {
  // Where policy names are looked up; null: the built-in policies.
  const scheduler::PolicyRegistry* registry = nullptr;
  std::function<void(const EngineProgress&)> on_progress;
  std::function<bool()> should_stop;  // polled; true interrupts the run (results marked partial)
  // Where to write the decision log (sim/decision_log.hpp); null: nowhere.
  std::ostream* decision_log = nullptr;
};

// Throws InputError for what is wrong in the scenario or its trace.
RunResults run_scenario(const Scenario& scenario, const RunOptions& options = {});

// Checks what loading a scenario does not: that its policies exist and take
// the parameters given, and that its trace opens. Throws InputError.
void check_scenario(const Scenario& scenario, const scheduler::PolicyRegistry& registry);

}  // namespace capsim::sim
