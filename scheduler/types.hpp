// The vocabulary of the scheduler-core contract (DESIGN.md): what the core
// knows of a job, and the decisions it returns to its driver.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "core/cluster.hpp"
#include "core/gpu_catalog.hpp"
#include "core/region.hpp"
#include "core/resources.hpp"
#include "core/time.hpp"

namespace capsim::scheduler {

// Jobs are numbered densely from 0 by the driver, in the order they arrive
// in the driver; one the driver holds back (an energy policy's deferral)
// reaches the core later than jobs numbered after it.
using JobId = std::uint32_t;
// Users and tenants (a trace's queue, virtual cluster or QoS) as numbers the
// core hands out (SchedulerCore::intern_user / intern_tenant); 0 is "none".
using UserId = std::uint32_t;
using TenantId = std::uint32_t;
// A job class: an index into the scenario's job classes (core/job_class.hpp).
using JobClassId = std::uint16_t;

// What the scheduler is told of a job when it arrives.
struct JobRequest {
  JobId id = 0;
  std::int32_t priority = 0;  // its class's: higher is more important (here, it fills id's padding)
  Time submit;
  // Whole GPUs of one type, a share of one GPU (gpu_milli below 1000), or
  // none (a CPU-only job); the GPU memory each GPU must have (0: any); CPU
  // and host memory over the whole job (0: none).
  Resources request = Resources::gpus(1);
  GpuTypeSet gpu_types;  // the GPU types it may run on (empty: any)
  // The regions it may run in (data residency; empty: any): no policy may
  // place it elsewhere (ClusterState::pool_serves, checked by the core).
  RegionSet regions;
  Duration recorded_duration;  // the trace's run time (an oracle; policies that use it say so)
  Duration estimate;           // the user's estimate of its run time (zero: none given)
  UserId user = 0;
  TenantId tenant = 0;
  JobClassId job_class = 0;
  bool preemptible = true;  // its class's: whether a policy may stop it to run another

  // Whole GPUs asked for: 0 for a share of one GPU and for a CPU-only job.
  std::int32_t gpus() const { return request.whole_gpus(); }
  bool is_gpu_share() const { return request.is_gpu_share(); }
  bool is_cpu_only() const { return request.is_cpu_only(); }
  friend bool operator==(const JobRequest&, const JobRequest&) = default;
};

// What one node gives a job, with the job's CPU and memory share there
// (scheduler/placement/node_choice.hpp says how much):
// - a whole-GPU job: `gpus` of the node's wholly free GPUs (which ones does
//   not matter, and is not recorded);
// - a job that asks for a share of one GPU: `gpu_milli` thousandths of the
//   node's GPU number `gpu`, with `gpus` 0. A node's GPUs are numbered from
//   0; a GPU that shares hold keeps its number until its last share leaves,
//   and a share that opens a free GPU takes the lowest number that no share
//   holds;
// - a CPU-only job: no GPU (`gpus` 0, `gpu` -1), only CPU and memory.
// - a share of a GPU that MIG splits (core/cluster.hpp MigSpec): the core
//   records the instance it gets, a profile of the GPU type (an index into
//   its mig_profiles) at a memory slice. Policies leave both -1; the share
//   keeps its `gpu_milli` (the job's rate follows it) and suffers no
//   interference.
struct NodeShare {
  NodeId node = 0;
  std::int32_t gpus = 0;
  std::int16_t gpu = -1;         // the shared GPU's number (-1: whole GPUs or none)
  std::int16_t gpu_milli = 0;    // thousandths of GPU `gpu` (0 unless gpu >= 0)
  std::int8_t mig_profile = -1;  // the MIG instance (set by the core), or -1
  std::int8_t mig_start = -1;

  bool is_gpu_share() const { return gpu >= 0; }
  bool is_mig() const { return mig_profile >= 0; }
  // GPU thousandths given on this node, whole GPUs or share.
  std::int64_t total_gpu_milli() const { return is_gpu_share() ? gpu_milli : std::int64_t{gpus} * kMilliPerGpu; }
  friend bool operator==(const NodeShare&, const NodeShare&) = default;
};

enum class DecisionKind : std::uint8_t {
  kStart,    // run `job` on `allocation` from now
  kReject,   // `job` can never run on this cluster (`reject_reason` says why)
  kPreempt,  // stop running `job` now; its GPUs are free and it waits again
};
std::string_view to_string(DecisionKind kind);

// Why a job can never run.
enum class RejectReason : std::uint8_t {
  kTooLarge,        // it asks for more GPUs, CPU or memory than any pool that serves it has
  kSharedGpus,      // more than one GPU, not in whole GPUs: only jobs of one GPU or less share GPUs
  kCpuNotModelled,  // CPU only, but no node that serves it models CPU (node groups without `cpus`)
  kNoRegionServes,  // no node group in the regions it may run in has GPUs (or CPUs) of a kind it may use
};
// A sentence for logs, such as "it is CPU-only, and no node group that
// serves it models CPU (give the groups cpus:)".
std::string_view describe(RejectReason reason);

struct Decision {
  DecisionKind kind = DecisionKind::kStart;
  JobId job = 0;
  RejectReason reject_reason = RejectReason::kTooLarge;  // kReject only
  // kStart: one share per node. Points into the core's state and stays valid
  // until the next call into the core.
  std::span<const NodeShare> allocation;
};

}  // namespace capsim::scheduler
