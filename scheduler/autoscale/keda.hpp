// A KEDA ScaledObject with one queue trigger (keda.sh: "Scaling Deployments",
// the ScaledObject specification, and the queue scalers such as AWS SQS and
// Azure Storage Queue). KEDA does two things, and so does this policy:
// - its operator polls the trigger every polling_interval and owns 0 <-> 1:
//   an active trigger (queue_length > activation_queue_length) scales a
//   service at zero to max(min_replicas, 1); a trigger inactive for longer
//   than cooldown_period scales it to zero when min_replicas is 0;
// - between 1 and max_replicas the Kubernetes HPA that KEDA creates scales it
//   on the queue length as an External metric with an averageValue target:
//   desired = ceil(queue_length / target_queue_per_replica), with the HPA's
//   tolerance, stabilization and rate limits (scheduler/autoscale/hpa.hpp).
//
// Simplified: one trigger; the operator's poll runs at the HPA's sync
// instants (the first at or after each polling interval), not on its own
// clock; no fallback replicas, idleReplicaCount or pause annotations.
#pragma once

#include <optional>

#include "scheduler/autoscale/hpa.hpp"

namespace capsim::scheduler {

// With the HPA KEDA creates (advanced.horizontalPodAutoscalerConfig).
struct KedaOptions : HpaBehaviour {
  double target_queue_per_replica = 5;  // the scaler's queueLength (SQS and Azure Queue default 5)
  double activation_queue_length = 0;   // active when the queue is longer
  std::int32_t min_replicas = 0;        // minReplicaCount
  std::int32_t max_replicas = 100;      // maxReplicaCount
  Duration polling_interval = Duration::seconds(30);
  Duration cooldown_period = Duration::seconds(300);
  // A trigger never active scales to zero only once this has passed since
  // the first evaluation (KEDA: since the ScaledObject's creation).
  Duration initial_cooldown_period;
};

class KedaQueueScaler final : public AutoscalingPolicy {
 public:
  // The options must be valid: CAPSIM_CHECK otherwise.
  explicit KedaQueueScaler(const KedaOptions& options);

  std::string_view name() const override { return "keda"; }
  Duration evaluation_period() const override { return hpa_.evaluation_period(); }
  std::int32_t desired_replicas(const ServiceMetrics& metrics) override;

 private:
  // The operator's poll; the replicas it sets, or nothing when it leaves the
  // service to the HPA.
  std::optional<std::int32_t> poll(const ServiceMetrics& metrics);

  KedaOptions options_;
  HorizontalPodAutoscaler hpa_;
  std::optional<Time> first_evaluation_;
  std::optional<Time> next_poll_;
  std::optional<Time> last_active_;
};
static_assert(std::is_base_of_v<AutoscalingPolicy, KedaQueueScaler>);

}  // namespace capsim::scheduler
