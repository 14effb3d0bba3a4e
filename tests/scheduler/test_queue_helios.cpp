// Helios' QSSF (scheduler/queue/helios.hpp) driven through the scheduler core
// by hand: estimates from the history of ended jobs only, and the order they
// give; worked out in the comments.
#include <catch2/catch.hpp>

#include "scheduler/queue/helios.hpp"
#include "tests/scheduler/policy_driver.hpp"

using capsim::scheduler::HeliosQueue;
using capsim::scheduler::JobRequest;
using capsim::testing::PolicyDriver;
using capsim::testing::v100_nodes;

namespace {
double estimate(PolicyDriver& driver, const char* user, std::int32_t gpus) {
  JobRequest job;
  job.user = driver.core().intern_user(user);
  job.request = capsim::Resources::gpus(gpus);
  return dynamic_cast<const HeliosQueue&>(driver.core().queue_policy()).estimated_seconds(job);
}
}  // namespace

TEST_CASE("helios: estimated GPU time from the users' ended jobs orders the queue", "[scheduler][queue][helios]") {
  PolicyDriver driver("{name: helios, default_duration: 1h}", v100_nodes(1, 2));
  driver.arrive(0, {.gpus = 1, .duration_s = 100, .user = "alice"});  // job 0
  driver.arrive(0, {.gpus = 1, .duration_s = 10, .user = "bob"});     // job 1
  CHECK(driver.decide(0) == "start 0 n0x1; start 1 n0x1");
  // Job 2 (carol, 2 GPUs): nobody has ended yet: 1 h x 2 GPUs = 7200 GPU-s.
  driver.arrive(5, {.gpus = 2, .duration_s = 30, .user = "carol"});
  CHECK(driver.decide(5).empty());
  CHECK(estimate(driver, "carol", 2) == 3600);
  // t=10: bob's job ends after 10 s: the history has one job. Job 2 (2 GPUs)
  // is at the head and does not fit in the GPU left: it holds the queue.
  driver.end(10, 1);
  CHECK(driver.decide(10).empty());
  // t=20: job 3 (alice, 1 GPU, 40 s). Alice has ended nothing: everyone's
  // mean, 10 s x 1 GPU = 10 GPU-s, puts it ahead of job 2.
  driver.arrive(20, {.gpus = 1, .duration_s = 40, .user = "alice"});
  CHECK(driver.decide(20) == "start 3 n0x1");
  driver.end(60, 3);  // alice: 40 s
  CHECK(driver.decide(60).empty());
  // t=70: job 4 (bob, 2 GPUs, 5 s): bob never ran 2 GPUs; his mean, 10 s,
  // x 2 GPUs = 20 GPU-s: ahead of job 2 (7200), and it waits for 2 GPUs.
  driver.arrive(70, {.gpus = 2, .duration_s = 5, .user = "bob"});
  CHECK(driver.decide(70).empty());
  driver.end(100, 0);  // alice: 100 s
  CHECK(driver.decide(100) == "start 4 n0x2");
  driver.end(105, 4);  // bob, 2 GPUs: 5 s
  CHECK(driver.decide(105) == "start 2 n0x2");
  driver.end(135, 2);  // carol, 2 GPUs: 30 s
  // The history now: alice 1 GPU {40, 100}; bob 1 GPU {10}, 2 GPUs {5};
  // carol 2 GPUs {30}.
  CHECK(estimate(driver, "alice", 1) == 70);
  CHECK(estimate(driver, "alice", 2) == 70);  // alice overall
  CHECK(estimate(driver, "bob", 2) == 5);     // bob's 2-GPU jobs
  CHECK(estimate(driver, "bob", 4) == 7.5);   // bob overall
  CHECK(estimate(driver, "dave", 1) == 37);   // everyone: 185 / 5
  CHECK_FALSE(driver.wakeup());
}

TEST_CASE("helios: strict by default; skip_blocked lets jobs past a head that does not fit",
          "[scheduler][queue][helios]") {
  for (const bool skip : {false, true}) {
    PolicyDriver driver(skip ? "{name: helios, skip_blocked: true}" : "helios", v100_nodes(1, 2));
    driver.arrive(0, {.gpus = 1, .duration_s = 50, .user = "dave"});  // job 0
    driver.arrive(0, {.gpus = 1, .duration_s = 1, .user = "bob"});    // job 1
    driver.decide(0);
    driver.end(1, 1);   // bob: 1 s
    driver.end(50, 0);  // dave: 50 s
    driver.decide(50);
    driver.arrive(60, {.gpus = 1, .duration_s = 1000, .user = "erin"});  // job 2 takes a GPU
    CHECK(driver.decide(60) == "start 2 n0x1");
    // Job 3 (bob, 2 GPUs): 1 s x 2 = 2 GPU-s, the head, and it does not fit.
    // Job 4 (dave, 1 GPU): 50 GPU-s, behind it, and would fit.
    driver.arrive(61, {.gpus = 2, .duration_s = 5, .user = "bob"});
    driver.arrive(61, {.gpus = 1, .duration_s = 5, .user = "dave"});
    CHECK(driver.decide(61) == (skip ? "start 4 n0x1" : ""));
  }
}
