// Strict priority classes with preemption (scheduler/queue/priority.hpp),
// driven through the scheduler core and the native engine; the expected
// orders, victims and times are worked out by hand in the comments.
#include <catch2/catch.hpp>

#include "scheduler/queue/priority.hpp"
#include "tests/scheduler/queue_driver.hpp"
#include "tests/support/helpers.hpp"

using namespace capsim;
using namespace capsim::scheduler;
using capsim::testing::QueueDriver;
using capsim::testing::TestJob;

namespace {
QueueDriver driver(bool preemption = true, bool skip_blocked = false) {
  return QueueDriver(std::make_unique<PriorityQueue>(preemption, skip_blocked), 1, 4);  // one node of 4 GPUs
}
}  // namespace

TEST_CASE("priority: higher classes go first, then arrival order", "[scheduler][queue][priority]") {
  QueueDriver d = driver();
  d.arrive(0, TestJob{.gpus = 2, .priority = 0});  // job 0
  d.arrive(0, TestJob{.gpus = 2, .priority = 1});  // job 1: ahead of job 0
  d.arrive(0, TestJob{.gpus = 2, .priority = 0});  // job 2: behind job 0, no room left
  CHECK(d.decide(0) == "start 1 n0x2; start 0 n0x2");
  // Job 2 finds nobody of lower priority to stop (job 0 is its equal).
  CHECK(d.decide(1).empty());
  d.end(5, 1);
  CHECK(d.decide(5) == "start 2 n0x2");
}

TEST_CASE("priority: victims are the lowest priority first, then the latest started", "[scheduler][queue][priority]") {
  QueueDriver d = driver();
  d.arrive(0, TestJob{.gpus = 1, .priority = 0});  // job 0, starts at 0
  CHECK(d.decide(0) == "start 0 n0x1");
  d.arrive(5, TestJob{.gpus = 1, .priority = 0});  // job 1, starts at 5
  CHECK(d.decide(5) == "start 1 n0x1");
  d.arrive(6, TestJob{.gpus = 1, .priority = 1});  // job 2, starts at 6
  CHECK(d.decide(6) == "start 2 n0x1");
  // Job 3 (priority 2, 2 GPUs) finds 1 free and needs 1 more. Candidates in
  // order: priority 0 before 1, and among priority 0 the latest start: job 1
  // (5), job 0 (0), then job 2. Stopping job 1 frees enough.
  d.arrive(10, TestJob{.gpus = 2, .priority = 2});
  CHECK(d.decide(10) == "preempt 1; start 3 n0x2");
  // Job 1 waits again (priority 0). Job 4 (priority 1, 2 GPUs): none free,
  // and the only job below it, job 0, holds 1 GPU (job 2 is its equal, job
  // 3 its better): stopping it would not do, so nothing is stopped.
  d.arrive(11, TestJob{.gpus = 2, .priority = 1});
  CHECK(d.decide(11).empty());
  CHECK(d.core().running_jobs() == 3);
  // Job 3 ends: 2 free. Job 4 starts (priority 1 first); job 1 (priority
  // 0) finds none free and no lower priority to stop.
  d.end(20, 3);
  CHECK(d.decide(20) == "start 4 n0x2");
}

TEST_CASE("priority: a non-preemptible job is never a victim; preemption can be off", "[scheduler][queue][priority]") {
  QueueDriver d = driver();
  d.arrive(0, TestJob{.gpus = 2, .priority = 0, .preemptible = false});  // job 0
  d.arrive(0, TestJob{.gpus = 2, .priority = 0});                        // job 1
  CHECK(d.decide(0) == "start 0 n0x2; start 1 n0x2");
  d.arrive(1, TestJob{.gpus = 4, .priority = 5});  // job 2: only job 1 may go, and 2 GPUs are not enough
  CHECK(d.decide(1).empty());
  d.arrive(2, TestJob{.gpus = 2, .priority = 5});  // job 3: strict, waits behind job 2
  CHECK(d.decide(2).empty());

  QueueDriver off = driver(/*preemption=*/false, /*skip_blocked=*/true);
  off.arrive(0, 4);  // job 0
  CHECK(off.decide(0) == "start 0 n0x4");
  off.arrive(1, TestJob{.gpus = 4, .priority = 9});
  CHECK(off.decide(1).empty());
  CHECK_FALSE(off.core().queue_policy().preempts());
}

TEST_CASE("priority: skip_blocked lets a lower class use what the blocked one cannot", "[scheduler][queue][priority]") {
  QueueDriver d = driver(/*preemption=*/true, /*skip_blocked=*/true);
  d.arrive(0, TestJob{.gpus = 3, .priority = 1, .preemptible = false});  // job 0
  CHECK(d.decide(0) == "start 0 n0x3");
  d.arrive(1, TestJob{.gpus = 2, .priority = 1});  // job 1: 1 free, no victim
  d.arrive(1, TestJob{.gpus = 1, .priority = 0});  // job 2: passes it
  CHECK(d.decide(1) == "start 2 n0x1");
  // Job 3 (priority 2, 1 GPU): job 2 is the only lower job running: stopped.
  d.arrive(2, TestJob{.gpus = 1, .priority = 2});
  CHECK(d.decide(2) == "preempt 2; start 3 n0x1");
}

TEST_CASE("priority: preemption through the engine, with lost work and restore", "[scheduler][queue][priority][sim]") {
  // One V100 node of 4 GPUs. Class low (queue batch): priority 0, checkpoint
  // every 40 s, restore 10 s. Class high (queue prod): priority 1.
  // a (low, 4 GPUs, 100 s) starts at 0. b (high, 2 GPUs, 30 s) arrives at
  // 50: a is stopped; its last checkpoint was at 40, so 60 s of work is left.
  // b runs 50-80. a restarts at 80 on 4 GPUs: 10 s of restore, then 60 s:
  // ends at 150 (JCT 150, 1 preemption, 10 s of 4 GPUs lost).
  const auto results = capsim::testing::run_yaml(
      "cluster: {node_groups: [{gpu: V100, gpus_per_node: 4, count: 1}]}\n"
      "workload:\n"
      "  job_classes:\n"
      "    - {name: low, queues: [batch], priority: 0, checkpoint_interval: 40s, restore_overhead: 10s}\n"
      "    - {name: high, queues: [prod], priority: 1}\n"
      "  jobs:\n"
      "    - {id: a, submit: 0s, gpus: 4, duration: 100s, queue: batch}\n"
      "    - {id: b, submit: 50s, gpus: 2, duration: 30s, queue: prod}\n"
      "policies: {queue: priority, placement: best_fit}\n");
  const auto& jobs = results.jobs;
  REQUIRE(jobs.size() == 2);
  CHECK(jobs.start_s[1] == 50);
  CHECK(jobs.end_s[1] == 80);
  CHECK(jobs.end_s[0] == 150);
  CHECK(jobs.preemptions[0] == 1);
  CHECK(jobs.lost_gpu_hours[0] == Approx(4.0 * 10 / 3600));
  CHECK(results.summary.preemptions == 1);
}
