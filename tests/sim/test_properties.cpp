// Properties that hold for any workload, checked on generated ones: no node
// ever gives more GPUs than it has, no job starts before it arrives, every
// job's work is done at the speed of the GPUs it got (conservation of
// GPU-time), and strict FIFO starts jobs in arrival order.
#include <catch2/catch.hpp>

#include <cmath>
#include <map>
#include <sstream>
#include <utility>

#include "core/random.hpp"
#include "scheduler/placement/node_choice.hpp"
#include "scheduler/registry.hpp"
#include "sim/engine.hpp"
#include "sim/job_recorder.hpp"
#include "tests/support/helpers.hpp"

using namespace capsim;
using namespace capsim::sim;

namespace {

// Tracks GPUs (whole, and thousandths of each shared GPU) and CPU in use per
// node from the engine's reports: no node ever gives more than it has, a GPU
// is either given whole or shared, and a GPU's shares never exceed it.
class UsageCheck final : public EngineObserver {
 public:
  explicit UsageCheck(const ClusterLayout& layout)
      : layout_(layout), used_(layout.node_count(), 0), cpu_used_(layout.node_count(), 0) {}
  void on_job_arrived(Time now, JobId job, const JobSpec& spec) override {
    REQUIRE(now == spec.submit);
    held_.resize(job + 1);
    work_.push_back(spec.work);
    scheduler::JobRequest request;
    request.request = spec.request;
    requests_.push_back(request);
  }
  void on_job_started(Time, JobId job, std::span<const NodeShare> allocation, GpuTypeId type, double rate) override {
    const scheduler::JobRequest& request = requests_[job];
    std::int64_t given = 0;
    for (const NodeShare& share : allocation) {
      const auto n = static_cast<std::size_t>(share.node);
      if (request.is_cpu_only()) {
        REQUIRE(type == kAnyGpuType);
        REQUIRE(share.gpus == 0);
        REQUIRE_FALSE(share.is_gpu_share());
        REQUIRE(layout_.cpu_milli_of(share.node) > 0);  // only where CPU is modelled
      } else {
        REQUIRE(layout_.gpu_type_of(share.node) == type);
      }
      if (share.is_gpu_share()) {
        REQUIRE(allocation.size() == 1);
        int& milli = shares_[{share.node, share.gpu}];
        milli += share.gpu_milli;
        REQUIRE(milli <= 1000);
      } else {
        used_[n] += share.gpus;
      }
      given += share.total_gpu_milli();
      cpu_used_[n] += scheduler::cpu_share(request, share.gpus);
      if (layout_.cpu_milli_of(share.node) > 0) REQUIRE(cpu_used_[n] <= layout_.cpu_milli_of(share.node));
      check_node(share.node);
    }
    REQUIRE(given == request.request.gpu_milli);  // gangs get all their GPUs at once
    held_[job].assign(allocation.begin(), allocation.end());
    if (rates_.size() <= job) rates_.resize(job + 1);
    rates_[job] = rate;
  }
  void on_job_ended(Time, JobId job, JobEnd how) override {
    if (!ran_to_end(how)) return;
    for (const NodeShare& share : held_[job]) {
      if (share.is_gpu_share()) {
        int& milli = shares_[{share.node, share.gpu}];
        milli -= share.gpu_milli;
        REQUIRE(milli >= 0);
        if (milli == 0) shares_.erase({share.node, share.gpu});
      } else {
        used_[static_cast<std::size_t>(share.node)] -= share.gpus;
      }
      cpu_used_[static_cast<std::size_t>(share.node)] -= scheduler::cpu_share(requests_[job], share.gpus);
    }
    held_[job].clear();
  }
  std::vector<double> work_;
  std::vector<double> rates_;

