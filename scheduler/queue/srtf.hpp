// SRTF: shortest remaining time first, preemptive: the known-duration
// baseline of Tiresias (Gu et al., NSDI'19, §5: SRTF, and SRSF in GPU-time,
// its simulator's "shortest" and "shortest-gpu"). A job's remaining time is
// its run time (the trace's, `duration: oracle`, or the user's estimate,
// `duration: estimate` with `missing_estimate: oracle | infinite`) less the
// time it has held GPUs so far (never below zero); `by: gpu_time` weighs it
// by the job's GPUs. Waiting jobs are ordered by it (ties: arrival); their
// remaining time does not change while they wait, so their keys change only
// when they are preempted (the core recomputes them then).
//
// A waiting job that does not fit stops running jobs with a strictly longer
// remaining time, longest first, and only those whose GPUs let it in
// (VictimChooser). A victim's remaining time is then longer than the job's,
// and the job's only shrinks while it runs: a job is never stopped for one
// whose remaining time is not strictly shorter, so two jobs cannot preempt
// each other back and forth. Jobs behind one that does not fit may pass it.
//
// Simplifications: progress is run time, not work done (a job on a faster GPU
// type, or paying a restore overhead, is credited by the clock); CPU-only jobs
// are never victims.
#pragma once

#include <map>
#include <set>
#include <unordered_map>
#include <utility>

#include "scheduler/queue/preemption.hpp"
#include "scheduler/queue/queue_policy.hpp"

namespace capsim::scheduler {

class SrtfQueue final : public QueuePolicy {
 public:
  struct Options {
    DurationChoice duration;
    bool gpu_time = false;  // remaining time x GPUs
  };
  explicit SrtfQueue(Options options) : options_(options) {}
  std::string_view name() const override { return "srtf"; }
  QueueKey key(const JobView& job) override;
  bool blocks_queue() const override { return false; }
  bool preempts() const override { return true; }

  void begin_pass(PassControl& control) override;
  Admit admit(const JobView& job) override;
  void victims(const JobView& job, std::vector<JobId>& out) override;

  void on_job_arrived(const JobView& job) override;
  void on_job_started(const JobView& job) override;
  void on_job_ended(const JobView& job) override;
  void on_job_preempted(const JobView& job) override;

 private:
  // A running job, by when it would end at its remaining time (its remaining
  // time at any instant is end - now, the same for all of them).
  using Running = std::pair<std::int64_t, JobId>;  // (end in us, job)
  struct State {
    std::int64_t weight_milli = 0;  // its group in running_ (GPU thousandths, or 0 by time)
    std::int64_t end_us = 0;        // running: when its remaining time runs out
    std::uint64_t started_pass = 0;
    bool in_running = false;
  };
  // Remaining time (x GPUs) of a job that waits, or of a running one now.
  double remaining(const JobView& job) const;
  double value_of(std::int64_t weight_milli, std::int64_t end_us) const;
  // The largest remaining value among running jobs, or -1 when none.
  double longest_running() const;
  void leave_running(JobId id);
  void count_waiting(const JobView& job, int delta);

  Options options_;
  // Running preemptible GPU jobs in groups of equal weight (GPU thousandths;
  // one group by time), each ordered by end: the longest remaining value is
  // among the groups' last entries, so that neither the check nor the choice
  // of victims visits every running job.
  std::map<std::int64_t, std::set<Running>> running_;
  std::unordered_map<JobId, State> state_;  // looked up, never iterated
  std::size_t waiting_cpu_only_ = 0;
  std::uint64_t pass_ = 0;
  VictimChooser chooser_;
};
static_assert(std::is_base_of_v<QueuePolicy, SrtfQueue>);

}  // namespace capsim::scheduler
