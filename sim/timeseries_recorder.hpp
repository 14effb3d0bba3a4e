// Records time series at the metrics interval as an observer of the engine.
// Levels (allocated GPUs, pending and running jobs) are averaged over each
// interval exactly: the engine's state is piecewise constant between instants,
// and the recorder integrates it in integers (thousandths of a GPU x
// microseconds, so that shares of GPUs count exactly). Counts (arrivals,
// job ends) are the events that fall in each interval. Interval k covers
// [k x interval, (k+1) x interval); the last one ends where the run ended and
// is averaged over the part it covers (and counts what happened at the very
// end).
#pragma once

#include <cstdint>
#include <vector>

#include "sim/observer.hpp"
#include "sim/results.hpp"

namespace capsim::sim {

class TimeSeriesRecorder final : public EngineObserver {
 public:
  TimeSeriesRecorder(Duration interval, std::int64_t total_gpus);

  void on_job_arrived(Time now, JobId job, const JobSpec& spec) override;
  void on_job_ended(Time now, JobId job, JobEnd how) override;
  void on_instant_end(Time now, const EngineCounters& counters) override;
  void on_run_end(Time end) override;

  // The series (complete after on_run_end).
  TimeSeries result() const;

 private:
  std::size_t interval_of(Time t) const;
  void grow_to(std::size_t intervals);
  void integrate_to(Time t);

  Duration interval_;
  std::int64_t total_gpus_;
  Time last_;
  EngineCounters level_;
  Time end_;
  bool ended_ = false;
  // Per interval. Thousandths of a GPU x us overflow 64 bits within a day
  // on a million GPUs: 128 bits never do.
  __extension__ typedef __int128 Int128;
  std::vector<Int128> allocated_gpu_milli_us_;
  std::vector<std::int64_t> pending_job_us_;
  std::vector<std::int64_t> running_job_us_;
  std::vector<std::int64_t> arrivals_;
  std::vector<std::int64_t> job_ends_;
};

}  // namespace capsim::sim
