#include "scheduler/autoscale/predictive.hpp"

#include <algorithm>

#include "core/error.hpp"

namespace capsim::scheduler {

namespace {

ForecastSpec forecast_spec(const PredictiveOptions& p) {
  ForecastSpec spec;
  spec.lags = p.lags;
  spec.season = static_cast<std::int32_t>(p.season.count_us() / p.step.count_us());
  spec.seasonal_lags = 1;
  spec.harmonics = p.harmonics;
  return spec;
}

}  // namespace

PredictiveAutoscaler::PredictiveAutoscaler(const PredictiveOptions& options)
    : options_(options),
      hpa_(driven_hpa_options(options, HpaOptions::Metric::kRequestRate, options.target_rate_per_replica,
                              options.min_replicas, options.max_replicas)),
      forecaster_(forecast_spec(options)) {
  CAPSIM_CHECK(options_.step > Duration() && options_.sync_period > Duration() &&
               options_.step.count_us() % options_.sync_period.count_us() == 0)
      << "predictive step " << format_duration(options_.step) << " is not a multiple of the sync period";
  CAPSIM_CHECK(options_.season.count_us() % options_.step.count_us() == 0) << "predictive season is not whole steps";
  CAPSIM_CHECK(options_.lead_time >= Duration() && options_.headroom >= 0) << "predictive lead or headroom negative";
  periods_per_step_ = options_.step.count_us() / options_.sync_period.count_us();
  lead_steps_ = (options_.lead_time.count_us() + options_.step.count_us() - 1) / options_.step.count_us();
  history_steps_ = std::max(forecaster_.min_history(), options_.history.count_us() / options_.step.count_us());
  refit_steps_ = std::max<std::int64_t>(1, options_.refit_every.count_us() / options_.step.count_us());
}

void PredictiveAutoscaler::observe(const ServiceMetrics& m) {
  if (steps_.empty() && open_periods_ == 0) {
    // The step index of the interval that just ended: the harmonics see the
    // time of the season.
    const Time began = m.now - options_.sync_period;
    first_step_ = (began - Time::zero()).count_us() / options_.step.count_us();
  }
  open_sum_ += m.request_rate;
  if (++open_periods_ < periods_per_step_) return;
  steps_.push_back(open_sum_ / static_cast<double>(periods_per_step_));
  open_sum_ = 0;
  open_periods_ = 0;
  if (static_cast<std::int64_t>(steps_.size()) > history_steps_) {
    steps_.erase(steps_.begin());
    ++first_step_;
  }
  ++steps_since_fit_;
  if ((!forecaster_.fitted() || steps_since_fit_ >= refit_steps_) &&
      static_cast<std::int64_t>(steps_.size()) >= forecaster_.min_history()) {
    forecaster_.fit(steps_, first_step_);
    steps_since_fit_ = 0;
  }
}

double PredictiveAutoscaler::forecast_need() const {
  // The steps after the last closed one, up to one lead time past now (the
  // open step is one of them).
  const std::vector<double> ahead =
      forecaster_.forecast(steps_, first_step_, static_cast<std::int32_t>(lead_steps_ + 1));
  const double peak = *std::max_element(ahead.begin(), ahead.end());
  return std::max(0.0, peak + options_.headroom * forecaster_.residual_rms());
}

std::int32_t PredictiveAutoscaler::desired_replicas(const ServiceMetrics& m) {
  CAPSIM_CHECK(!last_evaluation_ || m.now > *last_evaluation_) << "predictive autoscaler called out of time order";
  last_evaluation_ = m.now;
  observe(m);
  double need = m.request_rate;
  if (forecaster_.fitted()) need = std::max(need, forecast_need());
  provisioned_rate_ = need;
  ServiceMetrics fed = m;
  fed.request_rate = need;
  return hpa_.desired_replicas(fed);
}

}  // namespace capsim::scheduler
