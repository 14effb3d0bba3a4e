#include "scheduler/queue/tiresias.hpp"

#include <algorithm>
#include <cmath>

#include "core/error.hpp"

namespace capsim::scheduler {

TiresiasQueue::TiresiasQueue(Options options) : options_(std::move(options)) {
  for (std::size_t i = 0; i < options_.thresholds_gpu_seconds.size(); ++i) {
    CAPSIM_CHECK(options_.thresholds_gpu_seconds[i] > 0 &&
                 (i == 0 || options_.thresholds_gpu_seconds[i] > options_.thresholds_gpu_seconds[i - 1]))
        << "tiresias: queue thresholds must be positive and increasing";
  }
  CAPSIM_CHECK(options_.starve_limit >= 0) << "tiresias: starve_limit must not be negative";
}

QueueKey TiresiasQueue::key(const JobView& job) {
  // A job that has just arrived has no state yet: the highest queue.
  const auto it = state_.find(job.job().id);
  const int queue = it == state_.end() ? 0 : it->second.queue;
  return {static_cast<double>(queue), static_cast<double>(job.job().submit.count_us())};
}

double TiresiasQueue::attained(const JobView& job, const State& state) const {
  return job.attained_gpu_seconds(view().now()) - state.attained_base;
}

void TiresiasQueue::schedule_demotion(const JobView& job, State& state) {
  const Time now = view().now();
  const double gpus = job.gpus();
  if (gpus <= 0) return;  // a CPU-only job attains no GPU service
  // Demotions already due (a job that resumes past a threshold) happen now.
  while (state.queue < last_queue() && attained(job, state) >= options_.thresholds_gpu_seconds[state.queue]) {
    ++state.queue;
  }
  if (state.queue >= last_queue()) return;
  const double seconds = (options_.thresholds_gpu_seconds[state.queue] - attained(job, state)) / gpus;
  const auto us = static_cast<std::int64_t>(std::ceil(seconds * 1e6));
  state.demote_at = now + Duration::microseconds(std::max<std::int64_t>(us, 1));
  demotions_.insert({state.demote_at, job.job().id});
  state.timed = true;
}

void TiresiasQueue::cancel_timer(JobId id, State& state) {
  if (!state.timed) return;
  if (state.running) {
    demotions_.erase({state.demote_at, id});
  } else {
    promotions_.erase({state.promote_at, id});
  }
  state.timed = false;
}

void TiresiasQueue::begin_pass(PassControl& control) {
  ++pass_;
  chooser_.new_pass();
  const Time now = view().now();
  while (!demotions_.empty() && demotions_.begin()->first <= now) {
    const JobId id = demotions_.begin()->second;
    demotions_.erase(demotions_.begin());
    State& state = state_.at(id);
    state.timed = false;
    const JobView job = view().job(id);
    const bool victim = running_.erase(running_entry(job.job(), state)) > 0;
    ++state.queue;
    schedule_demotion(job, state);  // the next threshold (or more, were it late)
    if (victim) running_.insert(running_entry(job.job(), state));
  }
  while (!promotions_.empty() && promotions_.begin()->first <= now) {
    const JobId id = promotions_.begin()->second;
    promotions_.erase(promotions_.begin());
    State& state = state_.at(id);
    state.timed = false;
    state.queue = 0;
    const JobView job = view().job(id);
    state.attained_base = job.attained_gpu_seconds(now);
    state.run_base = job.run_time(now);
    state.first_start.reset();
    control.rekey(id);
  }
}

Admit TiresiasQueue::admit(const JobView& job) {
  // The queue is in queue order, and only a job of a strictly lower queue is
  // a victim: once the lowest running queue is no lower, nobody behind is.
  const int queue = state_.at(job.job().id).queue;
  const bool can_preempt = !running_.empty() && std::get<0>(*running_.rbegin()) > queue;
  return admit_preemptive(view().cluster(), job.job(), can_preempt, waiting_cpu_only_, chooser_);
}

void TiresiasQueue::victims(const JobView& job, std::vector<JobId>& out) {
  const int queue = state_.at(job.job().id).queue;
  auto at = running_.rbegin();
  auto next = [&](JobId& candidate) {
    for (; at != running_.rend() && std::get<0>(*at) > queue; ++at) {
      candidate = std::get<2>(*at);
      if (state_.at(candidate).started_pass != pass_) {
        ++at;
        return true;
      }
    }
    return false;
  };
  chooser_.choose(view(), job, next, out);
}

void TiresiasQueue::count_waiting(const JobView& job, int delta) {
  if (job.job().is_cpu_only()) waiting_cpu_only_ += delta;
}

void TiresiasQueue::on_job_arrived(const JobView& job) {
  state_[job.job().id] = State{};
  count_waiting(job, +1);
}

void TiresiasQueue::on_job_started(const JobView& job) {
  count_waiting(job, -1);
  State& state = state_.at(job.job().id);
  cancel_timer(job.job().id, state);
  state.running = true;
  state.started_pass = pass_;
  if (!state.first_start) state.first_start = view().now();
  schedule_demotion(job, state);
  if (job.job().preemptible && !job.job().is_cpu_only()) running_.insert(running_entry(job.job(), state));
}

void TiresiasQueue::on_job_ended(const JobView& job) {
  const JobId id = job.job().id;
  State& state = state_.at(id);
  // The core reports the job as no longer running: leave both sets as if it were.
  state.running = true;
  cancel_timer(id, state);
  running_.erase(running_entry(job.job(), state));
  state_.erase(id);
}

void TiresiasQueue::on_job_preempted(const JobView& job) {
  const JobId id = job.job().id;
  State& state = state_.at(id);
  cancel_timer(id, state);
  running_.erase(running_entry(job.job(), state));
  state.running = false;
  count_waiting(job, +1);
  if (state.queue > 0 && options_.starve_limit > 0) {
    const Time now = view().now();
    // The wait allowed, less what it has waited already (since promotion).
    double wait = 0;
    if (options_.starve_since_promotion) {
      const Duration ran = job.run_time(now) - state.run_base;
      const Duration waited = (now - *state.first_start) - ran;
      wait = options_.starve_limit * static_cast<double>(ran.count_us()) - static_cast<double>(waited.count_us());
    } else {
      wait = options_.starve_limit * static_cast<double>(job.last_run.count_us());
    }
    const auto wait_us = static_cast<std::int64_t>(std::ceil(wait));
    state.promote_at = now + Duration::microseconds(std::max<std::int64_t>(wait_us, 1));
    promotions_.insert({state.promote_at, id});
    state.timed = true;
  }
}

std::optional<Time> TiresiasQueue::next_wakeup(Time now) {
  std::optional<Time> next;
  if (!demotions_.empty()) next = demotions_.begin()->first;
  if (!promotions_.empty() && (!next || promotions_.begin()->first < *next)) next = promotions_.begin()->first;
  // Anything already due waits for the next pass, which this asks for.
  if (next && *next <= now) next = now + Duration::microseconds(1);
  return next;
}

}  // namespace capsim::scheduler
