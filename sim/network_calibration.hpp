// `capsim calibrate --network`: the native engine's placement factors
// (PerformanceSpec::across_nodes, ::across_racks) fitted with the SimGrid
// driver, per GPU count, into a calibration profile the native engine loads
// (`cluster.calibration`).
//
// - isolated probes: a job of each GPU count of the workload and each job
//   class runs alone, once packed by node and rack (topology placement),
//   once spread over racks and once spread over the nodes of one rack; its
//   rate against the ideal placement (all on one node) is its factor, the
//   one written (per shape and GPU count).
// - in place: the scenario itself (every variant of its compare block) under
//   SimGrid; each job that spanned nodes or racks and was never preempted
//   gives run time and ideal run time. Together they say how much slower
//   than ideal such jobs ran among their neighbours, which probes alone
//   cannot see: the link sharing (PerformanceSpec::link_sharing, the weight
//   of a neighbour's flows on a shared link, sim/link_contention.hpp) is
//   set so that the native engine's jobs spanning nodes run as much slower
//   as SimGrid's did (a line through a grid of weights around the crossing:
//   the native schedule moves with the weight, so the curve is noisy).
// Then the check: every variant's mean JCT on the native engine with the
// profile against SimGrid's.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/calibration_profile.hpp"
#include "core/scenario.hpp"

namespace capsim::sim {

enum class PlacementShape : std::uint8_t { kAcrossNodes, kAcrossRacks };
std::string_view to_string(PlacementShape shape);  // "across_nodes", "across_racks"

struct NetworkCalibrationOptions {
  bool isolated_only = false;                       // skip the in-place fit (probes only)
  std::function<void(const std::string&)> on_step;  // progress lines
};

struct NetworkFactorFit {
  PlacementShape shape = PlacementShape::kAcrossNodes;
  std::int32_t gpus = 0;
  std::optional<double> isolated;  // probes alone
  std::optional<double> in_place;  // the scenario's jobs under SimGrid
  std::int64_t jobs = 0;           // in place
  double gpu_hours = 0;            // in place, at the ideal placement
};

// Mean JCT of one variant: SimGrid's, the native engine's without factors
// and with the fitted ones.
struct NetworkCheck {
  std::string label;
  double simgrid_jct_s = 0;
  double native_jct_s = 0;
  double fitted_jct_s = 0;
  double error() const { return fitted_jct_s / simgrid_jct_s - 1; }  // signed fraction
};

struct NetworkCalibration {
  CalibrationProfile profile;
  std::vector<NetworkFactorFit> fits;  // by shape, then GPU count
  std::vector<NetworkCheck> checks;    // by variant
  // Jobs spanning nodes, all together: their rate against ideal under
  // SimGrid in place, and on the native engine with the profile.
  double simgrid_in_place = 0;
  double native_in_place = 0;
  double max_abs_error() const;
};

// Throws InputError when the scenario cannot be simulated with SimGrid.
NetworkCalibration calibrate_network(const Scenario& scenario, const std::string& scenario_path,
                                     const NetworkCalibrationOptions& options = {});

// The factors and the check as the CLI prints them.
std::string format_network_calibration(const NetworkCalibration& calibration);

}  // namespace capsim::sim
