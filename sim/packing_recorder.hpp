// Records the packing experiment's curve (Weng et al., "Beware of
// Fragmentation", USENIX ATC'23) as an observer of the engine: as arrivals
// request more and more of the cluster's GPUs (and none leaves), what share
// of the GPUs is allocated. A point is taken when the GPUs requested so far
// first reach each of `points` (percentages of the cluster's GPUs), after
// the instant's placements; the run's end gives the final share allocated
// and unallocated. sim/run.cpp registers it when the workload samples its
// trace (TraceSample).
#pragma once

#include <cstdint>
#include <vector>

#include "sim/observer.hpp"
#include "sim/results.hpp"

namespace capsim::sim {

class PackingRecorder final : public EngineObserver {
 public:
  // `points` ascending, in percent of `total_gpus`.
  PackingRecorder(std::int64_t total_gpus, std::vector<double> points);

  void on_job_arrived(Time now, JobId job, const JobSpec& spec) override;
  void on_job_started(Time now, JobId job, std::span<const NodeShare> allocation, GpuTypeId gpu_type,
                      double rate) override;
  void on_job_ended(Time now, JobId job, JobEnd how) override;
  void on_instant_end(Time now, const EngineCounters& counters) override;

  // The curve so far (complete after the run).
  PackingSummary result() const;

 private:
  double percent_of_cluster(std::int64_t gpu_milli) const;

  std::int64_t total_milli_;
  std::vector<double> points_;
  std::size_t next_point_ = 0;  // the first point not yet reached
  std::size_t reached_ = 0;     // points reached by arrivals, recorded at the instant's end
  std::int64_t requested_milli_ = 0;
  std::int64_t allocated_milli_ = 0;
  std::int64_t arrived_ = 0;
  std::int64_t started_ = 0;
  std::int64_t rejected_ = 0;
  std::vector<PackingPoint> recorded_;
};

}  // namespace capsim::sim
