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
// - A decision kPreempt also takes effect at once: the job's GPUs are free
//   and it waits again; the driver accounts for the work it loses. It comes
//   before the decision that starts the job it made room for.
// - on_node_down takes the node out of placement; jobs running there are the
//   driver's to end (it knows what a failure does to them). on_node_taken
//   also preempts them, at the next decide().
// - After each decide(), next_wakeup() says when the queue policy next wants
//   a pass with nothing else happening; the driver calls on_timer then.
// Not thread-safe: one driver calls it from one thread.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "core/chunked_vector.hpp"
#include "core/cluster.hpp"
#include "scheduler/cluster_state.hpp"
#include "scheduler/placement/placement_policy.hpp"
#include "scheduler/queue/queue_policy.hpp"
#include "scheduler/types.hpp"

namespace capsim::scheduler {

class SchedulerCore final : private SchedulerView {
 public:
  // `layout` and `catalog` must outlive the core.
  SchedulerCore(const ClusterLayout& layout, const GpuCatalog& catalog, std::unique_ptr<QueuePolicy> queue_policy,
                std::unique_ptr<PlacementPolicy> placement_policy);
  SchedulerCore(const SchedulerCore&) = delete;
  SchedulerCore& operator=(const SchedulerCore&) = delete;

  // Numbers for users and tenants, handed out in the order names are first
  // seen ("" is 0); the driver fills JobRequest::user and ::tenant with them.
  UserId intern_user(std::string_view name) { return intern(users_, user_ids_, name); }
  TenantId intern_tenant(std::string_view name) { return intern(tenants_, tenant_ids_, name); }

  // --- events
  void on_job_arrived(Time now, const JobRequest& job);
  // The job finished, failed or was killed; its GPUs are free.
  void on_job_ended(Time now, JobId job);
  void on_node_down(Time now, NodeId node);
  void on_node_up(Time now, NodeId node);
  // A node taken away with its work (a spot interruption): at the next
  // decide(), every job running on it is preempted (a kPreempt decision,
  // whatever its class) and the node goes down (unless on_node_up came
  // between: it then stays up, emptied).
  void on_node_taken(Time now, NodeId node);
  // The time next_wakeup() gave has come; a pass follows.
  void on_timer(Time now);

  // A scheduling pass at `now`: places pending jobs in queue order, preempts
  // where the queue policy says, and rejects jobs that can never run. The
  // decisions stay valid until the next call into the core.
  std::span<const Decision> decide(Time now);
  // When the queue policy next needs a pass with no other event (asked at
  // the end of each decide()), or nothing.
  std::optional<Time> next_wakeup() const { return next_wakeup_; }

  // Cache hints: no effect but speed (bench/engine). A job's end reads its
  // record, which active jobs share in random order, through a per-id index:
  // two dependent cache misses. A driver that keeps record_hint(job) from the
  // job's start (it stays valid until the job leaves) hands it to prefetch()
  // one event ahead, and both lines load in parallel.
  std::uint32_t record_hint(JobId job) const { return job < jobs_.size() ? jobs_[job] : kEnded; }
  // Always inlined: GCC 12 finds a function whose only effect is prefetches
  // pure, and deletes calls to it that were not inlined early.
  [[gnu::always_inline]] void prefetch(JobId job, std::uint32_t hint) const {
    if (job < jobs_.size()) __builtin_prefetch(&jobs_[job]);
    if (hint >= active_.size()) return;
    const char* record = reinterpret_cast<const char*>(&active_[hint]);
    for (std::size_t line = 0; line < sizeof(ActiveJob); line += 64) __builtin_prefetch(record + line);
    __builtin_prefetch(record + sizeof(ActiveJob) - 1);
  }

  // --- read-only views
  const ClusterState& cluster() const override { return cluster_; }
  std::size_t pending_jobs() const override { return queue_.size(); }
  std::size_t running_jobs() const override { return running_; }
  const QueuePolicy& queue_policy() const { return *queue_policy_; }
  const PlacementPolicy& placement_policy() const { return *placement_policy_; }
  // The allocation of a running job (empty otherwise).
  std::span<const NodeShare> allocation_of(JobId job) const;
  // What the queue policies see.
  const SchedulerView& view() const { return *this; }

 private:
  // SchedulerView.
  Time now() const override { return now_; }
  JobView job(JobId id) const override;
  bool is_active(JobId id) const override { return id < jobs_.size() && jobs_[id] < kNotArrived; }
  bool may_be_victim(JobId id) const override;
  std::string_view user_name(UserId id) const override { return users_.at(id); }
  std::string_view tenant_name(TenantId id) const override { return tenants_.at(id); }

  class Control;  // PassControl for begin_pass
  friend class Control;

