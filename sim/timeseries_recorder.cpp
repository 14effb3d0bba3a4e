#include "sim/timeseries_recorder.hpp"

#include <algorithm>

namespace capsim::sim {

TimeSeriesRecorder::TimeSeriesRecorder(Duration interval, std::int64_t total_gpus)
    : interval_(interval), total_gpus_(total_gpus) {
  CAPSIM_CHECK(interval_ > Duration()) << "metrics interval must be positive";
}

std::size_t TimeSeriesRecorder::interval_of(Time t) const {
  return static_cast<std::size_t>(t.count_us() / interval_.count_us());
}

void TimeSeriesRecorder::grow_to(std::size_t intervals) {
  if (allocated_gpu_milli_us_.size() >= intervals) return;
  allocated_gpu_milli_us_.resize(intervals, 0);
  pending_job_us_.resize(intervals, 0);
  running_job_us_.resize(intervals, 0);
  arrivals_.resize(intervals, 0);
  job_ends_.resize(intervals, 0);
}

void TimeSeriesRecorder::integrate_to(Time t) {
  CAPSIM_CHECK(t >= last_);
  Time a = last_;
  while (a < t) {
    const std::size_t k = interval_of(a);
    const Time boundary = Time::zero() + interval_ * static_cast<std::int64_t>(k + 1);
    const Time b = std::min(t, boundary);
    const std::int64_t length = (b - a).count_us();
    grow_to(k + 1);
    allocated_gpu_milli_us_[k] += static_cast<Int128>(level_.allocated_gpu_milli) * length;
    pending_job_us_[k] += level_.pending_jobs * length;
    running_job_us_[k] += level_.running_jobs * length;
    a = b;
  }
  last_ = t;
}

void TimeSeriesRecorder::on_job_arrived(Time now, JobId, const JobSpec&) {
  grow_to(interval_of(now) + 1);
  ++arrivals_[interval_of(now)];
}

void TimeSeriesRecorder::on_job_ended(Time now, JobId, JobEnd how) {
  if (!ran_to_end(how)) return;
  grow_to(interval_of(now) + 1);
  ++job_ends_[interval_of(now)];
}

void TimeSeriesRecorder::on_instant_end(Time now, const EngineCounters& counters) {
  integrate_to(now);
  level_ = counters;
}

void TimeSeriesRecorder::on_run_end(Time end) {
  integrate_to(end);
  end_ = end;
  ended_ = true;
  // The series covers [0, end]. When the run ends exactly on an interval
  // boundary, what happened at that last instant belongs to the last
  // interval rather than to a new one of no length.
  const std::size_t intervals = std::max<std::size_t>(
      1, static_cast<std::size_t>((end.count_us() + interval_.count_us() - 1) / interval_.count_us()));
  grow_to(intervals);
  if (allocated_gpu_milli_us_.size() > intervals) {
    CAPSIM_CHECK(allocated_gpu_milli_us_.size() == intervals + 1) << "events after the end of the run";
    arrivals_[intervals - 1] += arrivals_.back();
    job_ends_[intervals - 1] += job_ends_.back();
    allocated_gpu_milli_us_.pop_back();
    for (auto* column : {&pending_job_us_, &running_job_us_, &arrivals_, &job_ends_}) column->pop_back();
  }
}

TimeSeries TimeSeriesRecorder::result() const {
  CAPSIM_CHECK(ended_) << "time series read before the run ended";
  TimeSeries series;
  series.interval = interval_;
  const std::size_t n = allocated_gpu_milli_us_.size();
  TimeSeries::Metric allocated{
      "allocated_gpus", "GPUs", "GPUs allocated to jobs (shares of GPUs as fractions), averaged over the interval", {}};
  TimeSeries::Metric utilisation{"gpu_utilisation", "1", "allocated GPUs / all GPUs, averaged over the interval", {}};
  TimeSeries::Metric pending{"pending_jobs", "jobs", "jobs waiting in the queue, averaged over the interval", {}};
  TimeSeries::Metric running{"running_jobs", "jobs", "jobs running, averaged over the interval", {}};
  TimeSeries::Metric arrivals{"arrivals", "jobs", "jobs submitted in the interval", {}};
  TimeSeries::Metric ends{
      "job_ends", "jobs", "jobs that ended (completed, failed, killed or unfinished) in the interval", {}};
  for (std::size_t k = 0; k < n; ++k) {
    const std::int64_t start = interval_.count_us() * static_cast<std::int64_t>(k);
    const std::int64_t stop = std::min(start + interval_.count_us(), std::max(end_.count_us(), start));
    const double covered = static_cast<double>(stop - start);
    const auto average = [&](std::int64_t integral) {
      return covered > 0 ? static_cast<double>(integral) / covered : 0.0;
    };
    // In GPUs. Whole GPU-us divide as they always did (the same bits for
    // whole-GPU workloads); shares of GPUs divide the exact integral.
    const auto average_gpus = [&](Int128 milli_us) {
      if (covered <= 0) return 0.0;
      if (milli_us % kMilliPerGpu == 0) return static_cast<double>(milli_us / kMilliPerGpu) / covered;
      return static_cast<double>(milli_us) / kMilliPerGpu / covered;
    };
    series.time_s.push_back(static_cast<double>(start) / 1e6);
    const double gpus = average_gpus(allocated_gpu_milli_us_[k]);
    allocated.values.push_back(gpus);
    utilisation.values.push_back(total_gpus_ > 0 ? gpus / static_cast<double>(total_gpus_) : 0.0);
    pending.values.push_back(average(pending_job_us_[k]));
    running.values.push_back(average(running_job_us_[k]));
    arrivals.values.push_back(static_cast<double>(arrivals_[k]));
    ends.values.push_back(static_cast<double>(job_ends_[k]));
  }
  series.metrics = {allocated, utilisation, pending, running, arrivals, ends};
  return series;
}

}  // namespace capsim::sim
