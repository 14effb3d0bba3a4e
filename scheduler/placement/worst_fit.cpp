#include "scheduler/placement/worst_fit.hpp"

#include "scheduler/placement/node_choice.hpp"

namespace capsim::scheduler {

bool WorstFitPlacement::place(const JobRequest& job, const ClusterState& cluster, std::vector<NodeShare>& out) {
  return place_remembering_failures(failures_, job, cluster, out,
                                    [&] { return place_by_order(job, cluster, NodeOrder::kLoosest, out); });
}

}  // namespace capsim::scheduler
