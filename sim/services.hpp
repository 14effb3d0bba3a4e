// One inference service as the native engine runs it (issue 8): its load,
// its batching model, its autoscaler and its accounting, interval by
// interval. The engine owns the replicas (jobs of the scheduler core); at
// the end of each interval it tells the runner which replicas were ready
// (by GPU type) and what waited, and the runner serves the interval's
// requests with the queueing model of sim/service_queue.hpp, records a row,
// asks the autoscaler and answers the replicas wanted from now on.
//
// The interval is the autoscaler's evaluation period (15 s for hpa); without
// an autoscaler, 1 minute. A replica serves from the first interval that
// starts after its cold start: capacity changes at interval boundaries.
// Replicas of several GPU types: the requests are split in proportion to
// each type's capacity (a weighted balancer), each group is served as a
// service of its own, and the interval's latency percentiles are the
// slowest group's (attainment and means are exact mixtures).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/gpu_catalog.hpp"
#include "core/load_series.hpp"
#include "core/service.hpp"
#include "scheduler/autoscale/autoscaling_policy.hpp"
#include "sim/results.hpp"
#include "sim/service_queue.hpp"

namespace capsim::sim {

// What the engine counts of a service's replicas at an interval's end.
struct ReplicaCounts {
  std::int32_t asked = 0;     // replicas the service has (waiting, starting or ready)
  std::int32_t waiting = 0;   // for GPUs (in the scheduler's queue)
  std::int32_t starting = 0;  // placed, cold start not over
  // Ready since the interval's start, by GPU type (those serving it).
  std::vector<std::pair<GpuTypeId, std::int32_t>> ready;
};

class ServiceRunner {
 public:
  ServiceRunner(const ServiceSpec& spec, const GpuCatalog& catalog, RateSeries load,
                std::unique_ptr<scheduler::AutoscalingPolicy> policy);

  const ServiceSpec& spec() const { return spec_; }
  Duration interval() const { return interval_; }
  // The load's end: the last interval ends at or after it.
  Time end() const { return load_.end(); }
  std::string autoscaler() const;
  double gpu_seconds() const { return gpu_seconds_; }

  // The interval (now - interval(), now]: serves it, records its row, and
  // returns the replicas wanted from now on.
  std::int32_t end_interval(Time now, const ReplicaCounts& counts);

  // Time replicas held their GPUs (cold start included): `gpus` GPUs for
  // `held`, at their node group's price.
  void add_held(double gpus, Duration held, double usd_per_gpu_hour);

  // Appends this service's rows (index `service` in the table) and returns
  // its summary; call once, after the run.
  ServiceSummary finish(std::int32_t service, ServiceTable& table) const;

 private:
  ServiceQueueModel model_on(GpuTypeId type) const;

  const ServiceSpec& spec_;
  const GpuCatalog& catalog_;
  RateSeries load_;
  std::unique_ptr<scheduler::AutoscalingPolicy> policy_;
  Duration interval_;
  double backlog_ = 0;

  struct Row {
    double time_s, arrival_rate, arrived, served, dropped, backlog;
    double asked, waiting, starting, ready, desired;
    double utilisation, mean_batch, latency_mean_s, latency_p50_s, latency_p95_s, latency_p99_s, slo_attainment;
    double capacity;  // requests/s the ready replicas can complete at most
    double ttft_p50_s, ttft_p99_s, tpot_mean_s, tpot_p99_s, ttft_attainment, tpot_attainment;
  };
  std::vector<Row> rows_;
  double replica_seconds_ = 0;
  double gpu_seconds_ = 0;
  double cost_usd_ = 0;
};

}  // namespace capsim::sim
