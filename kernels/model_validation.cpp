#include "kernels/model_validation.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

#include "core/error.hpp"

namespace capsim::kernels {

Scenario twin_scenario(const Scenario& real, const RealWorkload& workload, const CalibrationProfile& profile) {
  CAPSIM_CHECK(real.executor) << "twin_scenario needs a run.engine real scenario";
  Scenario twin = real;
  twin.run.engine = "native";
  twin.executor.reset();
  twin.workload.trace.reset();
  twin.workload.synthetic.reset();
  twin.workload.jobs.clear();
  // Stopped between iterations: a preemption loses nothing, and a resume
  // costs what any start does.
  std::vector<JobClassSpec> classes = twin.workload.job_classes.classes();
  for (JobClassSpec& c : classes) {
    c.checkpoint_interval = Duration();
    c.restore_overhead = Duration::microseconds(std::llround(profile.start_overhead_us));
  }
  twin.workload.job_classes = JobClasses(std::move(classes));
  std::vector<double> mix_us;
  for (std::size_t m = 0; m < workload.mixes.size(); ++m) {
    const SourceLocation where = real.calibration ? real.calibration_where : real.executor->where;
    mix_us.push_back(profile.predict_mix_us(workload.mixes[m], where, workload.mix_fields[m]));
  }
  for (const RealJob& job : workload.jobs) {
    JobSpec spec = job.spec;
    const double per_slot_us =
        static_cast<double>(job.iterations) * mix_us[job.mix] * profile.time_factor + profile.start_overhead_us;
    spec.duration = Duration::microseconds(std::llround(per_slot_us));
    spec.work = per_slot_us * job.slots;
    twin.workload.jobs.push_back(std::move(spec));
  }
  twin.cluster.performance.node_contention = profile.node_contention;
  twin.cluster.performance.scaling = profile.scaling;
  return twin;
}

ModelComparison compare_runs(const sim::JobTable& real, const sim::JobTable& simulated) {
  CAPSIM_CHECK(real.submit_s.size() == simulated.submit_s.size())
      << real.submit_s.size() << " real jobs against " << simulated.submit_s.size() << " simulated";
  ModelComparison c;
  double real_first = INFINITY, real_last = -INFINITY, sim_first = INFINITY, sim_last = -INFINITY;
  std::vector<double> errors;
  for (std::size_t j = 0; j < real.submit_s.size(); ++j) {
    if (!(real.state[j] == sim::JobEnd::kCompleted && simulated.state[j] == sim::JobEnd::kCompleted)) continue;
    c.names.emplace_back(real.name[j]);
    c.real_jct_s.push_back(real.jct_s[j]);
    c.simulated_jct_s.push_back(simulated.jct_s[j]);
    c.real_run_s.push_back(real.run_time_s[j]);
    c.simulated_run_s.push_back(simulated.run_time_s[j]);
    real_first = std::min(real_first, real.submit_s[j]);
    real_last = std::max(real_last, real.end_s[j]);
    sim_first = std::min(sim_first, simulated.submit_s[j]);
    sim_last = std::max(sim_last, simulated.end_s[j]);
    errors.push_back(std::abs(simulated.jct_s[j] - real.jct_s[j]) / std::max(real.jct_s[j], 1e-9));
  }
  c.jobs_compared = errors.size();
  if (errors.empty()) return c;
  c.real_makespan_s = real_last - real_first;
  c.simulated_makespan_s = sim_last - sim_first;
  c.makespan_error = std::abs(c.simulated_makespan_s - c.real_makespan_s) / std::max(c.real_makespan_s, 1e-9);
  c.mean_jct_error = std::accumulate(errors.begin(), errors.end(), 0.0) / static_cast<double>(errors.size());
  c.max_jct_error = *std::max_element(errors.begin(), errors.end());
  std::vector<double> sorted = errors;
  std::sort(sorted.begin(), sorted.end());
  c.median_jct_error = sorted[sorted.size() / 2];
  return c;
}

std::string format_model_comparison(const ModelComparison& c, std::size_t worst) {
  std::string out;
  char line[256];
  std::snprintf(line, sizeof line, "  jobs compared      %zu\n", c.jobs_compared);
  out += line;
  std::snprintf(line, sizeof line, "  makespan           real %.3f s, simulated %.3f s: error %.1f%%\n",
                c.real_makespan_s, c.simulated_makespan_s, 100 * c.makespan_error);
  out += line;
  std::snprintf(line, sizeof line, "  JCT error          mean %.1f%%, median %.1f%%, max %.1f%%\n",
                100 * c.mean_jct_error, 100 * c.median_jct_error, 100 * c.max_jct_error);
  out += line;
  std::vector<std::size_t> order(c.names.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  const auto error = [&](std::size_t j) { return std::abs(c.simulated_jct_s[j] - c.real_jct_s[j]) / c.real_jct_s[j]; };
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return error(a) > error(b); });
  if (!order.empty() && worst > 0) {
    out += "  worst jobs         job                  real JCT s   simulated s   error\n";
    for (std::size_t i = 0; i < std::min(worst, order.size()); ++i) {
      const std::size_t j = order[i];
      std::snprintf(line, sizeof line, "                     %-20.20s %10.3f   %11.3f   %5.1f%%\n", c.names[j].c_str(),
                    c.real_jct_s[j], c.simulated_jct_s[j], 100 * error(j));
      out += line;
    }
  }
  return out;
}

std::string model_comparison_csv(const ModelComparison& c) {
  std::string out = "job,real_jct_s,simulated_jct_s,real_run_s,simulated_run_s,jct_error\n";
  char line[256];
  for (std::size_t j = 0; j < c.names.size(); ++j) {
    std::snprintf(line, sizeof line, ",%.6f,%.6f,%.6f,%.6f,%.6f\n", c.real_jct_s[j], c.simulated_jct_s[j],
                  c.real_run_s[j], c.simulated_run_s[j],
                  std::abs(c.simulated_jct_s[j] - c.real_jct_s[j]) / c.real_jct_s[j]);
    out += c.names[j] + line;
  }
  return out;
}

}  // namespace capsim::kernels
