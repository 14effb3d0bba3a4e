// Failures and resilience (core/failures.hpp, the native engine): a
// hand-worked outage whose lost work, wasted GPU-hours, goodput and
// availability are worked out in closed form; the checkpoint bound on the
// work one failure loses, under random Weibull failures; a whole region's
// outage rescheduled in the other; restart limits; determinism; the
// scenario's errors.
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>

#include "sim/engine.hpp"
#include "sim/job_recorder.hpp"
#include "sim/summary.hpp"
#include "tests/support/helpers.hpp"

using namespace capsim;
using capsim::testing::input_error_of;
using capsim::testing::run_yaml;
using capsim::testing::scenario_from;
using capsim::testing::TempDir;

namespace {

double failure_figure(const sim::Summary& s, std::string_view name) {
  return sim::figure_of(s.failures, name);
}

// Two nodes of one V100 each, in node groups a and b; jobs of class `ckpt`
// checkpoint every hour and resume at once.
const char* kTwoNodes =
    "cluster:\n"
    "  node_groups:\n"
    "    - {name: a, gpu: V100, gpus_per_node: 1, count: 1}\n"
    "    - {name: b, gpu: V100, gpus_per_node: 1, count: 1}\n"
    "workload:\n"
    "  job_classes: [{name: ckpt, checkpoint_interval: 1h, restore_overhead: 0s}]\n"
    "  jobs:\n"
    "    - {id: j, submit: 0s, gpus: 1, duration: 10h, class: ckpt}\n";

}  // namespace

