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
// - A decision kStart takes effect at once: the core has reserved the GPUs.
//   The driver reports on_job_ended when the job finishes, fails or is
//   killed, and the GPUs are free again.
// - on_node_down takes the node out of placement; jobs running there are the
//   driver's to end (it knows what a failure does to them).
// Not thread-safe: one driver calls it from one thread.
#pragma once

#include <memory>
#include <set>
#include <span>
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
  // `layout` must outlive the core.
  SchedulerCore(const ClusterLayout& layout, std::unique_ptr<QueuePolicy> queue_policy,
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
  // A running job: what its end needs, in a slot reused once it ends, so that
  // memory follows the running jobs and a job end touches one small record
  // (measured on bench/engine). Most allocations are one node, kept inline.
  struct RunningJob {
    std::int64_t cpu_milli = 0;
    std::int64_t memory_mib = 0;
    std::int32_t gpus = 0;
    std::uint32_t share_count = 0;
    NodeShare inline_share;               // share_count == 1
    std::unique_ptr<NodeShare[]> shares;  // share_count > 1
    std::span<const NodeShare> allocation() const {
      return share_count == 1 ? std::span<const NodeShare>(&inline_share, 1)
                              : std::span<const NodeShare>(shares.get(), share_count);
    }
  };
  // slot_of_job_ values besides slot numbers.
  static constexpr std::uint32_t kEnded = 0xffffffffu;
  static constexpr std::uint32_t kWaiting = 0xfffffffeu;

  void advance_to(Time now);
  bool can_ever_run(const JobRequest& job) const;
  void check_allocation(const JobRequest& job, std::span<const NodeShare> allocation) const;
  std::uint32_t start(const JobRequest& job, std::span<const NodeShare> allocation);

  const ClusterLayout& layout_;
  ClusterState cluster_;
  std::unique_ptr<QueuePolicy> queue_policy_;
  std::unique_ptr<PlacementPolicy> placement_policy_;
  std::vector<RunningJob> running_slots_;
  std::vector<std::uint32_t> free_slots_;
  ChunkedVector<std::uint32_t> slot_of_job_;  // per job ever seen: a running slot, kWaiting or kEnded
  std::set<QueueEntry> queue_;
  std::vector<JobId> to_reject_;
  std::vector<Decision> decisions_;
  std::vector<NodeShare> decision_shares_;  // the allocations of decisions_, end to end
  std::vector<std::size_t> decision_share_counts_;
  std::vector<NodeShare> scratch_;
  std::size_t running_ = 0;
  Time now_;
  bool dirty_ = false;  // something changed that a pass could act on
};

}  // namespace capsim::scheduler
