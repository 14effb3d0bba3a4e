// Extension point: how many replicas an inference service should have
// (DESIGN.md "Inference services"; Kubernetes' HorizontalPodAutoscaler,
// KEDA's ScaledObject and Knative's KPA are instances).
//
// Contract. The engine owns one policy object per service and calls
// desired_replicas() every evaluation_period(), in increasing time order
// (never twice at the same instant), with what it measured of that service
// over the interval that just ended. The policy answers the number of
// replicas the service should have from now on; the engine applies it (starts
// or stops replicas), and the next call's current_replicas is that number.
// Policies keep their own history (stabilization windows, recent scale
// events, averaging windows) from what they were told and what they answered.
//
// What a policy must never do: read a clock (time is `metrics.now`), keep
// pointers or references to engine state past the call, build engine
// objects, or draw randomness other than from a stream derived from the run's
// seed. An answer is always >= 0; a policy that cannot decide (no metric)
// answers current_replicas.
#pragma once

#include <cstdint>
#include <string_view>

#include "core/time.hpp"

namespace capsim::scheduler {

// What an autoscaler sees of one service at one evaluation.
struct ServiceMetrics {
  Time now;
  // Replicas asked for (Kubernetes' scale spec.replicas): ready or starting.
  std::int32_t current_replicas = 0;
  // Replicas serving (started, cold start over); <= current_replicas.
  std::int32_t ready_replicas = 0;
  // Mean busy fraction of the ready replicas over the interval, in [0, inf):
  // 1 is fully busy (Kubernetes' utilisation of the request, 1 = 100%).
  double utilisation = 0;
  // Requests per second that arrived over the interval (all replicas).
  double request_rate = 0;
  // Requests waiting for a replica at `now` (KEDA's queue scalers).
  double queue_length = 0;
  // Requests in flight at `now`, queued or served, over the whole service
  // (Knative's observed concurrency).
  double concurrency = 0;
};

class AutoscalingPolicy {
 public:
  virtual ~AutoscalingPolicy() = default;
  // The registered name ("hpa").
  virtual std::string_view name() const = 0;
  // How often the engine calls desired_replicas (Kubernetes' sync period,
  // KEDA's HPA sync, Knative's tick interval); positive and constant.
  virtual Duration evaluation_period() const = 0;
  // The replicas the service should have after this evaluation (>= 0).
  virtual std::int32_t desired_replicas(const ServiceMetrics& metrics) = 0;
};

}  // namespace capsim::scheduler
