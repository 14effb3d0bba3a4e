// `capsim compare RESULT BASELINE` as CI runs it: a scenario run under two
// policies, then the gate's exit codes (0 pass, 3 regression, 2 bad input),
// its table, and the JUnit XML and Markdown it writes.
#include <catch2/catch.hpp>

#include <string>

#include "tests/support/cli.hpp"
#include "tests/support/helpers.hpp"

using capsim::testing::capsim_cli;
using capsim::testing::slurp;
using capsim::testing::TempDir;

namespace {

// One node of 4 GPUs; three whole-node jobs: a (100 s) at 0, b (50 s) at 1,
// c (10 s) at 2.
//   fifo: a 0-100, b 100-150, c 150-160: JCTs 100, 149, 158, mean 135.67
//   sjf:  a 0-100, c 100-110, b 110-160: JCTs 100, 108, 159, mean 122.33
// fifo's mean JCT is 10.9% over sjf's and its queueing delays 19-35% over
// (mean 82.33 against 69); the p99 JCTs (157.82, 157.98), the makespan (160)
// and the utilisation agree within 1%.
std::string scenario(const std::string& queue) {
  return "cluster:\n  node_groups:\n    - {name: v, gpu: V100, gpus_per_node: 4, count: 1}\n"
         "workload:\n  jobs:\n"
         "    - {id: a, submit: 0s, gpus: 4, duration: 100s}\n"
         "    - {id: b, submit: 1s, gpus: 4, duration: 50s}\n"
         "    - {id: c, submit: 2s, gpus: 4, duration: 10s}\n"
         "policies: {queue: " +
         queue + "}\n";
}

}  // namespace

TEST_CASE("compare: exit 0 within tolerance, 3 on a regression, 2 on bad input", "[cli][regression]") {
  TempDir dir;
  dir.write("fifo.yaml", scenario("fifo"));
  dir.write("sjf.yaml", scenario("sjf"));
  REQUIRE(capsim_cli("run fifo.yaml -o fifo -q", dir).code == 0);
  REQUIRE(capsim_cli("run sjf.yaml -o sjf -q", dir).code == 0);

  // A run against itself, by folder and by file.
  const auto same = capsim_cli("compare fifo fifo/summary.json", dir);
  CHECK(same.code == 0);
  CHECK(same.out.find("PASS: ") != std::string::npos);
  CHECK(same.out.find("jct_mean_s") != std::string::npos);

  // sjf against a fifo baseline: better mean JCT, the rest within 5%.
  CHECK(capsim_cli("compare sjf fifo", dir).code == 0);

  // fifo against an sjf baseline: mean JCT +10.9%, over the default +5%.
  const auto worse = capsim_cli("compare fifo sjf --junit reports/junit.xml --markdown reports/summary.md", dir);
  CHECK(worse.code == 3);
  CHECK(worse.out.find("REGRESSED") != std::string::npos);
  CHECK(worse.err.find("jct_mean_s rose by 13.3333 (122.333 -> 135.667, +10.90%), beyond the +5% tolerance") !=
        std::string::npos);
  const std::string xml = slurp(dir.path() / "reports/junit.xml");
  CHECK(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
  CHECK(xml.find("name=\"jct_mean_s\"") != std::string::npos);
  CHECK(xml.find("<failure type=\"regression\" message=\"jct_mean_s rose by 13.3333") != std::string::npos);
  const std::string md = slurp(dir.path() / "reports/summary.md");
  CHECK(md.starts_with("### capsim compare: **regression**"));
  CHECK(md.find("| `jct_mean_s` | 122.333 | 135.667 | +13.3333 | +10.90% | +5% | **REGRESSED** |") !=
        std::string::npos);
  // No temporary files left beside them.
  CHECK(std::distance(std::filesystem::directory_iterator(dir.path() / "reports"),
                      std::filesystem::directory_iterator()) == 2);

  // Tolerances on the command line: a wider one passes, and quiet prints nothing.
  const auto wide = capsim_cli("compare fifo sjf --metric avg_jct:+15% --metric p99_jct:+1s -q", dir);
  CHECK(wide.code == 0);
  CHECK(wide.out.empty());
  CHECK(capsim_cli("compare fifo sjf --tolerance 12%", dir).code == 3);  // queueing delay +19%
  CHECK(capsim_cli("compare fifo sjf --tolerance 40%", dir).code == 0);
  CHECK(capsim_cli("compare fifo sjf --metric avg_jct:+5s", dir).code == 3);

  // Bad input: exit 2 and a message naming the argument.
  const auto missing = capsim_cli("compare nowhere sjf", dir);
  CHECK(missing.code == 2);
  CHECK(missing.err.find("nowhere: RESULT: expected a run folder") != std::string::npos);
  const auto typo = capsim_cli("compare fifo sjf --metric avg_jtc:+5%", dir);
  CHECK(typo.code == 2);
  CHECK(typo.err.find("--metric: expected a metric RESULT or BASELINE has (close: avg_jct") != std::string::npos);
  CHECK(capsim_cli("compare fifo sjf --metric avg_jct:+5x", dir).code == 2);
  CHECK(capsim_cli("compare fifo sjf --tolerance 5", dir).code == 2);
  CHECK(capsim_cli("compare fifo", dir).code == 2);
}

TEST_CASE("compare: comparisons pair columns by policy; a missing one fails", "[cli][regression]") {
  TempDir dir;
  dir.write("s.yaml", scenario("fifo"));
  REQUIRE(capsim_cli("run s.yaml --policy fifo,sjf -o both -q -j 1", dir).code == 0);
  REQUIRE(capsim_cli("run s.yaml --policy fifo -o one -q -j 1", dir).code == 0);
  const auto same = capsim_cli("compare both both/compare.json", dir);
  CHECK(same.code == 0);
  CHECK(same.out.find("PASS: ") != std::string::npos);
  // The baseline's sjf column is missing from a result of fifo alone.
  const auto partial = capsim_cli("compare one both", dir);
  CHECK(partial.code == 3);
  CHECK(partial.err.find("sjf+") != std::string::npos);
  CHECK(partial.err.find("in the baseline, missing from the result") != std::string::npos);
  // The other way round, sjf is new in the result: reported, not gated.
  const auto extra = capsim_cli("compare both one", dir);
  CHECK(extra.code == 0);
  CHECK(extra.out.find("in the result only, no baseline (not gated)") != std::string::npos);
}
