// The real executor, its simulated twin and calibration's fits. The kernels
// themselves are checked in test_ops.cpp; here the CPU backend runs small
// real workloads end to end.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <sstream>

#include "core/calibration_profile.hpp"
#include "kernels/calibration.hpp"
#include "kernels/executor.hpp"
#include "kernels/model_validation.hpp"
#include "sim/results_writer.hpp"
#include "sim/run.hpp"
#include "tests/support/helpers.hpp"

using capsim::KernelCall;
using capsim::KernelOp;
using capsim::sim::JobEnd;
namespace kernels = capsim::kernels;

namespace {

const std::string kRealHead =
    "run: {engine: real, seed: 3}\n"
    "executor: {backend: cpu, slots_per_device: 2, time_scale: 1, kernels: [{op: gemm_f32, size: 64}]}\n";

// A fixed estimate: every mix takes 1 ms an iteration.
double one_ms(const capsim::KernelMix&, std::size_t) {
  return 1000.0;
}

// The most slots in use at once, from the jobs' start and end times.
int peak_slots(const capsim::sim::JobTable& jobs) {
  std::vector<std::pair<double, int>> edges;
  for (std::size_t j = 0; j < jobs.start_s.size(); ++j) {
    if (std::isnan(jobs.start_s[j])) continue;
    edges.emplace_back(jobs.start_s[j], static_cast<int>(jobs.gpus[j]));
    edges.emplace_back(jobs.end_s[j], -static_cast<int>(jobs.gpus[j]));
  }
  std::sort(edges.begin(), edges.end());  // ends sort before starts at one instant
  int now = 0, peak = 0;
  for (const auto& [at, delta] : edges) peak = std::max(peak, now += delta);
  return peak;
}

}  // namespace

TEST_CASE("a real scenario's cluster is this machine's devices split into slots", "[kernels][executor][scenario]") {
  const auto scenario = capsim::testing::scenario_from(
      "run: {engine: real}\nexecutor: {devices: 1, slots_per_device: 3}\n"
      "workload:\n  jobs:\n    - {submit: 0s, gpus: 2, duration: 1s}\n");
  REQUIRE(scenario.executor);
  CHECK(scenario.executor->backend == "auto");
  REQUIRE(scenario.cluster.node_groups.size() == 1);
  CHECK(scenario.cluster.node_groups[0].gpus_per_node == 3);
  CHECK(scenario.catalog.at(scenario.cluster.node_groups[0].gpu_type).name == "slot");
  CHECK(scenario.run.metrics_interval == capsim::Duration::seconds(1));

  using capsim::testing::input_error_of;
  const auto cluster = input_error_of([] {
    capsim::testing::scenario_from(
        "run: {engine: real}\ncluster:\n  node_groups: [{gpu: V100, gpus_per_node: 1, count: 1}]\n"
        "workload:\n  jobs:\n    - {submit: 0s, gpus: 1, duration: 1s}\n");
  });
  CHECK(cluster.field() == "cluster");
  CHECK(cluster.where().line == 3);
  const auto native = input_error_of([] {
    capsim::testing::scenario_from(
        "executor: {slots_per_device: 2}\ncluster:\n  node_groups: [{gpu: V100, gpus_per_node: 1, count: 1}]\n"
        "workload:\n  jobs:\n    - {submit: 0s, gpus: 1, duration: 1s}\n");
  });
  CHECK(native.field() == "executor");
  const auto backend = input_error_of([] {
    capsim::testing::scenario_from(
        "run: {engine: real}\nexecutor: {backend: tpu}\nworkload:\n  jobs:\n    - {submit: 0s, gpus: 1, duration: "
        "1s}\n");
  });
  CHECK(backend.field() == "executor.backend");
  CHECK(backend.where().line == 2);
  const auto op = input_error_of([] {
    capsim::testing::scenario_from(
        "run: {engine: real}\nworkload:\n  job_classes:\n    - name: a\n      kernels:\n"
        "        - {op: gemm_f64, size: 64}\n  jobs:\n    - {submit: 0s, gpus: 1, duration: 1s}\n");
  });
  CHECK(op.field() == "workload.job_classes[0].kernels[0].op");
  CHECK(op.where().line == 6);
  const auto size = input_error_of([] {
    capsim::testing::scenario_from(
        "run: {engine: real}\nexecutor:\n  kernels: [{op: triad, size: 0}]\n"
        "workload:\n  jobs:\n    - {submit: 0s, gpus: 1, duration: 1s}\n");
  });
  CHECK(size.field() == "executor.kernels[0].size");
}

