#include "scheduler/queue/themis.hpp"

#include <algorithm>

#include "core/error.hpp"

namespace capsim::scheduler {

ThemisQueue::ThemisQueue(Options options) : options_(options) {
  CAPSIM_CHECK(options_.lease > Duration()) << "themis: the lease must be positive";
  options_.duration.missing = DurationChoice::Missing::kOracle;
}

double ThemisQueue::rho(const JobView& job) const {
  const Time now = view().now();
  const double ideal = std::max(1.0, options_.duration.seconds(job.job()));
  const double remaining = std::max(0.0, ideal - job.run_time(now).to_seconds());
  return ((now - job.job().submit).to_seconds() + remaining) / ideal;
}

QueueKey ThemisQueue::key(const JobView& job) {
  return {-rho(job), static_cast<double>(job.job().submit.count_us())};
}

Time ThemisQueue::round_after(Time t) const {
  const std::int64_t lease = options_.lease.count_us();
  const std::int64_t us = t.count_us();
  // The first multiple of the lease strictly after t (floor division: t may be negative).
  const std::int64_t floor = (us >= 0 ? us / lease : -((-us + lease - 1) / lease)) * lease;
  return Time::from_us(floor + lease);
}

void ThemisQueue::begin_pass(PassControl& control) {
  chooser_.new_pass();
  const Time now = view().now();
  in_round_ = next_round_ && now >= *next_round_;
  if (!in_round_) return;
  next_round_ = round_after(now);
  while (!leased_.empty() && leased_.begin()->first <= now) {
    const JobId id = leased_.begin()->second;
    leased_.erase(leased_.begin());
    State& state = state_.at(id);
    state.expired = true;
    expired_.insert({state.rho, id});
  }
  for (const JobId id : waiting_) control.rekey(id);
}

Admit ThemisQueue::admit(const JobView& job) {
  // At a round the queue is in rho order, highest first: once the lowest
  // running rho is not below this job's, it is not below any job's behind.
  const bool can_preempt = in_round_ && !expired_.empty() && expired_.begin()->first < rho(job);
  return admit_preemptive(view().cluster(), job.job(), can_preempt, waiting_cpu_only_, chooser_);
}

void ThemisQueue::victims(const JobView& job, std::vector<JobId>& out) {
  if (!in_round_) return;
  const double limit = rho(job);
  auto at = expired_.begin();
  auto next = [&](JobId& candidate) {
    if (at == expired_.end() || at->first >= limit) return false;
    candidate = at->second;
    ++at;
    return true;
  };
  chooser_.choose(view(), job, next, out);
}

void ThemisQueue::count_waiting(const JobView& job, int delta) {
  if (job.job().is_cpu_only()) waiting_cpu_only_ += delta;
}

void ThemisQueue::on_job_arrived(const JobView& job) {
  state_[job.job().id] = State{};
  waiting_.insert(job.job().id);
  count_waiting(job, +1);
  if (!next_round_) next_round_ = round_after(view().now());
}

void ThemisQueue::on_job_started(const JobView& job) {
  const JobId id = job.job().id;
  waiting_.erase(id);
  count_waiting(job, -1);
  State& state = state_.at(id);
  state.running = true;
  if (!job.job().preemptible || job.job().is_cpu_only()) return;
  state.rho = rho(job);
  // The first round at least a lease away.
  state.lease_end = round_after(view().now() + options_.lease - Duration::microseconds(1));
  leased_.insert({state.lease_end, id});
}

void ThemisQueue::leave_running(JobId id, State& state) {
  if (state.expired) {
    expired_.erase({state.rho, id});
  } else {
    leased_.erase({state.lease_end, id});
  }
  state.expired = false;
  state.running = false;
}

void ThemisQueue::on_job_ended(const JobView& job) {
  const JobId id = job.job().id;
  leave_running(id, state_.at(id));
  state_.erase(id);
}

void ThemisQueue::on_job_preempted(const JobView& job) {
  const JobId id = job.job().id;
  leave_running(id, state_.at(id));
  waiting_.insert(id);
  count_waiting(job, +1);
}

std::optional<Time> ThemisQueue::next_wakeup(Time now) {
  // Rounds matter only while jobs wait: they are re-ordered, and may preempt.
  if (waiting_.empty()) return std::nullopt;
  if (!next_round_ || *next_round_ <= now) next_round_ = round_after(now);
  return next_round_;
}

}  // namespace capsim::scheduler
