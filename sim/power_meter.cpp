#include "sim/power_meter.hpp"

#include <algorithm>

#include "core/error.hpp"

namespace capsim::sim {

namespace {

constexpr std::int64_t kHourUs = 3'600'000'000;

}  // namespace

double EnergyReport::sum(double RegionEnergy::*figure) const {
  double total = 0;
  for (const RegionEnergy& r : regions) total += r.*figure;
  return total;
}

bool EnergyReport::has_carbon() const {
  return std::any_of(regions.begin(), regions.end(), [](const RegionEnergy& r) { return r.has_carbon; });
}

PowerMeter::PowerMeter(const ClusterLayout& layout, const GpuCatalog& catalog, Duration interval)
    : layout_(layout), catalog_(catalog), pue_(layout.spec().pue), interval_(interval) {
  const ClusterSpec& spec = layout.spec();
  const std::size_t regions = spec.region_count();
  gpu_watts_.assign(regions, 0.0);
  other_watts_.assign(regions, 0.0);
  report_.regions.resize(regions);
  for (std::size_t r = 0; r < regions; ++r) {
    report_.regions[r].name = spec.region_name(r);
    report_.regions[r].has_carbon = r < spec.regions.size() && spec.regions[r].carbon.has_value();
  }
  // Every node is on from time 0 until the driver says otherwise.
  node_on_.assign(layout.node_count(), 1);
  for (const NodeGroupSpec& group : spec.node_groups) {
    const auto region = static_cast<std::size_t>(group.region);
    const double count = static_cast<double>(group.count);
    gpu_watts_[region] += count * group.gpus_per_node * catalog.at(group.gpu_type).idle_watts;
    other_watts_[region] += count * group.node_watts;
  }
}

void PowerMeter::advance(Time now) {
  if (now <= last_) return;
  const ClusterSpec& spec = layout_.spec();
  const std::int64_t from = (last_ - Time::zero()).count_us();
  const std::int64_t to = (now - Time::zero()).count_us();
  const double seconds = static_cast<double>(to - from) / 1e6;
  double facility = 0;
  bool carbon = false;
  for (std::size_t r = 0; r < gpu_watts_.size(); ++r) {
    RegionEnergy& region = report_.regions[r];
    const double it_watts = gpu_watts_[r] + other_watts_[r];
    const double facility_watts = it_watts * pue_;
    facility += facility_watts;
    carbon |= region.has_carbon && facility_watts != 0;
    region.gpu_joules += gpu_watts_[r] * seconds;
    region.it_joules += it_watts * seconds;
    region.facility_joules += facility_watts * seconds;
  }
  report_.peak_facility_watts = std::max(report_.peak_facility_watts, facility);
  // Piece by piece, cut at the hours (carbon intensities change there) and
  // at the metrics intervals: joules / 3.6e6 = kWh, x g/kWh.
  const std::int64_t interval = interval_.count_us();
  if (carbon || interval > 0) {
    for (std::int64_t t = from; t < to;) {
      const std::int64_t hour = t / kHourUs;
      std::int64_t until = std::min(to, (hour + 1) * kHourUs);
      std::size_t k = 0;
      if (interval > 0) {
        k = static_cast<std::size_t>(t / interval);
        until = std::min(until, (t / interval + 1) * interval);
        if (interval_joules_.size() <= k) {
          interval_joules_.resize(k + 1, 0.0);
          interval_grams_.resize(k + 1, 0.0);
        }
      }
      const double piece_s = static_cast<double>(until - t) / 1e6;
      if (interval > 0) interval_joules_[k] += facility * piece_s;
      if (carbon) {
        for (std::size_t r = 0; r < gpu_watts_.size(); ++r) {
          RegionEnergy& region = report_.regions[r];
          if (!region.has_carbon) continue;
          const double facility_watts = (gpu_watts_[r] + other_watts_[r]) * pue_;
          const double grams = facility_watts * piece_s / 3.6e6 * spec.regions[r].carbon->at_hour(hour);
          region.grams_co2e += grams;
          if (interval > 0) interval_grams_[k] += grams;
        }
      }
      t = until;
    }
  }
  last_ = now;
}

void PowerMeter::add_power(std::size_t region, double gpu_watts, double other_watts) {
  gpu_watts_[region] += gpu_watts;
  other_watts_[region] += other_watts;
}

void PowerMeter::on_gpus_taken(Time now, std::uint32_t holder, std::span<const NodeShare> allocation,
                               GpuTypeId gpu_type) {
  if (gpu_type == kAnyGpuType) return;  // a CPU-only job: nodes draw their own power anyway
  advance(now);
  if (held_.size() <= holder) held_.resize(static_cast<std::size_t>(holder) + 1);
  auto& held = held_[holder];
  CAPSIM_CHECK(held.empty()) << "holder " << holder << " took GPUs twice";
  const GpuType& type = catalog_.at(gpu_type);
  for (const NodeShare& share : allocation) {
    const std::int32_t region =
        layout_.spec().node_groups[static_cast<std::size_t>(layout_.group_of(share.node))].region;
    const double gpus = static_cast<double>(share.total_gpu_milli()) / kMilliPerGpu;
    const Held h{region, gpus * type.peak_watts, gpus * type.idle_watts};
    if (h.peak_watts == h.idle_watts) continue;  // draws nothing above idle
    add_power(static_cast<std::size_t>(region), cap_ * h.peak_watts - h.idle_watts, 0);
    held.push_back(h);
  }
}

void PowerMeter::on_gpus_released(Time now, std::uint32_t holder) {
  if (holder >= held_.size() || held_[holder].empty()) return;
  advance(now);
  for (const Held& h : held_[holder])
    add_power(static_cast<std::size_t>(h.region), h.idle_watts - cap_ * h.peak_watts, 0);
  held_[holder].clear();
}

void PowerMeter::on_node_power(Time now, NodeId node, bool on) {
  std::uint8_t& state = node_on_[static_cast<std::size_t>(node)];
  if (static_cast<bool>(state) == on) return;
  advance(now);
  state = on;
  const NodeGroupSpec& group = layout_.spec().node_groups[static_cast<std::size_t>(layout_.group_of(node))];
  const double sign = on ? 1.0 : -1.0;
  // Off, it draws its off_watts (0 for an elastic group's released node).
  add_power(static_cast<std::size_t>(group.region), sign * group.gpus_per_node * catalog_.at(group.gpu_type).idle_watts,
            sign * (group.node_watts - group.off_watts));
}

void PowerMeter::on_power_cap(Time now, double cap) {
  advance(now);
  for (const std::vector<Held>& held : held_) {
    for (const Held& h : held) add_power(static_cast<std::size_t>(h.region), (cap - cap_) * h.peak_watts, 0);
  }
  cap_ = cap;
}

void PowerMeter::on_run_end(Time end) {
  advance(end);
  report_.seconds = (end - Time::zero()).to_seconds();
}

void PowerMeter::add_series(TimeSeries& series) const {
  const std::size_t n = series.time_s.size();
  const std::int64_t end = (last_ - Time::zero()).count_us();
  TimeSeries::Metric power{"power_kw", "kW", "facility power (IT x PUE), averaged over the interval", {}};
  TimeSeries::Metric emissions{
      "emissions_kg_co2e", "kg CO2e", "emissions of the facility's energy in the interval", {}};
  for (std::size_t k = 0; k < n; ++k) {
    const std::int64_t start = interval_.count_us() * static_cast<std::int64_t>(k);
    const std::int64_t stop = std::min(start + interval_.count_us(), std::max(end, start));
    const double joules = k < interval_joules_.size() ? interval_joules_[k] : 0.0;
    const double grams = k < interval_grams_.size() ? interval_grams_[k] : 0.0;
    power.values.push_back(stop > start ? joules / (static_cast<double>(stop - start) / 1e6) / 1000 : 0.0);
    emissions.values.push_back(grams / 1000);
  }
  series.metrics.push_back(std::move(power));
  if (report_.has_carbon()) series.metrics.push_back(std::move(emissions));
}

}  // namespace capsim::sim
