#include "scheduler/placement/best_fit.hpp"

#include "scheduler/placement/node_choice.hpp"

namespace capsim::scheduler {

bool BestFitPlacement::place(const JobRequest& job, const ClusterState& cluster, std::vector<NodeShare>& out) {
  return place_remembering_failures(failures_, job, cluster, out,
                                    [&] { return place_by_order(job, cluster, NodeOrder::kTightest, out); });
}

}  // namespace capsim::scheduler