TEST_CASE("kernel mixes read sizes with binary suffixes", "[kernels][scenario]") {
  const auto scenario = capsim::testing::scenario_from(
      "run: {engine: real}\nexecutor:\n  kernels: [{op: triad, size: 64k, count: 3}, {op: copy_h2d, size: 2M}]\n"
      "workload:\n  jobs:\n    - {submit: 0s, gpus: 1, duration: 1s}\n");
  const capsim::KernelMix expected = {{KernelOp::kTriad, 65536, 3}, {KernelOp::kCopyH2D, 2 << 20, 1}};
  CHECK(scenario.executor->kernels == expected);
}

TEST_CASE("a scenario's jobs become slots and iterations", "[kernels][executor]") {
  // time_scale 0.001: a job submitted at 100 s arrives at 0.1 s; 2 GPUs of
  // 50 s each (100 GPU-s of V100 work) become 2 slots of 50 ms each: 50
  // iterations of 1 ms. A share of one GPU takes a whole slot: 0.5 GPU for
  // 20 s is 10 GPU-s of work, 10 ms on one slot: 10 iterations.
  const auto scenario = capsim::testing::scenario_from(
      "run: {engine: real}\nexecutor: {time_scale: 0.001}\n"
      "workload:\n  jobs:\n"
      "    - {id: a, submit: 100s, gpus: 2, duration: 50s}\n"
      "    - {id: b, submit: 200s, gpus: 0.5, duration: 20s}\n");
  const kernels::RealWorkload w = kernels::prepare_real_workload(scenario, one_ms);
  REQUIRE(w.jobs.size() == 2);
  CHECK(w.jobs[0].spec.submit == capsim::Time::zero() + capsim::Duration::milliseconds(100));
  CHECK(w.jobs[0].slots == 2);
  CHECK(w.jobs[0].iterations == 50);
  CHECK(w.jobs[1].slots == 1);
  CHECK(w.jobs[1].iterations == 10);
  CHECK(w.jobs[1].spec.request.gpu_milli == 1000);
  CHECK(w.mixes.size() == 1);
  CHECK(w.mix_fields[0] == "executor.kernels");
}

TEST_CASE("the executor runs a workload for real on CPU slots and writes results.h5", "[kernels][executor]") {
  // Six jobs on two slots under FIFO: at no time more than two slots busy,
  // every job completes, and the iterations done are those asked for.
  const auto scenario = capsim::testing::scenario_from(kRealHead +
                                                       "workload:\n  jobs:\n"
                                                       "    - {id: a, submit: 0s, gpus: 1, duration: 30ms}\n"
                                                       "    - {id: b, submit: 0s, gpus: 2, duration: 20ms}\n"
                                                       "    - {id: c, submit: 10ms, gpus: 1, duration: 10ms}\n"
                                                       "    - {id: d, submit: 10ms, gpus: 1, duration: 40ms}\n"
                                                       "    - {id: e, submit: 50ms, gpus: 2, duration: 10ms}\n"
                                                       "    - {id: f, submit: 60ms, gpus: 1, duration: 20ms}\n");
  const std::unique_ptr<kernels::Backend> backend = kernels::make_cpu_backend();
  kernels::RealWorkload w = kernels::prepare_real_workload(scenario, one_ms);
  std::ostringstream log;
  kernels::ExecutorOptions options;
  options.decision_log = &log;
  const kernels::RealRun run = kernels::execute_workload(scenario, w, *backend, options);
  const auto& jobs = run.results.jobs;
  REQUIRE(jobs.state.size() == 6);
  for (std::size_t j = 0; j < 6; ++j) {
    CHECK(jobs.state[j] == JobEnd::kCompleted);
    CHECK(jobs.start_s[j] >= jobs.submit_s[j]);
    CHECK(jobs.end_s[j] > jobs.start_s[j]);
    CHECK(run.iterations_done[j] == run.workload.jobs[j].iterations);
  }
  CHECK(peak_slots(jobs) <= 2);
  // FIFO: b (2 slots) waits for a; c and d wait for b.
  CHECK(jobs.start_s[1] >= jobs.end_s[0]);
  CHECK(jobs.start_s[2] >= jobs.end_s[1]);
  CHECK(run.backend == "cpu");
  CHECK(log.str().find("start") != std::string::npos);
  CHECK(run.results.summary.jobs_completed == 6);
  const capsim::testing::TempDir dir;
  capsim::sim::write_results(run.results, dir.path() / "real");
  CHECK(std::filesystem::file_size(dir.path() / "real" / "results.h5") > 0);
  CHECK(std::filesystem::exists(dir.path() / "real" / "summary.json"));
}

