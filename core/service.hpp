// Inference services (DESIGN.md "Inference services", issue 8): what a
// scenario says of a service under `workload.services`, a list. The native
// engine runs each service's replicas as jobs of the scheduler core, sizes
// them with the service's autoscaler and accounts its requests per interval
// with the batching model of sim/service_queue.hpp.
//
//   workload:
//     services:
//       - name: chat                   # required, unique
//         gpus: 1                      # per replica: whole GPUs, a share (0.5) or a MIG size (3g); default 1
//         gpu_memory: 40GiB            # per GPU of a replica (the model's weights and KV cache); optional
//         gpu_type: [A100-80GB, H100]  # the types a replica may run on (one name or a list); default any
//         class: serving               # a class of workload.job_classes: its priority and whether
//                                      # replicas may be preempted; default the class "default"
//         regions: [eu]                # data residency: the regions of cluster.regions replicas may
//                                      # run in (one name or a list, within the class's); default the
//                                      # class's regions (none: anywhere)
//         model:                       # one replica's continuous batching (sim/service_queue.hpp)
//           work: 500ms                # a request's mean run time alone (batch of 1); required
//           step: 20ms                 # a batch step of one request; default 20ms
//           step_per_request: 2ms      # each further request in a step; default step / 10
//           max_batch: 32              # default 32
//           queue_limit: 100000        # requests waiting across the service before drops; default none
//           measured_on: A100-80GB     # the GPU type these times are for; default the reference (speed 1)
//           prefill: 150ms             # LLMs: slot taken to first token (part of work); default 0s
//         cold_start: {provision: 30s, image_pull: 40s, model_load: 60s}   # each default 0s
//         slo: {latency: 500ms, percentile: 99}   # latency, or ttft and/or tpot (LLMs: time to first
//                                                 # token, time per output token); percentile default 99
//         replicas: 10                 # at the start (without an autoscaler, always); default 1
//         load: {...}                  # core/load_series.hpp; required
//         autoscaling: hpa             # a policy name or map (scheduler/autoscale); default none: fixed.
//                                      # Its min_replicas and max_replicas bound the service (as an HPA's do)
//
// On another GPU type a replica's times scale by measured_on's relative
// speed over that type's.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/config_tree.hpp"
#include "core/error.hpp"
#include "core/gpu_catalog.hpp"
#include "core/job_class.hpp"
#include "core/load_series.hpp"
#include "core/resources.hpp"
#include "core/time.hpp"

namespace capsim {

struct ServiceModelSpec {
  double work_s = 0.5;
  double step_s = 0.02;
  double step_per_request_s = 0.002;
  std::int32_t max_batch = 32;
  double queue_limit = 1e12;
  double prefill_s = 0;
  double measured_speed = 1;  // relative_speed of the type the times were measured on
};

struct ColdStartSpec {
  Duration provision;   // the pod scheduled until its containers start (or a node added)
  Duration image_pull;  // pulling the serving image
  Duration model_load;  // loading the weights onto the GPUs
  Duration total() const { return provision + image_pull + model_load; }
};

struct ServiceSpec {
  std::string name;
  Resources request;  // per replica: gpu_milli, gpu_memory_mib
  GpuTypeSet gpu_types;
  JobClassId job_class = 0;
  RegionSet regions;  // its own, else its class's (data residency); empty: anywhere
  ServiceModelSpec model;
  ColdStartSpec cold_start;
  // The objectives set (at least one): a request's latency; for LLMs its
  // time to first token and the time per output token.
  std::optional<Duration> slo_latency;
  std::optional<Duration> slo_ttft;
  std::optional<Duration> slo_tpot;
  double slo_percentile = 99;  // the share of requests (in %) meant to meet slo_latency
  std::int32_t initial_replicas = 1;
  LoadSpec load;
  // The autoscaler (the registry reads its parameters when the engine
  // builds it); none: a fixed replica count (initial_replicas).
  std::optional<PolicySpec> autoscaling;
  SourceLocation where;
};

}  // namespace capsim
