// The Kubernetes HPA (scheduler/autoscale/hpa.hpp) on hand-worked load
// curves: each evaluation's replicas worked out from Kubernetes' rule in the
// comments. The engine is played by the test: the replicas an evaluation
// asks for are the next one's current (and ready) replicas.
#include <catch2/catch.hpp>

#include "scheduler/autoscale/hpa.hpp"
#include "tests/scheduler/autoscale_support.hpp"
#include "tests/support/helpers.hpp"

using namespace capsim;
using namespace capsim::scheduler;
using capsim::testing::at_seconds;
using capsim::testing::input_error_of;
using capsim::testing::make_autoscaler;

namespace {

ServiceMetrics utilisation_at(std::int64_t seconds, std::int32_t replicas, double utilisation) {
  return {
      .now = at_seconds(seconds), .current_replicas = replicas, .ready_replicas = replicas, .utilisation = utilisation};
}

}  // namespace

TEST_CASE("hpa: Kubernetes' rule step by step with the default behaviour", "[autoscale][hpa]") {
  // Target 20% utilisation, 2..15 replicas, tolerance 0.1, default behaviour
  // (up: max of +100% and +4 pods per 15 s, no stabilization; down: 300 s
  // stabilization, -100% per 15 s), evaluated every 15 s.
  //   t    cur  util  ratio  proposal ceil(cur x ratio)  stabilized  rate limit           desired
  //   0    2    21%   1.05   in tolerance: 2             2           -                     2
  //   15   2    80%   4      8                           8           max(4, 2+4) = 6       6  (+4 pods wins)
  //   30   6    60%   3      18                          18          max(12, 10) = 12      12 (+100% wins)
  //   45   12   30%   1.5    18                          18          max(24, 16); max 15   15 (max_replicas)
  //   60   15   21%   1.05   in tolerance: 15            15          -                     15
  //   75   15   10%   0.5    ceil(7.5) = 8               held: 18 (t=30, 45) in window     15
  //   ...  every 15 s the same proposal 8; the window (t-300, t] holds 18 up to t=330, then
  //   345  15   10%   0.5    8                           held: 15 (t=60)                   15
  //   360  15   10%   0.5    8                           8 (all of (60, 360] are 8)        8  (-100% allows it)
  auto hpa = make_autoscaler("{name: hpa, target_utilisation: 0.2, min_replicas: 2, max_replicas: 15}");
  REQUIRE(hpa->evaluation_period() == Duration::seconds(15));
  struct Step {
    std::int64_t t;
    std::int32_t current;
    double utilisation;
    std::int32_t expected;
  };
  const Step head[] = {{0, 2, 0.21, 2}, {15, 2, 0.80, 6}, {30, 6, 0.60, 12}, {45, 12, 0.30, 15}, {60, 15, 0.21, 15}};
  for (const Step& step : head) {
    INFO("t=" << step.t);
    CHECK(hpa->desired_replicas(utilisation_at(step.t, step.current, step.utilisation)) == step.expected);
  }
  for (std::int64_t t = 75; t <= 345; t += 15) {
    INFO("t=" << t);
    CHECK(hpa->desired_replicas(utilisation_at(t, 15, 0.10)) == 15);
  }
  CHECK(hpa->desired_replicas(utilisation_at(360, 15, 0.10)) == 8);
  CHECK(hpa->desired_replicas(utilisation_at(375, 8, 0.20)) == 8);  // 20%: ratio 1, in tolerance
}

TEST_CASE("hpa: a rate policy counts from the replicas at the start of its period", "[autoscale][hpa]") {
  // Down: no stabilization, at most 3 pods per 60 s; 2..20 replicas, target
  // 20%. Utilisation 1% proposes ceil(0.05 x cur) = 1 replica every time.
  //   t     cur  period start (events in (t-60, t])   limit        desired
  //   0     10   10                                   10-3 = 7     7
  //   15    7    7 + 3 (removed at 0) = 10            7            7 (no further)
  //   30,45 7    10                                   7            7
  //   60    7    7 (the event at 0 has aged out)      4            4
  //   75..105 4  4 + 3 = 7                            4            4
  //   120   4    4                                    1 < min 2    2 (min_replicas)
  //   135   2    2 + 2 = 4                            1 -> 2       2
  auto hpa = make_autoscaler(
      "{name: hpa, target_utilisation: 0.2, min_replicas: 2, max_replicas: 20,"
      " scale_down: {stabilization: 0s, policies: [{type: pods, value: 3, period: 60s}]}}");
  const std::pair<std::int64_t, std::int32_t> steps[] = {{0, 7},  {15, 7}, {30, 7},  {45, 7},  {60, 4},
                                                         {75, 4}, {90, 4}, {105, 4}, {120, 2}, {135, 2}};
  std::int32_t current = 10;
  for (const auto& [t, expected] : steps) {
    INFO("t=" << t);
    current = hpa->desired_replicas(utilisation_at(t, current, 0.01));
    CHECK(current == expected);
  }
}