 private:
  // Whole GPUs given plus GPUs that shares hold fit the node.
  void check_node(NodeId node) {
    std::int32_t shared = 0;
    for (auto it = shares_.lower_bound({node, 0}); it != shares_.end() && it->first.first == node; ++it) {
      REQUIRE(it->first.second < layout_.gpus_of(node));
      shared += it->second > 0;
    }
    REQUIRE(used_[static_cast<std::size_t>(node)] + shared <= layout_.gpus_of(node));
  }
  const ClusterLayout& layout_;
  std::vector<std::int32_t> used_;
  std::vector<std::int64_t> cpu_used_;
  std::map<std::pair<NodeId, std::int32_t>, int> shares_;  // (node, GPU) -> thousandths in use
  std::vector<std::vector<NodeShare>> held_;
  std::vector<scheduler::JobRequest> requests_;
};

void check_properties(const Scenario& scenario) {
  const ClusterLayout layout(scenario.cluster);
  const auto registry = scheduler::PolicyRegistry::with_builtins();
  scheduler::SchedulerCore core(layout, scenario.catalog, registry.make_queue(scenario.queue_policy),
                                registry.make_placement(scenario.placement_policy));
  auto source = open_workload(scenario);
  EngineOptions options;
  if (scenario.run.horizon) options.horizon = Time::zero() + *scenario.run.horizon;
  NativeEngine engine(layout, scenario.catalog, core, *source, options);
  UsageCheck usage(layout);
  JobRecorder recorder(scenario.catalog);
  engine.add_observer(usage);
  engine.add_observer(recorder);
  engine.run();
  const JobTable jobs = recorder.take();
  REQUIRE(jobs.size() > 100);
  double previous_start = 0;
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    if (std::isnan(jobs.start_s[i])) continue;
    REQUIRE(jobs.start_s[i] >= jobs.submit_s[i]);
    if (!std::isnan(jobs.end_s[i])) {
      // Work done = run time x rate, to the microsecond the end is rounded to.
      const double run_us = (jobs.end_s[i] - jobs.start_s[i]) * 1e6;
      REQUIRE(std::fabs(run_us * usage.rates_[i] - usage.work_[i]) <= usage.rates_[i] * 0.5 + 1e-6 * usage.work_[i]);
    }
    if (scenario.queue_policy.name == "fifo" && !scenario.queue_policy.params) {
      REQUIRE(jobs.start_s[i] >= previous_start);  // strict FIFO: arrival order
      previous_start = jobs.start_s[i];
    }
  }
}

void check_properties(const std::string& yaml) {
  check_properties(capsim::testing::scenario_from(yaml));
}

// A native CSV trace of `jobs` jobs mixing whole GPUs (1, 2, 4, 8, 16),
// shares of one GPU (in thousandths, or quarters and halves) and CPU-only
// jobs, with cores and memory, arriving about `per_hour` an hour.
std::string mixed_trace(std::uint64_t seed, int jobs, double per_hour) {
  auto stream = RandomStream::derive(seed, "properties.mixed");
  std::ostringstream csv;
  csv << "job_id,submit_s,gpus,duration_s,cpus,memory_mib,state\n";
  double submit = 0;
  static const char* const kShares[] = {"0.25", "0.5", "0.1", "0.75", "0.333"};
  static const char* const kWhole[] = {"1", "2", "4", "8", "16"};
  static const char* const kStates[] = {"completed", "completed", "completed", "failed", "running"};
  for (int i = 0; i < jobs; ++i) {
    submit += stream.exponential(3600.0 / per_hour);
    const auto kind = stream.uniform_below(10);
    std::string gpus;
    if (kind < 4) {
      gpus = kind == 0 ? std::to_string(1 + stream.uniform_below(999)) : kShares[stream.uniform_below(5)];
      if (kind == 0) gpus = "0." + std::string(3 - std::min<std::size_t>(3, gpus.size()), '0') + gpus;
    } else if (kind < 6) {
      gpus = "0";
    } else {
      gpus = kWhole[stream.uniform_below(5)];
    }
    const std::uint64_t cpus = 1 + stream.uniform_below(gpus == "0" ? 24 : 8);
    const std::uint64_t memory = 1024 * (1 + stream.uniform_below(64));
    csv << "j" << i << "," << submit << "," << gpus << "," << 60 + stream.exponential(3 * 3600.0) << "," << cpus << ","
        << memory << "," << kStates[stream.uniform_below(5)] << "\n";
  }
  return csv.str();
}

}  // namespace

