// Best fit as Weng et al. define it ("Beware of Fragmentation: Scheduling
// GPU-Sharing Workloads with Fragmentation Gradient Descent", USENIX ATC'23,
// the "BestFit" baseline): the node left with the least free resources,
// measured as 0.5 x free CPU / the largest node's CPU + 0.5 x free GPU
// thousandths / the largest node's GPU thousandths, after the job. It
// differs from capsim's `best_fit`, which counts only wholly free GPUs (a
// share goes to the fullest shared GPU it fits, whatever the node's CPU):
// here CPU weighs as much as GPUs, and a share's node is chosen by the
// node's total free GPU (shared rooms included). On the chosen node a share
// goes to the fullest GPU it fits. Nodes that do not model CPU count none.
// Candidates and sampling: scored_choice.hpp (nodes_to_score, 100 by
// default; ties: the lowest node). Gangs larger than a node: best fit.
// Parameters: nodes_to_score.
#pragma once

#include "scheduler/placement/failure_memo.hpp"
#include "scheduler/placement/placement_policy.hpp"
#include "scheduler/placement/scored_choice.hpp"

namespace capsim::scheduler {

class BestFitCpuGpuPlacement final : public PlacementPolicy, private CandidateScorer {
 public:
  explicit BestFitCpuGpuPlacement(NodesToScore nodes_to_score = {}) : choice_(nodes_to_score) {}
  std::string_view name() const override { return "best_fit_cpu_gpu"; }
  bool place(const JobRequest& job, const ClusterState& cluster, std::vector<NodeShare>& out) override;

 private:
  void begin(const JobRequest& job, const ClusterState& cluster) override;
  void begin_node(const JobRequest& job, const ClusterState& cluster, NodeId node) override;
  Score score(const JobRequest& job, const ClusterState& cluster, const Candidate& candidate) override;

  ScoredChoice choice_;
  FailureMemo failures_;
  LargestNode largest_;
  bool have_largest_ = false;
  double node_score_ = 0;
};
static_assert(std::is_base_of_v<PlacementPolicy, BestFitCpuGpuPlacement>);

}  // namespace capsim::scheduler
