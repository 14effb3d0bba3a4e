// Themis: finish-time fairness with leases, after Mahajan et al., "Themis:
// Fair and Efficient GPU Cluster Scheduling", NSDI'20. A job's finish-time
// fairness is rho = T_shared / T_ideal: T_ideal its run time alone on its
// GPUs (its duration: the trace's, `duration: oracle`, or the user's
// estimate, `duration: estimate`, the trace's where none is given), T_shared
// the time since it arrived plus its remaining run time at its current share
// (duration less run time so far). A waiting job is costed as if it ran from
// now, so rho = 1 + time waited / duration: it grows while the job waits and
// stays put while it runs. The jobs with the worst (highest) rho get the GPUs.
//
// Leases (`lease`, default 10 min): GPUs are handed out for a lease and
// re-auctioned when it ends. Rounds fall on multiples of the lease; a job
// holds its GPUs at least until the first round a lease after it started,
// and from then on, at every round, a waiting job of higher rho that does not
// fit stops running jobs of strictly lower rho, the lowest first (and only
// those whose GPUs let it in). Between rounds, GPUs that free up go to the
// waiting jobs in rho order and no one is stopped.
//
// Cost: rho of a waiting job drifts with time, so at each round every waiting
// job is re-keyed (O(W log W) per lease, W waiting jobs); running jobs are
// visited only when their first lease ends. Simplifications: whole-job
// allocations only (Themis' partial allocations and its second-price
// auction, with the fairness knob f choosing the 1-f share of apps that bid,
// become "highest rho first"); jobs, not multi-job apps; CPU-only jobs are
// never victims.
#pragma once

#include <set>
#include <unordered_map>
#include <utility>

#include "scheduler/queue/preemption.hpp"
#include "scheduler/queue/queue_policy.hpp"

namespace capsim::scheduler {

class ThemisQueue final : public QueuePolicy {
 public:
  struct Options {
    DurationChoice duration;  // missing estimates fall back to the oracle
    Duration lease = Duration::minutes(10);
  };
  explicit ThemisQueue(Options options);
  std::string_view name() const override { return "themis"; }
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
  std::optional<Time> next_wakeup(Time now) override;

  // Finish-time fairness of an active job now.
  double rho(const JobView& job) const;

 private:
  struct State {
    double rho = 0;  // running: its rho (constant while it runs)
    Time lease_end;  // running: the first round at which it may be stopped
    bool running = false;
    bool expired = false;  // running and past its first lease: in expired_
  };
  using Leased = std::pair<Time, JobId>;     // (lease end, job)
  using Expired = std::pair<double, JobId>;  // (rho, job), lowest first
  Time round_after(Time t) const;
  void leave_running(JobId id, State& state);
  void count_waiting(const JobView& job, int delta);

  Options options_;
  std::unordered_map<JobId, State> state_;  // looked up, never iterated
  std::set<JobId> waiting_;                 // in id order: re-keyed at each round
  std::set<Leased> leased_;                 // running, in their first lease
  std::set<Expired> expired_;               // running, past it: the victims
  std::optional<Time> next_round_;
  bool in_round_ = false;  // this pass is a round
  std::size_t waiting_cpu_only_ = 0;
  VictimChooser chooser_;
};
static_assert(std::is_base_of_v<QueuePolicy, ThemisQueue>);

}  // namespace capsim::scheduler
