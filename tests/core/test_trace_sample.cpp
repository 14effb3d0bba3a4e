// A trace sampled for the packing experiment of Weng et al. (ATC'23): rows
// drawn at random until their GPU requests reach a share of the cluster,
// seeded, never ending; and the errors of the sample: option.
#include <catch2/catch.hpp>

#include <cmath>
#include <map>

#include "core/scenario.hpp"
#include "core/trace.hpp"
#include "tests/support/helpers.hpp"

using namespace capsim;
using capsim::testing::input_error_of;
using capsim::testing::scenario_from;
using capsim::testing::TempDir;

namespace {

// Four pods: one GPU, half a GPU, two GPUs, CPU only (3.5 GPUs in all); p3
// never ran in the trace (its request counts all the same).
const char* kPods =
    "name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,deletion_time,scheduled_time\n"
    "p0,1000,1024,1,1000,,LS,Running,0,100,0\n"
    "p1,1000,1024,1,500,,LS,Succeeded,10,100,10\n"
    "p2,1000,1024,2,1000,,LS,Succeeded,20,100,20\n"
    "p3,4000,1024,0,0,,LS,Pending,30,100,\n";

// One node of 8 GPUs: 130% is 10.4 GPUs.
std::string scenario_text(const std::string& sample, std::uint64_t seed = 1) {
  return "cluster: {node_groups: [{gpu: V100, gpus_per_node: 8, count: 1, cpus: 64}]}\n"
         "workload:\n"
         "  trace:\n"
         "    format: alibaba-openb\n"
         "    path: pods.csv\n"
         "    sample: " +
         sample + "\nrun: {seed: " + std::to_string(seed) + "}\n";
}

std::vector<JobSpec> draw(const TempDir& dir, const std::string& sample, std::uint64_t seed = 1) {
  const Scenario s = scenario_from(scenario_text(sample, seed), "s.yaml", dir.path());
  auto source = open_workload(s);
  std::vector<JobSpec> jobs;
  JobSpec job;
  while (source->next(job)) jobs.push_back(job);
  return jobs;
}

}  // namespace

TEST_CASE("a sample draws pods until their requests reach the target, and stops at the one that does",
          "[core][trace][sample]") {
  TempDir dir;
  dir.write("pods.csv", kPods);
  const auto jobs = draw(dir, "{with_replacement: true, until_requested_gpus: 130%}");
  // 130% of 8 GPUs = 10,400 thousandths: every draw but the last leaves the
  // requests below it, the last reaches it.
  std::int64_t requested = 0;
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    INFO(i);
    CHECK(requested < 10'400);
    requested += jobs[i].request.gpu_milli;
    CHECK(jobs[i].submit == Time::zero() + Duration::seconds(static_cast<std::int64_t>(i)));  // one a second
    CHECK(std::isinf(jobs[i].work));                                                          // never ends
    CHECK(jobs[i].outcome == JobOutcome::kCompleted);
  }
  CHECK(requested >= 10'400);
  CHECK(jobs.size() >= 3);  // at most 2 GPUs a draw
  // Drawn with replacement, uniformly: over 100 GPUs of requests (about 87
  // draws) every pod comes, the pending p3 too, about as often as the others.
  std::map<std::string, int> names;
  for (const JobSpec& job : draw(dir, "{until_requested_gpus: 100}")) ++names[job.name.substr(0, 2)];
  REQUIRE(names.size() == 4);
  for (const auto& [name, count] : names) CHECK((count > 10 && count < 40));
  CHECK(jobs.front().name.find("#0") != std::string::npos);

  // The same seed draws the same pods; another seed others.
  const auto again = draw(dir, "{with_replacement: true, until_requested_gpus: 130%}");
  REQUIRE(again.size() == jobs.size());
  for (std::size_t i = 0; i < jobs.size(); ++i) CHECK(again[i].name == jobs[i].name);
  const auto other = draw(dir, "{with_replacement: true, until_requested_gpus: 130%}", 2);
  bool differs = other.size() != jobs.size();
  for (std::size_t i = 0; !differs && i < jobs.size(); ++i) differs = other[i].name != jobs[i].name;
  CHECK(differs);
}

TEST_CASE("a sample without replacement draws each pod once", "[core][trace][sample]") {
  TempDir dir;
  dir.write("pods.csv", kPods);
  // 3.5 GPUs in all, below the target: every pod once, then the end.
  auto jobs = draw(dir, "{with_replacement: false, until_requested_gpus: 130%}");
  REQUIRE(jobs.size() == 4);
  std::map<std::string, int> names;
  for (const JobSpec& job : jobs) ++names[job.name.substr(0, 2)];
  CHECK(names == std::map<std::string, int>{{"p0", 1}, {"p1", 1}, {"p2", 1}, {"p3", 1}});
  // A target in GPUs: 1.5 GPUs stops at the draw that reaches it.
  jobs = draw(dir, "{with_replacement: false, until_requested_gpus: 1.5, interval: 10s}");
  std::int64_t requested = 0;
  for (const JobSpec& job : jobs) requested += job.request.gpu_milli;
  CHECK(requested >= 1'500);
  CHECK(requested - jobs.back().request.gpu_milli < 1'500);
  CHECK(jobs.back().submit == Time::zero() + Duration::seconds(10 * static_cast<std::int64_t>(jobs.size() - 1)));
}

TEST_CASE("sample errors name the file, line and field", "[core][trace][sample][errors]") {
  TempDir dir;
  dir.write("pods.csv", kPods);
  const auto error = [&](const std::string& sample) {
    return input_error_of([&] { scenario_from(scenario_text(sample), "s.yaml", dir.path()); });
  };
  const auto negative = error("{until_requested_gpus: -5%}");
  CHECK(negative.field() == "workload.trace.sample.until_requested_gpus");
  CHECK(negative.where().file == "s.yaml");
  CHECK(negative.where().line == 6);
  CHECK(error("{until_requested_gpus: lots}").field() == "workload.trace.sample.until_requested_gpus");
  CHECK(error("{with_replacement: true}").field() == "workload.trace.sample.until_requested_gpus");
  CHECK(error("{until_requested_gpus: 130%, replace: true}").field() == "workload.trace.sample.replace");
  CHECK(error("{until_requested_gpus: 130%, with_replacement: maybe}").field() ==
        "workload.trace.sample.with_replacement");
  CHECK(error("{until_requested_gpus: 130%, interval: 0s}").field() == "workload.trace.sample.interval");
  const auto scaled = input_error_of([&] {
    scenario_from(
        "cluster: {node_groups: [{gpu: V100, gpus_per_node: 8, count: 1}]}\n"
        "workload:\n  trace: {format: alibaba-openb, path: pods.csv, scale: 2,\n"
        "          sample: {until_requested_gpus: 130%}}\n",
        "s.yaml", dir.path());
  });
  CHECK(scaled.field() == "workload.trace.scale");
  CHECK(scaled.where().line == 3);
}
