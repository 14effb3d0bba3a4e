// KEDA's queue scaler (scheduler/autoscale/keda.hpp) on a hand-worked queue:
// the operator's activation from and to zero, and the HPA on the queue length
// in between. The engine is played by the test: the replicas an evaluation
// asks for are the next one's current replicas.
#include <catch2/catch.hpp>

#include "scheduler/autoscale/keda.hpp"
#include "tests/scheduler/autoscale_support.hpp"
#include "tests/support/helpers.hpp"

using namespace capsim;
using namespace capsim::scheduler;
using capsim::testing::at_seconds;
using capsim::testing::input_error_of;
using capsim::testing::make_autoscaler;

TEST_CASE("keda: activation from zero, the HPA on the queue, cooldown to zero", "[autoscale][keda]") {
  // Defaults: 5 queued requests per replica, active above 0, replicas 0..100,
  // polls every 30 s (at 0, 30, 60, ...), cooldown 300 s; its HPA syncs every
  // 15 s with Kubernetes' default behaviour and min 1.
  //   t    cur  queue  who          replicas
  //   0    0    0      poll         inactive, at zero: 0 (the HPA leaves zero alone)
  //   15   0    12     HPA          0 (waits for the operator's poll)
  //   30   0    12     poll         active: from zero to max(min 0, 1) = 1
  //   45   1    12     HPA          ratio 12/5 = 2.4: ceil(12/5) = 3 (limit max(2, 5))
  //   60   3    40     poll+HPA     ceil(40/5) = 8, limit max(6, 3+4 = 7) = 7
  //   75   7    40     HPA          ratio 40/35 = 1.14: 8 (limit 14)
  //   90   8    38     poll+HPA     ratio 0.95, in tolerance: 8; last active at 90
  //   105..375  8  0   HPA          proposal 0, held at 8 by the 300 s window (8 at t=75, 90)
  //   390  8    0      poll+HPA     cooldown: 90 + 300 is not before 390; HPA: window (90, 390]
  //                                 is all 0 -> 0, limited to the HPA's min 1
  //   405  1    0      HPA          1
  //   420  1    0      poll         390 < 420: scale to zero
  auto keda = make_autoscaler("keda");
  REQUIRE(keda->evaluation_period() == Duration::seconds(15));
  std::int32_t current = 0;
  const auto step = [&](std::int64_t t, double queue) {
    current = keda->desired_replicas(
        {.now = at_seconds(t), .current_replicas = current, .ready_replicas = current, .queue_length = queue});
    return current;
  };
  CHECK(step(0, 0) == 0);
  CHECK(step(15, 12) == 0);
  CHECK(step(30, 12) == 1);
  CHECK(step(45, 12) == 3);
  CHECK(step(60, 40) == 7);
  CHECK(step(75, 40) == 8);
  CHECK(step(90, 38) == 8);
  for (std::int64_t t = 105; t <= 375; t += 15) {
    INFO("t=" << t);
    CHECK(step(t, 0) == 8);
  }
  CHECK(step(390, 0) == 1);
  CHECK(step(405, 0) == 1);
  CHECK(step(420, 0) == 0);
  CHECK(step(435, 0) == 0);
}

TEST_CASE("keda: activation threshold and min_replicas", "[autoscale][keda]") {
  // Active only above 10 queued; at least 2 replicas, so never to zero.
  auto keda = make_autoscaler("{name: keda, activation_queue_length: 10, min_replicas: 2, max_replicas: 4}");
  // At zero with 10 queued: not active, but below min: up to 2.
  CHECK(keda->desired_replicas({.now = at_seconds(0), .current_replicas = 0, .queue_length = 10}) == 2);
  // 30 queued from 2 replicas: ceil(30/5) = 6, max 4.
  CHECK(keda->desired_replicas(
            {.now = at_seconds(15), .current_replicas = 2, .ready_replicas = 2, .queue_length = 30}) == 4);
  // Inactive long after: the HPA's window holds 6 for 300 s, then min 2; never 0.
  std::int32_t current = 4;
  for (std::int64_t t = 30; t <= 1200; t += 15) {
    current = keda->desired_replicas(
        {.now = at_seconds(t), .current_replicas = current, .ready_replicas = current, .queue_length = 0});
  }
  CHECK(current == 2);
}

TEST_CASE("keda: a trigger never active scales to zero after the initial cooldown", "[autoscale][keda]") {
  // 3 replicas, an empty queue from the start, initial cooldown 60 s. Polls
  // at 0, 30, 60 find the start + 60 s not yet strictly before now; the HPA
  // holds 3 (its first evaluation's replicas stay in the 300 s window). The
  // poll at 90 scales to zero.
  auto keda = make_autoscaler("{name: keda, initial_cooldown_period: 60s}");
  std::int32_t current = 3;
  for (std::int64_t t = 0; t <= 75; t += 15) {
    INFO("t=" << t);
    current = keda->desired_replicas({.now = at_seconds(t), .current_replicas = current, .ready_replicas = current});
    CHECK(current == 3);
  }
  CHECK(keda->desired_replicas({.now = at_seconds(90), .current_replicas = 3, .ready_replicas = 3}) == 0);
}

TEST_CASE("keda: parameters", "[autoscale][keda][registry]") {
  const auto field_of = [](const std::string& yaml) { return input_error_of([&] { make_autoscaler(yaml); }).field(); };
  CHECK(field_of("{name: keda, target_queue_per_replica: 0}") == "policies.autoscaling.target_queue_per_replica");
  CHECK(field_of("{name: keda, activation_queue_length: -1}") == "policies.autoscaling.activation_queue_length");
  CHECK(field_of("{name: keda, min_replicas: 5, max_replicas: 2}") == "policies.autoscaling.max_replicas");
  CHECK(field_of("{name: keda, polling_interval: 0s}") == "policies.autoscaling.polling_interval");
  CHECK(field_of("{name: keda, cooldown_period: soon}") == "policies.autoscaling.cooldown_period");
  CHECK(field_of("{name: keda, scale_down: {select: none}}") == "policies.autoscaling.scale_down.select");
  CHECK(field_of("{name: keda, queue_length: 5}") == "policies.autoscaling.queue_length");
}
