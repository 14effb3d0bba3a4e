// GPU packing: the "GpuPacking" baseline of Weng et al., "Beware of
// Fragmentation: Scheduling GPU-Sharing Workloads with Fragmentation Gradient
// Descent", USENIX ATC'23: occupied GPUs first, then occupied nodes, then
// idle nodes. In order of preference:
//   1. a share of one GPU that fits on a GPU that shares already hold (the
//      one with the least room, ties: the lowest node);
//   2. a node that is not idle, where the job opens wholly free GPUs (ties:
//      the lowest node; a whole-GPU job always opens its k GPUs);
//   3. an idle node (every GPU free), the one with the fewest GPUs (ties:
//      the lowest node).
// CPU-only jobs: every node scores the same (the lowest that fits), as in
// the paper's simulator. Candidates and sampling: scored_choice.hpp
// (nodes_to_score, 100 by default). Gangs larger than a node: best fit.
// Parameters: nodes_to_score.
#pragma once

#include "scheduler/placement/failure_memo.hpp"
#include "scheduler/placement/placement_policy.hpp"
#include "scheduler/placement/scored_choice.hpp"

namespace capsim::scheduler {

class GpuPackingPlacement final : public PlacementPolicy, private CandidateScorer {
 public:
  explicit GpuPackingPlacement(NodesToScore nodes_to_score = {}) : choice_(nodes_to_score) {}
  std::string_view name() const override { return "gpu_packing"; }
  bool place(const JobRequest& job, const ClusterState& cluster, std::vector<NodeShare>& out) override;

 private:
  Score score(const JobRequest& job, const ClusterState& cluster, const Candidate& candidate) override;

  ScoredChoice choice_;
  FailureMemo failures_;
};
static_assert(std::is_base_of_v<PlacementPolicy, GpuPackingPlacement>);

}  // namespace capsim::scheduler
