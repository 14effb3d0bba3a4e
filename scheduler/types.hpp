// The vocabulary of the scheduler-core contract (DESIGN.md): what the core
// knows of a job, and the decisions it returns to its driver.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "core/cluster.hpp"
#include "core/gpu_catalog.hpp"
#include "core/resources.hpp"
#include "core/time.hpp"

namespace capsim::scheduler {

// Jobs are numbered densely from 0 by the driver, in arrival order.
using JobId = std::uint32_t;

// What the scheduler is told of a job when it arrives.
struct JobRequest {
  JobId id = 0;
  Time submit;
  // Whole GPUs of one type, the GPU memory each must have (0: any), CPU and
  // host memory over the whole job (0: none).
  Resources request = Resources::gpus(1);
  GpuTypeSet gpu_types;        // the GPU types it may run on (empty: any)
  Duration recorded_duration;  // the trace's run time (an oracle; policies that use it say so)

  std::int32_t gpus() const { return request.whole_gpus(); }
  friend bool operator==(const JobRequest&, const JobRequest&) = default;
};

// `gpus` GPUs of one node given to a job.
struct NodeShare {
  NodeId node = 0;
  std::int32_t gpus = 0;
  friend bool operator==(const NodeShare&, const NodeShare&) = default;
};

enum class DecisionKind : std::uint8_t {
  kStart,   // run `job` on `allocation` from now
  kReject,  // `job` can never run on this cluster (it asks for more than exists)
};
std::string_view to_string(DecisionKind kind);

struct Decision {
  DecisionKind kind = DecisionKind::kStart;
  JobId job = 0;
  // kStart: one share per node. Points into the core's state and stays valid
  // until the next call into the core.
  std::span<const NodeShare> allocation;
};

}  // namespace capsim::scheduler
