// `capsim report` as a user runs it: the page lands in the folder (or at
// -o), the same bytes from two processes, and exit 2 with the path for a
// folder that is not a result folder or a results.h5 that is not one.
#include <catch2/catch.hpp>

#include <string>

#include "tests/support/cli.hpp"
#include "tests/support/helpers.hpp"

using capsim::testing::capsim_cli;
using capsim::testing::slurp;
using capsim::testing::TempDir;

namespace {

const char* kScenario =
    "name: report-cli\n"
    "cluster: {node_groups: [{gpu: V100, gpus_per_node: 8, count: 2}]}\n"
    "workload:\n"
    "  synthetic: {preset: philly-2017, span: 1d, jobs_per_hour: 3, max_gpus: 8, users: 2}\n"
    "run: {seed: 9, metrics_interval: 2h}\n";

}  // namespace

TEST_CASE("capsim report writes RESULT_DIR/report.html, or -o, the same bytes each time", "[cli][report]") {
  TempDir dir;
  dir.write("scenario.yaml", kScenario);
  REQUIRE(capsim_cli("run scenario.yaml -o run -q", dir).code == 0);

  const auto first = capsim_cli("report run", dir);
  REQUIRE(first.code == 0);
  CHECK(first.out == "run/report.html\n");
  const std::string page = slurp(dir.path() / "run/report.html");
  CHECK(page.find("<title>capsim report: report-cli</title>") != std::string::npos);
  CHECK(page.find("<svg ") != std::string::npos);

  REQUIRE(capsim_cli("report run -o elsewhere.html", dir).code == 0);
  CHECK(slurp(dir.path() / "elsewhere.html") == page);
}

TEST_CASE("capsim report refuses what is not a result folder with exit 2", "[cli][report]") {
  TempDir dir;
  const auto missing = capsim_cli("report no-such-folder", dir);
  CHECK(missing.code == 2);
  CHECK(missing.err.find("no-such-folder") != std::string::npos);
  CHECK(missing.err.find("expected a result folder") != std::string::npos);

  std::filesystem::create_directories(dir.path() / "broken");
  dir.write("broken/results.h5", "this is not HDF5");
  const auto corrupt = capsim_cli("report broken", dir);
  CHECK(corrupt.code == 2);
  CHECK(corrupt.err.find("broken/results.h5") != std::string::npos);
  CHECK(corrupt.err.find("HDF5") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir.path() / "broken/report.html"));

  CHECK(capsim_cli("report", dir).code == 2);  // no folder given
}
