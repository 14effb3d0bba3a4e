// The scheduler core's preemption and timer mechanics, driven by a small
// test policy (strict priority with victims, like scheduler/queue's
// `priority` but kept here so that these tests pin the core, not a policy),
// and the native engine's accounting of what a preemption costs.
#include <catch2/catch.hpp>

#include <set>
#include <string>

#include "scheduler/placement/best_fit.hpp"
#include "scheduler/registry.hpp"
#include "scheduler/scheduler_core.hpp"
#include "sim/run.hpp"
#include "tests/support/helpers.hpp"

using namespace capsim;
using namespace capsim::scheduler;

namespace {

// Higher priority first; a job that does not fit names the running jobs of
// lower priority as victims, lowest priority first, then latest started.
// Asks for a wake-up `wake_every` after each pass when set.
class TestPriority final : public QueuePolicy {
 public:
  explicit TestPriority(std::optional<Duration> wake_every = std::nullopt) : wake_every_(wake_every) {}
  std::string_view name() const override { return "test_priority"; }
  QueueKey key(const JobView& job) override {
    return {-static_cast<double>(job.job().priority), static_cast<double>(job.job().submit.count_us())};
  }
  bool blocks_queue() const override { return false; }
  bool preempts() const override { return true; }
  void victims(const JobView& job, std::vector<JobId>& out) override {
    for (const auto& [priority, order, id] : running_) {
      if (priority >= job.job().priority) break;
      out.push_back(id);
    }
  }
  void on_job_started(const JobView& job) override { running_.insert(entry(job)); }
  void on_job_ended(const JobView& job) override { running_.erase(entry(job)); }
  void on_job_preempted(const JobView& job) override {
    // The core has recorded the run; its start time is still the last one.
    running_.erase({job.job().priority, -job.run_start.count_us(), job.job().id});
  }
  std::optional<Time> next_wakeup(Time now) override {
    if (!wake_every_) return std::nullopt;
    return now + *wake_every_;
  }

 private:
  static std::tuple<std::int32_t, std::int64_t, JobId> entry(const JobView& job) {
    return {job.job().priority, -job.run_start.count_us(), job.job().id};
  }
  std::optional<Duration> wake_every_;
  std::set<std::tuple<std::int32_t, std::int64_t, JobId>> running_;  // lowest priority, latest start first
};

class Driver {
 public:
  explicit Driver(ClusterSpec cluster, std::optional<Duration> wake_every = std::nullopt)
      : spec_(std::move(cluster)),
        layout_(spec_),
        core_(layout_, catalog_, std::make_unique<TestPriority>(wake_every), std::make_unique<BestFitPlacement>()) {}

  JobId arrive(std::int64_t t, Resources request, std::int32_t priority, bool preemptible = true) {
    JobRequest job;
    job.id = next_id_++;
    job.submit = Time::from_us(t);
    job.request = request;
    job.priority = priority;
    job.preemptible = preemptible;
    core_.on_job_arrived(job.submit, job);
    return job.id;
  }
  std::string decide(std::int64_t t) { return capsim::testing::decisions_text(core_.decide(Time::from_us(t))); }
  SchedulerCore& core() { return core_; }

 private:
  ClusterSpec spec_;
  GpuCatalog catalog_ = GpuCatalog::builtin();
  ClusterLayout layout_;
  SchedulerCore core_;
  JobId next_id_ = 0;
};

// Runs a scenario whose queue policy is `test_priority`.
sim::RunResults run_with_test_priority(const Scenario& scenario) {
  PolicyRegistry registry = PolicyRegistry::with_builtins();
  registry.add_queue("test_priority", "test", [](const PolicyParams&) { return std::make_unique<TestPriority>(); });
  sim::RunOptions options;
  options.registry = &registry;
  return sim::run_scenario(scenario, options);
}

ClusterSpec nodes_of_4(std::int64_t count) {
  ClusterSpec s;
  s.node_groups.push_back({"v", 2, 4, count, 0, 0, 32, {}, {}, {}, {}, {}, {}, 0, 0});  // V100 nodes of 4 GPUs
  return s;
}

}  // namespace

