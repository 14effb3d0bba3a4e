// The Kubernetes Horizontal Pod Autoscaler (autoscaling/v2), as documented on
// kubernetes.io ("Horizontal Pod Autoscaling": algorithm details, configurable
// scaling behavior) and implemented in kubernetes/pkg/controller/podautoscaler
// (replica_calculator.go for the metric's proposal; horizontal.go's
// normalizeDesiredReplicasWithBehaviors for stabilization and rate limits).
//
// Each sync period: the metric proposes ceil(replicas x current / target),
// unless |current / target - 1| <= tolerance; the proposal is stabilized
// (scale up to the lowest proposal of the scale-up window, down to the
// highest of the scale-down window), then limited by the direction's rate
// policies (counted from the replicas at the start of each policy's period,
// as Kubernetes counts its recent scale events) and by min/max replicas.
//
// Simplified: one metric per autoscaler (Kubernetes takes the largest
// proposal of several); no missing metrics (every ready replica reports); the
// utilisation is an integer percent, as Kubernetes computes it, but value
// metrics are floating point where Kubernetes uses milli-units; one
// tolerance for both directions (the controller's flag; the per-HPA
// tolerance of Kubernetes 1.33 is not modelled).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "scheduler/autoscale/autoscaling_policy.hpp"

namespace capsim::scheduler {

// One rate limit of a scaling direction (Kubernetes' HPAScalingPolicy).
struct HpaScalingPolicy {
  enum class Type { kPods, kPercent };
  Type type = Type::kPercent;
  std::int32_t value = 100;                 // pods, or percent of the period's starting replicas; > 0
  Duration period = Duration::seconds(15);  // (0, 30 min]
  friend bool operator==(const HpaScalingPolicy&, const HpaScalingPolicy&) = default;
};

// The rules of one direction (Kubernetes' HPAScalingRules).
struct HpaScalingRules {
  // Max: the policy allowing the largest change; Min: the smallest;
  // Disabled: no scaling in this direction.
  enum class Select { kMax, kMin, kDisabled };
  Duration stabilization;  // [0, 1 h]
  Select select = Select::kMax;
  std::vector<HpaScalingPolicy> policies;  // at least one

  // Kubernetes' defaults: up, no stabilization, max of {+100%, +4 pods} per
  // 15 s; down, 300 s stabilization, -100% per 15 s.
  static HpaScalingRules default_scale_up();
  static HpaScalingRules default_scale_down();
  friend bool operator==(const HpaScalingRules&, const HpaScalingRules&) = default;
};

// How an HPA acts on its proposals: shared by the policies that drive one
// (KEDA's queue scaler, predictive scaling).
struct HpaBehaviour {
  double tolerance = 0.1;  // [0, 1)
  Duration sync_period = Duration::seconds(15);
  HpaScalingRules scale_up = HpaScalingRules::default_scale_up();
  HpaScalingRules scale_down = HpaScalingRules::default_scale_down();
};

struct HpaOptions : HpaBehaviour {
  // kUtilisation: a Resource metric with a target averageUtilization (the
  // mean over ready replicas; starting replicas count as idle when scaling
  // up). kRequestRate / kQueueLength: an External metric with a target
  // averageValue per replica (the service's total over current replicas;
  // KEDA feeds its queue length this way).
  enum class Metric { kUtilisation, kRequestRate, kQueueLength };
  Metric metric = Metric::kUtilisation;
  // kUtilisation: the target as a fraction (0.8: Kubernetes' default 80%),
  // used as a whole percent; otherwise the target per replica (> 0).
  double target = 0.8;
  std::int32_t min_replicas = 1;
  std::int32_t max_replicas = 1;  // >= min_replicas
};

// The options of an HPA that another policy drives with `behaviour`.
HpaOptions driven_hpa_options(const HpaBehaviour& behaviour, HpaOptions::Metric metric, double target,
                              std::int32_t min_replicas, std::int32_t max_replicas);

class HorizontalPodAutoscaler final : public AutoscalingPolicy {
 public:
  // The options must be valid (the registry checks what users give):
  // CAPSIM_CHECK otherwise.
  explicit HorizontalPodAutoscaler(HpaOptions options);

  std::string_view name() const override { return "hpa"; }
  Duration evaluation_period() const override { return options_.sync_period; }
  // One reconcile of the HPA controller. A service at 0 replicas with
  // min_replicas > 0 is left at 0 (Kubernetes: autoscaling disabled), so the
  // engine starts a service with at least one replica.
  std::int32_t desired_replicas(const ServiceMetrics& metrics) override;

  // The metric's proposal before stabilization and limits
  // (replica_calculator.go); nothing when there is no metric (no ready
  // replica for utilisation).
  std::optional<std::int32_t> metric_proposal(const ServiceMetrics& metrics) const;

  const HpaOptions& options() const { return options_; }

 private:
  struct Recommendation {
    Time at;
    std::int32_t replicas;
  };
  struct ScaleEvent {
    Time at;
    std::int32_t change;  // replicas added (up) or removed (down), > 0
  };

  std::int32_t stabilize(Time now, std::int32_t current, std::int32_t proposal);
  std::int32_t limit_rate(Time now, std::int32_t current, std::int32_t desired) const;
  void record_scale_event(Time now, std::int32_t from, std::int32_t to);

  HpaOptions options_;
  std::optional<Time> last_evaluation_;
  std::vector<Recommendation> recommendations_;  // in time order
  std::vector<ScaleEvent> scale_up_events_;      // in time order
  std::vector<ScaleEvent> scale_down_events_;
};
static_assert(std::is_base_of_v<AutoscalingPolicy, HorizontalPodAutoscaler>);

}  // namespace capsim::scheduler
