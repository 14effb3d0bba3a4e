// Tiresias (scheduler/queue/tiresias.hpp) driven through the scheduler core
// by hand: the exact times of demotions and promotions, who is stopped for
// whom, and the order within a queue; worked out in the comments.
#include <catch2/catch.hpp>

#include "scheduler/queue/tiresias.hpp"
#include "tests/scheduler/policy_driver.hpp"

using capsim::scheduler::TiresiasQueue;
using capsim::testing::input_error_of;
using capsim::testing::PolicyDriver;
using capsim::testing::v100_nodes;

namespace {
int queue_of(PolicyDriver& driver, capsim::scheduler::JobId job) {
  return dynamic_cast<const TiresiasQueue&>(driver.core().queue_policy()).queue_of(job);
}
}  // namespace

TEST_CASE("tiresias: demotion, preemption across queues and the starvation guard, by the clock",
          "[scheduler][queue][tiresias]") {
  // Two queues split at 100 GPU-s; a job waiting 3 x its last run is promoted.
  PolicyDriver driver("{name: tiresias, queue_thresholds: [100], starve_limit: 3}");  // one node of 4
  driver.arrive(0, 4, 1000);                                                          // job 0
  CHECK(driver.decide(0) == "start 0 n0x4");
  // 4 GPUs reach 100 GPU-s after 25 s.
  CHECK(driver.wakeup() == 25);
  // t=10: job 1 (2 GPUs) is in the highest queue, like job 0: it waits.
  driver.arrive(10, 2, 1000);
  CHECK(driver.decide(10).empty());
  CHECK(driver.wakeup() == 25);
  // t=25: job 0 drops to queue 1, and job 1 (queue 0) stops it.
  CHECK(driver.on_wakeup() == "preempt 0; start 1 n0x2");
  CHECK(queue_of(driver, 0) == 1);
  CHECK(queue_of(driver, 1) == 0);
  // Next: job 1 reaches 100 GPU-s on 2 GPUs at 25 + 50 = 75; job 0, which ran
  // 25 s, is promoted after waiting 3 x 25 s, at 100.
  CHECK(driver.wakeup() == 75);
  // t=75: job 1 drops to queue 1 too; job 0 may not stop a job of its own queue.
  CHECK(driver.on_wakeup().empty());
  CHECK(queue_of(driver, 1) == 1);
  CHECK(driver.wakeup() == 100);
  // t=100: job 0 is promoted to queue 0, its service counted from zero, and
  // stops job 1 (queue 1).
  CHECK(driver.on_wakeup() == "preempt 1; start 0 n0x4");
  CHECK(queue_of(driver, 0) == 0);
  // Job 0 crosses 100 GPU-s again 25 s later; job 1 (ran 75 s) would be
  // promoted at 100 + 3 x 75 = 325.
  CHECK(driver.wakeup() == 125);
  CHECK(driver.on_wakeup().empty());
  CHECK(queue_of(driver, 0) == 1);
  CHECK(driver.wakeup() == 325);
  // t=130: job 0 ends; job 1 starts, in the last queue: no timer is left.
  driver.end(130, 0);
  CHECK(driver.decide(130) == "start 1 n0x2");
  CHECK_FALSE(driver.wakeup());
}

TEST_CASE("tiresias: the victim is in the lowest queue, the latest arrival first", "[scheduler][queue][tiresias]") {
  // Two nodes of 4; one threshold at 10 GPU-s (2.5 s on 4 GPUs).
  PolicyDriver driver("{name: tiresias, queue_thresholds: [10]}", v100_nodes(2, 4));
  driver.arrive(0, 4, 100);
  CHECK(driver.decide(0) == "start 0 n0x4");
  driver.arrive(1, 4, 100);
  CHECK(driver.decide(1) == "start 1 n1x4");
  CHECK(driver.wakeup() == 2.5);
  CHECK(driver.on_wakeup().empty());  // job 0 to queue 1
  CHECK(driver.wakeup() == 3.5);
  CHECK(driver.on_wakeup().empty());  // job 1 to queue 1
  // Job 2 (queue 0) stops job 1, which arrived after job 0.
  driver.arrive(4, 4, 100);
  CHECK(driver.decide(4) == "preempt 1; start 2 n1x4");
}

