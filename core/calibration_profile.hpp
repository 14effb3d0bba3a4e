// A calibration profile: the performance model's parameters as `capsim
// calibrate` measured and fitted them on one device (kernels/calibration.hpp),
// in a YAML file that scenarios load (`cluster.calibration: PATH`, or
// `executor.calibration:` for real runs) and people can read. It says how
// long each kernel call takes (a launch overhead plus work over a fitted
// throughput), how slots of one device slow each other, what a job's step
// barrier costs across slots, and how real jobs deviate from the sum of
// their calls.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/cluster.hpp"
#include "core/error.hpp"
#include "core/kernel_mix.hpp"

namespace capsim {

// One operation's fit: a call of size s takes overhead_us + op_work(op, s) /
// work_per_us microseconds (least squares over the measured points,
// weighted so that every point's relative error counts alike).
struct KernelFit {
  KernelOp op = KernelOp::kGemmF32;
  double overhead_us = 0;  // launch overhead
  double work_per_us = 0;  // flops (products, triad) or bytes (copies) per microsecond
  // The measurements fitted: size and median microseconds per call.
  std::vector<std::pair<std::int64_t, double>> points;
  double max_relative_error = 0;  // of the fit over its points
  friend bool operator==(const KernelFit&, const KernelFit&) = default;
};

struct CalibrationProfile {
  std::string backend;     // "cpu" or "cuda"
  std::string device;      // as the backend names it
  std::int32_t slots = 1;  // slots per device the contention was measured for
  std::vector<KernelFit> kernels;
  // PerformanceSpec::node_contention and ::scaling as measured (entry k-1
  // for k busy slots / a job of k slots).
  std::vector<double> node_contention;
  std::vector<double> scaling;
  // Real jobs against the model (a least-squares line over the calibration
  // workload's jobs): run time = time_factor x modelled + start_overhead_us.
  double time_factor = 1.0;
  double start_overhead_us = 0;
  // The makespan error of the calibration workload's simulated twin with
  // this profile (a fraction; reported, not used).
  std::optional<double> fit_makespan_error;
  // Placement factors (PerformanceSpec::across_nodes, ::across_racks) as
  // `capsim calibrate --network` fitted them with SimGrid, and the scenario
  // they were fitted on.
  GpuCountFactors across_nodes;
  GpuCountFactors across_racks;
  double link_sharing = 0;  // PerformanceSpec::link_sharing
  std::string network_scenario;
  std::string created_by;  // capsim version, date
  friend bool operator==(const CalibrationProfile&, const CalibrationProfile&) = default;

  // The fit for `op`, or null when the profile has none.
  const KernelFit* fit(KernelOp op) const;
  // Microseconds of one call, and of one iteration of a mix (its calls one
  // after the other on one slot of an idle device): within the measured
  // sizes (points sorted by size), interpolated between the two nearest
  // measurements; outside them, from the fit. Throws
  // InputError naming `where` and `field` when an operation is missing.
  double predict_call_us(const KernelCall& call, const SourceLocation& where, const std::string& field) const;
  double predict_mix_us(const KernelMix& mix, const SourceLocation& where, const std::string& field) const;
};

class ConfigNode;
// Placement factors as a scenario or a profile writes them: one factor for
// every job (0.8), or a map of GPU count to factor ({2: 0.9, 8: 0.8}).
// Throws InputError naming the field.
GpuCountFactors read_gpu_count_factors(const ConfigNode& node, const std::string& field);
// The map form, exact (what read_gpu_count_factors reads back).
std::string gpu_count_factors_text(const GpuCountFactors& factors);

// Reads a profile. Throws InputError naming the file, line and field.
CalibrationProfile read_calibration_profile(const std::filesystem::path& path);
// The profile as YAML text (what read_calibration_profile reads back).
std::string calibration_profile_text(const CalibrationProfile& profile);

}  // namespace capsim
