// SJF (scheduler/queue/sjf.hpp) on one node of 4 V100s, driven through the
// scheduler core by hand; expected orders worked out in the comments.
#include <catch2/catch.hpp>

#include "tests/scheduler/policy_driver.hpp"

using capsim::testing::input_error_of;
using capsim::testing::PolicyDriver;

TEST_CASE("sjf: the shortest waiting job runs first, ties in arrival order", "[scheduler][queue][sjf]") {
  PolicyDriver driver("sjf");
  driver.arrive(0, 4, 100);  // job 0 fills the node
  CHECK(driver.decide(0) == "start 0 n0x4");
  driver.arrive(1, 1, 50);  // job 1
  driver.arrive(1, 1, 10);  // job 2
  driver.arrive(1, 1, 30);  // job 3
  driver.arrive(2, 1, 10);  // job 4: as short as job 2, later
  CHECK(driver.decide(2).empty());
  // Job 0 ends: 10 (job 2), 10 (job 4, arrived after 2), 30 (job 3), 50 (job 1).
  driver.end(100, 0);
  CHECK(driver.decide(100) == "start 2 n0x1; start 4 n0x1; start 3 n0x1; start 1 n0x1");
  CHECK_FALSE(driver.wakeup());  // no timers: sjf never needs a pass of its own
}

TEST_CASE("sjf: by gpu_time weighs the run time by the GPUs", "[scheduler][queue][sjf]") {
  // Job 1: 4 GPUs x 10 s = 40 GPU-s; job 2: 1 GPU x 30 s = 30 GPU-s.
  // By time job 1 (10 s) goes first and takes the node; by GPU-time job 2
  // does, and job 1 (4 GPUs, 3 left) then waits at the head (strict).
  for (const bool gpu_time : {false, true}) {
    PolicyDriver driver(gpu_time ? "{name: sjf, by: gpu_time}" : "{name: sjf, by: time}");
    driver.arrive(0, 4, 100);
    driver.decide(0);
    driver.arrive(1, 4, 10);
    driver.arrive(1, 1, 30);
    driver.end(100, 0);
    CHECK(driver.decide(100) == (gpu_time ? "start 2 n0x1" : "start 1 n0x4"));
  }
}

TEST_CASE("sjf: the user's estimate, and what a job without one gets", "[scheduler][queue][sjf]") {
  // Job 1 estimates 20 s (runs 100); job 2 gives none (runs 5); job 3
  // estimates 50 s (runs 1). With the oracle for the missing estimate:
  // 2 (5), 1 (20), 3 (50); with infinity: 1, 3, then 2.
  for (const bool infinite : {false, true}) {
    PolicyDriver driver(infinite ? "{name: sjf, duration: estimate, missing_estimate: infinite}"
                                 : "{name: sjf, duration: estimate}");
    driver.arrive(0, 4, 100);
    driver.decide(0);
    driver.arrive(1, {.gpus = 1, .duration_s = 100, .estimate_s = 20});
    driver.arrive(1, {.gpus = 1, .duration_s = 5});
    driver.arrive(1, {.gpus = 1, .duration_s = 1, .estimate_s = 50});
    driver.end(100, 0);
    CHECK(driver.decide(100) ==
          (infinite ? "start 1 n0x1; start 3 n0x1; start 2 n0x1" : "start 2 n0x1; start 1 n0x1; start 3 n0x1"));
  }
}

TEST_CASE("sjf: strict by default; skip_blocked lets the jobs behind a blocked head past", "[scheduler][queue][sjf]") {
  // Job 0 holds 3 GPUs. Job 1 (2 GPUs, 10 s) is the shortest but does not
  // fit; job 2 (1 GPU, 60 s) would.
  for (const bool skip : {false, true}) {
    PolicyDriver driver(skip ? "{name: sjf, skip_blocked: true}" : "sjf");
    driver.arrive(0, 3, 100);
    driver.decide(0);
    driver.arrive(1, 2, 10);
    driver.arrive(1, 1, 60);
    CHECK(driver.decide(1) == (skip ? "start 2 n0x1" : ""));
  }
}

TEST_CASE("sjf: bad parameters name the field", "[scheduler][queue][sjf]") {
  const auto e = input_error_of([] { capsim::testing::queue_policy("{name: sjf, duration: guess}"); });
  CHECK(e.field() == "policies.queue.duration");
  CHECK(e.expected() == "oracle or estimate");
  const auto e2 = input_error_of([] { capsim::testing::queue_policy("{name: sjf, by: gpus}"); });
  CHECK(e2.field() == "policies.queue.by");
  const auto e3 = input_error_of([] { capsim::testing::queue_policy("{name: sjf, lease: 1h}"); });
  CHECK(e3.field() == "policies.queue.lease");
}