TEST_CASE("hpa: replicas removed within a scale-up period count back", "[autoscale][hpa]") {
  // Up: at most +2 pods per 60 s; down: no stabilization, 10 pods per 15 s.
  // Target 20%; 1..20 replicas. Kubernetes' period start for scale-up is
  // current - added + removed (within the period).
  //   t   cur  util  proposal        period start               limit   desired
  //   0   4    50%   ceil(2.5x4)=10  4                          6       6
  //   15  6    10%   ceil(0.5x6)=3   (down: 6 - 10 < 1)         -       3
  //   30  3    80%   ceil(4x3)=12    3 - 2 (at 0) + 3 (at 15)=4 4+2=6   6
  // (Counting only the added pods would start at 1 and allow no scale-up.)
  auto hpa = make_autoscaler(
      "{name: hpa, target_utilisation: 0.2, max_replicas: 20,"
      " scale_up: {policies: [{type: pods, value: 2, period: 60s}]},"
      " scale_down: {stabilization: 0s, policies: [{type: pods, value: 10, period: 15s}]}}");
  CHECK(hpa->desired_replicas(utilisation_at(0, 4, 0.5)) == 6);
  CHECK(hpa->desired_replicas(utilisation_at(15, 6, 0.1)) == 3);
  CHECK(hpa->desired_replicas(utilisation_at(30, 3, 0.8)) == 6);
}

TEST_CASE("hpa: select min and disabled", "[autoscale][hpa]") {
  // Utilisation 100% against 20%: ratio 5, proposal 10 from 2 replicas.
  // select: min takes the smaller of +100% (4) and +4 pods (6): 4.
  auto min_change = make_autoscaler("{name: hpa, target_utilisation: 0.2, max_replicas: 20, scale_up: {select: min}}");
  CHECK(min_change->desired_replicas(utilisation_at(0, 2, 1.0)) == 4);
  // select: disabled never scales up; scaling down still works (after its window).
  auto no_up = make_autoscaler(
      "{name: hpa, target_utilisation: 0.2, max_replicas: 20, scale_up: {select: disabled},"
      " scale_down: {stabilization: 0s}}");
  CHECK(no_up->desired_replicas(utilisation_at(0, 2, 1.0)) == 2);
  // 10% from 2 replicas: ratio 0.5, proposal 1.
  CHECK(no_up->desired_replicas(utilisation_at(15, 2, 0.1)) == 1);
}

TEST_CASE("hpa: the metric's proposal as replica_calculator.go computes it", "[autoscale][hpa]") {
  HpaOptions options;
  options.target = 0.2;
  options.max_replicas = 50;
  const HorizontalPodAutoscaler hpa(options);
  ServiceMetrics m{.now = Time::zero(), .current_replicas = 4, .ready_replicas = 2};
  // 2 ready of 4. At 30%, ratio 1.5 on the ready ones; counting the 2
  // starting as idle gives 30 x 2 / 4 / 20 = 0.75 < 1: the direction
  // reverses, so no change.
  m.utilisation = 0.30;
  CHECK(hpa.metric_proposal(m) == 4);
  // At 60%: ratio 3; with the starting ones 1.5, ceil(1.5 x 4) = 6.
  m.utilisation = 0.60;
  CHECK(hpa.metric_proposal(m) == 6);
  // Scaling down ignores the starting ones: 10% -> ratio 0.5 -> ceil(0.5 x 2) = 1.
  m.utilisation = 0.10;
  CHECK(hpa.metric_proposal(m) == 1);
  // Utilisation is an integer percent: 20.9% is 20%, ratio 1.
  m.utilisation = 0.209;
  CHECK(hpa.metric_proposal(m) == 4);
  // No ready replica: no metric.
  m.ready_replicas = 0;
  CHECK_FALSE(hpa.metric_proposal(m).has_value());
}

TEST_CASE("hpa: request rate as an average value per replica", "[autoscale][hpa]") {
  // 10 requests/s per replica. 3 replicas at 50/s: ratio 50/30 = 1.67 ->
  // ceil(50/10) = 5; at 31/s, ratio 1.03 is within the tolerance.
  auto hpa = make_autoscaler("{name: hpa, target_rate_per_replica: 10, max_replicas: 10, sync_period: 30s}");
  CHECK(hpa->evaluation_period() == Duration::seconds(30));
  ServiceMetrics m{.now = at_seconds(0), .current_replicas = 3, .ready_replicas = 3, .request_rate = 31};
  CHECK(hpa->desired_replicas(m) == 3);
  m.now = at_seconds(30);
  m.request_rate = 50;
  CHECK(hpa->desired_replicas(m) == 5);
}

