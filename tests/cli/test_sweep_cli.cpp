// `capsim sweep` as a user runs it: the files it writes, the same bytes on
// one core and on two, and clear errors.
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
