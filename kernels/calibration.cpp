#include "kernels/calibration.hpp"

#include <Eigen/Dense>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <memory>
#include <thread>

#include "core/error.hpp"
#include "core/random.hpp"
#include "core/version.hpp"
#include "kernels/executor.hpp"
#include "sim/run.hpp"

namespace capsim::kernels {

KernelFit fit_kernel(KernelOp op, const std::vector<std::pair<std::int64_t, double>>& points) {
  CAPSIM_CHECK(!points.empty()) << "no points to fit for " << to_string(op);
  KernelFit fit;
  fit.op = op;
  fit.points = points;
  const auto n = static_cast<Eigen::Index>(points.size());
  // Relative residuals: (a + b w - t) / t for every point, so a 5 us call
  // counts as much as a 5 ms one. Unknowns: a (us), b (us per unit of work).
  Eigen::MatrixXd a(n, 2);
  Eigen::VectorXd ones = Eigen::VectorXd::Ones(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    const double t = std::max(points[static_cast<std::size_t>(i)].second, 1e-9);
    a(i, 0) = 1.0 / t;
    a(i, 1) = op_work(op, points[static_cast<std::size_t>(i)].first) / t;
  }
  Eigen::Vector2d x = Eigen::Vector2d::Zero();
  if (n >= 2) x = a.colPivHouseholderQr().solve(ones);
  if (n < 2 || !(x(0) >= 0) || !(x(1) > 0)) {
    // Through the origin: b minimises sum((b w / t - 1)^2).
    x(0) = 0;
    x(1) = a.col(1).dot(ones) / a.col(1).squaredNorm();
  }
  fit.overhead_us = x(0);
  fit.work_per_us = 1.0 / x(1);
  for (const auto& [size, us] : points) {
    const double predicted = fit.overhead_us + op_work(op, size) / fit.work_per_us;
    fit.max_relative_error = std::max(fit.max_relative_error, std::abs(predicted - us) / us);
  }
  return fit;
}

std::pair<double, double> fit_line_nonnegative_intercept(const std::vector<double>& x, const std::vector<double>& y) {
  CAPSIM_CHECK(!x.empty() && x.size() == y.size()) << x.size() << " x against " << y.size() << " y";
  const auto n = static_cast<Eigen::Index>(x.size());
  Eigen::MatrixXd a(n, 2);
  Eigen::VectorXd b(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    a(i, 0) = x[static_cast<std::size_t>(i)];
    a(i, 1) = 1.0;
    b(i) = y[static_cast<std::size_t>(i)];
  }
  if (n >= 2) {
    const Eigen::Vector2d fit = a.colPivHouseholderQr().solve(b);
    if (fit(1) >= 0 && fit(0) > 0) return {fit(0), fit(1)};
  }
  return {a.col(0).dot(b) / a.col(0).squaredNorm(), 0.0};
}

Scenario calibration_scenario(std::string_view backend, std::int32_t slots, std::uint64_t seed) {
  const std::string text =
      "name: calibration\n"
      "run: {engine: real, seed: " +
      std::to_string(seed) +
      ", metrics_interval: 1s}\n"
      "executor: {backend: " +
      std::string(backend) + ", devices: 1, slots_per_device: " + std::to_string(slots) +
      "}\n"
      "policies: {queue: fifo, placement: first_fit}\n"
      "workload:\n  jobs:\n    - {id: probe, submit: 0s, gpus: 1, duration: 1s}\n";
  return parse_scenario(text, "calibration", ".");
}

std::vector<KernelMix> scenario_mixes(const Scenario& scenario) {
  CAPSIM_CHECK(scenario.executor) << "scenario_mixes needs run.engine: real";
  std::vector<KernelMix> mixes;
  const JobClasses& classes = scenario.workload.job_classes;
  for (JobClassId c = 0; c < classes.size(); ++c) {
    const KernelMix& mix = classes.at(c).kernels.empty() ? scenario.executor->kernels : classes.at(c).kernels;
    if (std::find(mixes.begin(), mixes.end(), mix) == mixes.end()) mixes.push_back(mix);
  }
  return mixes;
}

namespace {

struct Sizes {
  std::vector<std::int64_t> gemm, triad, copy;
};

Sizes probe_sizes(bool cuda, bool quick) {
  if (cuda) {
    if (quick) return {{1024, 2048, 4096}, {1 << 22, 1 << 24, 1 << 26}, {1 << 24, 1 << 26, 1 << 28}};
    return {{512, 1024, 2048, 4096, 8192},
            {1 << 20, 1 << 22, 1 << 24, 1 << 26, 1 << 28},
            {1 << 22, 1 << 24, 1 << 26, 1 << 28, 1 << 30}};
  }
  if (quick) return {{64, 128, 192}, {1 << 14, 1 << 17, 1 << 20}, {1 << 16, 1 << 19, 1 << 22}};
  return {{48, 64, 96, 128, 192, 256},
          {1 << 12, 1 << 14, 1 << 16, 1 << 18, 1 << 20, 1 << 22},
          {1 << 14, 1 << 16, 1 << 18, 1 << 20, 1 << 22, 1 << 24}};
}

// The mixes the contention, scaling and workload steps run: compute-bound,
// memory-bound and the executor's default (scaled up on a GPU).
std::vector<KernelMix> probe_mixes(bool cuda) {
  if (cuda) {
    return {{{KernelOp::kGemmF32, 2048, 1}, {KernelOp::kTriad, 1 << 24, 1}},
            {{KernelOp::kGemmF16, 4096, 2}},
            {{KernelOp::kTriad, 1 << 26, 2}, {KernelOp::kCopyD2D, 1 << 28, 1}}};
  }
  return {ExecutorSpec().kernels,
          {{KernelOp::kGemmF32, 192, 1}},
          {{KernelOp::kTriad, 1 << 20, 2}, {KernelOp::kCopyD2D, 1 << 22, 1}}};
}

// A workload of `jobs[i]` = (slots, mix, iterations), all submitted at 0
// unless `submits` says otherwise.
RealWorkload make_workload(const std::vector<KernelMix>& mixes, const std::vector<std::int32_t>& slots,
                           const std::vector<std::size_t>& mix, const std::vector<std::int64_t>& iterations,
                           const std::vector<Time>& submits, const std::vector<double>& mix_us) {
  RealWorkload w;
  w.mixes = mixes;
  for (std::size_t m = 0; m < mixes.size(); ++m) w.mix_fields.push_back("calibration mix " + std::to_string(m));
  for (std::size_t j = 0; j < slots.size(); ++j) {
    RealJob job;
    job.slots = slots[j];
    job.mix = mix[j];
    job.iterations = iterations[j];
    job.iteration_us = mix_us[mix[j]];
    job.spec.name = "cal-" + std::to_string(j);
    job.spec.submit = submits.empty() ? Time::zero() : submits[j];
    job.spec.request = Resources::gpus(job.slots);
    job.spec.duration = Duration::microseconds(std::llround(static_cast<double>(job.iterations) * job.iteration_us));
    job.spec.work = static_cast<double>(job.spec.duration.count_us()) * job.slots;
    job.spec.job_class = 0;
    w.jobs.push_back(std::move(job));
  }
  return w;
}

// Median seconds per iteration of the jobs of a real run.
double median_iteration_us(const RealRun& run) {
  std::vector<double> per_iteration;
  for (std::size_t j = 0; j < run.workload.jobs.size(); ++j) {
    per_iteration.push_back(run.results.jobs.run_time_s[j] * 1e6 /
                            static_cast<double>(run.workload.jobs[j].iterations));
  }
  std::sort(per_iteration.begin(), per_iteration.end());
  return per_iteration[per_iteration.size() / 2];
}

std::string today() {
  const std::time_t now = std::time(nullptr);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d", std::gmtime(&now));
  return text;
}

}  // namespace

Calibration calibrate(const CalibrationOptions& options) {
  const auto step = [&](const std::string& line) {
    if (options.on_step) options.on_step(line);
  };
  const std::unique_ptr<Backend> backend = open_backend(options.backend, options.notice, "--backend");
  const bool cuda = backend->name() == "cuda";
  std::int32_t slots = options.slots;
  if (slots <= 0) slots = cuda ? 4 : static_cast<std::int32_t>(std::max(1u, std::thread::hardware_concurrency()));
  const Scenario scenario = calibration_scenario(backend->name(), slots, options.seed);

  Calibration result;
  CalibrationProfile& profile = result.profile;
  profile.backend = std::string(backend->name());
  profile.device = backend->device_name(0);
  profile.slots = slots;
  profile.created_by = std::string("capsim ") + kVersion + ", " + today();

  // 1. Kernels over sizes, one lane alone.
  Sizes sizes = probe_sizes(cuda, options.quick);
  // The sizes the workload's mixes use are measured too: a prediction at a
  // measured size is the measurement.
  for (const KernelMix& mix : options.mixes) {
    for (const KernelCall& call : mix) {
      (is_gemm(call.op) ? sizes.gemm : call.op == KernelOp::kTriad ? sizes.triad : sizes.copy).push_back(call.size);
    }
  }
  for (auto* list : {&sizes.gemm, &sizes.triad, &sizes.copy}) {
    std::sort(list->begin(), list->end());
    list->erase(std::unique(list->begin(), list->end()), list->end());
  }
  const int warmup = 3, repeats = options.quick ? 7 : 15;
  {
    const std::unique_ptr<Lane> lane = backend->make_lane(0);
    for (const KernelOp op : kAllKernelOps) {
      const std::vector<std::int64_t>& list = is_gemm(op)              ? sizes.gemm
                                              : op == KernelOp::kTriad ? sizes.triad
                                                                       : sizes.copy;
      KernelMix calls;
      for (const std::int64_t size : list) calls.push_back({op, size, 1});
      lane->reserve(calls,
                    RandomStream::derive(options.seed, "calibration", static_cast<std::uint64_t>(op)).next_u64());
      std::vector<std::pair<std::int64_t, double>> points;
      for (const std::int64_t size : list) points.emplace_back(size, 1e6 * lane->time_call(op, size, warmup, repeats));
      profile.kernels.push_back(fit_kernel(op, points));
      const KernelFit& k = profile.kernels.back();
      char line[160];
      std::snprintf(line, sizeof line, "%-10s overhead %7.2f us, %8.2f %s; the line's largest error %5.1f%%",
                    std::string(to_string(op)).c_str(), k.overhead_us, k.work_per_us * 1e6 / 1e9,
                    is_copy(op) ? "GB/s   " : "GFLOP/s", 100 * k.max_relative_error);
      step(line);
    }
  }

  // 2. and 3. Contention and scaling with the executor itself, so that
  // what is measured is what real runs do (threads, barriers, wake-ups).
  const std::vector<KernelMix> mixes = options.mixes.empty() ? probe_mixes(cuda) : options.mixes;
  std::vector<double> mix_us;
  for (const KernelMix& mix : mixes) {
    mix_us.push_back(profile.predict_mix_us(mix, scenario.executor->where, "calibration mix"));
  }
  const double target_us = options.quick ? 2e5 : 5e5;
  const auto iterations_for = [&](std::size_t m, double seconds_scale) {
    return std::max<std::int64_t>(10, std::llround(target_us * seconds_scale / mix_us[m]));
  };
  // Contention depends on what the slots do (compute-bound products barely
  // slow each other on separate cores; streaming shares memory bandwidth):
  // each mix alone, then k jobs at once with the mixes rotated over them,
  // every job's iteration time against its mix's alone, averaged.
  const std::size_t mix_count = mixes.size();
  std::vector<double> alone(mix_count);
  for (std::size_t m = 0; m < mix_count; ++m) {
    const RealWorkload w = make_workload(mixes, {1}, {m}, {iterations_for(m, 1.0)}, {}, mix_us);
    alone[m] = median_iteration_us(execute_workload(scenario, w, *backend));
  }
  std::vector<double> independent(static_cast<std::size_t>(slots) + 1, 0.0);  // mix 0's iteration with k busy
  independent[1] = alone[0];
  profile.node_contention = {1.0};
  for (std::int32_t k = 2; k <= slots; ++k) {
    double sum = 0;
    std::size_t count = 0;
    for (std::size_t offset = 0; offset < mix_count; ++offset) {
      std::vector<std::size_t> job_mix;
      std::vector<std::int64_t> job_iterations;
      for (std::int32_t i = 0; i < k; ++i) {
        job_mix.push_back((static_cast<std::size_t>(i) + offset) % mix_count);
        job_iterations.push_back(iterations_for(job_mix.back(), 1.0));
      }
      const RealRun run =
          execute_workload(scenario,
                           make_workload(mixes, std::vector<std::int32_t>(static_cast<std::size_t>(k), 1), job_mix,
                                         job_iterations, {}, mix_us),
                           *backend);
      for (std::size_t j = 0; j < job_mix.size(); ++j) {
        const double per_iteration =
            run.results.jobs.run_time_s[j] * 1e6 / static_cast<double>(run.workload.jobs[j].iterations);
        sum += alone[job_mix[j]] / per_iteration;
        ++count;
        if (job_mix[j] == 0) independent[static_cast<std::size_t>(k)] = per_iteration;
      }
    }
    profile.node_contention.push_back(std::min(1.0, sum / static_cast<double>(count)));
    if (independent[static_cast<std::size_t>(k)] == 0) {
      independent[static_cast<std::size_t>(k)] = alone[0] / profile.node_contention.back();
    }
    char line[120];
    std::snprintf(line, sizeof line, "contention: %d slots busy, each at %.3f of its rate alone (mean over mixes)", k,
                  profile.node_contention.back());
    step(line);
  }
  profile.scaling = {1.0};
  for (std::int32_t g = 2; g <= slots; ++g) {
    const RealWorkload w = make_workload(mixes, {g}, {0}, {iterations_for(0, 1.0)}, {}, mix_us);
    const RealRun run = execute_workload(scenario, w, *backend);
    const double together = median_iteration_us(run);
    profile.scaling.push_back(std::min(1.0, independent[static_cast<std::size_t>(g)] / together));
    char line[120];
    std::snprintf(line, sizeof line, "scaling: one job of %d slots at %.3f of %d independent ones", g,
                  profile.scaling.back(), g);
    step(line);
  }

  // 4. A seeded workload of mixed jobs, against its twin.
  RandomStream random = RandomStream::derive(options.seed, "calibration_workload");
  const std::size_t jobs = options.quick ? 12 : 24;
  std::vector<std::int32_t> job_slots;
  std::vector<std::size_t> job_mix;
  std::vector<std::int64_t> job_iterations;
  std::vector<Time> submits;
  double slot_us = 0;
  for (std::size_t j = 0; j < jobs; ++j) {
    const std::int32_t s = slots >= 2 && random.uniform01() < 0.3 ? 2 : 1;
    const std::size_t m = random.uniform_below(mixes.size());
    const double seconds_scale = 0.5 + 1.5 * random.uniform01();
    job_slots.push_back(s);
    job_mix.push_back(m);
    job_iterations.push_back(iterations_for(m, seconds_scale));
    slot_us += s * static_cast<double>(job_iterations.back()) * mix_us[m];
  }
  // Arrivals spread so that the slots are about 80% busy on average, with
  // queueing in bursts.
  const double mean_gap_us = slot_us / slots / static_cast<double>(jobs) / 1.25;
  double at = 0;
  for (std::size_t j = 0; j < jobs; ++j) {
    submits.push_back(Time::zero() + Duration::microseconds(std::llround(at)));
    at += random.exponential(mean_gap_us);
  }
  const RealWorkload workload = make_workload(mixes, job_slots, job_mix, job_iterations, submits, mix_us);
  step("workload: " + std::to_string(jobs) + " jobs, real run...");
  const RealRun real = execute_workload(scenario, workload, *backend);
  CalibrationProfile model_only = profile;
  const sim::RunResults first_twin = sim::run_scenario(twin_scenario(scenario, workload, model_only));
  std::vector<double> simulated, measured;
  for (std::size_t j = 0; j < jobs; ++j) {
    if (real.results.jobs.state[j] != sim::JobEnd::kCompleted) continue;
    simulated.push_back(first_twin.jobs.run_time_s[j] * 1e6);
    measured.push_back(real.results.jobs.run_time_s[j] * 1e6);
  }
  const auto [factor, overhead] = fit_line_nonnegative_intercept(simulated, measured);
  profile.time_factor = factor;
  profile.start_overhead_us = overhead;
  const sim::RunResults twin = sim::run_scenario(twin_scenario(scenario, workload, profile));
  result.workload_fit = compare_runs(real.results.jobs, twin.jobs);
  profile.fit_makespan_error = result.workload_fit.makespan_error;
  char line[160];
  std::snprintf(line, sizeof line,
                "workload fit: real run time = %.3f x modelled + %.0f us; twin's makespan error %.1f%%", factor,
                overhead, 100 * result.workload_fit.makespan_error);
  step(line);
  return result;
}

}  // namespace capsim::kernels
