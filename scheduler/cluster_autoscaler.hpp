// The node-level autoscaler (issue 8; Kubernetes' cluster-autoscaler, with
// its "price" expander): every scan it adds nodes to the node groups that
// may autoscale (core/cluster.hpp, NodeAutoscalingSpec) when jobs or
// replicas wait for GPUs that no ready or coming node will give, the
// cheapest group per GPU-hour first, and releases nodes that have been idle
// for their group's scale_down_delay while no waiting work could use them.
//
// Simplified against the real one: the demand is counted in GPUs of the
// types that may serve it (with the GPU memory asked for), not simulated
// placement by placement, so a job that needs a whole free node may wait
// while fragments of free GPUs count as room; a node leaves only when
// nothing runs on it (the real one also drains nodes under 50% whose pods
// fit elsewhere).
//
// Like the other policies it never reads a clock: the engine calls
// decide() every kScanInterval with what it sees.
#pragma once

#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "core/cluster.hpp"
#include "core/gpu_catalog.hpp"
#include "core/time.hpp"
#include "scheduler/types.hpp"

namespace capsim::scheduler {

struct NodeGroupStatus {
  std::int32_t group = 0;  // its index in the cluster's node groups
  GpuTypeId gpu_type = 0;
  std::int32_t gpus_per_node = 0;
  std::int64_t min = 0;
  std::int64_t max = 0;
  std::int64_t ready = 0;         // provisioned and taking work
  std::int64_t provisioning = 0;  // asked for, not ready yet
  std::int64_t free_gpus = 0;     // on its ready nodes
  double usd_per_gpu_hour = 0;
  Duration scale_down_delay;
  RegionId region = 0;  // where its nodes stand
};

// GPUs (thousandths) asked for by work waiting in the scheduler's queue,
// by the GPU types and memory it may use and the regions it may run in
// (data residency: no node is bought for it elsewhere).
struct WaitingDemand {
  GpuTypeSet types;
  std::int64_t gpu_memory_mib = 0;
  std::int64_t gpu_milli = 0;
  RegionSet regions;
};

struct IdleNode {
  NodeId node = 0;
  std::int32_t group = 0;
  Time idle_since;  // nothing has run on it since (or since it became ready)
};

struct ClusterScaling {
  std::vector<std::pair<std::int32_t, std::int64_t>> add;  // (group, nodes)
  std::vector<NodeId> release;
};

class ClusterAutoscaler {
 public:
  static constexpr Duration kScanInterval = Duration::seconds(10);  // the cluster-autoscaler's --scan-interval

  explicit ClusterAutoscaler(const GpuCatalog& catalog) : catalog_(catalog) {}
  // Groups in any order (only the autoscaled ones); demand and idle nodes
  // in a fixed order (the engine's), so that the answer is deterministic.
  ClusterScaling decide(Time now, std::span<const NodeGroupStatus> groups, std::span<const WaitingDemand> waiting,
                        std::span<const IdleNode> idle) const;

 private:
  const GpuCatalog& catalog_;
};

}  // namespace capsim::scheduler
