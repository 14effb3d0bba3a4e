// Dot-product alignment: the "DotProd" baseline of Weng et al., "Beware of
// Fragmentation: Scheduling GPU-Sharing Workloads with Fragmentation Gradient
// Descent", USENIX ATC'23, after Tetris (Grandl et al., "Multi-Resource
// Packing for Cluster Schedulers", SIGCOMM'14). A node's free resources and
// the job's request are vectors over (CPU, GPU), each normalised by the
// largest node's capacity; the job goes to the node whose free vector has the
// smallest dot product with the request (the simulator of Weng et al. scores
// 1 - dot product): the node where what the job asks for is scarcest, so that
// it packs. The GPU component is the node's free GPU thousandths for whole
// GPUs; for a share of one GPU, the room on the GPU it would use (so that the
// share goes to the fullest GPU it fits). Nodes that do not model CPU count
// no CPU. CPU-only jobs: the CPU component alone.
// Candidates and sampling: scored_choice.hpp (nodes_to_score, 100 by
// default; ties: the lowest node). Gangs larger than a node: best fit.
// Parameters: nodes_to_score.
#pragma once

#include "scheduler/placement/failure_memo.hpp"
#include "scheduler/placement/placement_policy.hpp"
#include "scheduler/placement/scored_choice.hpp"

namespace capsim::scheduler {

class DotProductPlacement final : public PlacementPolicy, private CandidateScorer {
 public:
  explicit DotProductPlacement(NodesToScore nodes_to_score = {}) : choice_(nodes_to_score) {}
  std::string_view name() const override { return "dot_product"; }
  bool place(const JobRequest& job, const ClusterState& cluster, std::vector<NodeShare>& out) override;

 private:
  void begin(const JobRequest& job, const ClusterState& cluster) override;
  Score score(const JobRequest& job, const ClusterState& cluster, const Candidate& candidate) override;

  ScoredChoice choice_;
  FailureMemo failures_;
  LargestNode largest_;
  bool have_largest_ = false;
};
static_assert(std::is_base_of_v<PlacementPolicy, DotProductPlacement>);

}  // namespace capsim::scheduler