TEST_CASE("a node outage: lost work, waste, goodput and availability in closed form", "[sim][failures]") {
  // The job starts on node a (the first). Node a fails at 2h30m, the
  // failure is seen at 2h40m: the job ran 2h30m, kept its checkpoints at 1h
  // and 2h, lost 30 minutes of work, and held its GPU 40 minutes for nothing.
  // It restarts at 2h40m on node b with 8h to go: it ends at 10h40m.
  // Node a is down 2h30m-3h30m: 1 GPU-hour of 2 x 10h40m = 4.6875%.
  // The job held 10h40m, 40m of it wasted: goodput 1 - 40/640 = 93.75%.
  const auto results = run_yaml(std::string(kTwoNodes) +
                                "failures:\n"
                                "  detection: 10m\n"
                                "  outages: [{at: 2h30m, duration: 1h, node_group: a}]\n");
  const sim::JobTable& jobs = results.jobs;
  REQUIRE(jobs.size() == 1);
  CHECK(jobs.state[0] == sim::JobEnd::kCompleted);
  CHECK(jobs.jct_s[0] == 38'400);
  CHECK(jobs.failures[0] == 1);
  CHECK(jobs.preemptions[0] == 0);
  CHECK(jobs.lost_gpu_hours[0] == Approx(0.5));
  CHECK(jobs.wasted_gpu_hours[0] == Approx(40.0 / 60));
  CHECK(jobs.run_time_s[0] == 38'400);
  const sim::Summary& s = results.summary;
  CHECK(failure_figure(s, "node_failures") == 1);
  CHECK(failure_figure(s, "failure_interruptions") == 1);
  CHECK(failure_figure(s, "jobs_abandoned") == 0);
  CHECK(failure_figure(s, "failure_wasted_gpu_hours") == Approx(40.0 / 60));
  CHECK(failure_figure(s, "gpu_hours_down") == Approx(1.0));
  CHECK(failure_figure(s, "availability_pct") == Approx(100 - 4.6875));
  CHECK(failure_figure(s, "goodput_pct") == Approx(93.75));
  CHECK(sim::summary_to_json(s)["metrics"]["goodput_pct"] == Approx(93.75));
  CHECK(sim::format_summary(s).find("failures") != std::string::npos);
}

TEST_CASE("a job with no periodic checkpoint loses its whole run to a failure", "[sim][failures]") {
  // No checkpoint_interval: it checkpoints when preempted, which a failure
  // does not allow. 2h30m of work lost; restarted at 2h40m, it ends at 12h40m.
  std::string yaml = kTwoNodes;
  yaml.replace(yaml.find("checkpoint_interval: 1h"), 23, "checkpoint_interval: 0s");
  const auto results = run_yaml(yaml +
                                "failures:\n"
                                "  detection: 10m\n"
                                "  outages: [{at: 2h30m, duration: 1h, node: 0}]\n");
  CHECK(results.jobs.jct_s[0] == 45'600);
  CHECK(results.jobs.lost_gpu_hours[0] == Approx(2.5));
  CHECK(results.jobs.wasted_gpu_hours[0] == Approx(160.0 / 60));
}

TEST_CASE("a repair as short as the detection brings the node back at the detection", "[sim][failures]") {
  // One node: down at 1h for 1 minute, seen at 1h5m. The node cannot come
  // back before the scheduler saw it go: it is back at 1h5m, emptied, and the
  // job restarts there from its 1h checkpoint: 9h to go, it ends at 10h5m.
  const auto results = run_yaml(
      "cluster:\n"
      "  node_groups: [{name: a, gpu: V100, gpus_per_node: 1, count: 1}]\n"
      "workload:\n"
      "  job_classes: [{name: ckpt, checkpoint_interval: 1h, restore_overhead: 0s}]\n"
      "  jobs: [{id: j, submit: 0s, gpus: 1, duration: 10h, class: ckpt}]\n"
      "failures:\n"
      "  detection: 5m\n"
      "  outages: [{at: 1h, duration: 1m, node: 0}]\n");
  CHECK(results.jobs.state[0] == sim::JobEnd::kCompleted);
  CHECK(results.jobs.jct_s[0] == 36'300);
  CHECK(failure_figure(results.summary, "gpu_hours_down") == Approx(5.0 / 60));
}

TEST_CASE("a job past its restart limit is abandoned at the failure's detection", "[sim][failures]") {
  std::string yaml = kTwoNodes;
  yaml.replace(yaml.find("restore_overhead: 0s"), 20, "restore_overhead: 0s, restart_limit: 0");
  const auto results = run_yaml(yaml +
                                "failures:\n"
                                "  detection: 10m\n"
                                "  outages: [{at: 2h30m, duration: 1h, node: 0}]\n");
  CHECK(results.jobs.state[0] == sim::JobEnd::kAbandoned);
  CHECK(std::isnan(results.jobs.jct_s[0]));
  CHECK(results.jobs.run_time_s[0] == 9'600);  // held to the detection
  CHECK(failure_figure(results.summary, "jobs_abandoned") == 1);
  CHECK(results.summary.jobs_completed == 0);
  // With a limit of 1 the same failure is survived.
  yaml.replace(yaml.find("restart_limit: 0"), 16, "restart_limit: 1");
  const auto again = run_yaml(yaml +
                              "failures:\n"
                              "  detection: 10m\n"
                              "  outages: [{at: 2h30m, duration: 1h, node: 0}]\n");
  CHECK(again.jobs.state[0] == sim::JobEnd::kCompleted);
}

namespace {

// Checks each failure against the checkpoint bound: the work it loses is at
// most `interval` of the job's run at its rate, and the GPU time it wastes at
// most (interval + detection) of its GPUs.
class CheckpointBound final : public sim::EngineObserver {
 public:
  CheckpointBound(Duration interval, Duration detection) : interval_(interval), detection_(detection) {}
  void on_job_started(Time /*now*/, sim::JobId job, std::span<const sim::NodeShare> allocation, GpuTypeId /*type*/,
                      double rate) override {
    double gpus = 0;
    for (const sim::NodeShare& share : allocation) gpus += static_cast<double>(share.total_gpu_milli()) / 1000;
    running_[job] = {gpus, rate};
  }
  void on_job_interrupted(Time /*now*/, sim::JobId job, const sim::Interruption& what) override {
    if (!what.node_failure) return;
    const auto [gpus, rate] = running_.at(job);
    REQUIRE(what.lost_work >= 0);
    REQUIRE(what.lost_work <= rate * static_cast<double>(interval_.count_us()) * (1 + 1e-9));
    REQUIRE(what.wasted_gpu_seconds <= gpus * (interval_ + detection_).to_seconds() * (1 + 1e-9));
    worst_lost_minutes_ = std::max(worst_lost_minutes_, what.lost_work / rate / 6e7);
    ++failures_;
  }
  std::int64_t failures() const { return failures_; }
  double worst_lost_minutes() const { return worst_lost_minutes_; }

 private:
  Duration interval_;
  Duration detection_;
  std::map<sim::JobId, std::pair<double, double>> running_;
  std::int64_t failures_ = 0;
  double worst_lost_minutes_ = 0;
};

const char* kRandomFailures =
    "cluster:\n"
    "  node_groups: [{name: v100, gpu: V100, gpus_per_node: 8, count: 12}]\n"
    "workload:\n"
    "  synthetic: {preset: philly-2017, span: 3d, jobs_per_hour: 12, max_gpus: 16, max_duration: 1d,\n"
    "              recorded_on: V100}\n"
    "  job_classes: [{name: ckpt, checkpoint_interval: 30m, restore_overhead: 0s}]\n"
    "failures:\n"
    "  detection: 5m\n"
    "  models: [{mtbf: 150h, shape: 0.7, repair: 4h}]\n"
    "run: {seed: 7}\n";

}  // namespace

TEST_CASE("with checkpoints every N minutes, no failure loses more than N minutes of the job's GPUs",
          "[sim][failures]") {
  const Scenario scenario = scenario_from(kRandomFailures);
  const ClusterLayout layout(scenario.cluster);
  const auto core = capsim::testing::core_for(scenario, layout);
  auto source = open_workload(scenario);
  sim::EngineOptions options;
  options.job_classes = &scenario.workload.job_classes;
  options.failures = &scenario.failures;
  options.seed = scenario.run.seed;
  sim::NativeEngine engine(layout, scenario.catalog, *core, *source, options);
  CheckpointBound bound(Duration::minutes(30), Duration::minutes(5));
  sim::JobRecorder recorder(scenario.catalog);
  engine.add_observer(bound);
  engine.add_observer(recorder);
  engine.run();
  const sim::JobTable jobs = recorder.take();
  // Enough failures that the bound was tested, some near it.
  CHECK(engine.failure_stats().node_failures >= 5);
  CHECK(bound.failures() >= 5);
  CHECK(bound.worst_lost_minutes() > 10);
  CHECK(bound.worst_lost_minutes() <= 30 + 1e-6);
  // Every job still finishes: a failure only delays it.
  for (std::size_t i = 0; i < jobs.size(); ++i) CHECK(jobs.state[i] == sim::JobEnd::kCompleted);
}

TEST_CASE("random failures are deterministic and independent of the policy's draws", "[sim][failures]") {
  const auto a = run_yaml(kRandomFailures);
  const auto b = run_yaml(kRandomFailures);
  CHECK(a.jobs.jct_s == b.jobs.jct_s);
  CHECK(a.jobs.failures == b.jobs.failures);
  CHECK(a.summary.failures.size() == b.summary.failures.size());
  for (std::size_t i = 0; i < a.summary.failures.size(); ++i) {
    CHECK(a.summary.failures[i].value == b.summary.failures[i].value);
  }
  // Another placement policy meets the same node failures.
  std::string spread = kRandomFailures;
  spread += "policies: {placement: spread}\n";
  const auto c = run_yaml(spread);
  CHECK(failure_figure(c.summary, "node_failures") == failure_figure(a.summary, "node_failures"));
  CHECK(failure_figure(c.summary, "gpu_hours_down") == failure_figure(a.summary, "gpu_hours_down"));
}

TEST_CASE("a region's outage reschedules its jobs in the other region", "[sim][failures]") {
  // east and west, 4 nodes of 8 V100s each. 8 jobs of 8 GPUs, 2 hours each,
  // fill east first (best fit, lowest node) then west... Half the cluster is
  // busy; east goes down at 1h for 12h. Its jobs restart in west at the
  // detection and end long before east returns.
  std::string yaml =
      "cluster:\n"
      "  regions: [{name: east}, {name: west}]\n"
      "  node_groups:\n"
      "    - {name: e, gpu: V100, gpus_per_node: 8, count: 4, region: east}\n"
      "    - {name: w, gpu: V100, gpus_per_node: 8, count: 4, region: west}\n"
      "workload:\n"
      "  job_classes: [{name: ckpt, checkpoint_interval: 30m, restore_overhead: 0s}]\n"
      "  jobs:\n";
  for (int i = 0; i < 4; ++i) yaml += "    - {id: j" + std::to_string(i) + ", submit: 0s, gpus: 8, duration: 2h}\n";
  yaml +=
      "failures:\n"
      "  detection: 2m\n"
      "  outages: [{at: 1h, duration: 12h, region: east}]\n";
  const auto results = run_yaml(yaml);
  const sim::JobTable& jobs = results.jobs;
  std::int32_t failures = 0;
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    CHECK(jobs.state[i] == sim::JobEnd::kCompleted);
    failures += jobs.failures[i];
    // Restarted at 1h2m from the 1h checkpoint: 1h to go, done by 2h2m.
    CHECK(jobs.jct_s[i] <= 2 * 3600 + 120);
  }
  CHECK(failures == 4);  // all four were in east
  CHECK(failure_figure(results.summary, "node_failures") == 4);
  // The run ends with the jobs; east is down from 1h to then.
  CHECK(results.summary.simulated_s == 2 * 3600 + 120);
  CHECK(failure_figure(results.summary, "gpu_hours_down") == Approx(32 * (3600 + 120) / 3600.0));
}

TEST_CASE("a failure trace from a CSV file takes its nodes down", "[sim][failures]") {
  TempDir dir;
  {
    std::ofstream csv(dir.path() / "failures.csv");
    csv << "# node failures\ntime_s,node,down_s,cause\n9000,0,3600,PSU\n";
  }
  Scenario scenario = scenario_from(std::string(kTwoNodes) +
                                        "failures:\n"
                                        "  detection: 10m\n"
                                        "  trace: failures.csv\n",
                                    "test.yaml", dir.path());
  REQUIRE(scenario.failures.outages.size() == 1);
  const auto results = sim::run_scenario(scenario);
  CHECK(results.jobs.jct_s[0] == 38'400);  // as the scripted outage at 2h30m
  // Errors name the file, line and column.
  {
    std::ofstream csv(dir.path() / "bad.csv");
    csv << "time_s,node,down_s\n100,0,60\n200,7,60\n";
  }
  const InputError error = input_error_of(
      [&] { scenario_from(std::string(kTwoNodes) + "failures: {trace: bad.csv}\n", "test.yaml", dir.path()); });
  CHECK(error.where().line == 3);
  CHECK(std::string(error.what()).find("a node id from 0 to 1") != std::string::npos);
}

TEST_CASE("failures: bad input names the field", "[sim][failures][errors]") {
  const auto error_of = [](const std::string& failures) {
    return std::string(input_error_of([&] { scenario_from(std::string(kTwoNodes) + failures); }).what());
  };
  CHECK(error_of("failures: {models: [{node_groups: [c], mtbf: 1h, repair: 1h}]}\n")
            .find("failures.models[0].node_groups[0]") != std::string::npos);
  CHECK(error_of("failures: {models: [{mtbf: 1h, repair: 1h}, {node_groups: [a], mtbf: 2h, repair: 1h}]}\n")
            .find("one failure model per node group") != std::string::npos);
  CHECK(error_of("failures: {models: [{repair: 1h}]}\n").find("mtbf") != std::string::npos);
  CHECK(error_of("failures: {outages: [{at: 1h, duration: 1h, node: 0, rack: 0}]}\n")
            .find("exactly one of node, rack, node_group or region") != std::string::npos);
  CHECK(error_of("failures: {outages: [{at: 1h, duration: 1h, node: 2}]}\n").find("failures.outages[0].node") !=
        std::string::npos);
  CHECK(error_of("failures: {outages: [{at: 1h, duration: 1h, region: mars}]}\n").find("default") != std::string::npos);
  CHECK(error_of("failures: {trace: missing.csv}\n").find("does not exist") != std::string::npos);
  CHECK(error_of("failures: {detection: 1h, typo: 1}\n").find("typo") != std::string::npos);
  CHECK(error_of("run: {engine: simgrid}\nfailures: {detection: 1m}\n").find("run.engine: native") !=
        std::string::npos);
}
