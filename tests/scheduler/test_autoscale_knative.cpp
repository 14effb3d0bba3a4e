// Knative's KPA (scheduler/autoscale/knative.hpp) on a hand-worked
// concurrency curve: stable mode, a burst that enters panic mode, panic held
// for a stable window, scale-down at most halving per tick, and scale to
// zero after the grace period. The engine is played by the test: the
// replicas a tick asks for are the next tick's current and ready replicas.
#include <catch2/catch.hpp>

#include "scheduler/autoscale/knative.hpp"
#include "tests/scheduler/autoscale_support.hpp"
#include "tests/support/helpers.hpp"

using namespace capsim;
using namespace capsim::scheduler;
using capsim::testing::at_seconds;
using capsim::testing::input_error_of;
using capsim::testing::make_autoscaler;

namespace {

struct Tick {
  std::int64_t t;
  double concurrency;
  std::int32_t expected;
  bool panicking;
};

}  // namespace

TEST_CASE("knative: stable mode, panic on a burst, back to stable, to zero", "[autoscale][knative]") {
  // Target 10 x 0.5 = 5 concurrent requests per replica; stable window 20 s
  // (10 ticks of 2 s), panic window 30% of it = 6 s (3 ticks); panic at
  // 200%; scale down at most to ready / 2 per tick; zero after 30 s.
  //   t      conc  ready  stable avg -> ceil(/5)       panic avg -> ceil(/5)   mode             replicas
  //   0..18  10    2      10 -> 2                      10 -> 2                 stable           2
  //   20     40    2      (9x10+40)/10 = 13 -> 3       (10+10+40)/3 = 20 -> 4  4/2 >= 2: panic  4
  //   22     40    4      (8x10+2x40)/10 = 16 -> 4     90/3 = 30 -> 6          panic            6
  //   24     40    6      (7x10+3x40)/10 = 19 -> 4     40 -> 8                 panic            8
  //   26     40    8      22 -> 5                      40 -> 8                 panic            8
  //   28     5     8      21.5 -> 5                    85/3 -> 6               panic: no down   8
  //   30..40 5     8      ...                          ...                     panic (20+20 >= t) 8
  //   42     5     8      (2x40+8x5)/10 = 12 -> 3      5 -> 1                  stable; >= 8/2   4
  //   44     5     4      (40+9x5)/10 = 8.5 -> 2       1                       >= 4/2           2
  //   46     5     2      5 -> 1                       1                                        1
  //   48..64 0     1      > 0 -> 1 (a 5 in the window) 0                                        1
  //   66..94 0     1      0 -> 0                                               zero wanted since 66: 1
  //   96     0     1      0                                                    30 s of it       0
  //   100    3     0      0.3 -> 1 (ready counts as 1) 1 -> 1                                   1
  auto kpa = make_autoscaler(
      "{name: knative, target_concurrency: 10, target_utilisation: 0.5, stable_window: 20s,"
      " panic_window_percentage: 30}");
  REQUIRE(kpa->evaluation_period() == Duration::seconds(2));
  const auto& knative = dynamic_cast<const KnativeAutoscaler&>(*kpa);
  std::vector<Tick> ticks;
  for (std::int64_t t = 0; t <= 18; t += 2) ticks.push_back({t, 10, 2, false});
  ticks.push_back({20, 40, 4, true});
  ticks.push_back({22, 40, 6, true});
  ticks.push_back({24, 40, 8, true});
  ticks.push_back({26, 40, 8, true});
  for (std::int64_t t = 28; t <= 40; t += 2) ticks.push_back({t, 5, 8, true});
  ticks.push_back({42, 5, 4, false});
  ticks.push_back({44, 5, 2, false});
  ticks.push_back({46, 5, 1, false});
  for (std::int64_t t = 48; t <= 94; t += 2) ticks.push_back({t, 0, 1, false});
  ticks.push_back({96, 0, 0, false});
  ticks.push_back({98, 0, 0, false});
  ticks.push_back({100, 3, 1, false});
  std::int32_t current = 2;
  for (const Tick& tick : ticks) {
    INFO("t=" << tick.t);
    current = kpa->desired_replicas({.now = at_seconds(tick.t),
                                     .current_replicas = current,
                                     .ready_replicas = current,
                                     .concurrency = tick.concurrency});
    CHECK(current == tick.expected);
    CHECK(knative.panicking() == tick.panicking);
  }
}

TEST_CASE("knative: scale-down delay, max scale, no scale to zero", "[autoscale][knative]") {
  // Target 10 per replica; stable and panic windows both 6 s; scale down
  // freely (rate 100); the highest wish of the last 4 s stands; 1..3.
  //   t   conc  ready  stable avg -> count  delay window (t-4, t]   replicas
  //   0   30    3      30 -> 3              {3}                     3
  //   2   0     3      15 -> 2              {3, 2}                  3
  //   4   0     3      10 -> 1              {2, 1}                  2
  //   6   0     2      0 -> 0               {1, 0}                  1
  //   8   0     1      0                    {0, 0}                  0: no scale to zero, 1
  //   10  100   1      33.3 -> 4            panic (4/1 >= 2)        4, max_scale 3
  auto kpa = make_autoscaler(
      "{name: knative, target_concurrency: 10, target_utilisation: 1, stable_window: 6s,"
      " panic_window_percentage: 100, max_scale_down_rate: 100, scale_down_delay: 4s, max_scale: 3,"
      " enable_scale_to_zero: false}");
  const std::pair<double, std::int32_t> ticks[] = {{30, 3}, {0, 3}, {0, 2}, {0, 1}, {0, 1}, {100, 3}};
  std::int32_t current = 3;
  std::int64_t t = 0;
  for (const auto& [concurrency, expected] : ticks) {
    INFO("t=" << t);
    current = kpa->desired_replicas(
        {.now = at_seconds(t), .current_replicas = current, .ready_replicas = current, .concurrency = concurrency});
    CHECK(current == expected);
    t += 2;
  }
}

TEST_CASE("knative: parameters", "[autoscale][knative][registry]") {
  const auto& defaults = make_autoscaler("knative");
  CHECK(defaults->evaluation_period() == Duration::seconds(2));
  const auto field_of = [](const std::string& yaml) { return input_error_of([&] { make_autoscaler(yaml); }).field(); };
  CHECK(field_of("{name: knative, target_concurrency: 0}") == "policies.autoscaling.target_concurrency");
  CHECK(field_of("{name: knative, target_utilisation: 1.5}") == "policies.autoscaling.target_utilisation");
  CHECK(field_of("{name: knative, stable_window: 5s}") == "policies.autoscaling.stable_window");
  CHECK(field_of("{name: knative, panic_threshold_percentage: 50}") ==
        "policies.autoscaling.panic_threshold_percentage");
  CHECK(field_of("{name: knative, max_scale_down_rate: 1}") == "policies.autoscaling.max_scale_down_rate");
  CHECK(field_of("{name: knative, min_scale: 4, max_scale: 2}") == "policies.autoscaling.max_scale");
  CHECK(field_of("{name: knative, enable_scale_to_zero: maybe}") == "policies.autoscaling.enable_scale_to_zero");
  CHECK(field_of("{name: knative, stable_windw: 60s}") == "policies.autoscaling.stable_windw");
}
