// THE scheduler core (DESIGN.md, "One scheduler core, three drivers"): events
// in, decisions out. A driver (the native engine, the SimGrid driver, the real
// executor, or a test) tells it what happened, with the time, and asks it to
// decide; it answers with decisions as data.
//
// It never reads a clock, sleeps, starts a thread or touches a file: time
// arrives with each event. That is what lets the same code run under a
// simulated clock and under the wall clock.
//
// Contract with drivers:
// - Times never decrease from one call to the next.
// - Jobs are numbered 0, 1, 2, ... in arrival order (JobRequest::id).
// - A decision kStart takes effect at once: the core has reserved the GPUs
//   (whole GPUs, a share of one GPU, or for a CPU-only job none) with the
//   job's CPU and memory.
//   The driver reports on_job_ended when the job finishes, fails or is
//   killed, and the GPUs are free again.
// - on_node_down takes the node out of placement; jobs running there are the
//   driver's to end (it knows what a failure does to them).
// Not thread-safe: one driver calls it from one thread.
#pragma once

#include <memory>
#include <optional>
#include <set>
#include <span>
#include <utility>
#include <vector>

#include "core/chunked_vector.hpp"
#include "core/cluster.hpp"
#include "scheduler/cluster_state.hpp"
#include "scheduler/placement/placement_policy.hpp"
#include "scheduler/queue/queue_policy.hpp"
#include "scheduler/types.hpp"

namespace capsim::scheduler {

class SchedulerCore {
 public:
  // `layout` and `catalog` must outlive the core.
  SchedulerCore(const ClusterLayout& layout, const GpuCatalog& catalog, std::unique_ptr<QueuePolicy> queue_policy,
                std::unique_ptr<PlacementPolicy> placement_policy);

  // --- events
  void on_job_arrived(Time now, const JobRequest& job);
  // The job finished, failed or was killed; its GPUs are free.
  void on_job_ended(Time now, JobId job);
  void on_node_down(Time now, NodeId node);
  void on_node_up(Time now, NodeId node);

  // A scheduling pass at `now`: places pending jobs in queue order and
  // rejects jobs that can never run. The decisions stay valid until the next
  // call into the core.
  std::span<const Decision> decide(Time now);

  // A hint that an event about `job` is coming: the core starts loading the
  // job's record into the cache. No effect but speed (bench/engine).
  void prefetch(JobId job) const {
    if (job < jobs_.size()) __builtin_prefetch(&jobs_[job]);
  }

  // --- read-only views
  const ClusterState& cluster() const { return cluster_; }
  std::size_t pending_jobs() const { return queue_.size(); }
  std::size_t running_jobs() const { return running_; }
  const QueuePolicy& queue_policy() const { return *queue_policy_; }
  const PlacementPolicy& placement_policy() const { return *placement_policy_; }
  // The allocation of a running job (empty otherwise).
  std::span<const NodeShare> allocation_of(JobId job) const;

 private:
  // A waiting job: its request rides in the queue itself.
  struct QueueEntry {
    QueueKey key;
    JobId job;
    JobRequest request;
    friend bool operator<(const QueueEntry& a, const QueueEntry& b) {
      return a.key < b.key || (a.key == b.key && a.job < b.job);
    }
  };
  // Every job ever seen has a 16-byte record, indexed by its id: a job's end
  // finds its allocation in one step, among the records of recent jobs
  // (measured on bench/engine: an id -> slot indirection cost a cache miss
  // per job end). Allocations over several nodes, and CPU or memory
  // requests, live in a side pool of reusable slots. The job's state rides
  // in the same word as that slot, to keep the record at 16 bytes.
  static constexpr std::uint32_t kWaiting = 0xffffffffu;  // in the queue
  static constexpr std::uint32_t kEnded = 0xfffffffeu;    // ended, or rejected
  static constexpr std::uint32_t kNoExtra = 0xfffffffdu;  // running on first_share alone
  struct JobRecord {
    NodeShare first_share;           // the allocation, when it is one node and no extra
    std::uint32_t extra = kWaiting;  // a state above, or the running job's slot in extras_
    bool running() const { return extra != kWaiting && extra != kEnded; }
  };
  static_assert(sizeof(JobRecord) == 16);
  struct ExtraRecord {
    std::vector<NodeShare> shares;
    JobRequest request;  // for the CPU and memory shares
  };

  std::span<const NodeShare> allocation(const JobRecord& job) const {
    if (job.extra == kNoExtra) return std::span<const NodeShare>(&job.first_share, 1);
    return extras_[job.extra].shares;
  }
  void advance_to(Time now);
  // Why the job can never run on this cluster, or nothing when it can.
  std::optional<RejectReason> never_runs(const JobRequest& job) const;
  // Whether the job could be placed now, as far as the totals say (a quick
  // test before asking the placement policy).
  bool may_fit_now(const JobRequest& job) const;
  void check_allocation(const JobRequest& job, std::span<const NodeShare> allocation) const;
  void start(const JobRequest& job, std::span<const NodeShare> allocation);

  const ClusterLayout& layout_;
  const GpuCatalog& catalog_;
  ClusterState cluster_;
  std::unique_ptr<QueuePolicy> queue_policy_;
  std::unique_ptr<PlacementPolicy> placement_policy_;
  ChunkedVector<JobRecord> jobs_;  // per job ever seen, by id
  std::vector<ExtraRecord> extras_;
  std::vector<std::uint32_t> free_extras_;
  std::set<QueueEntry> queue_;
  std::vector<std::pair<JobId, RejectReason>> to_reject_;
  std::vector<Decision> decisions_;
  std::vector<NodeShare> decision_shares_;  // the allocations of decisions_, end to end
  std::vector<std::size_t> decision_share_counts_;
  std::vector<NodeShare> scratch_;
  std::size_t running_ = 0;
  std::size_t waiting_cpu_only_ = 0;  // CPU-only jobs in the queue: they need no free GPU
  Time now_;
  bool dirty_ = false;  // something changed that a pass could act on
};

}  // namespace capsim::scheduler
