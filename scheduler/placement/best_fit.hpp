// Best fit: the node that the job leaves with the fewest free GPUs (ties: the
// lowest-numbered), packing jobs tightly so that whole nodes stay free for
// large jobs; the "best fit" baseline of Weng et al. (ATC'23) for whole GPUs.
// Jobs larger than a node take whole nodes (see node_choice.hpp).
#pragma once

#include "scheduler/placement/placement_policy.hpp"

namespace capsim::scheduler {

class BestFitPlacement final : public PlacementPolicy {
 public:
  std::string_view name() const override { return "best_fit"; }
  bool place(const JobRequest& job, const ClusterState& cluster, std::vector<NodeShare>& out) const override;
};
static_assert(std::is_base_of_v<PlacementPolicy, BestFitPlacement>);

}  // namespace capsim::scheduler