TEST_CASE("the executor preempts between iterations and resumes where the job stopped", "[kernels][executor]") {
  // Strict priority with preemption on one slot: low (1000 iterations of a
  // 128 x 128 product, over 20 ms on any CPU) runs from 0; high arrives at
  // 20 ms and stops it; low resumes after high and still does exactly its
  // 1000 iterations.
  const auto scenario = capsim::testing::scenario_from(
      "run: {engine: real, seed: 3}\n"
      "executor: {backend: cpu, slots_per_device: 1, time_scale: 1, kernels: [{op: gemm_f32, size: 128}]}\n"
      "policies: {queue: priority}\n"
      "workload:\n  job_classes:\n"
      "    - {name: low, users: [l], priority: 0}\n"
      "    - {name: high, users: [h], priority: 10, preemptible: false}\n"
      "  jobs:\n"
      "    - {id: low, user: l, submit: 0s, gpus: 1, duration: 1s}\n"
      "    - {id: high, user: h, submit: 20ms, gpus: 1, duration: 20ms}\n");
  const std::unique_ptr<kernels::Backend> backend = kernels::make_cpu_backend();
  const kernels::RealRun run =
      kernels::execute_workload(scenario, kernels::prepare_real_workload(scenario, one_ms), *backend);
  const auto& jobs = run.results.jobs;
  CHECK(jobs.preemptions[0] == 1);
  CHECK(jobs.state[0] == JobEnd::kCompleted);
  CHECK(jobs.end_s[0] > jobs.end_s[1]);
  CHECK(run.iterations_done[0] == 1000);
  CHECK(run.iterations_done[1] == 20);
}

TEST_CASE("calibration fits recover known lines", "[kernels][calibration]") {
  // A triad of n elements (2n flops) taking 5 us + 2n / 1000 us: overhead 5
  // us, 1000 flops per us.
  std::vector<std::pair<std::int64_t, double>> points;
  for (const std::int64_t n : {1000, 10000, 100000, 1000000}) points.emplace_back(n, 5.0 + 2.0 * n / 1000.0);
  const capsim::KernelFit fit = kernels::fit_kernel(KernelOp::kTriad, points);
  CHECK(fit.overhead_us == Approx(5.0).epsilon(1e-9));
  CHECK(fit.work_per_us == Approx(1000.0).epsilon(1e-9));
  CHECK(fit.max_relative_error < 1e-9);
  // A negative overhead is not physical: the fit goes through the origin.
  const capsim::KernelFit origin = kernels::fit_kernel(KernelOp::kCopyD2D, {{1000, 0.5}, {2000, 2.0}});
  CHECK(origin.overhead_us == 0);
  CHECK(origin.work_per_us > 0);
  const auto [slope, intercept] = kernels::fit_line_nonnegative_intercept({1, 2, 3}, {12, 22, 32});
  CHECK(slope == Approx(10));
  CHECK(intercept == Approx(2));
}

TEST_CASE("calibration profiles read back what was written, and name bad lines", "[kernels][calibration]") {
  capsim::CalibrationProfile p;
  p.backend = "cpu";
  p.device = "CPU: \"test\" (2 threads)";
  p.slots = 2;
  p.kernels.push_back(kernels::fit_kernel(KernelOp::kGemmF32, {{64, 30.5}, {128, 190.25}, {256, 1400.125}}));
  p.node_contention = {1, 0.8125};
  p.scaling = {1, 0.96};
  p.time_factor = 1.0625;
  p.start_overhead_us = 120.5;
  p.fit_makespan_error = 0.031;
  p.created_by = "capsim test";
  const capsim::testing::TempDir dir;
  const auto path = dir.write("profile.yaml", capsim::calibration_profile_text(p));
  CHECK(capsim::read_calibration_profile(path) == p);
  // Outside the measured sizes a call is the fit's; a mix is the sum of
  // its calls.
  const capsim::KernelFit& k = p.kernels[0];
  const double one = k.overhead_us + 2.0 * 300 * 300 * 300 / k.work_per_us;
  CHECK(p.predict_mix_us({{KernelOp::kGemmF32, 300, 3}}, {}, "") == Approx(3 * one));
  // At a measured size, the measurement; between two, the time per flop
  // interpolated in log(size): 64 (30.5 us for 2^19 flops) and 128 (190.25
  // us for 2^22): at 90.5 (half way in log), per flop the mean of the two.
  CHECK(p.predict_call_us({KernelOp::kGemmF32, 128, 1}, {}, "") == Approx(190.25));
  const double per_flop = (30.5 / (1 << 19) + 190.25 / (1 << 22)) / 2;
  const double n = 64 * std::sqrt(2.0);
  const double flops = 2 * std::pow(std::round(n), 3);
  const double x = (std::log(std::round(n)) - std::log(64.0)) / std::log(2.0);
  CHECK(p.predict_call_us({KernelOp::kGemmF32, 91, 1}, {}, "") ==
        Approx(flops * (30.5 / (1 << 19) + x * (190.25 / (1 << 22) - 30.5 / (1 << 19)))));
  CHECK(x == Approx(0.5).margin(0.01));
  (void)per_flop;
  const auto missing = capsim::testing::input_error_of([&] {
    p.predict_mix_us({{KernelOp::kTriad, 10, 1}}, {}, "mix");
  });
  CHECK(missing.field() == "mix");

  std::string text = capsim::calibration_profile_text(p);
  text.replace(text.find("time_factor: 1.0625"), 19, "time_factor: fast");
  const auto bad = dir.write("bad.yaml", text);
  const auto e = capsim::testing::input_error_of([&] { capsim::read_calibration_profile(bad); });
  CHECK(e.field() == "time_factor");
  CHECK(e.where().line > 5);
  // A scenario naming a profile takes its contention and scaling.
  const auto scenario =
      capsim::testing::scenario_from("cluster:\n  calibration: " + path.string() +
                                     "\n  node_groups: [{gpu: V100, gpus_per_node: 1, count: 1}]\n"
                                     "workload:\n  jobs:\n    - {submit: 0s, gpus: 1, duration: 1s}\n");
  CHECK(scenario.cluster.performance.node_contention == p.node_contention);
  CHECK(scenario.cluster.performance.scaling == p.scaling);
  const auto absent = capsim::testing::input_error_of([] {
    capsim::testing::scenario_from(
        "cluster:\n  calibration: /nonexistent/profile.yaml\n  node_groups: [{gpu: V100, gpus_per_node: 1, count: 1}]\n"
        "workload:\n  jobs:\n    - {submit: 0s, gpus: 1, duration: 1s}\n");
  });
  CHECK(absent.field() == "cluster.calibration");
  CHECK(absent.where().line == 2);
}

