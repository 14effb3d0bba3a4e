// Golden decision logs (STYLE.md): for a few small scenarios, the arrivals,
// decisions and ends with their simulated times are kept in tests/golden/.
// A change of behaviour shows as a readable diff and is accepted on purpose
// only: rerun with CAPSIM_UPDATE_GOLDEN=1 to rewrite the files, and review
// the diff before committing it.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "tests/support/helpers.hpp"

using namespace capsim;

namespace {

std::string decision_log(const std::filesystem::path& scenario_path) {
  const Scenario scenario = load_scenario(scenario_path);
  std::ostringstream log;
  sim::RunOptions options;
  options.decision_log = &log;
  sim::run_scenario(scenario, options);
  return log.str();
}

void check_golden(const std::string& name) {
  const auto root = capsim::testing::source_dir();
  const std::string log = decision_log(root / "tests/data/golden" / (name + ".yaml"));
  const auto golden = root / "tests/golden" / (name + ".log");
  if (const char* update = std::getenv("CAPSIM_UPDATE_GOLDEN"); update && std::string(update) == "1") {
    std::ofstream(golden) << log;
    WARN("rewrote " << golden.string());
    return;
  }
  std::ifstream in(golden);
  REQUIRE(in.good());
  std::stringstream expected;
  expected << in.rdbuf();
  if (expected.str() != log) {
    // Show the first differing line rather than two whole logs.
    std::istringstream a(expected.str()), b(log);
    std::string la, lb;
    int line = 0;
    while (true) {
      const bool more_a = static_cast<bool>(std::getline(a, la));
      const bool more_b = static_cast<bool>(std::getline(b, lb));
      ++line;
      if (!more_a && !more_b) break;
      if (la != lb || more_a != more_b) {
        FAIL(golden.string() << ":" << line << ": expected\n  " << la << "\nbut the run gave\n  " << lb
                             << "\n(CAPSIM_UPDATE_GOLDEN=1 rewrites it, if the change is intended)");
      }
    }
  }
}

}  // namespace

TEST_CASE("golden: mixed cluster, strict FIFO, best fit", "[sim][golden]") {
  check_golden("mixed_fifo_best_fit");
}

TEST_CASE("golden: synthetic day, FIFO with skipping, first fit", "[sim][golden]") {
  check_golden("synthetic_skip_first_fit");
}

TEST_CASE("invariants of the golden scenarios", "[sim][golden]") {
  const auto root = capsim::testing::source_dir();
  const auto mixed = sim::run_scenario(load_scenario(root / "tests/data/golden/mixed_fifo_best_fit.yaml"));
  // huge (13 V100 GPUs, the cluster has 12) is rejected; the rest end.
  CHECK(mixed.summary.jobs_rejected == 1);
  CHECK(mixed.summary.jobs_failed == 1);
  CHECK(mixed.summary.jobs_completed == 5);
  // "behind" waits for "blocked" under strict FIFO: it cannot start first.
  CHECK(mixed.jobs.start_s[5] >= mixed.jobs.start_s[4]);
  const auto synthetic = sim::run_scenario(load_scenario(root / "tests/data/golden/synthetic_skip_first_fit.yaml"));
  CHECK(synthetic.summary.jobs_submitted == synthetic.summary.jobs_completed);
  CHECK(synthetic.summary.gpu_utilisation > 0);
  CHECK(synthetic.summary.gpu_utilisation <= 1);
}
