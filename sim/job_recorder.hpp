// Records a row per job as an observer of the engine.
#pragma once

#include <vector>

#include "core/chunked_vector.hpp"
#include "core/cluster.hpp"
#include "core/gpu_catalog.hpp"
#include "core/job_class.hpp"
#include "sim/observer.hpp"
#include "sim/results.hpp"

namespace capsim::sim {

class JobRecorder final : public EngineObserver {
 public:
  // With the layout and the job classes, it also records the racks a job ran
  // on and its ideal run time (JobTable); without, those stay 0 and NaN.
  explicit JobRecorder(const GpuCatalog& catalog, const ClusterLayout* layout = nullptr,
                       const JobClasses* classes = nullptr);

  void on_job_arrived(Time now, JobId job, const JobSpec& spec) override;
  void on_job_started(Time now, JobId job, std::span<const NodeShare> allocation, GpuTypeId gpu_type,
                      double rate) override;
  void on_job_interrupted(Time now, JobId job, const Interruption& what) override;
  void on_job_idle(Time now, JobId job) override;
  void on_job_ended(Time now, JobId job, JobEnd how) override;
  void on_power_cap(Time now, double cap) override;

  // The table, complete after the engine's on_run_end; leaves the recorder empty.
  JobTable take();
  // What the reaped jobs gave back (their class's idle tail, which needs the
  // job classes, less what they held idle), after take().
  const ReapingTotals& reaping() const { return reaping_; }

 private:
  // A row while the run goes on: one record per job, written at arrival and
  // start (which come in nearly arrival order). Ends come in random order, so
  // they go to a log that is only appended to, and take() applies them: the
  // run never waits on a cache miss for a row. take() also turns the rows
  // into columns.
  struct Row {
    Time submit;
    Time start = Time::max();  // max: not started
    Time end = Time::max();    // max: not ended
    Duration recorded_duration;
    std::int32_t gpu_milli = 0;  // thousandths of a GPU asked for
    std::int32_t nodes = 0;
    std::int32_t racks = 0;
    JobClassId job_class = 0;
    std::int8_t region = -1;  // of its last run (in the padding after job_class)
    double work = 0;          // reference GPU-us
    double ideal_rate = 0;    // of its last run (0: not recorded)
    std::int32_t preemptions = 0;
    std::int32_t failures = 0;
    double lost_work = 0;           // reference GPU-us lost to preemptions and failures
    double wasted_gpu_seconds = 0;  // held without leaving kept work
    Time run_since = Time::max();   // running: when the current run began
    Time idle_since = Time::max();  // in its idle tail: since when (max: not idle)
    Duration held;                  // run time of the runs that ended
    double held_at_cap_s = 0;       // with power caps: their run time x the cap in force
    Duration idle_held;             // idle spells that ended
    double idle_at_cap_s = 0;       // with power caps: their time x the cap in force
    double usd_per_hour = 0;        // running: what its GPUs cost
    double cost_usd = 0;            // of the runs that ended
    GpuTypeSet requested_gpu_types;
    GpuTypeId gpu_type = kAnyGpuType;
    JobEnd state = JobEnd::kPending;
  };
  struct EndEntry {
    Time end;
    JobId job;
    JobEnd how;
  };
  // The power caps (on_power_cap): when each took effect, the integral of the
  // cap over time up to then (seconds), and the cap; empty: never capped.
  struct CapChange {
    Time at;
    double integral_s;
    double cap;
  };
  std::vector<CapChange> caps_;
  // The integral of the cap from time 0 to `t` (t in seconds when uncapped).
  double cap_integral(Time t) const;
  // Adds the run from row.run_since to `end` to the row's held time and cost.
  void close_run(Row& row, Time end);
  // Adds the idle spell from row.idle_since to `end` to the row's idle time.
  void close_idle(Row& row, Time end);
  const GpuCatalog& catalog_;
  const ClusterLayout* layout_;
  const JobClasses* classes_;
  std::vector<RackId> racks_seen_;  // scratch
  ChunkedVector<Row> rows_;
  ChunkedVector<EndEntry> ends_;
  StringColumn names_;
  StringColumn users_;
  StringColumn tenants_;
  std::vector<std::string> gpu_type_names_;
  ReapingTotals reaping_;
};

}  // namespace capsim::sim