TEST_CASE("tiresias: within a queue, arrival order; a job that does not fit is passed",
          "[scheduler][queue][tiresias]") {
  PolicyDriver driver("tiresias");  // default: one threshold at 1 GPU-hour
  driver.arrive(0, 3, 100);
  CHECK(driver.decide(0) == "start 0 n0x3");
  driver.arrive(1, 2, 100);  // job 1: no room, and no one of a lower queue to stop
  driver.arrive(2, 1, 100);  // job 2 fits in the GPU left
  CHECK(driver.decide(2) == "start 2 n0x1");
  // 3 GPUs reach 3600 GPU-s after 1200 s.
  CHECK(driver.wakeup() == 1200);
  driver.end(100, 0);
  CHECK(driver.decide(100) == "start 1 n0x2");
}

TEST_CASE("tiresias: thresholds in GPU-time, and the guard turned off", "[scheduler][queue][tiresias]") {
  // 30 min and 1 h of GPU-time: three queues. A 2-GPU job crosses them after
  // 900 s and 1800 s.
  PolicyDriver driver("{name: tiresias, queue_thresholds: [30m, 1h], starve_limit: 0}");
  driver.arrive(0, 2, 10'000);
  driver.decide(0);
  CHECK(driver.wakeup() == 900);
  driver.on_wakeup();
  CHECK(queue_of(driver, 0) == 1);
  CHECK(driver.wakeup() == 1800);
  // t=1000: job 1 (4 GPUs, queue 0) stops job 0 (queue 1): with the guard off
  // nothing is left to wake for but job 1's own demotion (1800 GPU-s on 4
  // GPUs: 450 s).
  driver.arrive(1000, 4, 10'000);
  CHECK(driver.decide(1000) == "preempt 0; start 1 n0x4");
  CHECK(driver.wakeup() == 1450);
}

TEST_CASE("tiresias: the starvation guard measures the last run, or all runs since the last promotion",
          "[scheduler][queue][tiresias]") {
  // One threshold at 10 GPU-s (2.5 s on 4 GPUs), guard at 2 x.
  for (const bool since_promotion : {false, true}) {
    PolicyDriver driver(since_promotion
                            ? "{name: tiresias, queue_thresholds: [10], starve_limit: 2, starve_basis: since_promotion}"
                            : "{name: tiresias, queue_thresholds: [10], starve_limit: 2}");
    driver.arrive(0, 4, 100);  // job 0: queue 1 from 2.5 s
    driver.decide(0);
    driver.on_wakeup();
    driver.arrive(3, 4, 1);  // job 1 (queue 0) stops job 0 after its first run, 3 s
    CHECK(driver.decide(3) == "preempt 0; start 1 n0x4");
    // Its promotion, 3 + 2 x 3 = 9 either way, comes after job 1's demotion
    // (3 + 2.5).
    CHECK(driver.wakeup() == 5.5);
    driver.end(5, 1);
    CHECK(driver.decide(5) == "start 0 n0x4");  // job 0 runs again, in queue 1
    driver.arrive(6, 4, 1);                     // job 2 stops it after 1 s
    CHECK(driver.decide(6) == "preempt 0; start 2 n0x4");
    // Last run: 1 s, promoted at 6 + 2 = 8. Since its arrival: ran 4 s,
    // waited 2 s, so it may wait 2 x 4 - 2 = 6 s more: 12. (Job 2's demotion
    // comes at 8.5.)
    CHECK(driver.wakeup() == (since_promotion ? 8.5 : 8));
    driver.on_wakeup();
    CHECK(queue_of(driver, 0) == (since_promotion ? 1 : 0));
    if (since_promotion) CHECK(driver.wakeup() == 12);
  }
}

TEST_CASE("tiresias: bad thresholds name the field", "[scheduler][queue][tiresias]") {
  const auto e = input_error_of([] { capsim::testing::queue_policy("{name: tiresias, queue_thresholds: [2h, 1h]}"); });
  CHECK(e.field() == "policies.queue.queue_thresholds[1]");
  const auto e2 = input_error_of([] { capsim::testing::queue_policy("{name: tiresias, queue_thresholds: 3600}"); });
  CHECK(e2.field() == "policies.queue.queue_thresholds");
  const auto e3 = input_error_of([] { capsim::testing::queue_policy("{name: tiresias, starve_limit: -1}"); });
  CHECK(e3.field() == "policies.queue.starve_limit");
}
