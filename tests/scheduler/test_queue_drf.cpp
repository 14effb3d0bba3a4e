// Dominant Resource Fairness (scheduler/queue/drf.hpp) through the scheduler
// core: the orders worked out by hand.
#include <catch2/catch.hpp>

#include "scheduler/queue/drf.hpp"
#include "tests/scheduler/queue_driver.hpp"

using namespace capsim;
using namespace capsim::scheduler;
using capsim::testing::QueueDriver;
using capsim::testing::TestJob;

TEST_CASE("drf: the NSDI'11 example, progressive filling within one pass", "[scheduler][queue][drf]") {
  // The paper's example: 9 CPUs and 18 GB; user A's tasks take <1 CPU, 4 GB>
  // (dominant: memory, 4/18 each), B's <3 CPUs, 1 GB> (dominant: CPU, 3/9).
  // Here on one node with 1 GPU (unused: CPU-only jobs). Keys (the share the
  // owner holds once its earlier tasks run): A 0, 2/9, 4/9, 6/9; B 0, 1/3,
  // 2/3, 1. In key order: A1, B1, A2, B2, A3 fit (9 CPUs, 14 GB); A4 and B3
  // find no CPU left. DRF's answer: A runs 3 tasks, B 2, both at 2/3.
  QueueDriver d(std::make_unique<DrfQueue>(DrfQueue::By::kUser), 1, 1, /*cpus=*/9, /*memory_mib=*/18 * 1024);
  for (int i = 0; i < 4; ++i) d.arrive(0, TestJob{.gpus = 0, .user = "A", .cpu_milli = 1000, .memory_mib = 4096});
  for (int i = 0; i < 4; ++i) d.arrive(0, TestJob{.gpus = 0, .user = "B", .cpu_milli = 3000, .memory_mib = 1024});
  CHECK(d.decide(0) == "start 0 n0x0; start 4 n0x0; start 1 n0x0; start 5 n0x0; start 2 n0x0");
  const auto& drf = d.policy<DrfQueue>();
  CHECK(drf.dominant_share(1) == Approx(12.0 / 18));  // A: 3 x 4 GB of 18
  CHECK(drf.dominant_share(2) == Approx(6.0 / 9));    // B: 2 x 3 CPUs of 9
}

TEST_CASE("drf: an owner whose job ends is re-keyed and goes ahead", "[scheduler][queue][drf]") {
  // One node of 8 GPUs. u1 and v1 (4 GPUs each) run from 0. At 1, v2 then
  // u2 (4 GPUs each) arrive: both owners hold 1/2, so both keys are 1/2 and
  // v2 (earlier) is first. At 10 u1 ends: u holds 0, u2 is re-keyed to 0 and
  // starts ahead of v2. By user or by tenant alike.
  for (const auto by : {DrfQueue::By::kUser, DrfQueue::By::kTenant}) {
    QueueDriver d(std::make_unique<DrfQueue>(by), 1, 8);
    const auto job = [&](const char* owner) {
      return by == DrfQueue::By::kUser ? TestJob{.gpus = 4, .user = owner} : TestJob{.gpus = 4, .tenant = owner};
    };
    d.arrive(0, job("u"));  // job 0
    d.arrive(0, job("v"));  // job 1
    CHECK(d.decide(0) == "start 0 n0x4; start 1 n0x4");
    d.arrive(1, job("v"));  // job 2
    d.arrive(1, job("u"));  // job 3
    CHECK(d.decide(1).empty());
    d.end(10, 0);
    CHECK(d.decide(10) == "start 3 n0x4");
    d.end(20, 1);
    CHECK(d.decide(20) == "start 2 n0x4");
  }
}

TEST_CASE("drf: a job that does not fit lets the next owner's through", "[scheduler][queue][drf]") {
  // One node of 4 GPUs; u runs 3. v's 2-GPU job (share 0) does not fit; u's
  // 1-GPU job (key 3/4) does: DRF is not a strict queue.
  QueueDriver d(std::make_unique<DrfQueue>(DrfQueue::By::kUser), 1, 4);
  d.arrive(0, TestJob{.gpus = 3, .user = "u"});
  CHECK(d.decide(0) == "start 0 n0x3");
  d.arrive(1, TestJob{.gpus = 2, .user = "v"});
  d.arrive(1, TestJob{.gpus = 1, .user = "u"});
  CHECK(d.decide(1) == "start 2 n0x1");
}

TEST_CASE("drf: an owner's long queue waits parked beyond its first 32 jobs, still FIFO", "[scheduler][queue][drf]") {
  // One node of 4 GPUs. u submits 40 one-GPU jobs (0-39; keys 0, 1/4, 2/4,
  // ... for the first 32, the rest parked), then v two (40, 41; keys 0,
  // 1/4). Interleaved by key: 0, 40, 1, 41. Then, four at a time as they
  // end, u's jobs in order, the parked ones included.
  QueueDriver d(std::make_unique<DrfQueue>(DrfQueue::By::kUser), 1, 4);
  for (int i = 0; i < 40; ++i) d.arrive(0, TestJob{.gpus = 1, .user = "u"});
  for (int i = 0; i < 2; ++i) d.arrive(0, TestJob{.gpus = 1, .user = "v"});
  CHECK(d.decide(0) == "start 0 n0x1; start 40 n0x1; start 1 n0x1; start 41 n0x1");
  std::vector<JobId> running = {0, 40, 1, 41};
  JobId next = 2;
  for (std::int64_t t = 10; next < 40; t += 10) {
    for (const JobId job : running) d.end(t, job);
    running.clear();
    std::string expected;
    for (int i = 0; i < 4 && next < 40; ++i, ++next) {
      expected += (expected.empty() ? "" : "; ") + std::string("start ") + std::to_string(next) + " n0x1";
      running.push_back(next);
    }
    CHECK(d.decide(t) == expected);
  }
}
