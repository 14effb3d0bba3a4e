#include "sim/job_recorder.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "sim/engine.hpp"

namespace capsim::sim {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
}

JobRecorder::JobRecorder(const GpuCatalog& catalog, const ClusterLayout* layout, const JobClasses* classes)
    : catalog_(catalog), layout_(layout), classes_(classes) {
  for (const GpuType& type : catalog.types()) gpu_type_names_.push_back(type.name);
}

void JobRecorder::on_job_arrived(Time now, JobId job, const JobSpec& spec) {
  CAPSIM_CHECK(job == rows_.size()) << "job " << job << " arrived out of order";
  Row& row = rows_.emplace_back();
  row.submit = now;
  row.recorded_duration = spec.duration;
  row.job_class = spec.job_class;
  row.work = spec.work;
  row.gpu_milli = static_cast<std::int32_t>(spec.request.gpu_milli);  // the engine checked it fits
  row.requested_gpu_types = spec.gpu_types;
  names_.push_back(spec.name);
  users_.push_back(spec.user);
  tenants_.push_back(spec.queue.empty() ? spec.user : spec.queue);
}

void JobRecorder::on_job_started(Time now, JobId job, std::span<const NodeShare> allocation, GpuTypeId gpu_type,
                                 double /*rate*/) {
  Row& row = rows_[job];
  if (row.start == Time::max()) row.start = now;  // the first start: a resume keeps it
  row.run_since = now;
  row.nodes = static_cast<std::int32_t>(allocation.size());
  if (layout_ && classes_) {
    racks_seen_.clear();
    for (const NodeShare& share : allocation) racks_seen_.push_back(layout_->rack_of(share.node));
    std::sort(racks_seen_.begin(), racks_seen_.end());
    row.racks = static_cast<std::int32_t>(std::unique(racks_seen_.begin(), racks_seen_.end()) - racks_seen_.begin());
    row.ideal_rate =
        ideal_rate(*classes_, catalog_, layout_->spec().performance, row.job_class, row.gpu_milli, gpu_type);
  }
  row.gpu_type = gpu_type;
  if (layout_ && !allocation.empty())
    row.region = static_cast<std::int8_t>(layout_->region_of(allocation.front().node));
  row.state = JobEnd::kRunning;
  row.usd_per_hour = 0;
  if (layout_ && gpu_type != kAnyGpuType) {
    for (const NodeShare& share : allocation) {
      const NodeGroupSpec& group = layout_->spec().node_groups[static_cast<std::size_t>(layout_->group_of(share.node))];
      row.usd_per_hour +=
          static_cast<double>(share.total_gpu_milli()) / kMilliPerGpu * group.price_per_gpu_hour(catalog_);
    }
  }
}

void JobRecorder::on_job_idle(Time now, JobId job) {
  rows_[job].idle_since = now;
}

void JobRecorder::on_job_interrupted(Time now, JobId job, const Interruption& what) {
  Row& row = rows_[job];
  if (row.idle_since != Time::max()) close_idle(row, now);
  ++(what.node_failure ? row.failures : row.preemptions);
  row.lost_work += what.lost_work;
  row.wasted_gpu_seconds += what.wasted_gpu_seconds;
  close_run(row, now);
  row.state = JobEnd::kPending;
}

void JobRecorder::close_run(Row& row, Time end) {
  row.held += end - row.run_since;
  row.cost_usd += (end - row.run_since).to_seconds() / 3600 * row.usd_per_hour;
  if (!caps_.empty()) row.held_at_cap_s += cap_integral(end) - cap_integral(row.run_since);
  row.run_since = Time::max();
}

void JobRecorder::close_idle(Row& row, Time end) {
  row.idle_held += end - row.idle_since;
  if (!caps_.empty()) row.idle_at_cap_s += cap_integral(end) - cap_integral(row.idle_since);
  row.idle_since = Time::max();
}

double JobRecorder::cap_integral(Time t) const {
  const auto after = std::upper_bound(caps_.begin(), caps_.end(), t,
                                      [](Time time, const CapChange& change) { return time < change.at; });
  if (after == caps_.begin()) return (t - Time::zero()).to_seconds();
  const CapChange& change = *std::prev(after);
  return change.integral_s + change.cap * (t - change.at).to_seconds();
}

void JobRecorder::on_power_cap(Time now, double cap) {
  const double integral = cap_integral(now);
  caps_.push_back({now, integral, cap});
}

void JobRecorder::on_job_ended(Time now, JobId job, JobEnd how) {
  ends_.push_back(EndEntry{now, job, how});
}

