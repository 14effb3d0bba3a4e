#include "scheduler/autoscale/keda.hpp"

#include <algorithm>

#include "core/error.hpp"

namespace capsim::scheduler {

KedaQueueScaler::KedaQueueScaler(const KedaOptions& options)
    : options_(options),
      hpa_(driven_hpa_options(options, HpaOptions::Metric::kQueueLength, options.target_queue_per_replica,
                              // KEDA's HPA never goes below one replica: zero is the operator's.
                              std::max(options.min_replicas, 1), options.max_replicas)) {
  CAPSIM_CHECK(options_.min_replicas >= 0) << "keda min_replicas " << options_.min_replicas;
  CAPSIM_CHECK(options_.activation_queue_length >= 0) << "keda activation_queue_length";
  CAPSIM_CHECK(options_.polling_interval > Duration()) << "keda polling_interval must be positive";
  CAPSIM_CHECK(options_.cooldown_period >= Duration() && options_.initial_cooldown_period >= Duration())
      << "keda cooldown periods must not be negative";
}

std::optional<std::int32_t> KedaQueueScaler::poll(const ServiceMetrics& m) {
  // scale_executor's RequestScale for a ScaledObject.
  const bool active = m.queue_length > options_.activation_queue_length;
  const std::int32_t current = m.current_replicas;
  if (active) last_active_ = m.now;
  if (current == 0 && active) return std::max(options_.min_replicas, 1);  // scale from zero
  if (!active && current > 0 && options_.min_replicas == 0) {
    // Scale to zero once the trigger has been inactive for the cooldown
    // (LastActiveTime + cooldown strictly before now), or, never active,
    // once the initial cooldown since the start is over.
    const bool cooled = last_active_ ? *last_active_ + options_.cooldown_period < m.now
                                     : *first_evaluation_ + options_.initial_cooldown_period < m.now;
    if (cooled) return 0;
    return std::nullopt;
  }
  if (!active && current < options_.min_replicas) return options_.min_replicas;
  return std::nullopt;
}

std::int32_t KedaQueueScaler::desired_replicas(const ServiceMetrics& m) {
  if (!first_evaluation_) first_evaluation_ = m.now;
  if (!next_poll_ || m.now >= *next_poll_) {
    next_poll_ = m.now + options_.polling_interval;
    if (const std::optional<std::int32_t> set = poll(m); set && *set != m.current_replicas) return *set;
  }
  // The HPA (which leaves a service at zero alone).
  return hpa_.desired_replicas(m);
}

}  // namespace capsim::scheduler
