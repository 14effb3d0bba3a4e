// `capsim sweep` and `capsim plan` as a user runs them: the files they
// write, the same bytes on one core and on two, and clear errors.
#include <catch2/catch.hpp>

#include "tests/support/cli.hpp"
#include "tests/support/helpers.hpp"

using capsim::testing::capsim_cli;
using capsim::testing::slurp;
using capsim::testing::TempDir;

namespace {

const char* const kScenario = R"(name: small-sweep
cluster:
  node_groups:
    - {name: v100, gpu: V100, gpus_per_node: 8, count: 4}
workload:
  synthetic: {preset: philly-2017, jobs: 200, jobs_per_hour: 30, max_gpus: 8}
sweep:
  grid:
    cluster.node_groups[v100].count: {from: 2, to: 4, step: 1}
    policies.queue: [fifo, srtf]
)";

}  // namespace

TEST_CASE("capsim sweep writes a table and each point's results, the same on any core count", "[cli][sweep]") {
  TempDir dir;
  dir.write("sweep.yaml", kScenario);
  const auto one = capsim_cli("sweep sweep.yaml -o one -j 1", dir);
  REQUIRE(one.code == 0);
  CHECK(one.out.find("small-sweep: 6 points") != std::string::npos);
  const auto valid = capsim_cli("validate sweep.yaml", dir);
  CHECK(valid.code == 0);
  CHECK(valid.out.find("sweep: 6 points, each a valid scenario") != std::string::npos);
  // `run` runs the scenario as it stands and says where its sweep goes.
  const auto run = capsim_cli("run sweep.yaml -o plain", dir);
  CHECK(run.code == 0);
  CHECK(run.out.find("the scenario's sweep: block runs with `capsim sweep sweep.yaml`") != std::string::npos);
  CHECK(one.out.find("cluster.node_groups[v100].count") != std::string::npos);
  const auto two = capsim_cli("sweep sweep.yaml -o two -j 2 -q", dir);
  REQUIRE(two.code == 0);
  CHECK(two.out.empty());
  CHECK(slurp(dir.path() / "one/sweep.csv") == slurp(dir.path() / "two/sweep.csv"));
  CHECK(slurp(dir.path() / "one/sweep.h5") == slurp(dir.path() / "two/sweep.h5"));
  const std::string csv = slurp(dir.path() / "one/sweep.csv");
  CHECK(csv.rfind("point,cluster.node_groups[v100].count,policies.queue,status,nodes,gpus,", 0) == 0);
  CHECK(std::count(csv.begin(), csv.end(), '\n') == 7);
  CHECK(csv.find("\n5,4,srtf,complete,4,32,") != std::string::npos);
  // Each point's own results, as `capsim run` writes them.
  CHECK(std::filesystem::exists(dir.path() / "one/points/point-0005/results.h5"));
  CHECK(slurp(dir.path() / "one/points/point-0005/summary.json").find("\"queue_policy\": \"srtf\"") !=
        std::string::npos);
  // --table-only: the table alone.
  REQUIRE(capsim_cli("sweep sweep.yaml -o three --table-only -q", dir).code == 0);
  CHECK_FALSE(std::filesystem::exists(dir.path() / "three/points"));
  CHECK(slurp(dir.path() / "three/sweep.csv") == csv);
}

TEST_CASE("capsim sweep refuses what it cannot run", "[cli][sweep]") {
  TempDir dir;
  const std::string base(kScenario, std::string(kScenario).find("sweep:"));
  dir.write("plain.yaml", base);
  const auto none = capsim_cli("sweep plain.yaml", dir);
  CHECK(none.code == 2);
  CHECK(none.err.find("plain.yaml: sweep: expected a sweep: block") != std::string::npos);
  dir.write("bad.yaml", base + "sweep:\n  grid:\n    cluster.node_groups[a100].count: [2]\n");
  const auto bad = capsim_cli("sweep bad.yaml", dir);
  CHECK(bad.code == 2);
  CHECK(bad.err.find("bad.yaml:9:") != std::string::npos);
  CHECK(bad.err.find("an item of cluster.node_groups") != std::string::npos);
  dir.write("policy.yaml", base + "sweep:\n  grid:\n    policies.queue: [fifo, nosuch]\n");
  const auto policy = capsim_cli("sweep policy.yaml", dir);
  CHECK(policy.code == 2);
  CHECK(policy.err.find("nosuch") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir.path() / "results/policy/sweep.csv"));  // nothing ran
}

TEST_CASE("capsim plan prints the recommendation and writes plan.csv and plan.json", "[cli][plan]") {
  TempDir dir;
  // Eight 8-GPU jobs of an hour at time 0: no wait needs eight nodes.
  std::string jobs;
  for (int i = 0; i < 8; ++i) jobs += "    - {id: j" + std::to_string(i) + ", submit: 0s, gpus: 8, duration: 1h}\n";
  const std::string base =
      "name: small-plan\ncluster:\n  node_groups:\n    - {name: v100, gpu: V100, gpus_per_node: 8, "
      "count: 1}\nworkload:\n  jobs:\n" +
      jobs;
  dir.write("plan.yaml", base +
                             "plan:\n  node_groups: {v100: {max: 12}}\n  constraints:\n"
                             "    - {metric: queueing_delay_max_s, max: 0s}\n");
  const auto plan = capsim_cli("plan plan.yaml -o out", dir);
  REQUIRE(plan.code == 0);
  CHECK(plan.out.find("recommended    v100 8 nodes") != std::string::npos);
  CHECK(std::filesystem::exists(dir.path() / "out/plan.csv"));
  CHECK(slurp(dir.path() / "out/plan.json").find("\"v100\": 8") != std::string::npos);
  // The report reads the plan folder.
  REQUIRE(capsim_cli("report out", dir).code == 0);
  CHECK(slurp(dir.path() / "out/report.html").find("<svg") != std::string::npos);

  dir.write("none.yaml", base);
  const auto none = capsim_cli("plan none.yaml", dir);
  CHECK(none.code == 2);
  CHECK(none.err.find("none.yaml: plan: expected a plan: block") != std::string::npos);
  dir.write("typo.yaml", base +
                             "plan:\n  node_groups: {v100: {max: 4}}\n  constraints:\n"
                             "    - {metric: queueing_delay_mx_s, max: 0s}\n");
  const auto typo = capsim_cli("plan typo.yaml", dir);
  CHECK(typo.code == 2);
  CHECK(typo.err.find("typo.yaml:18:16: plan.constraints[0].metric") != std::string::npos);
  CHECK(typo.err.find("did you mean queueing_delay_max_s?") != std::string::npos);
}
