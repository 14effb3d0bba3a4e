#include "scheduler/queue/fifo.hpp"

namespace capsim::scheduler {

QueueKey FifoQueue::key(const JobRequest& job) const {
  return {static_cast<double>(job.submit.count_us()), 0};
}

}  // namespace capsim::scheduler
