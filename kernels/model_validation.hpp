// The simulator against reality: a real workload's simulated twin (the
// same jobs, slots, iterations and policies on the executor's cluster in the
// native engine, with a calibration profile's performance model), and the
// per-job and makespan error between a real run and its twin
// (`capsim validate-model`, and the last step of `capsim calibrate`).
#pragma once

#include <string>
#include <vector>

#include "core/calibration_profile.hpp"
#include "core/scenario.hpp"
#include "kernels/executor.hpp"
#include "sim/results.hpp"

namespace capsim::kernels {

// The twin of `workload` (prepared from `real`, a run.engine real scenario):
// a native scenario whose listed jobs are the workload's, each of work
// slots x (iterations x the profile's time for one iteration of its mix x
// time_factor + start_overhead_us), on the executor's cluster with the
// profile's node contention and scaling, the scenario's policies and seed.
// Throws InputError when the profile lacks an operation a mix uses.
Scenario twin_scenario(const Scenario& real, const RealWorkload& workload, const CalibrationProfile& profile);

// Per job: the real and simulated run time (start to end, over its runs)
// and JCT; the makespans (last end minus first submit); relative errors.
struct ModelComparison {
  std::vector<std::string> names;
  std::vector<double> real_jct_s, simulated_jct_s;
  std::vector<double> real_run_s, simulated_run_s;
  double real_makespan_s = 0, simulated_makespan_s = 0;
  double makespan_error = 0;  // |simulated - real| / real
  double mean_jct_error = 0;  // mean over jobs of |simulated - real| / real JCT
  double median_jct_error = 0;
  double max_jct_error = 0;
  std::size_t jobs_compared = 0;  // jobs that completed in both
};
ModelComparison compare_runs(const sim::JobTable& real, const sim::JobTable& simulated);

// A table for the terminal: makespans, error figures, and the `worst` jobs
// by JCT error.
std::string format_model_comparison(const ModelComparison& comparison, std::size_t worst = 5);
// CSV, one row per job.
std::string model_comparison_csv(const ModelComparison& comparison);

}  // namespace capsim::kernels
