// Strict priority classes with preemption, as Kubernetes' PriorityClass and
// its default preemption (kube-scheduler's DefaultPreemption plugin) and
// Slurm's partition-priority preemption do: the waiting job of the highest
// priority (JobRequest::priority, from its job class) goes first, ties in
// arrival order; a job that does not fit stops running preemptible jobs of
// strictly lower priority, the lowest priority first and, within a priority,
// the most recently started first (the least work lost), never a job of equal
// or higher priority. Simplified: victims are chosen in that order alone (the
// core stops them one at a time until the job fits), not by searching for the
// smallest set per node as kube-scheduler does; a victim is never one started
// at this same instant (no churn). `preemption: false` keeps the ordering
// only; `skip_blocked: true` lets jobs behind an unplaceable one try (strict
// by default, as FIFO is).
#pragma once

#include <cstdint>
#include <set>
#include <tuple>

#include "scheduler/queue/queue_policy.hpp"

namespace capsim::scheduler {

class PriorityQueue final : public QueuePolicy {
 public:
  PriorityQueue(bool preemption, bool skip_blocked) : preemption_(preemption), skip_blocked_(skip_blocked) {}
  std::string_view name() const override { return "priority"; }
  QueueKey key(const JobView& job) override;
  bool blocks_queue() const override { return !skip_blocked_; }
  bool preempts() const override { return preemption_; }

  Admit admit(const JobView& job) override;
  void victims(const JobView& job, std::vector<JobId>& out) override;

  void on_job_arrived(const JobView& job) override;
  void on_job_started(const JobView& job) override;
  void on_job_ended(const JobView& job) override;
  void on_job_preempted(const JobView& job) override;

 private:
  // A running preemptible job, in victim order: lowest priority first, then
  // the latest start, then the highest id.
  struct Running {
    std::int32_t priority;
    std::int64_t minus_start_us;
    std::int64_t minus_id;
    friend auto operator<=>(const Running&, const Running&) = default;
  };
  static Running running_entry(const JobView& job);
  void forget_running(const JobView& job);

  bool preemption_;
  bool skip_blocked_;
  std::set<Running> running_;          // running preemptible jobs, victim order
  std::int64_t waiting_cpu_only_ = 0;  // CPU-only jobs waiting: they need no free GPU
};
static_assert(std::is_base_of_v<QueuePolicy, PriorityQueue>);

}  // namespace capsim::scheduler
