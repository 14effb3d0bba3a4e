// Multi-tenant quotas with borrowing and reclaim (scheduler/queue/quota.hpp),
// through the scheduler core and the native engine, worked out by hand.
#include <catch2/catch.hpp>

#include "scheduler/queue/quota.hpp"
#include "scheduler/registry.hpp"
#include "tests/scheduler/queue_driver.hpp"
#include "tests/support/helpers.hpp"

using namespace capsim;
using namespace capsim::scheduler;
using capsim::testing::QueueDriver;
using capsim::testing::TestJob;

namespace {
QuotaConfig quotas_of_4() {
  QuotaConfig config;
  config.quota_gpus = {{"a", 4}, {"b", 4}};
  return config;
}
}  // namespace

TEST_CASE("quota: a tenant borrows idle quota and gives it back when the owner needs it", "[scheduler][queue][quota]") {
  // Two nodes of 4 GPUs; tenants a and b with 4 GPUs each.
  QueueDriver d(std::make_unique<QuotaQueue>(quotas_of_4()), 2, 4);
  // At 0, a submits eight 1-GPU jobs: four within its quota, four borrowed
  // from b's idle quota (nobody waits for it). Best fit fills node 0 first.
  for (int i = 0; i < 8; ++i) d.arrive(0, TestJob{.gpus = 1, .tenant = "a"});
  CHECK(d.decide(0) ==
        "start 0 n0x1; start 1 n0x1; start 2 n0x1; start 3 n0x1; "
        "start 4 n1x1; start 5 n1x1; start 6 n1x1; start 7 n1x1");
  const auto& quota = d.policy<QuotaQueue>();
  CHECK(quota.books(1).used == 8000);
  CHECK(quota.books(1).nominal == 4000);
  // At 10, b submits two 2-GPU jobs, within its quota, and nothing is free:
  // b reclaims. a is 4 GPUs above its quota; its jobs go latest start first
  // (all started at 0: the highest id first): 7, then 6 frees two GPUs of
  // node 1 for job 8; then 5 and 4 for job 9. a is back at its quota.
  d.arrive(10, TestJob{.gpus = 2, .tenant = "b"});  // job 8
  d.arrive(10, TestJob{.gpus = 2, .tenant = "b"});  // job 9
  CHECK(d.decide(10) == "preempt 7; preempt 6; start 8 n1x2; preempt 5; preempt 4; start 9 n1x2");
  CHECK(quota.books(1).used == 4000);
  CHECK(quota.books(1).waiting == 4000);
  CHECK(quota.books(2).used == 4000);
  // At 20 job 8 ends: b waits for nothing, so a borrows its 2 idle GPUs
  // again (jobs 4 and 5, the earliest submitted); 6 and 7 find none free.
  d.end(20, 8);
  CHECK(d.decide(20) == "start 4 n1x1; start 5 n1x1");
  // At 30 b wants 2 GPUs again: jobs 5 and 4 (started at 20; 5 the higher
  // id) are reclaimed.
  d.arrive(30, TestJob{.gpus = 2, .tenant = "b"});  // job 10
  CHECK(d.decide(30) == "preempt 5; preempt 4; start 10 n1x2");
}

TEST_CASE("quota: the borrowing limit, and no borrowing of what an owner waits for", "[scheduler][queue][quota]") {
  QuotaConfig limited = quotas_of_4();
  limited.borrowing_limit_gpus = {{"default", 1}};
  QueueDriver d(std::make_unique<QuotaQueue>(limited), 2, 4);
  // a may hold 4 + 1 GPUs: five of its eight jobs start.
  for (int i = 0; i < 8; ++i) d.arrive(0, TestJob{.gpus = 1, .tenant = "a"});
  CHECK(d.decide(0) == "start 0 n0x1; start 1 n0x1; start 2 n0x1; start 3 n0x1; start 4 n1x1");

  // Without a limit: b's 4-GPU job (within its quota) takes node 0 at 0;
  // a's first four jobs fill node 1 within a's quota; nothing is left.
  QueueDriver e(std::make_unique<QuotaQueue>(quotas_of_4()), 2, 4);
  e.arrive(0, TestJob{.gpus = 4, .tenant = "b"});                              // job 0
  for (int i = 0; i < 6; ++i) e.arrive(0, TestJob{.gpus = 1, .tenant = "a"});  // jobs 1-6
  CHECK(e.decide(0) == "start 0 n0x4; start 1 n1x1; start 2 n1x1; start 3 n1x1; start 4 n1x1");
  // Job 0 ends and b submits a 4-GPU job at the same instant (job 7): the 4
  // free GPUs are within b's quota and b waits for them, so a's jobs 5 and 6
  // (earlier in the queue) may not borrow them.
  e.end(20, 0);
  e.arrive(20, TestJob{.gpus = 4, .tenant = "b"});
  CHECK(e.decide(20) == "start 7 n0x4");
}