JobTable JobRecorder::take() {
  for (std::size_t i = 0; i < ends_.size(); ++i) {
    const EndEntry& entry = ends_[i];
    Row& row = rows_[entry.job];
    row.state = entry.how;
    if (ran_to_end(entry.how)) row.end = entry.end;
    if (row.run_since != Time::max()) close_run(row, entry.end);  // it ended running, or was still running at the end
    if (row.idle_since != Time::max()) close_idle(row, entry.end);
  }
  reaping_ = {};
  ends_.clear();
  JobTable table;
  const std::size_t n = rows_.size();
  table.name = std::move(names_);
  table.user = std::move(users_);
  table.tenant = std::move(tenants_);
  table.gpu_type_names = gpu_type_names_;
  if (layout_) {
    for (std::size_t r = 0; r < layout_->spec().region_count(); ++r)
      table.region_names.push_back(layout_->spec().region_name(r));
  }
  const auto reserve = [n](auto&... columns) { (columns.reserve(n), ...); };
  reserve(table.submit_s, table.start_s, table.end_s, table.queueing_delay_s, table.jct_s, table.recorded_duration_s,
          table.gpus, table.nodes, table.racks, table.requested_gpu_types, table.gpu_type, table.preemptions,
          table.failures, table.lost_gpu_hours, table.wasted_gpu_hours, table.idle_gpu_hours, table.run_time_s,
          table.ideal_run_time_s, table.energy_kwh, table.cost_usd, table.state, table.region);
  const double pue = layout_ ? layout_->spec().pue : 1.0;
  for (std::size_t i = 0; i < n; ++i) {
    const Row& row = rows_[i];
    const double submit = row.submit.to_seconds();
    const double start = row.start == Time::max() ? kNaN : row.start.to_seconds();
    const double end = row.end == Time::max() ? kNaN : row.end.to_seconds();
    table.submit_s.push_back(submit);
    table.start_s.push_back(start);
    table.end_s.push_back(end);
    // Differences of integer microseconds, so that they are exact.
    table.queueing_delay_s.push_back(row.start == Time::max() ? kNaN : (row.start - row.submit).to_seconds());
    table.jct_s.push_back(row.end == Time::max() ? kNaN : (row.end - row.submit).to_seconds());
    table.recorded_duration_s.push_back(row.recorded_duration.to_seconds());
    table.gpus.push_back(static_cast<double>(row.gpu_milli) / kMilliPerGpu);  // exact for whole GPUs
    table.nodes.push_back(row.nodes);
    table.racks.push_back(row.racks);
    table.requested_gpu_types.push_back(row.requested_gpu_types);
    table.gpu_type.push_back(row.gpu_type);
    table.preemptions.push_back(row.preemptions);
    table.failures.push_back(row.failures);
    table.lost_gpu_hours.push_back(row.lost_work / 3.6e9);  // reference GPU-us -> GPU-hours
    table.wasted_gpu_hours.push_back(row.wasted_gpu_seconds / 3600);
    const double gpus = table.gpus.back();
    table.idle_gpu_hours.push_back(gpus * row.idle_held.to_seconds() / 3600);
    table.run_time_s.push_back(row.held.to_seconds());
    // Its idle tail is wall-clock time, which no GPU shortens.
    const JobClassSpec* job_class = classes_ ? &classes_->at(row.job_class) : nullptr;
    const Duration tail = job_class ? job_class->idle_tail_of(row.recorded_duration) : Duration();
    table.ideal_run_time_s.push_back(job_class && row.ideal_rate > 0 && std::isfinite(row.work)
                                         ? job_class->computed_work(row.work) / row.ideal_rate * 1e-6 +
                                               tail.to_seconds()
                                         : kNaN);
    // A reaped job gives back the idle time it would still have held.
    if (row.state == JobEnd::kReaped) {
      const double recovered_hours = (tail - row.idle_held).to_seconds() / 3600;
      reaping_.recovered_gpu_hours += gpus * recovered_hours;
      reaping_.recovered_usd += row.usd_per_hour * recovered_hours;
    }
    // Per GPU: peak watts computing (cap x peak under power caps), idle
    // watts in its tail.
    double joules = 0;
    if (row.gpu_type != kAnyGpuType) {
      const GpuType& type = catalog_.at(row.gpu_type);
      const double computing_s =
          caps_.empty() ? (row.held - row.idle_held).to_seconds() : row.held_at_cap_s - row.idle_at_cap_s;
      joules = computing_s * type.peak_watts + row.idle_held.to_seconds() * type.idle_watts;
    }
    table.energy_kwh.push_back(gpus * joules * pue / 3.6e6);
    table.cost_usd.push_back(row.cost_usd);
    table.state.push_back(row.state);
    table.region.push_back(row.region);
  }
  rows_.clear();
  return table;
}

}  // namespace capsim::sim
