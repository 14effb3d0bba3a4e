// EASY backfilling (scheduler/queue/easy.hpp): reservations and which jobs
// backfill, through the scheduler core and the native engine, by hand.
#include <catch2/catch.hpp>

#include "scheduler/queue/easy.hpp"
#include "tests/scheduler/queue_driver.hpp"
#include "tests/support/helpers.hpp"

using namespace capsim;
using namespace capsim::scheduler;
using capsim::testing::QueueDriver;
using capsim::testing::TestJob;

namespace {
QueueDriver driver(std::optional<Duration> no_estimate = std::nullopt) {
  return QueueDriver(std::make_unique<EasyBackfillQueue>(no_estimate), 1, 4);  // one node of 4 GPUs
}
}  // namespace

TEST_CASE("easy: jobs that end by the shadow time backfill, others wait", "[scheduler][queue][easy]") {
  QueueDriver d = driver();
  d.arrive(0, TestJob{.gpus = 2, .estimate_s = 100});  // job 0: runs 0-100 (expected)
  CHECK(d.decide(0) == "start 0 n0x2");
  // Job 1 (4 GPUs) is blocked: with job 0's end at 100, 2 + 2 = 4 GPUs are
  // free: shadow time 100, no GPU to spare (extra 0).
  d.arrive(1, TestJob{.gpus = 4, .estimate_s = 10});   // job 1: the head
  d.arrive(1, TestJob{.gpus = 1, .estimate_s = 200});  // job 2: would end at 201 > 100: waits
  d.arrive(1, TestJob{.gpus = 1, .estimate_s = 50});   // job 3: ends at 51: backfills
  d.arrive(1, TestJob{.gpus = 1, .estimate_s = 99});   // job 4: ends at 100 exactly: backfills
  CHECK(d.decide(1) == "start 3 n0x1; start 4 n0x1");
  const auto& r = d.policy<EasyBackfillQueue>().reservation();
  REQUIRE(r.has_value());
  CHECK(r->head == 1);
  CHECK(r->shadow == Time::zero() + Duration::seconds(100));
  CHECK(r->extra_milli == 0);
  // Job 0 ends early, at 60: 2 free, the head still needs 4 (jobs 3 and 4
  // expected at 51 and 100; job 3 is late: expected now). Nothing starts.
  d.end(60, 0);
  CHECK(d.decide(60).empty());
  d.end(61, 3);
  d.end(62, 4);
  CHECK(d.decide(62) == "start 1 n0x4");
}

TEST_CASE("easy: the GPUs the head leaves at the shadow time go to long jobs", "[scheduler][queue][easy]") {
  QueueDriver d = driver();
  d.arrive(0, TestJob{.gpus = 2, .estimate_s = 100});  // job 0
  CHECK(d.decide(0) == "start 0 n0x2");
  // Job 1 (3 GPUs): at 100, 4 are free and it needs 3: one extra GPU.
  d.arrive(1, TestJob{.gpus = 3, .estimate_s = 10});
  d.arrive(1, TestJob{.gpus = 1, .estimate_s = 500});  // job 2: takes the extra GPU
  d.arrive(1, TestJob{.gpus = 1, .estimate_s = 500});  // job 3: none left: would delay job 1
  CHECK(d.decide(1) == "start 2 n0x1");
  CHECK(d.policy<EasyBackfillQueue>().reservation()->extra_milli == 0);
  d.end(100, 0);
  CHECK(d.decide(100) == "start 1 n0x3");
}

TEST_CASE("easy: jobs without an estimate use the recorded time, or no_estimate", "[scheduler][queue][easy]") {
  // Job 0 runs with no estimate, recorded 100 s; job 1 (4 GPUs) waits for
  // it; job 2 (1 GPU, recorded 50 s) ends by the shadow time 100 under the
  // oracle, but not when jobs without an estimate count as an hour.
  for (const bool oracle : {true, false}) {
    QueueDriver d = oracle ? driver() : driver(Duration::seconds(3600));
    d.arrive(0, TestJob{.gpus = 2, .recorded_s = 100});
    CHECK(d.decide(0) == "start 0 n0x2");
    d.arrive(1, TestJob{.gpus = 4, .recorded_s = 10});
    d.arrive(1, TestJob{.gpus = 1, .recorded_s = 50});
    CHECK(d.decide(1) == (oracle ? "start 2 n0x1" : ""));
  }
}

TEST_CASE("easy beats strict FIFO through the engine, by hand", "[scheduler][queue][easy][sim]") {
  // One node of 4 GPUs; estimates exact except c's (60 for 50).
  // a (t=0, 2 GPUs, 100 s) runs 0-100. b (t=1, 4 GPUs, 10 s) reserves 100.
  // c (t=1, 1 GPU, 50 s, est 60) ends by 100: backfills 1-51. d (t=1, 1 GPU,
  // 200 s) would end at 201: waits. b runs 100-110, d 110-310.
  // EASY JCTs 100, 109, 50, 309 (mean 142); waits 0, 99, 0, 109 (mean 52).
  // Strict FIFO: c and d wait for b: c runs 110-160: JCTs 100, 109, 159, 309
  // (mean 169.25); waits 0, 99, 109, 109 (mean 79.25).
  const std::string jobs =
      "cluster: {node_groups: [{gpu: V100, gpus_per_node: 4, count: 1}]}\n"
      "workload:\n"
      "  jobs:\n"
      "    - {id: a, submit: 0s, gpus: 2, duration: 100s, estimate: 100s}\n"
      "    - {id: b, submit: 1s, gpus: 4, duration: 10s, estimate: 10s}\n"
      "    - {id: c, submit: 1s, gpus: 1, duration: 50s, estimate: 60s}\n"
      "    - {id: d, submit: 1s, gpus: 1, duration: 200s, estimate: 200s}\n";
  const auto easy = capsim::testing::run_yaml(jobs + "policies: {queue: easy, placement: best_fit}\n");
  CHECK(easy.jobs.end_s == std::vector<double>{100, 110, 51, 310});
  CHECK(easy.summary.jct_s.mean == 142);
  CHECK(easy.summary.queueing_delay_s.mean == 52);
  const auto fifo = capsim::testing::run_yaml(jobs + "policies: {queue: fifo, placement: best_fit}\n");
  CHECK(fifo.jobs.end_s == std::vector<double>{100, 110, 160, 310});
  CHECK(fifo.summary.jct_s.mean == 169.25);
  CHECK(fifo.summary.queueing_delay_s.mean == 79.25);
}