TEST_CASE("victims are stopped one at a time until the job fits", "[scheduler][preemption]") {
  Driver driver(nodes_of_4(3));
  driver.arrive(0, Resources::gpus(4), 0);  // job 0: node 0
  driver.arrive(1, Resources::gpus(4), 0);  // job 1: node 1
  driver.arrive(2, Resources::gpus(4), 0);  // job 2: node 2
  CHECK(driver.decide(2) == "start 0 n0x4; start 1 n1x4; start 2 n2x4");
  // Job 3 (priority 5, 8 GPUs) at t=10: all three have a lower priority and
  // started together: victims in id order 0, 1, 2. Stopping 0 frees node 0
  // (4 GPUs): not enough; stopping 1 too frees 8: job 3 takes nodes 0 and 1;
  // job 2 keeps running.
  driver.arrive(10, Resources::gpus(8), 5);
  CHECK(driver.decide(10) == "preempt 0; preempt 1; start 3 n0x4 n1x4");
  CHECK(driver.core().running_jobs() == 2);
  CHECK(driver.core().pending_jobs() == 2);
  const JobView zero = driver.core().view().job(0);
  CHECK_FALSE(zero.running);
  CHECK(zero.preemptions == 1);
  CHECK(zero.previous_runs == Duration::microseconds(8));  // ran from 2 to 10 us
  CHECK(zero.attained_gpu_seconds(Time::from_us(10)) == Approx(4 * 8e-6));
  CHECK(zero.queued_since == Time::from_us(10));
}

TEST_CASE("when the victims cannot make room, nothing is stopped", "[scheduler][preemption]") {
  Driver driver(nodes_of_4(2));
  driver.arrive(0, Resources::gpus(4), 0);  // job 0, priority 0: node 1 (after job 1)
  driver.arrive(0, Resources::gpus(4), 9);  // job 1, priority 9: first, on node 0
  CHECK(driver.decide(0) == "start 1 n0x4; start 0 n1x4");
  // Job 2 (priority 5, 8 GPUs): only job 0 has a lower priority; stopping it
  // frees 4 GPUs, not 8: the core undoes it and job 2 waits.
  driver.arrive(5, Resources::gpus(8), 5);
  CHECK(driver.decide(5).empty());
  CHECK(driver.core().running_jobs() == 2);
  CHECK(driver.core().cluster().free_gpus(1) == 0);
  CHECK(driver.core().allocation_of(0).front().node == 1);
  CHECK(driver.core().view().job(0).preemptions == 0);
}

TEST_CASE("an undone preemption gives shares back their very GPUs", "[scheduler][preemption][sharing]") {
  Driver driver(nodes_of_4(1));
  driver.arrive(0, Resources{500, 0, 0, 0}, 9, /*preemptible=*/false);  // job 0: half of GPU 0
  driver.arrive(0, Resources::gpus(2), 0);                              // job 1: GPUs 1-2 (counted, not numbered)
  driver.arrive(0, Resources{500, 0, 0, 0}, 0);                         // job 2: the other half of GPU 0 (best fit)
  driver.arrive(0, Resources{250, 0, 0, 0}, 0);                         // job 3: GPU 0 is full: opens GPU 1
  CHECK(driver.decide(0) == "start 0 n0g0x500; start 1 n0x2; start 2 n0g0x500; start 3 n0g1x250");
  // Job 4 (priority 5, 4 GPUs) can never get GPU 0 (job 0 holds half and is
  // not preemptible): stopping 1, 3 and 2 does not help; all is undone, and
  // job 3's share goes back to GPU 1, job 2's to GPU 0.
  driver.arrive(1, Resources::gpus(4), 5);
  CHECK(driver.decide(1).empty());
  const ClusterState& cluster = driver.core().cluster();
  CHECK(cluster.gpu_share_used(0, 0) == 1000);
  CHECK(cluster.gpu_share_used(0, 1) == 250);
  CHECK(cluster.free_gpus(0) == 0);
  CHECK(driver.core().allocation_of(3).front().gpu == 1);
  CHECK(driver.core().allocation_of(2).front().gpu == 0);
}

