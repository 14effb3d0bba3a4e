#include "scheduler/queue/fifo.hpp"

namespace capsim::scheduler {

QueueKey FifoQueue::key(const JobView& job) {
  return {static_cast<double>(job.job().submit.count_us()), 0};
}

}  // namespace capsim::scheduler
