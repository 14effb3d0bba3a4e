// Several policies side by side: the variants a compare block expands to,
// the averaged table, determinism over threads, and the command line.
#include <catch2/catch.hpp>

#include <cmath>

#include "sim/compare.hpp"
#include "tests/support/cli.hpp"
#include "tests/support/helpers.hpp"

using namespace capsim;
using capsim::testing::capsim_cli;
using capsim::testing::input_error_of;
using capsim::testing::scenario_from;
using capsim::testing::slurp;
using capsim::testing::TempDir;

namespace {
// One V100 node of 4 GPUs. Strict FIFO: a (4 GPUs, 100 s) at 0, b (4 GPUs,
// 10 s) at 1, c (1 GPU, 10 s) at 2: b and c wait for a; b at 100-110, c at
// 110-120. Mean JCT (100 + 109 + 118) / 3 = 109.
// FIFO with skip_blocked: the same here (c cannot pass b: no GPU is free
// while a runs), so the two columns must agree, which the test checks too.
const char* kScenario =
    "cluster:\n  node_groups:\n    - {name: v, gpu: V100, gpus_per_node: 4, count: 1}\n"
    "workload:\n  jobs:\n"
    "    - {id: a, submit: 0s, gpus: 4, duration: 100s}\n"
    "    - {id: b, submit: 1s, gpus: 4, duration: 10s}\n"
    "    - {id: c, submit: 2s, gpus: 1, duration: 10s}\n";

double metric(const sim::ComparedColumn& column, std::string_view name) {
  for (const sim::Metric& m : column.mean) {
    if (m.name == name) return m.value;
  }
  FAIL("no metric " << name);
  return 0;
}
}  // namespace

TEST_CASE("a compare block expands into queue x placement x seed variants", "[sim][compare]") {
  const Scenario s = scenario_from(std::string(kScenario) +
                                   "compare:\n  queue: [fifo, {name: fifo, skip_blocked: true}]\n"
                                   "  placement: [best_fit, first_fit]\n  seeds: [3, 4]\n");
  const auto variants = sim::expand_variants(s);
  REQUIRE(variants.size() == 8);
  CHECK(variants[0].label == "fifo+best_fit/seed-3");
  CHECK(variants[1].label == "fifo+best_fit/seed-4");
  CHECK(variants[2].label == "fifo+first_fit/seed-3");
  // The second fifo has parameters of its own: its own column.
  CHECK(variants[4].label == "fifo+best_fit#2/seed-3");
  CHECK(variants[4].scenario.queue_policy.params != nullptr);
  CHECK(variants[7].scenario.run.seed == 4);
  CHECK(variants[7].scenario.compare.empty());
}

TEST_CASE("a comparison averages over seeds and tables each policy pair", "[sim][compare]") {
  Scenario s = scenario_from(std::string(kScenario) +
                             "compare:\n  queue: [fifo, {name: fifo, skip_blocked: true}]\n  seeds: [1, 2]\n");
  sim::CompareOptions options;
  options.threads = 1;
  const sim::Comparison one = sim::run_comparison(sim::expand_variants(s), options);
  REQUIRE(one.columns.size() == 2);
  CHECK(one.columns[0].policies == "fifo+best_fit");
  CHECK(one.columns[0].seeds == std::vector<std::uint64_t>{1, 2});
  CHECK(metric(one.columns[0], "jct_mean_s") == 109);
  CHECK(metric(one.columns[1], "jct_mean_s") == 109);
  CHECK(metric(one.columns[0], "jobs_completed") == 3);
  CHECK(std::isnan(one.columns[0].stddev[0]) == false);
  CHECK(one.columns[0].stddev[0] == 0);  // the listed jobs do not depend on the seed
  // Two threads give the same numbers, bit for bit.
  options.threads = 2;
  const sim::Comparison two = sim::run_comparison(sim::expand_variants(s), options);
  CHECK(sim::comparison_csv(one) == sim::comparison_csv(two));
  const std::string table = sim::format_comparison(one);
  CHECK(table.find("fifo+best_fit#2") != std::string::npos);
  CHECK(table.find("mean JCT") != std::string::npos);
  CHECK(table.find("1m 49s") != std::string::npos);  // 109 s
}

TEST_CASE("the comparison table groups large means and keeps small ones exact", "[sim][compare]") {
  sim::Comparison c;
  c.columns.push_back({"fifo+fgd", {1, 2}, {{"jobs_pending_at_end", "jobs left waiting", "", 1792.6}}, {19.32}});
  c.columns.push_back({"fifo+best_fit", {1, 2}, {{"jobs_pending_at_end", "jobs left waiting", "", 1791}}, {21.7}});
  c.columns.push_back({"fifo+random", {1, 2}, {{"jobs_pending_at_end", "jobs left waiting", "", 12.25}}, {0}});
  const std::string table = sim::format_comparison(c);
  CHECK(table.find("1,793 ±19.32") != std::string::npos);
  CHECK(table.find("1,791 ±21.70") != std::string::npos);
  CHECK(table.find("12.25") != std::string::npos);
  CHECK(table.find("1792") == std::string::npos);
}

TEST_CASE("compare blocks are checked", "[sim][compare]") {
  auto e = input_error_of([] { scenario_from(std::string(kScenario) + "compare: {}\n"); });
  CHECK(e.field() == "compare");
  e = input_error_of([] { scenario_from(std::string(kScenario) + "compare: {queue: fifo}\n"); });
  CHECK(e.field() == "compare.queue");
  e = input_error_of([] { scenario_from(std::string(kScenario) + "compare: {seeds: [1, -2]}\n"); });
  CHECK(e.field() == "compare.seeds[1]");
  e = input_error_of([] { scenario_from(std::string(kScenario) + "compare: {queues: [fifo]}\n"); });
  CHECK(e.field() == "compare.queues");
}

TEST_CASE("capsim run --policy prints policies side by side", "[cli][compare]") {
  TempDir dir;
  std::ofstream(dir.path() / "s.yaml") << kScenario;
  const auto ok = capsim_cli("run s.yaml --policy fifo,best_fit,first_fit --seeds 1-2 -o out -j 2", dir);
  REQUIRE(ok.code == 0);
  CHECK(ok.out.find("fifo+best_fit") != std::string::npos);
  CHECK(ok.out.find("fifo+first_fit") != std::string::npos);
  CHECK(std::filesystem::exists(dir.path() / "out/fifo+first_fit/seed-2/results.h5"));
  const std::string csv = slurp(dir.path() / "out/compare.csv");
  CHECK(csv.find("fifo+first_fit,jct_mean_s,s,109,0,2") != std::string::npos);
  const auto bad = capsim_cli("run s.yaml --policy fifo,bestfit -o out2", dir);
  CHECK(bad.code == 2);
  CHECK(bad.err.find("--policy") != std::string::npos);
  CHECK(bad.err.find("bestfit") != std::string::npos);
  const auto bad_seeds = capsim_cli("run s.yaml --seeds 5-1 -o out3", dir);
  CHECK(bad_seeds.code == 2);
  CHECK(bad_seeds.err.find("--seeds") != std::string::npos);
}
