// Fragmentation gradient descent (FGD): Weng et al., "Beware of
// Fragmentation: Scheduling GPU-Sharing Workloads with Fragmentation Gradient
// Descent", USENIX ATC'23 (Alibaba PAI; its openb traces are in
// ../shared/traces/alibaba-openb-2023).
//
// The paper's measure. For a task m (CPU c_m, GPUs: k_m whole ones, or a
// share g_m < 1 of one) and a node n with free CPU and per-GPU free shares,
// the fragment F_n(m) is the node's free GPU capacity that m cannot use: all
// of it when m cannot run on n at all (too little CPU, no GPU with room for
// it, a GPU model it may not use, or m asks no GPU), else the free shares of
// the GPUs too small for m (for a share g_m: those with less than g_m left;
// for whole GPUs: the partly used ones). Over the target workload M, tasks
// drawn with their popularity p_m, F_n(M) = sum_m p_m F_n(m). FGD puts each
// task where F_n(M) grows least: on the node and GPU with the smallest
// F_n'(M) - F_n(M), n' being the node after the placement.
//
// What capsim adds or simplifies:
// - M is learned online: the requests of every job that has arrived so far
//   (on_job_arrived; no oracle of the future), each request shape (CPU, GPU
//   share or count, GPU types, GPU memory) weighted by its count. Host
//   memory is left out of the measure, as in the paper.
// - Tasks of one GPU shape are grouped, with the sorted CPU requests and
//   their cumulative counts, so that F_n(M) costs one binary search per GPU
//   shape rather than a pass over every CPU size; CPU-only shapes add the
//   same growth to every choice and are left out of the comparison.
// - Candidates: scored_choice.hpp (a bounded sample of feasible nodes as
//   Kubernetes scores them, `nodes_to_score`, default 100 nodes; ties go to
//   the lowest node). A share's GPU is part of the choice (each distinct
//   amount used on the node's shared GPUs, or a free GPU), as in the
//   paper's implementation. Gangs larger than a node: best fit.
// Parameters: nodes_to_score (all | adaptive | N | P%).
#pragma once

#include <map>
#include <tuple>

#include "scheduler/placement/failure_memo.hpp"
#include "scheduler/placement/placement_policy.hpp"
#include "scheduler/placement/scored_choice.hpp"

namespace capsim::scheduler {

class FgdPlacement final : public PlacementPolicy, private CandidateScorer {
 public:
  explicit FgdPlacement(NodesToScore nodes_to_score = {}) : choice_(nodes_to_score) {}
  std::string_view name() const override { return "fgd"; }
  bool place(const JobRequest& job, const ClusterState& cluster, std::vector<NodeShare>& out) override;
  void on_job_arrived(const JobRequest& job, const ClusterState& cluster) override;

  // A node's state as the measure sees it.
  struct NodeView {
    NodeGpus gpus;
    bool models_cpu = false;
    std::int64_t free_cpu_milli = 0;
  };
  // F_n(M) of a node of pool p in `view`'s state, in request-count x
  // thousandths of a GPU (the workload's counts, not normalised to 1: the
  // choice is the same). Public for the tests.
  double fragmentation(const ClusterState& cluster, PoolId p, const NodeView& view);

 private:
  void begin_node(const JobRequest& job, const ClusterState& cluster, NodeId node) override;
  Score score(const JobRequest& job, const ClusterState& cluster, const Candidate& candidate) override;
  void compile(const ClusterState& cluster);

  // The learned workload: request counts by GPU shape, then CPU.
  // Milli per GPU, GPUs, types, GPU memory, regions.
  using Shape = std::tuple<std::int32_t, std::int32_t, std::uint64_t, std::int64_t, std::uint64_t>;
  std::map<Shape, std::map<std::int64_t, std::int64_t>> counts_;
  std::int64_t total_ = 0;
  bool dirty_ = true;
  // Compiled from counts_.
  struct GpuShape {
    std::int32_t milli = 0;  // per GPU: 1000 for whole GPUs
    std::int32_t gpus = 1;
    std::vector<std::int64_t> cpu;    // sorted request sizes
    std::vector<double> count_up_to;  // requests of at most cpu[i]
  };
  std::vector<GpuShape> shapes_;
  std::vector<std::vector<std::uint32_t>> usable_by_pool_;  // shapes the pool serves (types, memory, regions)

  ScoredChoice choice_;
  FailureMemo failures_;
  NodeView before_;
  NodeView after_;  // a candidate's node after the placement (score)
  double before_fragmentation_ = 0;
};
static_assert(std::is_base_of_v<PlacementPolicy, FgdPlacement>);

}  // namespace capsim::scheduler
