// Extension point: what a cluster does about its power (DESIGN.md, the
// scheduler core's "set power cap, power a node off/on" decisions; issue 9's
// energy policies): powering idle nodes off and booting them when work
// returns, and holding flexible jobs back for a cleaner grid.
//
// Contract. A scenario names an energy policy (`policies.energy`), or a list
// of them that do different things (scheduler/energy/combined.hpp); the
// native engine owns it and
//  - calls decide() every scan_interval() (when positive), in increasing time
//    order, with the cluster's fixed node groups (those neither autoscaled
//    nor spot: the hardware the planner owns) and the work waiting for
//    GPUs; the engine boots the nodes asked for (they take work after their
//    group's boot time) and powers off the idle nodes named, which must be
//    on and empty;
//  - with a policy that caps_power(), calls power_cap() at every instant at
//    which the GPUs allocated or the nodes powered changed, and caps every
//    allocated GPU at that fraction of its peak watts from then on; a job's
//    GPUs then run at speed_at_cap() of their uncapped speed;
//  - calls release_at() once per arriving job whose class allows a delay
//    (job_classes[].deadline or slack), with the job's expected run time
//    (on the slowest GPU type of the cluster that may serve it, at the ideal
//    placement); the engine hands the job to the scheduler at the time
//    answered (its submission stays its submit time: the wait counts in its
//    queueing delay).
// What a policy must never do: read a clock, keep pointers to engine state
// past a call, or draw randomness other than from a stream derived from the
// run's seed. The cluster autoscaler (scheduler/cluster_autoscaler.hpp) keeps
// the elastic node groups; an energy policy never touches them.
#pragma once

#include <cstdint>
#include <limits>
#include <span>
#include <string_view>
#include <vector>

#include "core/region.hpp"
#include "core/time.hpp"
#include "scheduler/cluster_autoscaler.hpp"

namespace capsim::scheduler {

// What an energy policy sees at a scan. Node groups as the cluster
// autoscaler sees its own (`ready`: powered on and taking work;
// `provisioning`: booting; `min`, `max`: 0 and the group's count;
// `scale_down_delay`: unused), the work waiting for GPUs, and the nodes
// powered on with nothing on them, longest idle first.
struct EnergyView {
  Time now;
  std::span<const NodeGroupStatus> groups;
  std::span<const WaitingDemand> waiting;
  std::span<const IdleNode> idle;
};

// Nodes to boot, by group (the engine takes the group's lowest-numbered
// nodes that are off), and idle nodes to power off.
struct EnergyActions {
  std::vector<std::pair<std::int32_t, std::int64_t>> boot;  // (group, nodes)
  std::vector<NodeId> power_off;
};

// An arriving job that may wait: it must end by `deadline` (submit + its
// class's deadline, or + its expected run time + its class's slack) and may
// run in `regions`.
struct FlexibleJob {
  Time submit;
  double gpus = 0;        // asked for (a share of one: that share; 0: CPU only)
  Duration expected_run;  // on its recorded hardware
  Time deadline;
  RegionSet regions;
};

// The facility's power as the engine accounts it (sim/power_meter.hpp's
// model), for a power-capping policy: with every allocated GPU capped at
// `cap` x its peak watts, the facility draws
//   pue x (base_watts - busy_idle_watts + cap x busy_peak_watts).
struct PowerView {
  Time now;
  double pue = 1;
  double base_watts = 0;       // IT power without work: powered nodes' own and their GPUs' idle watts, off nodes'
  double busy_peak_watts = 0;  // the allocated GPUs' peak watts x the share allocated
  double busy_idle_watts = 0;  // the allocated GPUs' idle watts x the share allocated
};

class EnergyPolicy {
 public:
  virtual ~EnergyPolicy() = default;
  // The registered name ("power_off").
  virtual std::string_view name() const = 0;
  // How often decide() is called; zero: never (a policy that only defers).
  virtual Duration scan_interval() const { return Duration(); }
  virtual EnergyActions decide(const EnergyView& /*view*/) { return {}; }
  // When to hand the job to the scheduler: in [submit, max(submit, deadline
  // - expected_run)]; submit unless the policy defers work.
  virtual Time release_at(const FlexibleJob& job) { return job.submit; }
  // Whether release_at may hold jobs back (for combining policies).
  virtual bool defers() const { return false; }
  // Power capping: whether power_cap() is to be called, the cap (a fraction
  // of peak watts in (0, 1]; 1: uncapped) for the power now, and the speed
  // of a GPU of those idle and peak watts capped at `cap`, relative to
  // uncapped (1 at cap 1).
  virtual bool caps_power() const { return false; }
  virtual double power_cap(const PowerView& /*view*/) { return 1; }
  // The facility power the caps aim to stay within (for the run's time over
  // budget); infinite: none.
  virtual double power_budget_watts() const { return std::numeric_limits<double>::infinity(); }
  virtual double speed_at_cap(double /*cap*/, double /*idle_watts*/, double /*peak_watts*/) const { return 1; }
};

}  // namespace capsim::scheduler
