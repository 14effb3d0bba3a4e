// `capsim plan`: the cheapest cluster that meets a scenario's constraints
// (core/plan_spec.hpp), found by search rather than a blind grid.
//
// Every candidate (a node count per searched node group) runs on every seed;
// it is feasible when each constraint holds on every seed, and its objective
// is the mean over the seeds. The search assumes what capacity planning
// takes for granted: more nodes never make a service constraint (waits, job
// times, SLO attainment) worse, and never make a resource constraint (power,
// energy, emissions, cost) better. So:
//   1. the largest cluster: if it misses a service constraint, nothing does;
//   2. bisection, one group at a time from the largest cluster (each group
//      first in turn), finds clusters where no group can shrink further
//      without missing a service constraint;
//   3. local search from the cheapest feasible one: shrink a group by h
//      nodes, alone or with another group grown by the least (bisection)
//      that restores the service constraints; take the best improving move;
//      halve h when none improves, stop at h = 1;
//   4. the runner-ups a planner weighs next: one node more of a group, or
//      one node of a group traded for one of another.
// Where the cost of a fixed cluster is known before running it (objective
// cost_per_month_usd, no elastic node groups), candidates that could not
// beat the best so far are not simulated. `exhaustive` runs the whole grid
// instead (to check the search).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/plan_spec.hpp"
#include "scheduler/registry.hpp"
#include "sim/sweep.hpp"

namespace capsim::sim {

struct PlanCandidate {
  std::vector<std::int64_t> counts;  // nodes per PlanSpec::dimensions
  std::vector<PointFigures> runs;    // one per seed, in PlanSpec::seeds order
  double objective = 0;              // mean over the seeds
  double cost_per_month_usd = 0;     // mean over the seeds
  std::vector<double> worst;         // per constraint: its worst value over the seeds
  bool feasible = false;
  std::string found_by;  // "largest", "bisection", "local search", "runner-up", "grid"
};

struct QuarterPlan {
  std::string quarter;
  std::vector<PlanCandidate> evaluated;    // in the order they were run
  std::optional<std::size_t> recommended;  // into evaluated: the best feasible
  std::vector<std::size_t> runner_ups;     // the next best feasible (up to 3), best first
  std::size_t simulations = 0;             // runs: candidates x seeds
  double grid_simulations = 0;             // what the whole grid would have taken
};

struct PlanResult {
  std::vector<QuarterPlan> quarters;
  bool interrupted = false;
};

struct PlanOptions {
  unsigned threads = 1;
  const scheduler::PolicyRegistry* registry = nullptr;
  std::function<bool()> should_stop;
  bool exhaustive = false;
  std::function<void(const std::string&)> progress;  // a line of what it is doing
};

// Throws InputError (a metric the runs do not report, a bad quarter field).
PlanResult run_plan(const Scenario& base, const PlanSpec& spec, const PlanOptions& options);

// Whether a constraint on this figure is one more nodes make worse (power,
// energy, emissions, cost) rather than better.
bool grows_with_capacity(std::string_view metric);

// plan.csv: one row per candidate run (quarter, node counts, cost per month,
// the objective, each constraint's worst value, feasible, recommended);
// plan.json: the objective, the constraints and each quarter's
// recommendation with its margins and runner-ups; and the printed report.
std::string plan_csv(const PlanSpec& spec, const PlanResult& result);
std::string plan_json(const PlanSpec& spec, const PlanResult& result);
std::string format_plan(const Scenario& base, const PlanSpec& spec, const PlanResult& result);

}  // namespace capsim::sim
