// Knative Serving's pod autoscaler, KPA (knative.dev: "About autoscaling",
// "Additional autoscaling configuration for Knative Pod Autoscaler";
// knative/serving pkg/autoscaler/scaling/autoscaler.go and the KPA scaler's
// scale-to-zero rules). Every tick it averages the observed concurrency over
// the stable window (60 s) and the panic window (10% of it, 6 s) and wants
// ceil(average / (target_concurrency x target_utilisation)) replicas, kept
// within [ready / max_scale_down_rate, ready x max_scale_up_rate]. When the
// panic window's count reaches panic_threshold (200%) of the ready replicas
// it panics: it takes the larger of the two counts and never scales down,
// until the threshold has not been reached for a whole stable window. A
// scale-down delay holds the highest count of its window; min/max scale
// bound the result; zero is reached after the wish for zero has lasted
// scale_to_zero_grace_period.
//
// Simplified: one concurrency sample per tick stands for Knative's
// per-second buckets (averages over the samples within a window, as many as
// there are since the first); the revision is always reachable; the KPA's
// activation states (active for a stable window, then inactive for the grace
// period) are folded into "wanted zero for the grace period"; no
// requests-per-second metric, activation scale, initial scale or burst
// capacity.
#pragma once

#include <deque>
#include <optional>

#include "scheduler/autoscale/autoscaling_policy.hpp"

namespace capsim::scheduler {

struct KnativeOptions {
  double target_concurrency = 100;                 // container-concurrency-target-default
  double target_utilisation = 0.7;                 // container-concurrency-target-percentage 70
  Duration stable_window = Duration::seconds(60);  // [6 s, 1 h]
  double panic_window_percentage = 10;             // of the stable window, [1, 100]
  double panic_threshold_percentage = 200;         // [110, 1000]
  double max_scale_up_rate = 1000;                 // > 1
  double max_scale_down_rate = 2;                  // > 1
  Duration scale_down_delay;                       // [0, 1 h]
  Duration tick_interval = Duration::seconds(2);
  std::int32_t min_scale = 0;
  std::int32_t max_scale = 0;  // 0: unlimited
  bool enable_scale_to_zero = true;
  Duration scale_to_zero_grace_period = Duration::seconds(30);
};

class KnativeAutoscaler final : public AutoscalingPolicy {
 public:
  // The options must be valid: CAPSIM_CHECK otherwise.
  explicit KnativeAutoscaler(const KnativeOptions& options);

  std::string_view name() const override { return "knative"; }
  Duration evaluation_period() const override { return options_.tick_interval; }
  std::int32_t desired_replicas(const ServiceMetrics& metrics) override;

  // Whether the last evaluation ended in panic mode.
  bool panicking() const { return panic_since_.has_value(); }

 private:
  struct Sample {
    Time at;
    double value;
  };
  // The mean of the samples strictly within `window` of `now`.
  double window_average(Time now, Duration window) const;

  KnativeOptions options_;
  std::optional<Time> last_evaluation_;
  std::deque<Sample> concurrency_;   // within the stable window, in time order
  std::optional<Time> panic_since_;  // the last tick over the panic threshold
  std::int32_t max_panic_pods_ = 0;
  std::deque<Sample> delay_window_;  // recent wishes, for the scale-down delay
  std::optional<Time> zero_wanted_since_;
};
static_assert(std::is_base_of_v<AutoscalingPolicy, KnativeAutoscaler>);

}  // namespace capsim::scheduler
