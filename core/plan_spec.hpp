// A scenario's `plan:` block: what `capsim plan` searches (node counts of
// some node groups: GPU type x pool x region), what it minimises, the
// constraints a cluster must meet on every seed, and the quarters of load
// growth to plan for (sim/plan.hpp searches).
//
//   plan:
//     node_groups:
//       a100-reserved: {min: 0, max: 16}
//       h100-spot: {min: 0, max: 32, step: 2}
//     objective: cost_per_month_usd          # minimised (the default)
//     constraints:
//       - {metric: queueing_delay_p95_s, max: 1h}
//       - {metric: chat.slo_attainment_pct, min: 99.9}
//     seeds: [1, 2, 3]
//     quarters:
//       - {name: 2027-Q1}
//       - {name: 2027-Q2, set: {workload.synthetic.jobs_per_hour: 26}}
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/scenario.hpp"
#include "core/sweep.hpp"

namespace capsim {

struct PlanDimension {
  std::string node_group;  // a node group of the scenario
  std::int64_t min = 0;    // nodes
  std::int64_t max = 0;
  std::int64_t step = 1;
  SourceLocation where;
  // The counts it may take: min, min + step, ... up to max.
  std::int64_t values() const { return (max - min) / step + 1; }
  std::int64_t count_at(std::int64_t index) const { return min + index * step; }
};

struct PlanConstraint {
  std::string metric;   // a figure of the runs (sim/sweep.hpp's names), e.g. queueing_delay_p95_s
  bool at_most = true;  // max: (true) or min: (false)
  double limit = 0;
  SourceLocation where;      // of its metric's name
  std::string field;         // "plan.constraints[0]"
  std::string text() const;  // "queueing_delay_p95_s <= 3600"
};

struct PlanQuarter {
  std::string name;
  std::vector<FieldSetting> settings;  // scenario fields it changes (load growth)
};

struct PlanSpec {
  std::vector<PlanDimension> dimensions;
  std::string objective = "cost_per_month_usd";
  SourceLocation objective_where;
  std::vector<PlanConstraint> constraints;
  std::vector<std::uint64_t> seeds;   // default: run.seed alone
  std::vector<PlanQuarter> quarters;  // default: one, the scenario as it is
  SourceLocation where;
  // Candidates in the whole grid (the product of the dimensions' values).
  double grid_size() const;
};

// The scenario's `plan:` block, or nothing. Throws InputError (a group that
// is not in the cluster, an empty range, a constraint without max: or min:).
std::optional<PlanSpec> parse_plan(const Scenario& scenario);

}  // namespace capsim
