// Random fit: a uniformly random node among those that can take the job now,
// the "Random" baseline of Weng et al., "Beware of Fragmentation: Scheduling
// GPU-Sharing Workloads with Fragmentation Gradient Descent", USENIX ATC'23
// (Kubernetes with a random score). Draws come from the run's seed
// (RandomStream "placement.random"): the same seed gives the same placements.
//
// Uniform without a scan: a node is drawn from the free-capacity index (a
// bucket of free GPUs, or the nodes with a shared GPU that has room, chosen
// in proportion to their sizes, then a member by rank) and kept if it can
// take the job (its CPU and memory, the room on its shared GPUs), else drawn
// again (rejection keeps the draw uniform over the nodes that can). After 32
// rejections it lists the index's candidates and draws among those that fit.
// A share of one GPU then goes to a uniformly random GPU of the node that can
// take it (a shared GPU with room, or the free GPU it would open). A CPU-only
// job: a uniformly random node of those the CPU index says fit. Jobs larger
// than a node take whole nodes (see node_choice.hpp), the remainder best fit.
#pragma once

#include "core/random.hpp"
#include "scheduler/placement/failure_memo.hpp"
#include "scheduler/placement/placement_policy.hpp"

namespace capsim::scheduler {

class RandomPlacement final : public PlacementPolicy {
 public:
  explicit RandomPlacement(std::uint64_t seed) : random_(RandomStream::derive(seed, "placement.random")) {}
  std::string_view name() const override { return "random"; }
  bool place(const JobRequest& job, const ClusterState& cluster, std::vector<NodeShare>& out) override;

 private:
  bool place_whole(const JobRequest& job, const ClusterState& cluster, std::vector<NodeShare>& out);
  bool place_share(const JobRequest& job, const ClusterState& cluster, std::vector<NodeShare>& out);
  bool place_cpu_only(const JobRequest& job, const ClusterState& cluster, std::vector<NodeShare>& out);
  // The GPUs of node n that can take a share of `milli` (shared GPUs with
  // room, then the one a share would open); empty when none can.
  void share_gpus(const ClusterState& cluster, NodeId n, std::int32_t milli);

  // An index set to draw from: a bucket of pool `pool` (free >= 0) or its
  // nodes with share room (free < 0).
  struct Set {
    PoolId pool = 0;
    std::int32_t free = -1;
    std::size_t size = 0;
  };
  NodeId member(const ClusterState& cluster, const Set& set, std::size_t rank) const;
  NodeId next_member(const ClusterState& cluster, const Set& set, NodeId from) const;

  RandomStream random_;
  FailureMemo failures_;
  std::vector<Set> sets_;
  std::vector<NodeId> fitting_;
  std::vector<std::int32_t> gpus_;
};
static_assert(std::is_base_of_v<PlacementPolicy, RandomPlacement>);

}  // namespace capsim::scheduler