TEST_CASE("quota: equal shares when no quota is given; parameters are checked", "[scheduler][queue][quota]") {
  // Four GPUs and two tenants seen: 2 each. a's third job borrows; b's job
  // reclaims it.
  QueueDriver d(std::make_unique<QuotaQueue>(QuotaConfig{}), 1, 4);
  d.arrive(0, TestJob{.gpus = 1, .tenant = "b"});  // job 0: b seen first
  for (int i = 0; i < 3; ++i) d.arrive(0, TestJob{.gpus = 1, .tenant = "a"});
  CHECK(d.decide(0) == "start 0 n0x1; start 1 n0x1; start 2 n0x1; start 3 n0x1");
  CHECK(d.policy<QuotaQueue>().books(1).nominal == 2000);
  d.arrive(5, TestJob{.gpus = 1, .tenant = "b"});  // job 4: b holds 1 of its 2
  CHECK(d.decide(5) == "preempt 3; start 4 n0x1");

  const auto registry = PolicyRegistry::with_builtins();
  const std::string cluster =
      "cluster: {node_groups: [{gpu: V100, gpus_per_node: 8, count: 1}]}\n"
      "workload: {jobs: [{submit: 0s, gpus: 1, duration: 1s}]}\n";
  const auto s = capsim::testing::scenario_from(
      cluster + "policies: {queue: {name: quota, share: {a: 0.5, default: 0.25}, borrowing_limit: 2}}\n");
  CHECK(registry.make_queue(s.queue_policy)->name() == "quota");
  const auto both =
      capsim::testing::scenario_from(cluster + "policies:\n  queue: {name: quota, quota: {a: 1}, share: {a: 0.5}}\n");
  CHECK(capsim::testing::input_error_of([&] { registry.make_queue(both.queue_policy); }).field() ==
        "policies.queue.share");
  const auto bad = capsim::testing::scenario_from(cluster + "policies:\n  queue: {name: quota, queueing: strict}\n");
  CHECK(capsim::testing::input_error_of([&] { registry.make_queue(bad.queue_policy); }).field() ==
        "policies.queue.queueing");
}

TEST_CASE("quota: reclaim through the engine, with the restore overhead", "[scheduler][queue][quota][sim]") {
  // One node of 4 V100s; tenants a and b with 2 GPUs each; the default job
  // class (checkpoint on preemption, 30 s restore).
  // a1, a2 (t=0, 2 GPUs, 100 s): a2 borrows b's idle quota. b1 (t=10, 2
  // GPUs, 50 s) reclaims it: a2 stops at 10 with 90 s of work left; b1 runs
  // 10-60; a2 resumes at 60: 30 s restore + 90 s: ends at 180.
  const auto results = capsim::testing::run_yaml(
      "cluster: {node_groups: [{gpu: V100, gpus_per_node: 4, count: 1}]}\n"
      "workload:\n"
      "  jobs:\n"
      "    - {id: a1, submit: 0s, gpus: 2, duration: 100s, queue: a}\n"
      "    - {id: a2, submit: 0s, gpus: 2, duration: 100s, queue: a}\n"
      "    - {id: b1, submit: 10s, gpus: 2, duration: 50s, queue: b}\n"
      "policies: {queue: {name: quota, quota: {a: 2, b: 2}}, placement: best_fit}\n");
  CHECK(results.jobs.end_s == std::vector<double>{100, 180, 60});
  CHECK(results.jobs.preemptions == std::vector<std::int32_t>{0, 1, 0});
  CHECK(results.summary.jct_s.mean == Approx((100.0 + 180 + 50) / 3));
}
