#include "sim/packing_recorder.hpp"

namespace capsim::sim {

PackingRecorder::PackingRecorder(std::int64_t total_gpus, std::vector<double> points)
    : total_milli_(total_gpus * kMilliPerGpu), points_(std::move(points)) {}

double PackingRecorder::percent_of_cluster(std::int64_t gpu_milli) const {
  return total_milli_ > 0 ? 100.0 * static_cast<double>(gpu_milli) / static_cast<double>(total_milli_) : 0.0;
}

void PackingRecorder::on_job_arrived(Time /*now*/, JobId /*job*/, const JobSpec& spec) {
  ++arrived_;
  requested_milli_ += spec.request.gpu_milli;
  // Compared in integers: point p is reached when requested x 100 >= p x total.
  while (next_point_ < points_.size() &&
         static_cast<double>(requested_milli_) * 100.0 >= points_[next_point_] * static_cast<double>(total_milli_)) {
    ++next_point_;
  }
}

void PackingRecorder::on_job_started(Time /*now*/, JobId /*job*/, std::span<const NodeShare> /*allocation*/,
                                     GpuTypeId /*gpu_type*/, double /*rate*/) {
  ++started_;
}

void PackingRecorder::on_job_ended(Time /*now*/, JobId /*job*/, JobEnd how) {
  if (how == JobEnd::kRejected) ++rejected_;
}

void PackingRecorder::on_instant_end(Time /*now*/, const EngineCounters& counters) {
  allocated_milli_ = counters.allocated_gpu_milli;
  for (; reached_ < next_point_; ++reached_) {
    recorded_.push_back({points_[reached_], percent_of_cluster(allocated_milli_)});
  }
}

PackingSummary PackingRecorder::result() const {
  PackingSummary s;
  s.points = recorded_;
  s.requested_percent = percent_of_cluster(requested_milli_);
  s.allocated_percent = percent_of_cluster(allocated_milli_);
  s.unallocated_percent = 100.0 - s.allocated_percent;
  s.jobs_waiting = arrived_ - started_ - rejected_;
  return s;
}

}  // namespace capsim::sim
