// The predictive autoscaler (scheduler/autoscale/predictive.hpp): reactive
// until it has history, then provisioned one cold start ahead of a daily
// pattern. The engine is played by the test: the replicas an evaluation asks
// for are the next one's current (and ready) replicas.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <numbers>

#include "scheduler/autoscale/hpa.hpp"
#include "scheduler/autoscale/predictive.hpp"
#include "tests/scheduler/autoscale_support.hpp"
#include "tests/support/helpers.hpp"

using namespace capsim;
using namespace capsim::scheduler;
using capsim::testing::at_seconds;
using capsim::testing::input_error_of;
using capsim::testing::make_autoscaler;

namespace {

// Requests/s over the day: 1000 + 800 sin(2 pi t / 1 day), t in seconds (a
// trough of 200 at 18:00, a peak of 1800 at 06:00).
double daily_rate(double t) {
  return 1000 + 800 * std::sin(2 * std::numbers::pi * t / 86'400);
}

}  // namespace

TEST_CASE("predictive: reactive until the history can be fitted", "[autoscale][predictive]") {
  // Season 1 day of 1-minute steps: the fit needs a day and 2 x 11
  // coefficients of history. Before that its answers are exactly those of a
  // Kubernetes HPA on the request rate per replica (10/s), here on a ramp
  // from 100 to 700 requests/s over an hour.
  auto predictive = make_autoscaler("{name: predictive, max_replicas: 1000}");
  HpaOptions hpa_options;
  hpa_options.metric = HpaOptions::Metric::kRequestRate;
  hpa_options.target = 10;
  hpa_options.max_replicas = 1000;
  HorizontalPodAutoscaler hpa(hpa_options);
  std::int32_t a = 1, b = 1;
  for (std::int64_t t = 15; t <= 3600; t += 15) {
    const double rate = 100 + 600.0 * t / 3600;
    a = predictive->desired_replicas(
        {.now = at_seconds(t), .current_replicas = a, .ready_replicas = a, .request_rate = rate});
    b = hpa.desired_replicas({.now = at_seconds(t), .current_replicas = b, .ready_replicas = b, .request_rate = rate});
    INFO("t=" << t);
    REQUIRE(a == b);
  }
  CHECK(a == 70);
  CHECK_FALSE(dynamic_cast<PredictiveAutoscaler&>(*predictive).forecasting());
}

TEST_CASE("predictive: a daily pattern is provisioned one cold start ahead", "[autoscale][predictive]") {
  // Three days of the daily pattern at 15 s evaluations, a 10-minute lead
  // time, 10 requests/s per replica, history 3 days. On day 4 the rate it
  // provisions for covers the highest rate of the next 10 minutes at every
  // evaluation (the pattern is noiseless: within 1%), where the rate seen
  // now falls short by up to 800 x 2 pi x 600 / 86,400 = 35 requests/s as
  // the demand rises. The replicas follow, within the HPA's 10% tolerance:
  // 10 x 1.1 requests/s per replica cover the need.
  auto policy = make_autoscaler("{name: predictive, lead_time: 10m, history: 3d, max_replicas: 1000}");
  auto& predictive = dynamic_cast<PredictiveAutoscaler&>(*policy);
  std::int32_t replicas = 100;
  double worst_reactive_gap = 0;
  for (std::int64_t t = 15; t <= 4 * 86'400; t += 15) {
    const double rate = daily_rate(static_cast<double>(t) - 7.5);  // the interval's mean, near enough
    replicas = predictive.desired_replicas(
        {.now = at_seconds(t), .current_replicas = replicas, .ready_replicas = replicas, .request_rate = rate});
    if (t <= 3 * 86'400) continue;
    REQUIRE(predictive.forecasting());
    double ahead = 0;
    for (std::int64_t s = t; s <= t + 600; s += 15) ahead = std::max(ahead, daily_rate(static_cast<double>(s)));
    INFO("t=" << t << " provisioned " << predictive.provisioned_rate() << " for " << ahead);
    CHECK(predictive.provisioned_rate() >= 0.99 * ahead);
    CHECK(predictive.provisioned_rate() <= 1.02 * ahead + 10);
    CHECK(replicas * 10 * 1.1 >= 0.99 * ahead);
    worst_reactive_gap = std::max(worst_reactive_gap, ahead - rate);
  }
  CHECK(worst_reactive_gap == Approx(800 * 2 * std::numbers::pi * 600 / 86'400).epsilon(0.05));
}

TEST_CASE("predictive: bad parameters are named", "[autoscale][predictive]") {
  const auto error_of = [](const std::string& yaml) {
    const InputError e = input_error_of([&] { make_autoscaler(yaml); });
    return e.field() + ": " + e.what();
  };
  CHECK_THAT(error_of("{name: predictive, step: 20s}"),
             Catch::Contains("policies.autoscaling.step") && Catch::Contains("whole number of sync periods"));
  CHECK_THAT(error_of("{name: predictive, season: 90m, step: 1h}"),
             Catch::Contains("policies.autoscaling.season") && Catch::Contains("whole number of steps"));
  CHECK_THAT(error_of("{name: predictive, target_rate_per_replica: 0}"),
             Catch::Contains("policies.autoscaling.target_rate_per_replica"));
  CHECK_THAT(error_of("{name: predictive, lead: 5m}"), Catch::Contains("lead_time"));
}
