// SJF: shortest job first, non-preemptive: the classic size-based baseline
// (SJF with known durations, as in the baselines of Helios, SC'21; its
// preemptive sibling is srtf.hpp). Waiting jobs are ordered by their run time,
// the trace's (`duration: oracle`, the known-duration oracle) or the user's
// estimate (`duration: estimate`, with `missing_estimate: oracle` or
// `infinite` for jobs that give none), or by that run time x GPUs
// (`by: gpu_time`, like the "shortest-gpu" scheduler of Tiresias' simulator:
// a job's size in the cluster's scarce resource, so that a short job that
// takes a rack does not jump ahead of small ones; a CPU-only job counts as
// one GPU); ties in arrival order. A running job is never stopped. Strict by
// default like FIFO (a head that does not fit holds back the queue);
// `skip_blocked: true` lets the jobs behind it past.
#pragma once

#include "scheduler/queue/preemption.hpp"
#include "scheduler/queue/queue_policy.hpp"

namespace capsim::scheduler {

class SjfQueue final : public QueuePolicy {
 public:
  struct Options {
    DurationChoice duration;
    bool gpu_time = false;  // order by run time x GPUs
    bool skip_blocked = false;
  };
  explicit SjfQueue(Options options) : options_(options) {}
  std::string_view name() const override { return "sjf"; }
  QueueKey key(const JobView& job) override;
  bool blocks_queue() const override { return !options_.skip_blocked; }

 private:
  Options options_;
};
static_assert(std::is_base_of_v<QueuePolicy, SjfQueue>);

}  // namespace capsim::scheduler
