// FIFO: jobs in submit order. Strict by default, as in the FIFO baselines of
// Tiresias (NSDI'19) and Gandiva (OSDI'18): the head of the queue waits for
// room and nothing overtakes it. With `skip_blocked: true` the scheduler tries
// the jobs behind a head that does not fit (first-come first-served with
// skipping, no reservation; EASY backfilling with reservations is issue 4).
#pragma once

#include "scheduler/queue/queue_policy.hpp"

namespace capsim::scheduler {

class FifoQueue final : public QueuePolicy {
 public:
  explicit FifoQueue(bool skip_blocked) : skip_blocked_(skip_blocked) {}
  std::string_view name() const override { return "fifo"; }
  QueueKey key(const JobView& job) override;
  bool blocks_queue() const override { return !skip_blocked_; }

 private:
  bool skip_blocked_;
};
static_assert(std::is_base_of_v<QueuePolicy, FifoQueue>);

}  // namespace capsim::scheduler
