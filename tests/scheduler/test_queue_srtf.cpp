// SRTF (scheduler/queue/srtf.hpp) driven through the scheduler core by hand:
// who is stopped, for whom, and who never is; expected decisions worked out
// in the comments.
#include <catch2/catch.hpp>

#include "tests/scheduler/policy_driver.hpp"

using capsim::testing::PolicyDriver;
using capsim::testing::v100_nodes;

TEST_CASE("srtf: a shorter job stops a longer one, and never the other way round", "[scheduler][queue][srtf]") {
  PolicyDriver driver("srtf");  // one node of 4 GPUs
  driver.arrive(0, 4, 100);     // job 0
  CHECK(driver.decide(0) == "start 0 n0x4");
  // t=10: job 1 (2 GPUs, 30 s) has 30 s left, job 0 has 90 s: job 0 stops.
  driver.arrive(10, 2, 30);
  CHECK(driver.decide(10) == "preempt 0; start 1 n0x2");
  // t=20: job 2 (2 GPUs, 200 s). Job 0 (90 s left, 4 GPUs) is first but does
  // not fit, and no running job has more than 90 s left (job 1: 20 s): it
  // waits, and job 2 takes the 2 free GPUs.
  driver.arrive(20, 2, 200);
  CHECK(driver.decide(20) == "start 2 n0x2");
  // t=40: job 1 ends. Job 0 (90 s left) stops job 2 (200 - 20 = 180 s left).
  driver.end(40, 1);
  CHECK(driver.decide(40) == "preempt 2; start 0 n0x4");
  // t=50: job 3 (4 GPUs, 80 s) ties job 0's 80 s left: not strictly shorter,
  // so job 0 runs on (no thrashing between equals).
  driver.arrive(50, 4, 80);
  CHECK(driver.decide(50).empty());
  // t=51: job 4 (1 GPU, 79.5 s): strictly shorter than job 0's 79 s? No.
  driver.arrive(51, 1, 79.5);
  CHECK(driver.decide(51).empty());
  // t=130: job 0 ends. Waiting: job 4 (79.5 s), job 3 (80 s), job 2 (180 s).
  // Job 4 takes 1 GPU; job 3 (4 GPUs) does not fit in the 3 left and may not
  // stop job 4 (shorter); job 2 (2 GPUs) passes it.
  driver.end(130, 0);
  CHECK(driver.decide(130) == "start 4 n0x1; start 2 n0x2");
  CHECK_FALSE(driver.wakeup());
}

TEST_CASE("srtf: only the victims whose GPUs let the job in are stopped", "[scheduler][queue][srtf]") {
  // Two nodes of 4. Node 0: job 0 (4 GPUs, 1000 s). Node 1: job 1 (2 GPUs,
  // 500 s) and job 2 (2 GPUs, 2000 s).
  PolicyDriver driver("srtf", v100_nodes(2, 4));
  driver.arrive(0, 4, 1000);
  driver.arrive(0, 2, 500);
  driver.arrive(0, 2, 2000);
  // In SRTF order (1, 0, 2) best fit puts job 1 on node 0 (a tie: the lowest
  // id), job 0 on node 1 (the only one with 4 free), job 2 on node 0.
  CHECK(driver.decide(0) == "start 1 n0x2; start 0 n1x4; start 2 n0x2");
  // Job 3 (4 GPUs, 10 s): longest first is job 2 (1999 s left; node 0 would
  // have 2 free), then job 0 (999 s; node 1 would have 4, enough). Job 2
  // alone would not let it in: only job 0 stops.
  driver.arrive(1, 4, 10);
  CHECK(driver.decide(1) == "preempt 0; start 3 n1x4");
}

TEST_CASE("srtf: of the victims on one node, the ones not needed run on", "[scheduler][queue][srtf]") {
  // One node: job 0 (1 GPU, 300 s), job 1 (2 GPUs, 200 s), job 2 (1 GPU,
  // 10 s). Job 3 (2 GPUs, 150 s): strictly longer are job 0 (300) then job 1
  // (200). Stopping job 0 frees 1 GPU, job 1 then 2 more: job 1 alone is
  // enough, so job 0 (the more expendable, but not needed) runs on.
  PolicyDriver driver("srtf");
  driver.arrive(0, 1, 300);
  driver.arrive(0, 2, 200);
  driver.arrive(0, 1, 10);
  CHECK(driver.decide(0) == "start 2 n0x1; start 1 n0x2; start 0 n0x1");
  driver.arrive(5, 2, 150);
  CHECK(driver.decide(5) == "preempt 1; start 3 n0x2");
}

TEST_CASE("srtf: by gpu_time compares remaining GPU-time", "[scheduler][queue][srtf]") {
  // Job 0: 4 GPUs, 100 s (400 GPU-s). Job 1: 1 GPU, 200 s (200 GPU-s).
  // By time job 1 is longer (200 > 100): it waits. By GPU-time it is
  // smaller (200 < 400): job 0 stops for it.
  for (const bool gpu_time : {false, true}) {
    PolicyDriver driver(gpu_time ? "{name: srtf, by: gpu_time}" : "srtf");
    driver.arrive(0, 4, 100);
    driver.decide(0);
    driver.arrive(1, 1, 200);  // job 0 has 99 s (396 GPU-s) left
    CHECK(driver.decide(1) == (gpu_time ? "preempt 0; start 1 n0x1" : ""));
  }
}

TEST_CASE("srtf: estimates, and jobs that give none", "[scheduler][queue][srtf]") {
  // duration: estimate, missing: infinite. Job 0 gives no estimate: it has
  // infinite time left, so anyone stops it, and it stops no one. Job 1
  // (estimate 50 s, really 500) stops it.
  PolicyDriver driver("{name: srtf, duration: estimate, missing_estimate: infinite}");
  driver.arrive(0, {.gpus = 4, .duration_s = 10});
  driver.decide(0);
  driver.arrive(1, {.gpus = 4, .duration_s = 500, .estimate_s = 50});
  CHECK(driver.decide(1) == "preempt 0; start 1 n0x4");
  // At 60 job 1 has outrun its estimate: 0 s left, and nobody stops it,
  // not even job 2 (estimate 1 s).
  driver.arrive(60, {.gpus = 1, .duration_s = 1, .estimate_s = 1});
  CHECK(driver.decide(60).empty());
}

TEST_CASE("srtf: a job that may not be preempted is never a victim", "[scheduler][queue][srtf]") {
  PolicyDriver driver("srtf");
  driver.arrive(0, {.gpus = 4, .duration_s = 1000, .preemptible = false});
  driver.decide(0);
  driver.arrive(1, 1, 1);
  CHECK(driver.decide(1).empty());
}
