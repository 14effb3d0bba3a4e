// Scenario loading: what a valid scenario becomes, and for each class of
// mistake, an error that names the right line, field and expectation.
#include <catch2/catch.hpp>

#include <string>

#include "core/scenario.hpp"
#include "tests/support/helpers.hpp"

using namespace capsim;
using capsim::testing::input_error_of;
using capsim::testing::scenario_from;
using capsim::testing::TempDir;

namespace {

const char* kValid = R"(name: small
description: two groups
gpu_catalog:
  - name: A100-80GB
    usd_per_hour: 2.5
  - name: MI300X
    base: H100
    memory: 192GiB
    relative_speed: 5.5
cluster:
  nodes_per_rack: 2
  node_groups:
    - {name: old, gpu: V100, gpus_per_node: 8, count: 3, cpus: 64, memory: 512GiB}
    - {name: new, gpu: a100-80gb, gpus_per_node: 4, count: 2, nodes_per_rack: 1}
workload:
  jobs:
    - {id: late, submit: 2h, gpus: 2, duration: 30m}
    - {id: early, submit: 10m, gpus: 12, duration: 1h, gpu_type: V100, user: ana, state: failed}
policies:
  queue: {name: fifo, skip_blocked: true}
  placement: first_fit
run:
  seed: 7
  horizon: 2d
  metrics_interval: 15m
)";

// The error of loading `yaml` as "s.yaml".
InputError error_of(const std::string& yaml) {
  return input_error_of([&] { scenario_from(yaml, "s.yaml"); });
}

// The error of loading kValid with one line replaced.
InputError error_with(const std::string& from, const std::string& to) {
  std::string text = kValid;
  const auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  text.replace(at, from.size(), to);
  return input_error_of([&] { scenario_from(text, "s.yaml"); });
}

}  // namespace

