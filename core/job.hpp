// A training job as a workload source describes it, and the interface of
// workload sources (synthetic generators, trace readers).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "core/gpu_catalog.hpp"
#include "core/resources.hpp"
#include "core/time.hpp"

namespace capsim {

// How a job ended in the trace it comes from: a job that failed after T
// seconds in the trace runs T seconds and is recorded as failed. kRunning: the
// trace ended while the job ran (it runs the T seconds the trace saw).
// kCancelled: the job left the queue without ever running; trace readers
// report such rows (trace stats counts them) but replays leave them out,
// since the trace says nothing of how long they would have run.
enum class JobOutcome : std::uint8_t { kCompleted = 0, kFailed = 1, kKilled = 2, kRunning = 3, kCancelled = 4 };
inline constexpr JobOutcome kAllJobOutcomes[] = {JobOutcome::kCompleted, JobOutcome::kFailed, JobOutcome::kKilled,
                                                 JobOutcome::kRunning, JobOutcome::kCancelled};
std::string_view to_string(JobOutcome outcome);
// "completed", "failed", "killed", "running" or "cancelled"; nothing for
// anything else.
std::optional<JobOutcome> parse_job_outcome(std::string_view text);

// JobSpec::job_class before a class is assigned (core/job_class.hpp).
inline constexpr std::uint16_t kUnassignedJobClass = 0xffff;

struct JobSpec {
  std::string name;  // the trace's id, or a generated one
  Time submit;
  // GPUs in thousandths: whole GPUs all of one type, a share of one GPU
  // (gpu_milli below 1000), or none (a CPU-only job, which asks for CPU);
  // the GPU memory each GPU must have (0: any); CPU and host memory over the
  // whole job (0: none asked for).
  Resources request = Resources::gpus(1);
  GpuTypeSet gpu_types;  // the GPU types it may run on (empty: any)
  Duration duration;     // run time as recorded, on `recorded_on`
  // Work in reference GPU-microseconds: duration x GPUs (a share counts as
  // its fraction) x relative speed of the GPU type the duration was recorded
  // on; for a CPU-only job, its duration in microseconds. The native engine
  // divides it by the rate of the job's allocation (GPUs x their relative
  // speed; 1 for a CPU-only job). +infinity: the job never ends and holds
  // its allocation until the simulation stops (a packing experiment's pods).
  double work = 0;
  std::string user;
  std::string queue;  // queue, virtual cluster or tenant ("" = none)
  // The run time the user asked for (a wall-time limit, the estimate that
  // backfilling and shortest-job policies use); zero when unknown.
  Duration estimate;
  JobOutcome outcome = JobOutcome::kCompleted;
  // Its class in the scenario's job classes (priority, preemption costs,
  // speed per GPU type); assigned as the workload is opened.
  std::uint16_t job_class = kUnassignedJobClass;
  SourceLocation origin;  // where the job was read from (trace row, scenario entry)

  std::int32_t gpus() const { return request.whole_gpus(); }
};

// A stream of jobs in non-decreasing submit order. Sources stream: a trace
// larger than memory is read as the simulation consumes it.
class JobSource {
 public:
  virtual ~JobSource() = default;
  // Fills `job` with the next job and returns true, or returns false at the
  // end. Throws InputError on bad data, naming its file, line and field.
  virtual bool next(JobSpec& job) = 0;
};

}  // namespace capsim
