#include "scheduler/queue/helios.hpp"

#include "scheduler/queue/preemption.hpp"

namespace capsim::scheduler {

double HeliosQueue::estimated_seconds(const JobRequest& job) const {
  const auto mean = [](const Mean& m) { return m.sum_seconds / static_cast<double>(m.count); };
  if (const auto it = by_user_request_.find({job.user, job.request.gpu_milli}); it != by_user_request_.end()) {
    return mean(it->second);
  }
  if (const auto it = by_user_.find(job.user); it != by_user_.end()) return mean(it->second);
  if (everyone_.count > 0) return mean(everyone_);
  return options_.default_duration.to_seconds();
}

QueueKey HeliosQueue::key(const JobView& job) {
  return {estimated_seconds(job.job()) * gpu_weight(job), static_cast<double>(job.job().submit.count_us())};
}

void HeliosQueue::on_job_ended(const JobView& job) {
  const double seconds = job.run_time(view().now()).to_seconds();
  by_user_request_[{job.job().user, job.job().request.gpu_milli}].add(seconds);
  by_user_[job.job().user].add(seconds);
  everyone_.add(seconds);
}

}  // namespace capsim::scheduler
