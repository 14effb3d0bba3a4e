#include "scheduler/placement/first_fit.hpp"

#include "scheduler/placement/node_choice.hpp"

namespace capsim::scheduler {

bool FirstFitPlacement::place(const JobRequest& job, const ClusterState& cluster, std::vector<NodeShare>& out) {
  return place_remembering_failures(failures_, job, cluster, out,
                                    [&] { return place_by_order(job, cluster, NodeOrder::kLowestId, out); });
}

}  // namespace capsim::scheduler