  // A waiting job's place in the queue.
  struct QueueEntry {
    QueueKey key;
    JobId job;
    friend bool operator<(const QueueEntry& a, const QueueEntry& b) {
      return a.key < b.key || (a.key == b.key && a.job < b.job);
    }
  };
  // A job in the system (waiting or running), in a slot reused once it
  // leaves: memory follows the active jobs, not every job ever seen. Plain
  // data, in huge-page chunks that never move (core/chunked_vector.hpp): a
  // std::vector of them copied every record at each doubling and touched
  // fresh 4 KiB pages, and a job's end missed the TLB on its record
  // (bench/engine, against a581512's 16-byte records in chunks).
  struct ActiveJob {
    JobRequest request;
    // Running: the allocation; one node's share inline (a job's end then
    // touches no other memory: bench/engine), several in more_shares_[slot].
    NodeShare first_share;
    std::uint32_t share_count = 0;
    std::uint32_t slot = 0;  // its own index in active_
    QueueKey key;            // waiting: its key in queue_
    Time queued_since;
    Time run_start;
    Duration previous_runs;
    Duration last_run;
    double previous_gpu_seconds = 0;
    std::int32_t preemptions = 0;
    std::uint64_t started_in_pass = 0;  // the pass that last started it
    bool running = false;
  };
  // Per job ever seen: its slot in active_, kEnded once it left, or
  // kNotArrived for an id the driver has not handed over yet (held back).
  static constexpr std::uint32_t kEnded = 0xffffffffu;
  static constexpr std::uint32_t kNotArrived = 0xfffffffeu;
  // Sets job `id`'s entry of jobs_, growing it over ids not arrived yet.
  void set_record(JobId id, std::uint32_t slot);

  static std::uint32_t intern(std::vector<std::string>& names, std::map<std::string, std::uint32_t, std::less<>>& ids,
                              std::string_view name);
  JobView view_of(const ActiveJob& job) const;
  ActiveJob& active(JobId id) { return active_[jobs_[id]]; }
  const ActiveJob& active(JobId id) const { return active_[jobs_[id]]; }
  std::span<const NodeShare> shares(const ActiveJob& job) const {
    if (job.share_count <= 1) return {&job.first_share, job.share_count};
    return more_shares_[job.slot];
  }
  // The allocation, for an undo to take it again (MIG instances and all).
  std::span<NodeShare> shares_to_retake(ActiveJob& job) {
    if (job.share_count <= 1) return {&job.first_share, job.share_count};
    return more_shares_[job.slot];
  }
  void set_shares(ActiveJob& job, std::span<const NodeShare> shares);
  void advance_to(Time now);
  // Why the job can never run on this cluster, or nothing when it can.
  std::optional<RejectReason> never_runs(const JobRequest& job) const;
  // Whether the job could be placed now, as far as the totals say (a quick
  // test before asking the placement policy).
  bool may_fit_now(const JobRequest& job) const;
  void check_allocation(const JobRequest& job, std::span<const NodeShare> allocation) const;
  void take(const JobRequest& job, std::span<NodeShare> shares);
  void give_back(const JobRequest& job, std::span<const NodeShare> shares);
  void enqueue(ActiveJob& job, JobId id);
  // The job as the placement policy should see it: with the GPU types and
  // regions the queue policy narrows it to (QueuePolicy::placement_types,
  // placement_regions; narrowed_), or null when they leave it none.
  const JobRequest* narrowed(const ActiveJob& record);
  // Places the job with the victims the queue policy names, stopping them
  // one at a time until it fits; undoes it all if it never does.
  bool place_with_victims(const JobRequest& job);
  // Stops a running job whose GPUs were already given back: it waits again.
  void requeue_preempted(JobId id);
  void leave(JobId id);

  const ClusterLayout& layout_;
  const GpuCatalog& catalog_;
  ClusterState cluster_;
  std::unique_ptr<QueuePolicy> queue_policy_;
  std::unique_ptr<PlacementPolicy> placement_policy_;
  ChunkedVector<std::uint32_t> jobs_;  // per job ever seen, by id
  ChunkedVector<ActiveJob> active_;
  std::vector<std::vector<NodeShare>> more_shares_;  // by slot, for allocations over several nodes
  std::vector<std::uint32_t> free_active_;
  std::set<QueueEntry> queue_;
  std::vector<std::pair<JobId, RejectReason>> to_reject_;
  std::vector<NodeId> to_evict_;  // nodes taken away, to empty at the next decide()
  std::vector<NodeId> back_up_;   // of those, nodes up again before that decide()
  std::vector<Decision> decisions_;
  std::vector<NodeShare> decision_shares_;  // the allocations of decisions_, end to end
  std::vector<std::size_t> decision_share_counts_;
  std::vector<NodeShare> scratch_;
  JobRequest narrowed_;  // a job with the GPU types and regions its queue policy chose (narrowed())
  std::vector<JobId> victims_;
  std::vector<std::string> users_{""}, tenants_{""};
  std::map<std::string, std::uint32_t, std::less<>> user_ids_, tenant_ids_;
  std::size_t running_ = 0;
  std::size_t waiting_cpu_only_ = 0;  // CPU-only jobs in the queue: they need no free GPU
  std::uint64_t pass_ = 0;            // passes so far
  Time now_;
  std::optional<Time> next_wakeup_;
  bool dirty_ = false;  // something changed that a pass could act on
};

}  // namespace capsim::scheduler
