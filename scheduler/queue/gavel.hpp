// Gavel's heterogeneity-aware max-min fairness, realised by its round-based
// mechanism: Narayanan et al., "Heterogeneity-Aware Cluster Scheduling
// Policies for Deep Learning Workloads", OSDI'20 (sections 3.1, 4.1 and 5).
//
// The policy. Each job j has a throughput on each GPU type t: its class's
// speed there (the job class x GPU type matrix, core/job_class.hpp; Gavel's
// measurements load with `workload.job_classes: [{gavel: PATH}]`). Its
// utility under an allocation X (X[j][t]: the fraction of time j runs on t)
// is sum_t speed[j][t] X[j][t], normalised by its throughput on an equal
// share of the cluster: 1/n of each type's GPUs for n active jobs, as time
// fractions C[t] / (n x its GPUs), scaled down to a total of 1 when they add
// up to more. X is the max-min fair (leximin) allocation of these utilities
// (scheduler/queue/max_min_fairness.hpp), recomputed at a round whenever
// jobs have come or gone since the last one.
//
// The mechanism. Rounds fall on multiples of `round` (default 6 min). Each
// job accrues a target time on each type, X[j][t] x the time since the last
// round, and is credited with the time it ran there. At a round, the pairs
// (job, type) with X > 0 are taken in the order of their gap, target plus
// X x the round ahead minus time received (ties: the job already running on
// the type, then job id, then type), and a job is assigned to the type if it
// is not assigned yet and the type has GPUs left for it (GPUs counted per
// type, shares as their fraction). GPUs left then go to the jobs not yet
// assigned (largest gap first), on their fastest type with room, where they
// run already if they can. Running jobs not assigned, or assigned another
// type, are preempted (a move between types pays the class's restore
// overhead, as any resume does); assigned jobs start, each on its type
// (QueuePolicy::placement_types; the placement policy picks the nodes; in a
// cluster of several regions a "type" is a pool, one per type and region,
// and placement_regions keeps the job in the pool's region), and
// jobs not assigned may take what placement leaves free. Between rounds,
// freed GPUs go to waiting jobs in the last round's order (new arrivals
// behind the assigned ones) on the types X gives them, and nobody is stopped.
//
// Simplifications: job weights are 1 (Gavel's priority weights are not
// used); the scale factor is the job's GPU count and throughput scales with
// it; no space sharing in the allocation (shares of a GPU are jobs of their
// fraction of a GPU, co-located by the placement policy); rounds are whole
// (a job that ends mid-round frees its GPUs at once); non-preemptible jobs
// keep their GPUs; CPU-only jobs are not part of the allocation and always
// pass.
#pragma once

#include <map>
#include <optional>
#include <vector>

#include "core/gpu_catalog.hpp"
#include "core/job_class.hpp"
#include "scheduler/queue/queue_policy.hpp"

namespace capsim::scheduler {

class GavelQueue final : public QueuePolicy {
 public:
  struct Options {
    Duration round = Duration::minutes(6);
  };
  // `classes` and `catalog` may be null (the catalog's speeds, or equal
  // speeds); both must outlive the policy.
  GavelQueue(Options options, const JobClasses* classes, const GpuCatalog* catalog);
  std::string_view name() const override { return "gavel"; }
  QueueKey key(const JobView& job) override;
  bool blocks_queue() const override { return false; }
  bool preempts() const override { return true; }

  void begin_pass(PassControl& control) override;
  Admit admit(const JobView& job) override;
  GpuTypeSet placement_types(const JobView& job) override;
  RegionSet placement_regions(const JobView& job) override;

  void on_job_arrived(const JobView& job) override;
  void on_job_started(const JobView& job) override;
  void on_job_ended(const JobView& job) override;
  void on_job_preempted(const JobView& job) override;
  std::optional<Time> next_wakeup(Time now) override;

  // The allocation at the last round: job `id`'s fraction of time on GPU
  // type `type` (0 for a job it does not know).
  double allocation(JobId id, GpuTypeId type) const;
  // Linear programs solved so far (for tests and benchmarks).
  int linear_programs() const { return linear_programs_; }

 private:
  static constexpr int kNone = -1;
  // Per job, per pool (a pool is the cluster's GPUs of one type).
  struct Job {
    JobClassId job_class = 0;
    std::int64_t gpu_milli = 0;
    bool preemptible = true;
    bool running = false;
    int running_pool = kNone;
    Time since;                    // running: when its time on the pool was last credited
    std::vector<double> share;     // X at the last allocation
    std::vector<double> target;    // seconds it should have had on each pool
    std::vector<double> received;  // seconds it ran on each pool
    int assigned = kNone;          // the pool the current round gives it
    double gap = 0;                // its gap there (or its largest), for the queue order
    bool stopped = false;          // preempted by the current round
  };
  double speed(const Job& job, GpuTypeId type) const;
  bool can_run(const JobView& view, PoolId pool) const;
  void credit(Job& job, Time now);
  void allocate();
  void assign(PassControl& control);

  Options options_;
  const JobClasses* classes_;
  const GpuCatalog* catalog_;
  std::map<JobId, Job> jobs_;   // GPU jobs, waiting or running, in id order
  std::vector<JobId> stopped_;  // preempted by this pass's round: not restarted in it
  std::optional<Time> next_round_;
  Time last_round_;
  bool in_round_ = false;  // this pass is a round
  bool changed_ = false;   // jobs came or went since the last allocation
  int linear_programs_ = 0;
};
static_assert(std::is_base_of_v<QueuePolicy, GavelQueue>);

}  // namespace capsim::scheduler
