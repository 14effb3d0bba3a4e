// Idle power-off with consolidation (issue 9): nodes of the fixed node
// groups that have had nothing on them for `idle` are powered off, keeping
// `min_on` per group powered; when work waits for GPUs that no powered or
// booting node will give, nodes are booted (the cheapest group per GPU-hour
// first, as the cluster autoscaler buys them) and take work after their
// group's boot time. Consolidation comes from the scheduler's view: a node
// powered off takes no work, so new work packs onto the nodes that are on
// (with a packing placement such as best_fit, the default), which leaves
// whole nodes idle long enough to sleep.
//
// The decision is the cluster autoscaler's (scheduler/cluster_autoscaler.hpp)
// on the fixed groups, with `idle` as every group's scale-down delay and
// `min_on` as its minimum: one rule for when a node is worth having.
#pragma once

#include <cstdint>
#include <string_view>

#include "core/gpu_catalog.hpp"
#include "scheduler/cluster_autoscaler.hpp"
#include "scheduler/energy/energy_policy.hpp"

namespace capsim::scheduler {

struct PowerOffParams {
  Duration idle = Duration::minutes(15);  // idle this long, a node is powered off
  std::int64_t min_on = 0;                // nodes of each group kept on
};

class PowerOffPolicy final : public EnergyPolicy {
 public:
  PowerOffPolicy(const GpuCatalog& catalog, PowerOffParams params) : autoscaler_(catalog), params_(params) {}
  std::string_view name() const override { return "power_off"; }
  Duration scan_interval() const override { return ClusterAutoscaler::kScanInterval; }
  EnergyActions decide(const EnergyView& view) override;

 private:
  ClusterAutoscaler autoscaler_;
  PowerOffParams params_;
};

}  // namespace capsim::scheduler
