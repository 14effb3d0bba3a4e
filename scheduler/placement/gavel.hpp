// Heterogeneity-aware placement in the spirit of Gavel (Narayanan et al.,
// "Heterogeneity-Aware Cluster Scheduling Policies for Deep Learning
// Workloads", OSDI'20): a job goes to the GPU type where it has the greatest
// comparative advantage, using the job class x GPU type throughput matrix
// (core/job_class.hpp; Gavel's measured throughputs load with
// `workload.job_classes: [{gavel: PATH}]`).
//
// A job of class c is scored on each GPU type t by its speed there over the
// mean speed on t of the jobs seen so far (each arrival counts once):
// speed(c, t) / mean_j speed(class_j, t). A job that is relatively fast on a
// K80 (Gavel's recommendation models even outrun a V100 there) goes to a K80
// and leaves the V100s to the jobs that gain most from them. The types are
// tried from the best score down (ties: the faster type, then the pool
// order), each by best fit within the type; `fallback_min_speed` (default 0)
// leaves out types where the job would run slower than that fraction of its
// best speed, so that it waits for a better GPU instead. `rank: speed`
// ranks by the job's own speed instead (fastest type first), a
// heterogeneity-aware greedy baseline.
//
// What it simplifies: Gavel solves a linear program over all running jobs
// for the time share of each job on each type (max-min fairness or total
// throughput over normalised throughputs) and re-solves it every round,
// migrating jobs; here each job is placed once, greedily, when it starts,
// and the normalisation is by the workload's mean speed per type rather than
// the LP's dual prices. Shares of a GPU and CPU-only jobs are placed as best
// fit places them.
#pragma once

#include <vector>

#include "core/gpu_catalog.hpp"
#include "core/job_class.hpp"
#include "scheduler/placement/placement_policy.hpp"

namespace capsim::scheduler {

class GavelPlacement final : public PlacementPolicy {
 public:
  enum class Rank { kAdvantage, kSpeed };
  // `classes` and `catalog` may be null (equal speeds, or the catalog's);
  // both must outlive the policy.
  GavelPlacement(const JobClasses* classes, const GpuCatalog* catalog, Rank rank, double fallback_min_speed)
      : classes_(classes), catalog_(catalog), rank_(rank), fallback_min_speed_(fallback_min_speed) {}
  std::string_view name() const override { return "gavel"; }
  bool place(const JobRequest& job, const ClusterState& cluster, std::vector<NodeShare>& out) override;
  void on_job_arrived(const JobRequest& job, const ClusterState& cluster) override;

  // The job's speed on a GPU type, and its score there (for tests).
  double speed(JobClassId job_class, GpuTypeId type) const;
  double score(JobClassId job_class, GpuTypeId type) const;

 private:
  const JobClasses* classes_;
  const GpuCatalog* catalog_;
  Rank rank_;
  double fallback_min_speed_;
  // Per GPU type (by id): the sum of the speeds there of the jobs seen.
  std::vector<double> speed_sum_;
  double jobs_seen_ = 0;
  struct Candidate {
    double score;
    double speed;
    PoolId pool;
  };
  std::vector<Candidate> candidates_;  // scratch, kept to avoid an allocation per placement
};
static_assert(std::is_base_of_v<PlacementPolicy, GavelPlacement>);

}  // namespace capsim::scheduler
