// What the native engine tells its observers: accounting and metrics watch
// the engine through this interface, the way SimGrid's energy plugin watches
// hosts; the engine knows nothing of what they compute. Observers are owned
// elsewhere and registered with the engine instance (no global signals).
#pragma once

#include <cstdint>
#include <span>

#include "core/cluster.hpp"
#include "core/job.hpp"
#include "core/time.hpp"
#include "scheduler/types.hpp"

namespace capsim::sim {

using scheduler::JobId;
using scheduler::NodeShare;
using scheduler::RejectReason;

// How a job left the simulation.
enum class JobEnd : std::uint8_t {
  kCompleted,   // ran its work to the end
  kFailed,      // ran its recorded time and failed, as in the trace
  kKilled,      // ran its recorded time and was killed, as in the trace
  kUnfinished,  // ran its recorded time, which ended with the trace (JobOutcome::kRunning)
  kRejected,    // can never run on this cluster
  kRunning,     // still running when the simulation stopped
  kPending,     // still waiting when the simulation stopped
  kAbandoned,   // node failures restarted it more often than its class's restart_limit allows
  kReaped,      // stopped by policies.reaping after holding its GPUs idle too long (its work was done)
};
std::string_view to_string(JobEnd end);
// Whether the job ran to an end of its own (completed, failed, killed or
// unfinished, or reaped: its work done, its idle tail cut short), rather
// than being rejected, abandoned or stopped by the simulation.
inline bool ran_to_end(JobEnd end) {
  return end == JobEnd::kCompleted || end == JobEnd::kFailed || end == JobEnd::kKilled || end == JobEnd::kUnfinished ||
         end == JobEnd::kReaped;
}

// What an interruption cost a job.
struct Interruption {
  // Reference GPU-us done since its last checkpoint, to be done again.
  double lost_work = 0;
  // GPU-seconds it held that left nothing kept: its GPUs x the run time
  // since its last checkpoint (with a failure, up to the detection).
  double wasted_gpu_seconds = 0;
  bool node_failure = false;  // false: preempted by the scheduler
};

// The engine's counters after an instant's events and decisions.
struct EngineCounters {
  std::int64_t allocated_gpu_milli = 0;  // thousandths of a GPU: shares of GPUs count exactly
  std::int64_t pending_jobs = 0;
  std::int64_t running_jobs = 0;
};

class EngineObserver {
 public:
  virtual ~EngineObserver() = default;
  virtual void on_job_arrived(Time /*now*/, JobId /*job*/, const JobSpec& /*spec*/) {}
  // `gpu_type`: the type of the GPUs given (kAnyGpuType for a CPU-only
  // job); `rate`: reference GPU-us of work done per us (a CPU-only job's work
  // is its run time in us, done at rate 1).
  virtual void on_job_started(Time /*now*/, JobId /*job*/, std::span<const NodeShare> /*allocation*/,
                              GpuTypeId /*gpu_type*/, double /*rate*/) {}
  // A running job stopped at `now`: by the scheduler to run another, or by
  // the failure of one of its nodes (detected at `now`). It waits again
  // (unless on_job_ended with kAbandoned follows).
  virtual void on_job_interrupted(Time /*now*/, JobId /*job*/, const Interruption& /*what*/) {}
  // A running job that finished its work at `now` and goes on holding its
  // allocation without using it (its class's idle_tail) until it ends (its
  // tail's end, or reaped: on_job_ended with kReaped) or is interrupted.
  virtual void on_job_idle(Time /*now*/, JobId /*job*/) {}
  // A job the scheduler rejected at `now`, and why; on_job_ended with
  // kRejected follows.
  virtual void on_job_rejected(Time /*now*/, JobId /*job*/, RejectReason /*reason*/) {}
  // A job that left: ended, or rejected at `now`.
  virtual void on_job_ended(Time /*now*/, JobId /*job*/, JobEnd /*how*/) {}
  // GPUs taken and given back by the workload's jobs and the services'
  // replicas alike (what power accounting watches). `holder` names the
  // holding until it is given back (the driver may reuse it after);
  // `gpu_type`: the GPUs' type (kAnyGpuType: a CPU-only job, no GPU).
  virtual void on_gpus_taken(Time /*now*/, std::uint32_t /*holder*/, std::span<const NodeShare> /*allocation*/,
                             GpuTypeId /*gpu_type*/) {}
  virtual void on_gpus_released(Time /*now*/, std::uint32_t /*holder*/) {}
  // The GPUs `holder` took are held but idle from `now` (a job in its idle
  // tail): they draw idle power until given back.
  virtual void on_gpus_idle(Time /*now*/, std::uint32_t /*holder*/) {}
  // A node powered on (provisioned) or off (released to the cloud). Every
  // node is on from time 0 unless the driver says otherwise at time 0; a
  // node said to be in the state it is in is left alone.
  virtual void on_node_power(Time /*now*/, NodeId /*node*/, bool /*on*/) {}
  // Every allocated GPU is capped at `cap` x its peak watts from `now` (an
  // energy policy's power cap; 1: uncapped, as at the start).
  virtual void on_power_cap(Time /*now*/, double /*cap*/) {}
  // Called once per instant at which something happened, after its events
  // and decisions, with the state that holds until the next instant.
  virtual void on_instant_end(Time /*now*/, const EngineCounters& /*counters*/) {}
  // The simulation stopped at `end` (the last instant, or the horizon, or
  // where it was interrupted). Jobs still in it are reported first through
  // on_job_ended with kRunning or kPending.
  virtual void on_run_end(Time /*end*/) {}
};

}  // namespace capsim::sim
