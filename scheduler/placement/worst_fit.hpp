// Worst fit (spread): the node left with the most free GPUs (ties: the
// lowest-numbered), the classic bin-packing counterpart of best fit (Johnson,
// 1974) and the "spread" or LeastAllocated choice of cluster schedulers
// (Kubernetes' NodeResourcesFit with LeastAllocated): it balances load and
// leaves room on every node to grow, at the cost of fragmenting free
// capacity. A share of one GPU goes to the emptiest GPU: a wholly free GPU on
// the node with the most, else the shared GPU with the most room; a CPU-only
// job to the node with the most free CPU. Jobs larger than a node take whole
// nodes, the remainder on the emptiest node (see node_choice.hpp).
#pragma once

#include "scheduler/placement/failure_memo.hpp"
#include "scheduler/placement/placement_policy.hpp"

namespace capsim::scheduler {

class WorstFitPlacement final : public PlacementPolicy {
 public:
  std::string_view name() const override { return "worst_fit"; }
  bool place(const JobRequest& job, const ClusterState& cluster, std::vector<NodeShare>& out) override;

 private:
  FailureMemo failures_;
};
static_assert(std::is_base_of_v<PlacementPolicy, WorstFitPlacement>);

}  // namespace capsim::scheduler