TEST_CASE("the simulated twin runs the same jobs with the profile's model", "[kernels][validation]") {
  // Profile: gemm_f32 at 2 us overhead + 1000 flops/us; a 10 x 10 product is
  // 2000 flops: 4 us a call. time_factor 1.5, start 100 us. A job of 2
  // slots and 50 iterations: per slot 50 x 4 x 1.5 + 100 = 400 us, work 800.
  capsim::CalibrationProfile p;
  p.backend = "cpu";
  capsim::KernelFit k;
  k.op = KernelOp::kGemmF32;
  k.overhead_us = 2;
  k.work_per_us = 1000;
  p.kernels = {k};
  p.time_factor = 1.5;
  p.start_overhead_us = 100;
  p.node_contention = {1, 0.5};
  const auto scenario = capsim::testing::scenario_from(
      "run: {engine: real}\nexecutor: {time_scale: 1, kernels: [{op: gemm_f32, size: 10}]}\n"
      "workload:\n  jobs:\n    - {id: a, submit: 0s, gpus: 2, duration: 1ms}\n");
  const kernels::RealWorkload w =
      kernels::prepare_real_workload(scenario, [](const capsim::KernelMix&, std::size_t) { return 20.0; });
  REQUIRE(w.jobs[0].iterations == 50);
  const capsim::Scenario twin = kernels::twin_scenario(scenario, w, p);
  CHECK(twin.run.engine == "native");
  REQUIRE(twin.workload.jobs.size() == 1);
  CHECK(twin.workload.jobs[0].work == Approx(800));
  CHECK(twin.cluster.performance.node_contention == p.node_contention);
  // Two busy slots contend (0.5): 800 / (2 x 0.5) = 800 us.
  const auto results = capsim::sim::run_scenario(twin);
  CHECK(results.jobs.end_s[0] == Approx(800e-6));
}

TEST_CASE("model comparison figures are worked by hand", "[kernels][validation]") {
  auto table = [](std::vector<double> submit, std::vector<double> end) {
    capsim::sim::JobTable t;
    for (std::size_t j = 0; j < submit.size(); ++j) {
      t.name.push_back("j" + std::to_string(j));
      t.submit_s.push_back(submit[j]);
      t.start_s.push_back(submit[j]);
      t.end_s.push_back(end[j]);
      t.jct_s.push_back(end[j] - submit[j]);
      t.run_time_s.push_back(end[j] - submit[j]);
      t.state.push_back(JobEnd::kCompleted);
    }
    return t;
  };
  // Real: JCTs 10 and 20, makespan 0..20. Simulated: 11 and 18, makespan
  // 0..18: makespan error 10%, JCT errors 10% and 10%.
  const auto c = kernels::compare_runs(table({0, 0}, {10, 20}), table({0, 0}, {11, 18}));
  CHECK(c.jobs_compared == 2);
  CHECK(c.makespan_error == Approx(0.1));
  CHECK(c.mean_jct_error == Approx(0.1));
  CHECK(c.max_jct_error == Approx(0.1));
  CHECK(kernels::format_model_comparison(c).find("error 10.0%") != std::string::npos);
}
