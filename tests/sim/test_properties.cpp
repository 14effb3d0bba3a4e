// Properties that hold for any workload, checked on generated ones: no node
// ever gives more GPUs than it has, no job starts before it arrives, every
// job's work is done at the speed of the GPUs it got (conservation of
// GPU-time, through preemptions and resumes), and strict FIFO starts jobs in
// arrival order; under non-preemptive and preemptive queue policies.
#include <catch2/catch.hpp>

#include <cmath>
#include <map>
#include <sstream>
#include <utility>
#include <vector>

#include "core/random.hpp"
#include "scheduler/placement/node_choice.hpp"
#include "sim/engine.hpp"
#include "sim/job_recorder.hpp"
#include "tests/support/helpers.hpp"

using namespace capsim;
using namespace capsim::sim;

namespace {

// Follows the engine's reports job by job. Usage: GPUs (whole, and
// thousandths of each shared GPU) and CPU in use per node; a job takes its
// allocation when it starts and gives it back when it ends or is preempted
// (and takes one again when it resumes), so no node ever gives more than it
// has, a GPU is either given whole or shared, and a GPU's shares never
// exceed it. Progress: a job does its work at the rate of each run, less
// the work each preemption loses, plus the restore overhead of each resume
// (at the resumed run's rate), and ends when all of it is done.
class UsageCheck final : public EngineObserver {
 public:
  UsageCheck(const ClusterLayout& layout, const JobClasses& classes)
      : layout_(layout), classes_(classes), used_(layout.node_count(), 0), cpu_used_(layout.node_count(), 0) {}
  void on_job_arrived(Time now, JobId job, const JobSpec& spec) override {
    REQUIRE(now == spec.submit);
    REQUIRE(job == jobs_.size());
    Job& j = jobs_.emplace_back();
    j.submit = spec.submit;
    j.request.request = spec.request;
    j.work = spec.work;
    j.restore_us = static_cast<double>(classes_.at(spec.job_class).restore_overhead.count_us());
  }
  void on_job_started(Time now, JobId job, std::span<const NodeShare> allocation, GpuTypeId type,
                      double rate) override {
    Job& j = jobs_.at(job);
    REQUIRE(now >= j.submit);
    REQUIRE(j.held.empty());  // not running already
    REQUIRE(rate > 0);
    const scheduler::JobRequest& request = j.request;
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
    j.held.assign(allocation.begin(), allocation.end());
    if (j.runs > 0) {
      j.owed += rate * j.restore_us;  // a resume first restores its checkpoint
      ++resumes_;
    }
    ++j.runs;
    j.run_start = now;
    j.rate = rate;
    j.slack += 0.5 * rate;  // the run's end is rounded to the microsecond
  }
  void on_job_interrupted(Time now, JobId job, const Interruption& what) override {
    const double lost_work = what.lost_work;
    Job& j = jobs_.at(job);
    REQUIRE_FALSE(j.held.empty());  // only a running job is stopped
    const double done = j.rate * static_cast<double>((now - j.run_start).count_us());
    REQUIRE(lost_work >= 0);
    REQUIRE(lost_work <= done + 1e-9 * done);
    j.progress += done - lost_work;
    release(j);
    ++preemptions_;
  }
  void on_job_ended(Time now, JobId job, JobEnd how) override {
    Job& j = jobs_.at(job);
    if (how == JobEnd::kRejected || how == JobEnd::kPending) {
      REQUIRE(j.held.empty());
      return;
    }
    REQUIRE_FALSE(j.held.empty());  // running, or ran to an end of its own
    release(j);
    if (!ran_to_end(how)) return;
    // Work done = the runs at their rates, less what preemptions lost, to
    // the microsecond each run's end is rounded to.
    j.progress += j.rate * static_cast<double>((now - j.run_start).count_us());
    const double owed = j.work + j.owed;
    REQUIRE(std::fabs(j.progress - owed) <= j.slack + 1e-6 * owed);
  }
  std::int64_t preemptions() const { return preemptions_; }
  std::int64_t resumes() const { return resumes_; }

