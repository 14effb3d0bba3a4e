// Calibration (`capsim calibrate`): measures this machine's device with
// probe kernels and a scaled-down real workload, and fits the performance
// model's parameters with Eigen least squares into a calibration profile
// (core/calibration_profile.hpp) that scenarios load:
// 1. per operation, a call's time over sizes: overhead + work / throughput;
// 2. contention: k independent one-slot jobs at once on one device, the
//    iteration time against one alone (node_contention);
// 3. scaling: one job of g slots (a barrier per iteration) against g
//    independent jobs (scaling);
// 4. a seeded workload of mixed jobs run for real, and its simulated twin
//    under the model of steps 1-3: real run time = time_factor x simulated +
//    start_overhead_us, fitted over the jobs; then the twin again with the
//    whole profile, whose makespan error is reported.
#pragma once

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/calibration_profile.hpp"
#include "core/scenario.hpp"
#include "kernels/model_validation.hpp"

namespace capsim::kernels {

struct CalibrationOptions {
  std::string backend = "auto";  // auto, cpu or cuda
  std::int32_t slots = 0;        // slots per device to measure; 0: the CPU's hardware threads, or 4 streams per GPU
  bool quick = false;            // fewer sizes, repeats and jobs (CI: about 15 s on a CPU)
  std::uint64_t seed = 1;
  // The kernel mixes of the workloads the profile is for (`capsim calibrate
  // --scenario S`: S's job classes and executor default): their sizes join
  // the probes, and they replace the built-in mixes of steps 2 to 4. Empty:
  // the built-in compute-bound, memory-bound and default mixes.
  std::vector<KernelMix> mixes;
  std::ostream* notice = nullptr;                   // the backend's fallback line
  std::function<void(const std::string&)> on_step;  // one line per step, for a progress display
};

struct Calibration {
  CalibrationProfile profile;
  ModelComparison workload_fit;  // the calibration workload against its twin with the final profile
};

// Throws InputError for bad options, std::runtime_error for device failures.
Calibration calibrate(const CalibrationOptions& options);

// The least-squares fit of one operation's points (size, microseconds per
// call): minimises the relative residuals of overhead + work / throughput
// (Eigen's QR), with the overhead held at 0 when the free fit makes it
// negative. At least one point.
KernelFit fit_kernel(KernelOp op, const std::vector<std::pair<std::int64_t, double>>& points);

// y = slope x + intercept by least squares (intercept held at 0 when the
// free fit makes it negative). At least one point.
std::pair<double, double> fit_line_nonnegative_intercept(const std::vector<double>& x, const std::vector<double>& y);

// The distinct kernel mixes a run.engine real scenario runs: its classes'
// and, when a class names none, the executor's default.
std::vector<KernelMix> scenario_mixes(const Scenario& scenario);

// The run.engine real scenario calibration measures with: one device of
// the backend, `slots` slots, FIFO with first-fit placement.
Scenario calibration_scenario(std::string_view backend, std::int32_t slots, std::uint64_t seed);

}  // namespace capsim::kernels
