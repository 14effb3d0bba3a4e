// Best fit: the node that the job leaves with the fewest free GPUs (ties: the
// lowest-numbered), packing jobs tightly so that whole nodes stay free for
// large jobs; the "best fit" baseline of Weng et al. (ATC'23) for whole GPUs.
// Jobs larger than a node take whole nodes (see node_choice.hpp). A share of
// one GPU goes to the shared GPU left with the least room (the fullest GPU
// it fits: shares pack and whole GPUs stay free), else opens a free GPU on
// the node with the fewest; a CPU-only job to the node left with the least
// free CPU.
#pragma once

#include "scheduler/placement/failure_memo.hpp"
#include "scheduler/placement/placement_policy.hpp"

namespace capsim::scheduler {

class BestFitPlacement final : public PlacementPolicy {
 public:
  std::string_view name() const override { return "best_fit"; }
  bool place(const JobRequest& job, const ClusterState& cluster, std::vector<NodeShare>& out) override;

 private:
  FailureMemo failures_;
};
static_assert(std::is_base_of_v<PlacementPolicy, BestFitPlacement>);

}  // namespace capsim::scheduler
