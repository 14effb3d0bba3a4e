// What a scenario says of the power and carbon of a cluster beyond the GPU
// catalog's watts (DESIGN.md, "Energy, cost, carbon"): the facility's
// overhead (PUE), and the regions the node groups stand in with their grid's
// carbon intensity over time. The engine-side accounting is
// sim/power_meter.hpp.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/config_tree.hpp"
#include "core/error.hpp"
#include "core/region.hpp"
#include "core/time.hpp"

namespace capsim {

// A grid's carbon intensity in grams of CO2-equivalent per kWh, one value per
// hour from simulated time 0 (hour h covers [h, h+1) hours). Past its last
// hour the series starts again from its first (24 values: a daily profile
// for every day of the run); one value is a constant intensity.
class CarbonIntensity {
 public:
  CarbonIntensity() = default;
  explicit CarbonIntensity(std::vector<double> g_per_kwh_hourly);

  std::size_t hours() const { return values_.size(); }
  bool empty() const { return values_.empty(); }
  // The intensity during hour `hour` (0-based, any hour: the series repeats).
  double at_hour(std::int64_t hour) const {
    return values_[static_cast<std::size_t>(hour % static_cast<std::int64_t>(values_.size()))];
  }
  const std::vector<double>& values() const { return values_; }
  friend bool operator==(const CarbonIntensity&, const CarbonIntensity&) = default;

 private:
  std::vector<double> values_;
};

// `cluster.regions[]`: a place node groups stand in (a cloud region, a site).
struct RegionSpec {
  std::string name;
  std::optional<CarbonIntensity> carbon;  // none: its emissions are not counted
  SourceLocation where;
  friend bool operator==(const RegionSpec&, const RegionSpec&) = default;
};

// Parses `cluster.regions` (a list of {name, carbon}); `carbon` is a number
// (a constant), a list of hourly values, or {file: CSV, column: NAME} with one
// row per hour (the column named, or the last one; lines starting with '#'
// are comments). Relative paths resolve against `base_dir`. Throws
// InputError naming the file, line and field (also beyond kMaxRegions).
std::vector<RegionSpec> parse_regions(const ConfigNode& node, const std::string& field,
                                      const std::filesystem::path& base_dir);

// A region of `regions` (the cluster's) by name, as a node group's `region:`
// or a job class's `regions:` names it. Throws InputError naming the known
// regions, or saying that the cluster lists none.
RegionId read_region(const ConfigNode& node, const std::string& field, const std::vector<RegionSpec>& regions);
// `regions:` of a job class or a service: one region's name or a list of
// them (data residency); an empty list is an error.
RegionSet read_region_set(const ConfigNode& node, const std::string& field, const std::vector<RegionSpec>& regions);

// Reads an hourly carbon intensity column from a CSV file with a header
// (`column` empty: the last column). `where`/`field`: the scenario entry that
// named it, for errors about the file as a whole.
CarbonIntensity read_carbon_csv(const std::filesystem::path& path, const std::string& column,
                                const SourceLocation& where, const std::string& field);

}  // namespace capsim