TEST_CASE("a policy's wake-up is passed on and prompts a pass", "[scheduler][timers]") {
  Driver driver(nodes_of_4(1), Duration::seconds(60));
  CHECK_FALSE(driver.core().next_wakeup());  // nothing decided yet
  driver.arrive(0, Resources::gpus(4), 0);
  CHECK(driver.decide(0) == "start 0 n0x4");
  CHECK(driver.core().next_wakeup() == Time::from_us(60'000'000));
  driver.arrive(5, Resources::gpus(4), 0);
  CHECK(driver.decide(5).empty());
  CHECK(driver.decide(6).empty());  // nothing changed: no pass
  driver.core().on_timer(Time::from_us(60'000'000));
  CHECK(driver.decide(60'000'000).empty());  // a pass, with nothing to start
  CHECK(driver.core().next_wakeup() == Time::from_us(120'000'000));
}

TEST_CASE("the engine charges a preemption its lost work and its restore", "[sim][engine][preemption]") {
  // One V100 node of 4 GPUs. Job a (class low: checkpoint every 60 s,
  // restore 30 s; 4 GPUs, 300 s) runs from 0. Job b (class high, priority
  // 10, 4 GPUs, 100 s) arrives at 100 and preempts a: a ran 100 s, its last
  // checkpoint was at 60 s, so 40 s x 4 GPUs = 160 GPU-s are lost. b runs
  // 100-200. a resumes at 200 with 300 - 60 = 240 s of work plus the 30 s
  // restore: it ends at 470. Its run time is 100 + 270 = 370 s.
  const Scenario scenario = capsim::testing::scenario_from(
      "cluster:\n  node_groups:\n    - {name: v, gpu: V100, gpus_per_node: 4, count: 1}\n"
      "policies: {queue: test_priority}\n"
      "workload:\n"
      "  job_classes:\n"
      "    - {name: low, queues: [research], checkpoint_interval: 60s, restore_overhead: 30s}\n"
      "    - {name: high, queues: [prod], priority: 10}\n"
      "  jobs:\n"
      "    - {id: a, submit: 0s, gpus: 4, duration: 300s, queue: research}\n"
      "    - {id: b, submit: 100s, gpus: 4, duration: 100s, queue: prod}\n");
  const sim::RunResults results = run_with_test_priority(scenario);
  const auto& jobs = results.jobs;
  CHECK(jobs.start_s == std::vector<double>{0, 100});
  CHECK(jobs.end_s == std::vector<double>{470, 200});
  CHECK(jobs.preemptions == std::vector<std::int32_t>{1, 0});
  CHECK(jobs.run_time_s == std::vector<double>{370, 100});
  CHECK(jobs.lost_gpu_hours[0] == Approx(160.0 / 3600));
  CHECK(jobs.lost_gpu_hours[1] == 0);
  CHECK(results.summary.preemptions == 1);
  // GPU-time: (370 + 100) s x 4 GPUs over 4 GPUs x 470 s.
  CHECK(results.summary.gpu_utilisation == Approx(1.0));
}

TEST_CASE("a class that checkpoints on preemption loses nothing", "[sim][engine][preemption]") {
  // As above, but a checkpoints as it is stopped (interval 0) and restores
  // in 0 s: it resumes at 200 with 200 s left and ends at 400.
  const Scenario scenario = capsim::testing::scenario_from(
      "cluster:\n  node_groups:\n    - {name: v, gpu: V100, gpus_per_node: 4, count: 1}\n"
      "policies: {queue: test_priority}\n"
      "workload:\n"
      "  job_classes:\n"
      "    - {name: low, users: [alice], restore_overhead: 0s}\n"
      "    - {name: high, users: [bob], priority: 10, preemptible: false}\n"
      "  jobs:\n"
      "    - {id: a, submit: 0s, gpus: 4, duration: 300s, user: alice}\n"
      "    - {id: b, submit: 100s, gpus: 4, duration: 100s, user: bob}\n");
  const sim::RunResults results = run_with_test_priority(scenario);
  CHECK(results.jobs.end_s == std::vector<double>{400, 200});
  CHECK(results.jobs.lost_gpu_hours[0] == 0);
}