 private:
  struct Job {
    Time submit;
    scheduler::JobRequest request;
    double work = 0;        // reference GPU-us to do
    double restore_us = 0;  // its class's restore overhead
    std::vector<NodeShare> held;
    std::int32_t runs = 0;
    Time run_start;
    double rate = 0;      // of the current or last run
    double progress = 0;  // work done and kept by the runs before this one
    double owed = 0;      // restore work added by resumes
    double slack = 0;     // rounding allowed
  };
  void release(Job& j) {
    for (const NodeShare& share : j.held) {
      if (share.is_gpu_share()) {
        int& milli = shares_[{share.node, share.gpu}];
        milli -= share.gpu_milli;
        REQUIRE(milli >= 0);
        if (milli == 0) shares_.erase({share.node, share.gpu});
      } else {
        used_[static_cast<std::size_t>(share.node)] -= share.gpus;
        REQUIRE(used_[static_cast<std::size_t>(share.node)] >= 0);
      }
      std::int64_t& cpu = cpu_used_[static_cast<std::size_t>(share.node)];
      cpu -= scheduler::cpu_share(j.request, share.gpus);
      REQUIRE(cpu >= 0);
    }
    j.held.clear();
  }
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
  const JobClasses& classes_;
  std::vector<std::int32_t> used_;
  std::vector<std::int64_t> cpu_used_;
  std::map<std::pair<NodeId, std::int32_t>, int> shares_;  // (node, GPU) -> thousandths in use
  std::vector<Job> jobs_;
  std::int64_t preemptions_ = 0;
  std::int64_t resumes_ = 0;
};

// What a run did, for tests that ask more of it.
struct RunCounts {
  std::int64_t preemptions = 0;
  std::int64_t resumes = 0;
};

RunCounts check_properties(const Scenario& scenario) {
  const ClusterLayout layout(scenario.cluster);
  // As sim::run_scenario builds a run, with the checks as observers.
  const auto core = capsim::testing::core_for(scenario, layout);
  auto source = open_workload(scenario);
  EngineOptions options;
  if (scenario.run.horizon) options.horizon = Time::zero() + *scenario.run.horizon;
  options.job_classes = &scenario.workload.job_classes;
  NativeEngine engine(layout, scenario.catalog, *core, *source, options);
  UsageCheck usage(layout, scenario.workload.job_classes);
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
    if (scenario.queue_policy.name == "fifo" && !scenario.queue_policy.params) {
      REQUIRE(jobs.start_s[i] >= previous_start);  // strict FIFO: arrival order
      previous_start = jobs.start_s[i];
    }
  }
  return {usage.preemptions(), usage.resumes()};
}

RunCounts check_properties(const std::string& yaml) {
  return check_properties(capsim::testing::scenario_from(yaml));
}

// A native CSV trace of `jobs` jobs mixing whole GPUs (1, 2, 4, 8, 16),
// shares of one GPU (in thousandths, or quarters and halves) and CPU-only
// jobs, with cores and memory, arriving about `per_hour` an hour, from three
// users in three queues (drawn from a stream of their own, so that the rest
// stays as it was before they were added).
std::string mixed_trace(std::uint64_t seed, int jobs, double per_hour) {
  auto stream = RandomStream::derive(seed, "properties.mixed");
  auto owners = RandomStream::derive(seed, "properties.owners");
  std::ostringstream csv;
  csv << "job_id,submit_s,gpus,duration_s,cpus,memory_mib,state,user,queue\n";
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
        << memory << "," << kStates[stream.uniform_below(5)] << ",u" << owners.uniform_below(3) << ",vc"
        << owners.uniform_below(3) << "\n";
  }
  return csv.str();
}

// 54 GPUs of three types for the mixed traces; the T4 group does not model
// CPU, so CPU-only jobs avoid it.
const char* const kMixedCluster =
    "cluster:\n  node_groups:\n"
    "    - {gpu: V100, gpus_per_node: 8, count: 4, cpus: 32, memory: 256GiB}\n"
    "    - {gpu: T4, gpus_per_node: 4, count: 4}\n"
    "    - {gpu: A100-80GB, gpus_per_node: 2, count: 3, cpus: 16, memory: 128GiB}\n";

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
  const std::string cluster = std::string(kMixedCluster) + "workload: {trace: {format: csv, path: mixed.csv}}\n";
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

TEST_CASE("properties hold through preemptions under the preemptive queue policies",
          "[sim][properties][preemption][sharing]") {
  // An overloaded cluster (about 2.5 GPUs asked per job, 40 jobs an hour
  // of 3 hours on average, 54 GPUs): every preemptive policy stops jobs and
  // resumes them. Queue vc0 is a non-preemptible class of high priority; the
  // rest lose up to 20 minutes of work per preemption, or nothing, and pay
  // a restore on each resume. The horizon keeps the runs short, and is
  // needed: under tiresias, jobs stopped more often than every 20 minutes
  // never reach a checkpoint (on 1,000 jobs no job ends after day 7 of a
  // 30-day horizon, with 117 waiting), so a run to the last job never ends.
  capsim::testing::TempDir dir;
  dir.write("mixed.csv", mixed_trace(23, 600, 40));
  const std::string scenario =
      std::string(kMixedCluster) +
      "workload:\n"
      "  trace: {format: csv, path: mixed.csv}\n"
      "  job_classes:\n"
      "    - {name: prod, queues: [vc0], priority: 10, preemptible: false}\n"
      "    - {name: research, weight: 2, priority: 5, checkpoint_interval: 20m, restore_overhead: 60s}\n"
      "    - {name: batch, weight: 1, restore_overhead: 0s}\n";
  for (const char* queue :
       {"srtf", "{name: srtf, by: gpu_time}", "tiresias", "{name: tiresias, queue_thresholds: [10m, 2h]}", "priority",
        "{name: priority, skip_blocked: true}", "{name: themis, lease: 10m}",
        "{name: quota, quota: {vc0: 30, vc1: 12, vc2: 12}}", "gavel"}) {
    INFO(queue);
    const RunCounts counts = check_properties(capsim::testing::scenario_from(
        scenario + "policies: {queue: " + queue + ", placement: best_fit}\nrun: {horizon: 1d}\n", "preempt.yaml",
        dir.path()));
    CHECK(counts.preemptions > 0);
    CHECK(counts.resumes > 0);
  }
}
