#include "scheduler/queue/sjf.hpp"

namespace capsim::scheduler {

QueueKey SjfQueue::key(const JobView& job) {
  double size = options_.duration.seconds(job.job());
  if (options_.gpu_time) size *= gpu_weight(job);
  return {size, static_cast<double>(job.job().submit.count_us())};
}

}  // namespace capsim::scheduler
