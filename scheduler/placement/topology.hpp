// Topology-aware packing: fill a node, then a rack, before crossing racks, so
// that whole racks stay free for large jobs and a gang's GPUs talk over the
// rack's switch rather than the spine. In the spirit of the locality-aware
// placement of Tiresias (Gu et al., NSDI'19: consolidate a job's GPUs on as
// few machines as possible) and of HiveD's buddy cells (Zhao et al.,
// OSDI'20), simplified to one level of racks (ClusterLayout's) and a greedy
// choice rather than cells reserved per tenant.
//
// A job that fits one node goes to the best-fitting node, preferring racks
// already partly used: the node left with the fewest free GPUs among those
// outside wholly free racks (ties: the lowest id); a node of a wholly free
// rack only when no other fits. A gang (more GPUs than a node has) takes its
// nodes within the one rack that can hold it with the least free GPUs left
// (ties: the lowest rack), whole free nodes first, then the remainder on the
// tightest node, then the rack's emptiest nodes; only when no rack can hold
// it does it cross racks, then as few as possible: the racks with the most
// free GPUs wholly, the remainder in the tightest rack that holds it. Shares
// of a GPU and CPU-only jobs are placed as best fit places them.
//
// Index-based: single-node jobs walk the free-GPU buckets tightest first,
// skipping a wholly free rack in one step (ClusterState's per-rack free-GPU
// counters); gangs look at the racks' counters (a rack per 32 nodes), never
// at every node.
#pragma once

#include "scheduler/placement/failure_memo.hpp"
#include "scheduler/placement/placement_policy.hpp"

namespace capsim::scheduler {

class TopologyPlacement final : public PlacementPolicy {
 public:
  std::string_view name() const override { return "topology"; }
  bool place(const JobRequest& job, const ClusterState& cluster, std::vector<NodeShare>& out) override;

 private:
  bool place_single(const JobRequest& job, const ClusterState& cluster, std::vector<NodeShare>& out);
  bool place_gang(const JobRequest& job, const ClusterState& cluster, PoolId p, std::vector<NodeShare>& out);
  // Takes up to `want` GPUs of rack r for the job (whole free nodes, the
  // remainder on the tightest node, then the emptiest); returns how many.
  std::int32_t take_in_rack(const JobRequest& job, const ClusterState& cluster, RackId r, std::int32_t want,
                            std::vector<NodeShare>& out);

  FailureMemo failures_;
  std::vector<RackId> racks_;
  std::vector<NodeId> nodes_;
};
static_assert(std::is_base_of_v<PlacementPolicy, TopologyPlacement>);

}  // namespace capsim::scheduler
