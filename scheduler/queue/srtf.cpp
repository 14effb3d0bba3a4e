#include "scheduler/queue/srtf.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace capsim::scheduler {

namespace {
// The end of a job whose remaining time is infinite (no estimate).
constexpr std::int64_t kNever = std::numeric_limits<std::int64_t>::max() / 4;
}  // namespace

double SrtfQueue::remaining(const JobView& job) const {
  const double duration = options_.duration.seconds(job.job());
  const double weight = options_.gpu_time ? gpu_weight(job) : 1.0;
  if (std::isinf(duration)) return duration;
  return std::max(0.0, duration - job.run_time(view().now()).to_seconds()) * weight;
}

double SrtfQueue::value_of(std::int64_t weight_milli, std::int64_t end_us) const {
  if (end_us >= kNever) return std::numeric_limits<double>::infinity();
  const double weight = weight_milli == 0 ? 1.0 : static_cast<double>(weight_milli) / kMilliPerGpu;
  const std::int64_t left = std::max<std::int64_t>(0, end_us - view().now().count_us());
  return weight * (static_cast<double>(left) / 1e6);
}

QueueKey SrtfQueue::key(const JobView& job) {
  return {remaining(job), static_cast<double>(job.job().submit.count_us())};
}

double SrtfQueue::longest_running() const {
  double longest = -1;
  for (const auto& [weight, jobs] : running_) {
    if (!jobs.empty()) longest = std::max(longest, value_of(weight, jobs.rbegin()->first));
  }
  return longest;
}

void SrtfQueue::begin_pass(PassControl& /*control*/) {
  ++pass_;
  chooser_.new_pass();
}

Admit SrtfQueue::admit(const JobView& job) {
  // Running jobs started in this pass are never longer than `job` (they came
  // before it in the queue), so the longest one decides.
  return admit_preemptive(view().cluster(), job.job(), longest_running() > remaining(job), waiting_cpu_only_, chooser_);
}

void SrtfQueue::victims(const JobView& job, std::vector<JobId>& out) {
  const double limit = remaining(job);
  // Merge the groups, longest remaining value first.
  struct Head {
    std::int64_t weight;
    std::set<Running>::const_reverse_iterator at, end;
  };
  std::vector<Head> heads;
  for (const auto& [weight, jobs] : running_) heads.push_back({weight, jobs.rbegin(), jobs.rend()});
  auto next = [&](JobId& candidate) {
    for (;;) {
      Head* best = nullptr;
      double best_value = limit;
      for (Head& head : heads) {
        if (head.at == head.end) continue;
        const double value = value_of(head.weight, head.at->first);
        if (value > best_value) {
          best_value = value;
          best = &head;
        }
      }
      if (best == nullptr) return false;  // none strictly longer is left
      candidate = best->at->second;
      ++best->at;
      if (state_.at(candidate).started_pass != pass_) return true;
    }
  };
  chooser_.choose(view(), job, next, out);
}

void SrtfQueue::count_waiting(const JobView& job, int delta) {
  if (job.job().is_cpu_only()) waiting_cpu_only_ += delta;
}

void SrtfQueue::on_job_arrived(const JobView& job) {
  state_[job.job().id] = State{};
  count_waiting(job, +1);
}

void SrtfQueue::on_job_started(const JobView& job) {
  count_waiting(job, -1);
  State& state = state_.at(job.job().id);
  state.started_pass = pass_;
  if (!job.job().preemptible || job.job().is_cpu_only()) return;
  const double duration = options_.duration.seconds(job.job());
  if (std::isinf(duration)) {
    state.end_us = kNever;
  } else {
    const double left = std::max(0.0, duration - job.previous_runs.to_seconds());
    state.end_us = job.run_start.count_us() + std::min<std::int64_t>(std::llround(left * 1e6), kNever / 2);
  }
  state.weight_milli = options_.gpu_time ? job.job().request.gpu_milli : 0;
  running_[state.weight_milli].insert({state.end_us, job.job().id});
  state.in_running = true;
}

void SrtfQueue::leave_running(JobId id) {
  State& state = state_.at(id);
  if (!state.in_running) return;
  const auto group = running_.find(state.weight_milli);
  group->second.erase({state.end_us, id});
  if (group->second.empty()) running_.erase(group);
  state.in_running = false;
}

void SrtfQueue::on_job_ended(const JobView& job) {
  leave_running(job.job().id);
  state_.erase(job.job().id);
}

void SrtfQueue::on_job_preempted(const JobView& job) {
  leave_running(job.job().id);
  count_waiting(job, +1);
}

}  // namespace capsim::scheduler
