// Themis (scheduler/queue/themis.hpp) driven through the scheduler core by
// hand: rounds at multiples of the lease, the first lease that protects a job,
// and rho (time since arrival + time left, over the duration) deciding who
// gets the GPUs; worked out in the comments.
#include <catch2/catch.hpp>

#include "tests/scheduler/policy_driver.hpp"

using capsim::testing::input_error_of;
using capsim::testing::PolicyDriver;

TEST_CASE("themis: at a round, a job of higher rho takes the GPUs of one whose lease ended",
          "[scheduler][queue][themis]") {
  PolicyDriver driver("{name: themis, lease: 1m}");  // one node of 4 GPUs
  driver.arrive(0, 4, 1000);                         // job 0
  CHECK(driver.decide(0) == "start 0 n0x4");
  CHECK_FALSE(driver.wakeup());  // nobody waits: no round is needed
  driver.arrive(10, 4, 20);      // job 1
  CHECK(driver.decide(10).empty());
  CHECK(driver.wakeup() == 60);
  // Round at 60: job 0's first lease (0-60) is over; its rho is
  // (0 + 1000) / 1000 = 1 (it never waited). Job 1's is (50 + 20) / 20 = 3.5.
  CHECK(driver.on_wakeup() == "preempt 0; start 1 n0x4");
  CHECK(driver.wakeup() == 120);  // job 0 waits
  // t=80: job 1 ends; job 0 resumes: rho (80 + 940) / 1000 = 1.02, and a lease
  // to the first round 60 s away: 180.
  driver.end(80, 1);
  CHECK(driver.decide(80) == "start 0 n0x4");
  CHECK_FALSE(driver.wakeup());
  // t=90: job 2 (4 GPUs, 10 s). At the round at 120 its rho is
  // (30 + 10) / 10 = 4, but job 0's lease runs to 180: it keeps its GPUs.
  driver.arrive(90, 4, 10);
  CHECK(driver.decide(90).empty());
  CHECK(driver.wakeup() == 120);
  CHECK(driver.on_wakeup().empty());
  CHECK(driver.wakeup() == 180);
  // Round at 180: job 2's rho (90 + 10) / 10 = 10 > 1.02.
  CHECK(driver.on_wakeup() == "preempt 0; start 2 n0x4");
}

TEST_CASE("themis: between rounds freed GPUs go by rho, and nobody is stopped", "[scheduler][queue][themis]") {
  PolicyDriver driver("{name: themis, lease: 1m}");
  driver.arrive(0, 4, 100);  // job 0
  driver.decide(0);
  driver.arrive(1, 2, 1000);  // job 1: rho at the round at 60: (59 + 1000) / 1000 = 1.059
  driver.arrive(2, 2, 10);    // job 2: (58 + 10) / 10 = 6.8
  driver.arrive(3, 4, 50);    // job 3: (57 + 50) / 50 = 2.14
  CHECK(driver.decide(3).empty());
  // At 60 job 0 (rho 1) is stopped for job 2, the highest; job 3 (4 GPUs)
  // does not fit in the 2 left and may not stop job 2 (lease to 120); job 1
  // (2 GPUs) takes them.
  CHECK(driver.on_wakeup() == "preempt 0; start 2 n0x2; start 1 n0x2");
  // t=70: job 2 ends. Waiting: job 3 (rho 2.14 at 60), job 0 (1.0 at 60):
  // job 3 is first and does not fit; job 0 neither; no round, no victim.
  driver.end(70, 2);
  CHECK(driver.decide(70).empty());
  CHECK(driver.wakeup() == 120);
}

TEST_CASE("themis: bad parameters name the field", "[scheduler][queue][themis]") {
  const auto e = input_error_of([] { capsim::testing::queue_policy("{name: themis, lease: 0s}"); });
  CHECK(e.field() == "policies.queue.lease");
  const auto e2 = input_error_of([] { capsim::testing::queue_policy("{name: themis, missing_estimate: infinite}"); });
  CHECK(e2.field() == "policies.queue.missing_estimate");
}
