// GPU clustering: the "GpuClustering" baseline of Weng et al., "Beware of
// Fragmentation: Scheduling GPU-Sharing Workloads with Fragmentation Gradient
// Descent", USENIX ATC'23: jobs with the same GPU request are packed
// together, so that a node's GPUs serve one kind of request and do not leave
// odd remainders. Each node carries the GPU requests (thousandths: 250, 1000,
// 2000, ...) of the jobs this policy put there; in order of preference a job
// goes to
//   1. a node whose jobs all ask what it asks,
//   2. a node whose jobs include some that ask what it asks,
//   3. an idle node,
//   4. a node whose jobs ask otherwise,
// within each the node with the fewest free GPU thousandths (ties: the
// lowest node); a share goes to the fullest GPU it fits there. CPU-only jobs
// score the same everywhere (the lowest node that fits).
// Simplification: the policy sees allocations, not departures; a node's
// requests are forgotten when the node is seen idle again, so after partial
// departures they may name jobs that left (in the paper's packing
// experiment nothing leaves). Candidates and sampling: scored_choice.hpp
// (nodes_to_score, 100 by default). Gangs larger than a node: best fit.
// Parameters: nodes_to_score.
#pragma once

#include <utility>

#include "scheduler/placement/failure_memo.hpp"
#include "scheduler/placement/placement_policy.hpp"
#include "scheduler/placement/scored_choice.hpp"

namespace capsim::scheduler {

class GpuClusteringPlacement final : public PlacementPolicy, private CandidateScorer {
 public:
  explicit GpuClusteringPlacement(NodesToScore nodes_to_score = {}) : choice_(nodes_to_score) {}
  std::string_view name() const override { return "gpu_clustering"; }
  bool place(const JobRequest& job, const ClusterState& cluster, std::vector<NodeShare>& out) override;

 private:
  Score score(const JobRequest& job, const ClusterState& cluster, const Candidate& candidate) override;
  bool idle(const ClusterState& cluster, NodeId n) const;

  ScoredChoice choice_;
  FailureMemo failures_;
  // Per node: (GPU request in thousandths, jobs placed) in request order.
  std::vector<std::vector<std::pair<std::int64_t, std::int32_t>>> requests_;
};
static_assert(std::is_base_of_v<PlacementPolicy, GpuClusteringPlacement>);

}  // namespace capsim::scheduler
