#include "scheduler/autoscale/knative.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/error.hpp"

namespace capsim::scheduler {

KnativeAutoscaler::KnativeAutoscaler(const KnativeOptions& options) : options_(options) {
  CAPSIM_CHECK(options_.target_concurrency > 0 && options_.target_utilisation > 0 && options_.target_utilisation <= 1)
      << "knative target";
  CAPSIM_CHECK(options_.stable_window > Duration() && options_.tick_interval > Duration())
      << "knative windows must be positive";
  CAPSIM_CHECK(options_.panic_window_percentage > 0 && options_.panic_window_percentage <= 100)
      << "knative panic_window_percentage";
  CAPSIM_CHECK(options_.panic_threshold_percentage > 100) << "knative panic_threshold_percentage";
  CAPSIM_CHECK(options_.max_scale_up_rate > 1 && options_.max_scale_down_rate > 1) << "knative scale rates";
  CAPSIM_CHECK(options_.scale_down_delay >= Duration() && options_.scale_to_zero_grace_period >= Duration())
      << "knative delays must not be negative";
  CAPSIM_CHECK(options_.min_scale >= 0 && options_.max_scale >= 0 &&
               (options_.max_scale == 0 || options_.min_scale <= options_.max_scale))
      << "knative scale bounds " << options_.min_scale << ".." << options_.max_scale;
}

double KnativeAutoscaler::window_average(Time now, Duration window) const {
  double total = 0;
  int count = 0;
  for (const Sample& sample : concurrency_) {
    if (sample.at > now - window) {
      total += sample.value;
      ++count;
    }
  }
  return count == 0 ? 0 : total / count;
}

std::int32_t KnativeAutoscaler::desired_replicas(const ServiceMetrics& m) {
  CAPSIM_CHECK(!last_evaluation_ || m.now > *last_evaluation_) << "knative evaluated out of time order";
  CAPSIM_CHECK(m.ready_replicas >= 0 && m.concurrency >= 0) << "knative metrics";
  last_evaluation_ = m.now;
  const Time now = m.now;

  concurrency_.push_back({now, m.concurrency});
  while (concurrency_.front().at <= now - options_.stable_window) concurrency_.pop_front();
  const Duration panic_window = Duration::microseconds(static_cast<std::int64_t>(
      std::llround(options_.stable_window.count_us() * options_.panic_window_percentage / 100)));
  const double stable = window_average(now, options_.stable_window);
  const double panic = window_average(now, panic_window);

  // autoscaler.go Scale(): counts relative to the ready pods (at least one).
  const double ready = std::max(1, m.ready_replicas);
  const double target = options_.target_concurrency * options_.target_utilisation;
  const double max_up = std::ceil(options_.max_scale_up_rate * ready);
  const double max_down = std::floor(ready / options_.max_scale_down_rate);
  const double stable_count = std::ceil(stable / target);
  const double panic_count = std::ceil(panic / target);
  const auto bounded = [&](double count) {
    return static_cast<std::int32_t>(std::min(std::max(count, max_down), max_up));
  };
  const std::int32_t desired_stable = bounded(stable_count);
  const std::int32_t desired_panic = bounded(panic_count);

  const bool over_threshold = panic_count / ready >= options_.panic_threshold_percentage / 100;
  if (over_threshold) {
    panic_since_ = now;  // enter panic, or extend it
  } else if (panic_since_ && *panic_since_ + options_.stable_window < now) {
    panic_since_.reset();  // the surge has reached the stable window
    max_panic_pods_ = 0;
  }

  std::int32_t desired = desired_stable;
  if (panic_since_) {
    // In panic: provision for the larger window, and never scale down.
    desired = std::max(desired, desired_panic);
    max_panic_pods_ = std::max(max_panic_pods_, desired);
    desired = max_panic_pods_;
  }

  if (options_.scale_down_delay > Duration()) {
    // The highest wish of the delay window.
    delay_window_.push_back({now, static_cast<double>(desired)});
    while (delay_window_.front().at <= now - options_.scale_down_delay) delay_window_.pop_front();
    for (const Sample& wish : delay_window_) desired = std::max(desired, static_cast<std::int32_t>(wish.value));
  }

  // The KPA scaler: min/max scale, then scale to zero after the grace period.
  if (desired < options_.min_scale) desired = options_.min_scale;
  if (options_.max_scale > 0 && desired > options_.max_scale) desired = options_.max_scale;
  if (desired != 0) {
    zero_wanted_since_.reset();
    return desired;
  }
  if (!options_.enable_scale_to_zero) return 1;
  if (!zero_wanted_since_) zero_wanted_since_ = now;
  if (now - *zero_wanted_since_ >= options_.scale_to_zero_grace_period) return 0;
  return std::min(m.current_replicas, 1);  // keep the last replica for the grace period
}

}  // namespace capsim::scheduler
