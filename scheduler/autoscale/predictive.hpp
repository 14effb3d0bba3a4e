// Predictive autoscaling: provision for the request rate a forecast expects
// one cold start from now, so that replicas are ready when the demand comes
// (issue 8: "preemptively allocate resources before demand spikes"). As AWS
// EC2 Auto Scaling's predictive scaling in "forecast and scale" mode beside a
// dynamic policy, the larger of the forecast's need and the rate seen now
// wins; the answer then goes through a Kubernetes HPA on the request rate per
// replica (scheduler/autoscale/hpa.hpp: tolerance, stabilization, rate
// limits, min/max), which scale-down stabilization keeps from dropping
// capacity the forecast will want back.
//
// The forecast: the mean rate per `step` (default 1 min), a seasonal
// autoregression fitted with Eigen (core/forecast.hpp: lags, the same time a
// season back, the season's harmonics) on the last `history` of steps,
// refitted every `refit_every`; the need is the highest forecast over the
// steps up to `lead_time` ahead, plus `headroom` times the fit's one-step
// residual RMS. Until the history is long enough to fit, the rate seen now.
//
// Simplified: one forecast model (AWS fits several and picks); the forecast
// is in requests per second and capacity is linear in replicas
// (target_rate_per_replica), as the HPA's averageValue target assumes.
#pragma once

#include <cstdint>
#include <vector>

#include "core/forecast.hpp"
#include "scheduler/autoscale/hpa.hpp"

namespace capsim::scheduler {

// With the HPA that applies the answer.
struct PredictiveOptions : HpaBehaviour {
  double target_rate_per_replica = 10;        // requests/s one replica should serve (> 0)
  Duration lead_time = Duration::minutes(5);  // the cold start to provision ahead of (>= 0)
  Duration step = Duration::minutes(1);       // forecast resolution (a multiple of sync_period)
  Duration season = Duration::days(1);        // 0: no seasonal terms
  Duration history = Duration::days(7);       // fitted on at most this much
  Duration refit_every = Duration::hours(1);
  std::int32_t lags = 3;
  std::int32_t harmonics = 3;
  double headroom = 1.0;  // residual RMSs added to the forecast (>= 0)
  std::int32_t min_replicas = 1;
  std::int32_t max_replicas = 100;
};

class PredictiveAutoscaler final : public AutoscalingPolicy {
 public:
  // The options must be valid (the registry checks what users give).
  explicit PredictiveAutoscaler(const PredictiveOptions& options);

  std::string_view name() const override { return "predictive"; }
  Duration evaluation_period() const override { return hpa_.evaluation_period(); }
  std::int32_t desired_replicas(const ServiceMetrics& metrics) override;

  // The rate (requests/s) the last evaluation provisioned for, and whether
  // it came from a forecast (false: the history was too short).
  double provisioned_rate() const { return provisioned_rate_; }
  bool forecasting() const { return forecaster_.fitted(); }

 private:
  // Adds the interval's rate to the step being averaged; closes steps.
  void observe(const ServiceMetrics& metrics);
  double forecast_need() const;

  PredictiveOptions options_;
  HorizontalPodAutoscaler hpa_;
  SeasonalForecaster forecaster_;
  std::int64_t periods_per_step_ = 1;
  std::int64_t lead_steps_ = 0;
  std::int64_t history_steps_ = 0;
  std::int64_t refit_steps_ = 1;
  std::vector<double> steps_;  // mean rate of each closed step, oldest first
  std::int64_t first_step_ = 0;
  double open_sum_ = 0;  // the step being averaged
  std::int64_t open_periods_ = 0;
  std::int64_t steps_since_fit_ = 0;
  double provisioned_rate_ = 0;
  std::optional<Time> last_evaluation_;
};
static_assert(std::is_base_of_v<AutoscalingPolicy, PredictiveAutoscaler>);

}  // namespace capsim::scheduler