TEST_CASE("a valid scenario loads with every field", "[core][scenario]") {
  const Scenario s = scenario_from(kValid);
  CHECK(s.name == "small");
  CHECK(s.description == "two groups");
  REQUIRE(s.cluster.node_groups.size() == 2);
  const NodeGroupSpec& old = s.cluster.node_groups[0];
  CHECK(s.catalog.at(old.gpu_type).name == "V100");
  CHECK(old.gpus_per_node == 8);
  CHECK(old.count == 3);
  CHECK(old.cpu_milli == 64'000);
  CHECK(old.memory_mib == 512 * 1024);
  CHECK(old.nodes_per_rack == 2);
  CHECK(s.cluster.node_groups[1].nodes_per_rack == 1);
  CHECK(s.catalog.at(s.cluster.node_groups[1].gpu_type).name == "A100-80GB");
  CHECK(s.catalog.at(*s.catalog.find("A100-80GB")).usd_per_hour == 2.5);
  CHECK(s.catalog.at(*s.catalog.find("A100-80GB")).peak_watts == 400);  // kept from the built-in
  const GpuType& mi300 = s.catalog.at(*s.catalog.find("MI300X"));
  CHECK(mi300.relative_speed == 5.5);
  CHECK(mi300.memory_mib == 192 * 1024);
  CHECK(mi300.peak_watts == 700);  // from its base, H100

  // Listed jobs are sorted by submit time.
  REQUIRE(s.workload.jobs.size() == 2);
  const JobSpec& early = s.workload.jobs[0];
  CHECK(early.name == "early");
  CHECK(early.submit == Time::zero() + Duration::minutes(10));
  CHECK(early.gpus() == 12);
  CHECK(early.outcome == JobOutcome::kFailed);
  CHECK(early.user == "ana");
  CHECK(early.work == 12.0 * 3600e6);  // recorded on a V100 (speed 1)
  CHECK(s.workload.jobs[1].name == "late");

  CHECK(s.queue_policy.name == "fifo");
  CHECK(s.queue_policy.params != nullptr);
  CHECK(s.placement_policy.name == "first_fit");
  CHECK(s.placement_policy.params == nullptr);
  CHECK(s.run.seed == 7);
  CHECK(s.run.horizon == Duration::days(2));
  CHECK(s.run.metrics_interval == Duration::minutes(15));
}

TEST_CASE("defaults: fifo, best_fit, seed 1, hourly metrics", "[core][scenario]") {
  const Scenario s = scenario_from(
      "cluster: {node_groups: [{gpu: T4, gpus_per_node: 4, count: 1}]}\n"
      "workload: {jobs: [{submit: 0s, gpus: 1, duration: 1s}]}\n",
      "dir/defaults.yaml");
  CHECK(s.name == "defaults");
  CHECK(s.queue_policy.name == "fifo");
  CHECK(s.placement_policy.name == "best_fit");
  CHECK(s.run.seed == 1);
  CHECK(s.run.metrics_interval == Duration::hours(1));
  CHECK_FALSE(s.run.horizon.has_value());
}

TEST_CASE("an unknown key names its line and the closest known key", "[core][scenario][errors]") {
  const auto e = error_with("  nodes_per_rack: 2", "  nodes_per_rak: 2");
  CHECK(e.where().file == "s.yaml");
  CHECK(e.where().line == 11);
  CHECK(e.field() == "cluster.nodes_per_rak");
  CHECK(std::string(e.what()).find("did you mean \"nodes_per_rack\"") != std::string::npos);

  const auto top = error_with("run:", "rnu:");
  CHECK(top.field() == "rnu");
  CHECK(top.where().line == 22);
}

TEST_CASE("a wrong type names the field and what it got", "[core][scenario][errors]") {
  const auto e = error_with("count: 3,", "count: three,");
  CHECK(e.where().line == 13);
  CHECK(e.field() == "cluster.node_groups[0].count");
  CHECK(e.expected() == "an integer from 0 to 10000000");
  CHECK(e.got() == "\"three\"");

  const auto list =
      input_error_of([] { scenario_from("cluster: {node_groups: 5}\nworkload: {jobs: []}\n", "s.yaml"); });
  CHECK(list.field() == "cluster.node_groups");
  CHECK(list.expected() == "a list of node groups");
  CHECK(list.where().line == 1);
}

TEST_CASE("a missing field names the map it is missing from", "[core][scenario][errors]") {
  const auto e = error_with("gpus_per_node: 4, ", "");
  CHECK(e.where().line == 14);
  CHECK(e.field() == "cluster.node_groups[1].gpus_per_node");
  CHECK(e.got() == "a missing key");

  const auto no_cluster = input_error_of([] { scenario_from("workload: {jobs: []}\n", "s.yaml"); });
  CHECK(no_cluster.field() == "cluster");
}

TEST_CASE("impossible values: negative counts, zero GPUs, idle above peak", "[core][scenario][errors]") {
  const auto negative = error_with("count: 3,", "count: -3,");
  CHECK(negative.field() == "cluster.node_groups[0].count");
  CHECK(negative.got() == "\"-3\"");

  const auto none = input_error_of([] {
    scenario_from(
        "cluster: {node_groups: [{gpu: V100, gpus_per_node: 8, count: 0}]}\n"
        "workload: {jobs: [{submit: 0s, gpus: 1, duration: 1s}]}\n",
        "s.yaml");
  });
  CHECK(none.expected() == "a cluster with at least one GPU");

  const auto watts = error_with("    relative_speed: 5.5", "    relative_speed: 5.5\n    idle_watts: 900");
  CHECK(watts.field() == "gpu_catalog[1].idle_watts");
  CHECK(watts.where().line == 10);
}

TEST_CASE("a job larger than any pool is refused at its gpus field", "[core][scenario][errors]") {
  // The V100 pool has 3 x 8 = 24 GPUs.
  const auto e = error_with("gpus: 12, duration: 1h, gpu_type: V100", "gpus: 25, duration: 1h, gpu_type: V100");
  CHECK(e.where().line == 18);
  CHECK(e.field() == "workload.jobs[1].gpus");
  CHECK(e.expected().find("at most 24 GPUs") != std::string::npos);
  CHECK(e.got() == "25");

  // Any type: the largest pool is the V100s' 24 (the A100 pool has 8).
  const auto any = error_with("{id: late, submit: 2h, gpus: 2,", "{id: late, submit: 2h, gpus: 30,");
  CHECK(any.expected().find("at most 24 GPUs, the largest pool") != std::string::npos);
}

TEST_CASE("a job whose GPU memory no GPU of the cluster has is refused", "[core][scenario][errors]") {
  // V100s have 16 GiB, A100-80GBs 80 GiB: 40 GiB is fine on the A100 pool of
  // 8 GPUs, not for 10 GPUs; 100 GiB nowhere.
  const std::string cluster =
      "cluster: {node_groups: [{gpu: V100, gpus_per_node: 8, count: 2}, {gpu: A100-80GB, gpus_per_node: 8, count: "
      "1}]}\n";
  const auto none = error_of(cluster + "workload: {jobs: [{submit: 0s, gpus: 1, duration: 1s, gpu_memory: 100GiB}]}\n");
  CHECK(none.field() == "workload.jobs[0].gpu_memory");
  CHECK(none.where().line == 2);
  CHECK(none.expected().find("at most 0 GPUs") != std::string::npos);
  const Scenario s =
      scenario_from(cluster + "workload: {jobs: [{submit: 0s, gpus: 8, duration: 1s, gpu_memory: 40GiB}]}\n");
  CHECK(s.workload.jobs[0].request.gpu_memory_mib == 40 * 1024);
  const auto too_many =
      error_of(cluster + "workload: {jobs: [{submit: 0s, gpus: 10, duration: 1s, gpu_memory: 40GiB}]}\n");
  CHECK(too_many.field() == "workload.jobs[0].gpu_memory");
  CHECK(too_many.expected().find("at most 8 GPUs") != std::string::npos);
}

TEST_CASE("synthetic jobs too large for the cluster need max_gpus", "[core][scenario][errors]") {
  const std::string cluster = "cluster: {node_groups: [{gpu: V100, gpus_per_node: 8, count: 2}]}\n";
  const auto e = error_of(cluster + "workload:\n  synthetic: {preset: philly-2017, span: 1d}\n");
  CHECK(e.field() == "workload.synthetic.gpus");
  CHECK(e.where().line == 3);
  CHECK(e.expected().find("set max_gpus") != std::string::npos);
  CHECK(e.got() == "jobs of up to 128 GPUs");
  const Scenario ok =
      scenario_from(cluster + "workload:\n  synthetic: {preset: philly-2017, span: 1d, max_gpus: 16}\n");
  CHECK(ok.workload.synthetic->gpu_weights.back().first == 16);
}

TEST_CASE("unknown GPU types and bad durations", "[core][scenario][errors]") {
  const auto gpu = error_with("gpu: V100, gpus_per_node: 8", "gpu: V1000, gpus_per_node: 8");
  CHECK(gpu.field() == "cluster.node_groups[0].gpu");
  CHECK(gpu.expected().find("V100") != std::string::npos);
  CHECK(gpu.got() == "\"V1000\"");

  const auto duration = error_with("submit: 2h,", "submit: 2 hours,");
  CHECK(duration.field() == "workload.jobs[0].submit");
  CHECK(duration.where().line == 17);

  const auto interval = error_with("metrics_interval: 15m", "metrics_interval: 10ms");
  CHECK(interval.field() == "run.metrics_interval");
  CHECK(interval.expected() == "a duration of at least 1s");
}

TEST_CASE("an unknown engine is refused, naming the engines there are", "[core][scenario][errors]") {
  const auto e = error_with("  seed: 7", "  seed: 7\n  engine: ns3");
  CHECK(e.field() == "run.engine");
  CHECK(e.where().line == 24);
  CHECK_THAT(e.expected(), Catch::Contains("native") && Catch::Contains("simgrid") && Catch::Contains("real"));
}

TEST_CASE("a trace path is resolved against the scenario's folder", "[core][scenario]") {
  TempDir dir;
  dir.write("jobs.csv", "submit_s,gpus,duration_s\n0,1,10\n");
  const std::string yaml =
      "cluster: {node_groups: [{gpu: V100, gpus_per_node: 8, count: 1}]}\n"
      "workload: {trace: {format: csv, path: jobs.csv}}\n";
  const Scenario s = scenario_from(yaml, "x.yaml", dir.path());
  CHECK(s.workload.trace->path == dir.path() / "jobs.csv");
  const auto missing = input_error_of([&] { scenario_from(yaml, "x.yaml", dir.path() / "elsewhere"); });
  CHECK(missing.field() == "workload.trace.path");
  CHECK(missing.where().line == 2);
  const auto format = input_error_of([&] {
    scenario_from(
        "cluster: {node_groups: [{gpu: V100, gpus_per_node: 8, count: 1}]}\n"
        "workload: {trace: {format: borg, path: jobs.csv}}\n",
        "x.yaml", dir.path());
  });
  CHECK(format.field() == "workload.trace.format");
}

TEST_CASE("the bundled scenarios load", "[core][scenario]") {
  for (const char* name :
       {"scenarios/quickstart.yaml", "scenarios/energy.yaml", "scenarios/carbon.yaml", "scenarios/spot.yaml",
        "scenarios/failures.yaml", "scenarios/notebooks.yaml", "bench/scenarios/million_jobs.yaml"}) {
    INFO(name);
    const Scenario s = load_scenario(capsim::testing::source_dir() / name);
    CHECK_FALSE(s.name.empty());
  }
}

TEST_CASE("a whole file that is not a scenario", "[core][scenario][errors]") {
  CHECK(input_error_of([] { scenario_from("", "e.yaml"); }).expected().find("a map with the keys") !=
        std::string::npos);
  CHECK(input_error_of([] { scenario_from("- a\n- b\n", "e.yaml"); }).got() == "a list");
  CHECK(input_error_of([] { scenario_from("just text", "e.yaml"); }).got() == "\"just text\"");
}

TEST_CASE("listed jobs may ask for a share of one GPU, or for CPU only", "[core][scenario][sharing]") {
  const Scenario s = scenario_from(
      "cluster: {node_groups: [{gpu: V100, gpus_per_node: 4, count: 1, cpus: 16}, {gpu: H100, gpus_per_node: 8, "
      "count: 1}]}\n"
      "workload:\n  jobs:\n"
      "    - {id: q, submit: 0s, gpus: 0.25, duration: 1h}\n"
      "    - {id: h, submit: 1s, gpus: 0.5, duration: 1h, recorded_on: H100, state: running}\n"
      "    - {id: t, submit: 2s, gpus: 0.001, duration: 1s}\n"
      "    - {id: c, submit: 3s, gpus: 0, cpus: 2.5, memory: 1GiB, duration: 10m}\n");
  REQUIRE(s.workload.jobs.size() == 4);
  const JobSpec& q = s.workload.jobs[0];
  CHECK(q.request.gpu_milli == 250);
  CHECK(q.gpus() == 0);
  CHECK(q.request.is_gpu_share());
  CHECK(q.work == 3600e6 * 0.25);  // recorded on a V100 (speed 1)
  const JobSpec& h = s.workload.jobs[1];
  CHECK(h.request.gpu_milli == 500);
  CHECK(h.work == 3600e6 * 0.5 * 4.4);
  CHECK(h.outcome == JobOutcome::kRunning);
  CHECK(s.workload.jobs[2].request.gpu_milli == 1);
  const JobSpec& c = s.workload.jobs[3];
  CHECK(c.request.is_cpu_only());
  CHECK(c.request.cpu_milli == 2'500);
  CHECK(c.request.memory_mib == 1'024);
  CHECK(c.work == 600e6);  // a CPU-only job's work is its run time in us
}

TEST_CASE("listed jobs: shares that are not thousandths, CPU-only jobs with nowhere to run",
          "[core][scenario][sharing][errors]") {
  const std::string cluster = "cluster: {node_groups: [{gpu: V100, gpus_per_node: 4, count: 1}]}\n";
  const auto job_error = [&](const std::string& job, const std::string& groups = "") {
    return error_of((groups.empty() ? cluster : groups) + "workload:\n  jobs:\n    - " + job + "\n");
  };
  for (const char* gpus : {"1.5", "0.0005", "-1", "\"0.5\"", "[1]"}) {
    INFO(gpus);
    const auto e = job_error(std::string("{submit: 0s, gpus: ") + gpus + ", duration: 1s}");
    CHECK(e.field() == "workload.jobs[0].gpus");
    CHECK(e.where().line == 4);
    CHECK(e.expected().find("a share of one GPU in thousandths") != std::string::npos);
  }
  const auto nothing = job_error("{submit: 0s, gpus: 0, duration: 1s}");
  CHECK(nothing.field() == "workload.jobs[0].gpus");
  CHECK(nothing.expected() == "cpus: for a CPU-only job (gpus: 0)");
  // CPU-only on a cluster whose groups do not model CPU.
  const auto no_cpu = job_error("{submit: 0s, gpus: 0, cpus: 4, duration: 1s}");
  CHECK(no_cpu.field() == "workload.jobs[0].cpus");
  CHECK(no_cpu.expected().find("a node group that models CPU") != std::string::npos);
  // ... or only in groups of another GPU type than the job's.
  const auto other_type = job_error("{submit: 0s, gpus: 0, cpus: 4, duration: 1s, gpu_type: V100}",
                                    "cluster: {node_groups: [{gpu: V100, gpus_per_node: 4, count: 1}, "
                                    "{gpu: T4, gpus_per_node: 4, count: 1, cpus: 8}]}\n");
  CHECK(other_type.field() == "workload.jobs[0].cpus");
  // A share of a GPU that no GPU of its type has the memory for.
  const auto memory = job_error("{submit: 0s, gpus: 0.5, duration: 1s, gpu_memory: 40GiB}");
  CHECK(memory.field() == "workload.jobs[0].gpu_memory");
  // A cancelled job never ran: nothing to replay.
  const auto cancelled = job_error("{submit: 0s, gpus: 1, duration: 1s, state: cancelled}");
  CHECK(cancelled.field() == "workload.jobs[0].state");
  CHECK(cancelled.expected().find("running") != std::string::npos);
}
