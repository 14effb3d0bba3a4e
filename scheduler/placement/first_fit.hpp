// First fit: the lowest-numbered node with room, the classic bin-packing
// heuristic (Johnson, 1974) and the default of most cluster schedulers' simple
// modes. Jobs larger than a node take whole nodes (see node_choice.hpp). A
// share of one GPU goes to the lowest node with a shared GPU that has room,
// else opens a free GPU on the lowest node; a CPU-only job to the lowest node
// with the CPU and memory free.
#pragma once

#include "scheduler/placement/failure_memo.hpp"
#include "scheduler/placement/placement_policy.hpp"

namespace capsim::scheduler {

class FirstFitPlacement final : public PlacementPolicy {
 public:
  std::string_view name() const override { return "first_fit"; }
  bool place(const JobRequest& job, const ClusterState& cluster, std::vector<NodeShare>& out) override;

 private:
  FailureMemo failures_;
};
static_assert(std::is_base_of_v<PlacementPolicy, FirstFitPlacement>);

}  // namespace capsim::scheduler
