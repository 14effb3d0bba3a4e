// Extension point: which waiting job runs next, and which running job makes
// way for it (Kubernetes' QueueSort and PostFilter/preemption).
//
// Contract. A queue policy orders the waiting jobs by a key (lower first,
// equal keys in arrival order) and is asked, during a scheduling pass, about
// each waiting job in that order:
// - key(job): the job's key, computed when it enters the queue (on arrival,
//   and again after a preemption) and whenever the policy asks for it to be
//   recomputed (PassControl::rekey). Keys change only then: a policy whose
//   order drifts with time (attained service, waiting time, fairness) re-keys
//   the jobs it knows changed, at a pass or at a timer it asked for; it must
//   not re-key every job at every pass (Tiresias on Philly must stay fast).
// - admit(job): whether to try placing it (kTry), to leave it waiting and go
//   on (kSkip: over its quota, or it would delay a backfill reservation), or
//   to end the pass (kStop).
// - victims(job): when it cannot be placed, running jobs that may be stopped
//   for it, most expendable first. The core stops them one at a time, in that
//   order, until the job fits, and only if it then fits: otherwise nothing is
//   stopped. Only running, preemptible jobs that did not start in this pass
//   may be named.
// - placement_types(job): the GPU types the placement policy may use for it
//   in this attempt (empty, the default: those the job allows), for a policy
//   that decides the type itself (Gavel's rounds). The core places the job
//   on the types both allow, and not at all when they have none in common.
//   placement_regions(job) likewise narrows the regions (a policy that
//   decides the pool, one per GPU type and region); it never widens them:
//   a job held to regions stays there (data residency).
// - on_unplaced(job): it could not be placed; whether the pass goes on to the
//   jobs behind it (strict FIFO says no; backfilling says yes, and reserves).
// Between passes the policy hears of the jobs that arrive, start, end and are
// preempted, after the core has updated its state, and says when it next
// needs a pass (next_wakeup) with no event to prompt one.
//
// What a policy sees: the SchedulerView it is attached to (read-only: the
// time, the cluster, any active job's request and history) and the job in
// question. It must not keep pointers into the view's answers past the call,
// build engine objects, read a clock or draw randomness other than from a
// stream derived from the run's seed.
#pragma once

#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "scheduler/cluster_state.hpp"
#include "scheduler/types.hpp"

namespace capsim::scheduler {

struct QueueKey {
  double primary = 0;
  double secondary = 0;
  friend auto operator<=>(const QueueKey&, const QueueKey&) = default;
};

// A job that is waiting or running, as the core knows it. Times are the
// core's (the driver's clock); "run time" is time spent holding GPUs, whatever
// their speed.
struct JobView {
  const JobRequest* request = nullptr;
  bool running = false;
  Time queued_since;                // when it last entered the queue (arrival or preemption)
  Time run_start;                   // running: when its current run began
  Duration previous_runs;           // run time of its earlier runs (before preemptions)
  double previous_gpu_seconds = 0;  // GPU-seconds of its earlier runs (shares count as their fraction)
  Duration last_run;                // the length of its latest finished run (zero: none)
  std::int32_t preemptions = 0;
  std::span<const NodeShare> allocation;  // running: where (valid until the next call into the core)

  const JobRequest& job() const { return *request; }
  // Run time so far, the current run included.
  Duration run_time(Time now) const { return previous_runs + (running ? now - run_start : Duration()); }
  // GPU-seconds received so far (Tiresias' attained service), the current run included.
  double attained_gpu_seconds(Time now) const;
  // GPUs held (running) or asked for, shares as their fraction (0 for CPU only).
  double gpus() const { return static_cast<double>(request->request.gpu_milli) / kMilliPerGpu; }
};

// What a policy may read of the scheduler; answers are valid until the next
// call into the core.
class SchedulerView {
 public:
  virtual ~SchedulerView() = default;
  virtual Time now() const = 0;
  virtual const ClusterState& cluster() const = 0;
  // A job that is waiting or running (active); CAPSIM_CHECKs that it is.
  virtual JobView job(JobId id) const = 0;
  virtual bool is_active(JobId id) const = 0;
  // Whether victims() may name the job now: running, preemptible, and not
  // started in the current pass.
  virtual bool may_be_victim(JobId id) const = 0;
  virtual std::size_t pending_jobs() const = 0;
  virtual std::size_t running_jobs() const = 0;
  // Names of users and tenants ("" for id 0).
  virtual std::string_view user_name(UserId id) const = 0;
  virtual std::string_view tenant_name(TenantId id) const = 0;
};

// What a policy may change at the start of a pass.
class PassControl {
 public:
  virtual ~PassControl() = default;
  virtual const SchedulerView& view() const = 0;
  // Recompute a waiting job's key (no effect on a running job).
  virtual void rekey(JobId id) = 0;
  // Stop a running, preemptible job now (a lease that ended, a quota
  // reclaimed); it waits again.
  virtual void preempt(JobId id) = 0;
};

enum class Admit : std::uint8_t { kTry, kSkip, kStop };

class QueuePolicy {
 public:
  virtual ~QueuePolicy() = default;
  virtual std::string_view name() const = 0;
  // Called once by the core before any event; `view` outlives the policy's use of it.
  virtual void attach(const SchedulerView& view) { view_ = &view; }

  // --- the queue
  virtual QueueKey key(const JobView& job) = 0;
  // Whether the first job that does not fit stops the pass (strict order):
  // the default of on_unplaced.
  virtual bool blocks_queue() const = 0;
  // Whether this policy ever names victims or preempts: a policy that does
  // not lets the core skip passes when no GPU is free.
  virtual bool preempts() const { return false; }

  // --- a pass
  virtual void begin_pass(PassControl& /*control*/) {}
  virtual Admit admit(const JobView& /*job*/) { return Admit::kTry; }
  virtual GpuTypeSet placement_types(const JobView& /*job*/) { return GpuTypeSet::any(); }
  virtual RegionSet placement_regions(const JobView& /*job*/) { return RegionSet::any(); }
  virtual void victims(const JobView& /*job*/, std::vector<JobId>& /*out*/) {}
  virtual bool on_unplaced(const JobView& /*job*/) { return !blocks_queue(); }

  // --- what happened (the core's state already says so)
  virtual void on_job_arrived(const JobView& /*job*/) {}
  virtual void on_job_started(const JobView& /*job*/) {}
  // It ended (finished, failed, killed) and left.
  virtual void on_job_ended(const JobView& /*job*/) {}
  // It was stopped and waits again (its key was recomputed).
  virtual void on_job_preempted(const JobView& /*job*/) {}

  // The next time after `now` at which the policy needs a pass although no
  // job arrives or ends (a demotion, a lease, a starvation limit), or nothing.
  virtual std::optional<Time> next_wakeup(Time /*now*/) { return std::nullopt; }

 protected:
  const SchedulerView& view() const { return *view_; }

 private:
  const SchedulerView* view_ = nullptr;
};

}  // namespace capsim::scheduler
