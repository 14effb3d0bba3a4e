// Power, energy and carbon of a run, watched as the driver's GPUs are taken
// and given back and its nodes powered on and off (DESIGN.md, "Energy,
// cost, carbon"). A powered node draws its node_watts and each of its GPUs
// its type's idle watts, plus (peak - idle) x the share of the GPU allocated
// (linear in utilisation); a node powered off draws its group's off_watts;
// the facility draws that IT power x the PUE.
// Power is constant between the instants the driver reports, so energy is
// integrated exactly (watts x microseconds, summed in time order); carbon is
// each region's facility energy x its grid's intensity, hour by hour.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "core/cluster.hpp"
#include "core/gpu_catalog.hpp"
#include "sim/observer.hpp"
#include "sim/results.hpp"

namespace capsim::sim {

// What a region's equipment drew over a run.
struct RegionEnergy {
  std::string name;
  double gpu_joules = 0;       // GPU boards
  double it_joules = 0;        // GPU boards and nodes
  double facility_joules = 0;  // IT x PUE
  double grams_co2e = 0;       // facility energy x intensity (0 without a carbon series)
  bool has_carbon = false;
};

struct EnergyReport {
  std::vector<RegionEnergy> regions;  // by region index (ClusterSpec::regions)
  double peak_facility_watts = 0;     // over intervals of positive length
  double seconds = 0;                 // time integrated: 0 to the run's end
  double gpu_joules() const { return sum(&RegionEnergy::gpu_joules); }
  double it_joules() const { return sum(&RegionEnergy::it_joules); }
  double facility_joules() const { return sum(&RegionEnergy::facility_joules); }
  double grams_co2e() const { return sum(&RegionEnergy::grams_co2e); }
  double sum(double RegionEnergy::*figure) const;  // over the regions, in region order
  bool has_carbon() const;                         // some region has a carbon series
};

class PowerMeter final : public EngineObserver {
 public:
  // `layout` and `catalog` must outlive the meter.
  // `interval`: the metrics interval of add_series (zero: no series).
  PowerMeter(const ClusterLayout& layout, const GpuCatalog& catalog, Duration interval = Duration());

  void on_gpus_taken(Time now, std::uint32_t holder, std::span<const NodeShare> allocation,
                     GpuTypeId gpu_type) override;
  void on_gpus_released(Time now, std::uint32_t holder) override;
  // Held idle, the GPUs draw their idle watts: their busy watts go as if given back.
  void on_gpus_idle(Time now, std::uint32_t holder) override { on_gpus_released(now, holder); }
  void on_node_power(Time now, NodeId node, bool on) override;
  void on_power_cap(Time now, double cap) override;
  void on_run_end(Time end) override;

  // After on_run_end.
  const EnergyReport& report() const { return report_; }
  // Appends to `series` (the run's, after on_run_end, its intervals
  // k x interval from 0) the facility's mean power per interval (power_kw)
  // and, with a carbon series, the emissions in each (emissions_kg_co2e).
  void add_series(TimeSeries& series) const;

 private:
  // Integrates the current power from the last instant to `now`.
  void advance(Time now);
  void add_power(std::size_t region, double gpu_watts, double other_watts);

  const ClusterLayout& layout_;
  const GpuCatalog& catalog_;
  double pue_ = 1;
  Duration interval_;
  std::vector<double> interval_joules_;  // facility energy by metrics interval
  std::vector<double> interval_grams_;
  Time last_;
  std::vector<double> gpu_watts_;    // by region: GPU boards now
  std::vector<double> other_watts_;  // by region: nodes' own power now
  std::vector<std::uint8_t> node_on_;
  // By holder, what it holds: per region, the peak and idle watts of its
  // share of the GPUs (it draws cap x peak - idle above idle); kept
  // allocated for the next holder of the same number.
  struct Held {
    std::int32_t region = 0;
    double peak_watts = 0;
    double idle_watts = 0;
  };
  std::vector<std::vector<Held>> held_;
  double cap_ = 1;  // the power cap in force (on_power_cap)
  EnergyReport report_;
};

}  // namespace capsim::sim
