// Properties that hold for any workload, checked on generated ones: no node
// ever gives more GPUs than it has, no job starts before it arrives, every
// job's work is done at the speed of the GPUs it got (conservation of
// GPU-time), and strict FIFO starts jobs in arrival order.
#include <catch2/catch.hpp>

#include <cmath>

#include "scheduler/registry.hpp"
#include "sim/engine.hpp"
#include "sim/job_recorder.hpp"
#include "tests/support/helpers.hpp"

using namespace capsim;
using namespace capsim::sim;

namespace {

// Tracks GPUs in use per node from the engine's reports.
class UsageCheck final : public EngineObserver {
 public:
  explicit UsageCheck(const ClusterLayout& layout) : layout_(layout), used_(layout.node_count(), 0) {}
  void on_job_arrived(Time now, JobId job, const JobSpec& spec) override {
    REQUIRE(now == spec.submit);
    held_.resize(job + 1);
    work_.push_back(spec.work);
    asked_.push_back(spec.gpus());
  }
  void on_job_started(Time, JobId job, std::span<const NodeShare> allocation, GpuTypeId type, double rate) override {
    std::int32_t given = 0;
    for (const NodeShare& share : allocation) {
      REQUIRE(layout_.gpu_type_of(share.node) == type);
      given += share.gpus;
      used_[static_cast<std::size_t>(share.node)] += share.gpus;
      REQUIRE(used_[static_cast<std::size_t>(share.node)] <= layout_.gpus_of(share.node));
    }
    REQUIRE(given == asked_[job]);  // gangs get all their GPUs at once
    held_[job].assign(allocation.begin(), allocation.end());
    if (rates_.size() <= job) rates_.resize(job + 1);
    rates_[job] = rate;
  }
  void on_job_ended(Time, JobId job, JobEnd how) override {
    if (how == JobEnd::kRunning || how == JobEnd::kPending || how == JobEnd::kRejected) return;
    for (const NodeShare& share : held_[job]) used_[static_cast<std::size_t>(share.node)] -= share.gpus;
    held_[job].clear();
  }
  std::vector<double> work_;
  std::vector<double> rates_;

 private:
  const ClusterLayout& layout_;
  std::vector<std::int32_t> used_;
  std::vector<std::vector<NodeShare>> held_;
  std::vector<std::int32_t> asked_;
};

void check_properties(const std::string& yaml) {
  const Scenario scenario = capsim::testing::scenario_from(yaml);
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