TEST_CASE("properties hold under strict FIFO with best fit", "[sim][properties]") {
  check_properties(
      "cluster:\n  node_groups:\n"
      "    - {gpu: V100, gpus_per_node: 8, count: 6}\n"
      "    - {gpu: A100-80GB, gpus_per_node: 4, count: 5, cpus: 48, memory: 256GiB}\n"
      "workload: {synthetic: {preset: philly-2017, span: 3d, jobs_per_hour: 12, max_gpus: 32}}\n"
      "policies: {queue: fifo, placement: best_fit}\n");
}

TEST_CASE("properties hold under FIFO with skipping and first fit", "[sim][properties]") {
  check_properties(
      "cluster:\n  node_groups:\n"
      "    - {gpu: T4, gpus_per_node: 4, count: 8}\n"
      "    - {gpu: H100, gpus_per_node: 8, count: 2}\n"
      "workload: {synthetic: {preset: philly-2017, span: 2d, jobs_per_hour: 15, max_gpus: 16}}\n"
      "policies: {queue: {name: fifo, skip_blocked: true}, placement: first_fit}\n"
      "run: {horizon: 40h}\n");
}

TEST_CASE("properties hold with shares of GPUs and CPU-only jobs, under both placements",
          "[sim][properties][sharing]") {
  capsim::testing::TempDir dir;
  dir.write("mixed.csv", mixed_trace(21, 1500, 40));
  // A group without CPU modelled: CPU-only jobs avoid it.
  const std::string cluster =
      "cluster:\n  node_groups:\n"
      "    - {gpu: V100, gpus_per_node: 8, count: 4, cpus: 32, memory: 256GiB}\n"
      "    - {gpu: T4, gpus_per_node: 4, count: 4}\n"
      "    - {gpu: A100-80GB, gpus_per_node: 2, count: 3, cpus: 16, memory: 128GiB}\n"
      "workload: {trace: {format: csv, path: mixed.csv}}\n";
  for (const char* policies : {"policies: {queue: fifo, placement: best_fit}\n",
                               "policies: {queue: {name: fifo, skip_blocked: true}, placement: first_fit}\n",
                               "policies: {queue: {name: fifo, skip_blocked: true}, placement: best_fit}\n"}) {
    INFO(policies);
    check_properties(capsim::testing::scenario_from(cluster + policies, "mixed.yaml", dir.path()));
  }
}

TEST_CASE("GPU-hours are conserved with shares of GPUs", "[sim][properties][sharing]") {
  // On one GPU type of speed 1, recorded on it, every job runs its recorded
  // time: the engine's GPU-hours are the sum of run time x GPUs asked for (a
  // share as its fraction, CPU-only jobs none), and so is the integral of the
  // allocated-GPUs series.
  capsim::testing::TempDir dir;
  const std::string trace = mixed_trace(22, 800, 30);
  dir.write("mixed.csv", trace);
  const auto results = sim::run_scenario(capsim::testing::scenario_from(
      "cluster: {node_groups: [{gpu: V100, gpus_per_node: 8, count: 6, cpus: 64, memory: 512GiB}]}\n"
      "workload: {trace: {format: csv, path: mixed.csv, recorded_on: V100}}\n"
      "policies: {queue: {name: fifo, skip_blocked: true}, placement: best_fit}\n"
      "run: {metrics_interval: 1h}\n",
      "c.yaml", dir.path()));
  const auto& jobs = results.jobs;
  REQUIRE(results.summary.jobs_rejected == 0);
  REQUIRE(results.summary.jobs_running == 0);
  double expected = 0;
  std::size_t shared = 0;
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    REQUIRE(jobs.end_s[i] - jobs.start_s[i] == Approx(jobs.recorded_duration_s[i]).margin(1e-6));
    expected += jobs.recorded_duration_s[i] * jobs.gpus[i];
    shared += jobs.gpus[i] > 0 && jobs.gpus[i] < 1;
  }
  REQUIRE(shared > 200);
  CHECK(results.summary.gpu_hours_allocated * 3600 == Approx(expected).epsilon(1e-12));
  double integral = 0;
  const auto& allocated = results.timeseries.find("allocated_gpus")->values;
  for (std::size_t k = 0; k < allocated.size(); ++k) {
    const double start = results.timeseries.time_s[k];
    const double stop = std::min(start + 3600, results.summary.simulated_s);
    integral += allocated[k] * (stop - start);
  }
  CHECK(integral == Approx(expected).epsilon(1e-12));
}