TEST_CASE("hpa: outside min/max and at zero", "[autoscale][hpa]") {
  auto hpa = make_autoscaler("{name: hpa, min_replicas: 3, max_replicas: 6}");
  // Above max_replicas: back to max at once (no stabilization, no rate limit).
  CHECK(hpa->desired_replicas(utilisation_at(0, 9, 0.8)) == 6);
  // Below min_replicas: up to min.
  CHECK(hpa->desired_replicas(utilisation_at(15, 1, 0.8)) == 3);
  // At zero (scaled to zero by someone else): Kubernetes leaves it there.
  CHECK(hpa->desired_replicas(utilisation_at(30, 0, 0)) == 0);
}

TEST_CASE("hpa: parameters", "[autoscale][hpa][registry]") {
  // The brief's example map gives these options.
  auto policy = make_autoscaler(
      "{name: hpa, target_utilisation: 0.7, min_replicas: 1, max_replicas: 10000, tolerance: 0.1, sync_period: 15s,"
      " scale_up: {stabilization: 0s, select: max, policies: [{type: percent, value: 100, period: 15s},"
      " {type: pods, value: 4, period: 15s}]}, scale_down: {stabilization: 5m}}");
  const auto& options = dynamic_cast<const HorizontalPodAutoscaler&>(*policy).options();
  CHECK(options.target == 0.7);
  CHECK(options.max_replicas == 10000);
  CHECK(options.scale_up == HpaScalingRules::default_scale_up());
  CHECK(options.scale_down == HpaScalingRules::default_scale_down());
  // The bare name: Kubernetes' defaults (80%, 1..100 as KEDA's maxReplicaCount).
  const auto bare = make_autoscaler("hpa");
  const auto& defaults = dynamic_cast<const HorizontalPodAutoscaler&>(*bare).options();
  CHECK(defaults.target == 0.8);
  CHECK(defaults.metric == HpaOptions::Metric::kUtilisation);
  CHECK(defaults.min_replicas == 1);
  CHECK(defaults.max_replicas == 100);
  CHECK(defaults.tolerance == 0.1);

  const auto field_of = [](const std::string& yaml) { return input_error_of([&] { make_autoscaler(yaml); }).field(); };
  CHECK(field_of("{name: hpa, target_utilisation: 0}") == "policies.autoscaling.target_utilisation");
  CHECK(field_of("{name: hpa, target_utilisation: 0.5, target_rate_per_replica: 3}") ==
        "policies.autoscaling.target_rate_per_replica");
  CHECK(field_of("{name: hpa, target_rate_per_replica: 0}") == "policies.autoscaling.target_rate_per_replica");
  CHECK(field_of("{name: hpa, min_replicas: 5, max_replicas: 3}") == "policies.autoscaling.max_replicas");
  CHECK(field_of("{name: hpa, min_replicas: 0}") == "policies.autoscaling.min_replicas");
  CHECK(field_of("{name: hpa, tolerance: -0.1}") == "policies.autoscaling.tolerance");
  CHECK(field_of("{name: hpa, sync_period: 0s}") == "policies.autoscaling.sync_period");
  CHECK(field_of("{name: hpa, scale_up: {select: largest}}") == "policies.autoscaling.scale_up.select");
  CHECK(field_of("{name: hpa, scale_down: {stabilization: 2h}}") == "policies.autoscaling.scale_down.stabilization");
  CHECK(field_of("{name: hpa, scale_down: {policies: []}}") == "policies.autoscaling.scale_down.policies");
  CHECK(field_of("{name: hpa, scale_up: {policies: [{type: percent, value: 100, period: 15s}, {type: pod, value: 4, "
                 "period: 15s}]}}") == "policies.autoscaling.scale_up.policies[1].type");
  CHECK(field_of("{name: hpa, scale_up: {policies: [{type: pods, value: 0, period: 15s}]}}") ==
        "policies.autoscaling.scale_up.policies[0].value");
  CHECK(field_of("{name: hpa, scale_up: {policies: [{type: pods, value: 4, period: 0s}]}}") ==
        "policies.autoscaling.scale_up.policies[0].period");
  CHECK(field_of("{name: hpa, scale_up: {policies: [{type: pods, value: 4}]}}") ==
        "policies.autoscaling.scale_up.policies[0].period");
  CHECK(field_of("{name: hpa, scale_up: {stabilisation: 0s}}") == "policies.autoscaling.scale_up.stabilisation");
  // An unknown name suggests the closest.
  const auto e = input_error_of([] { make_autoscaler("{name: hpaa}"); });
  CHECK(e.field() == "policies.autoscaling.name");
  CHECK(e.expected().find("did you mean \"hpa\"") != std::string::npos);
}
