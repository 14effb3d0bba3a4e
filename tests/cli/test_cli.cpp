// The capsim command line as a user runs it: exit codes, messages on stderr,
// files written, determinism across processes, and SIGINT.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "scheduler/registry.hpp"
#include "tests/support/cli.hpp"
#include "tests/support/helpers.hpp"

using capsim::testing::source_dir;
using capsim::testing::TempDir;

namespace {

using Outcome = capsim::testing::CliOutcome;
using capsim::testing::capsim_cli;
using capsim::testing::slurp;

std::string quickstart() {
  return (source_dir() / "scenarios/quickstart.yaml").string();
}

}  // namespace

TEST_CASE("capsim --version and --help exit 0", "[cli]") {
  TempDir dir;
  const auto version = capsim_cli("--version", dir);
  CHECK(version.code == 0);
  CHECK(version.out.find("capsim 0.1.0") != std::string::npos);
  const auto help = capsim_cli("--help", dir);
  CHECK(help.code == 0);
  CHECK(help.out.find("run") != std::string::npos);
  CHECK(help.out.find("validate") != std::string::npos);
}

TEST_CASE("bad usage exits 2", "[cli]") {
  TempDir dir;
  CHECK(capsim_cli("", dir).code == 2);
  CHECK(capsim_cli("frobnicate", dir).code == 2);
  CHECK(capsim_cli("run", dir).code == 2);
  const auto seed = capsim_cli("run '" + quickstart() + "' --seed -3", dir);
  CHECK(seed.code == 2);
  CHECK(seed.err.find("--seed") != std::string::npos);
}

TEST_CASE("bad input exits 2 with file, line and field on stderr", "[cli]") {
  TempDir dir;
  const auto missing = capsim_cli("run missing.yaml", dir);
  CHECK(missing.code == 2);
  CHECK(missing.err.find("missing.yaml: expected an existing file, got no such file") != std::string::npos);

  dir.write("bad.yaml",
            "cluster:\n  node_groups:\n    - {gpu: V100, gpus_per_node: 8, count: 2, colour: red}\n"
            "workload: {jobs: [{submit: 0s, gpus: 1, duration: 1s}]}\n");
  const auto bad = capsim_cli("run bad.yaml", dir);
  CHECK(bad.code == 2);
  CHECK(bad.err.find("bad.yaml:3:47: cluster.node_groups[0].colour: expected one of the keys") != std::string::npos);
  CHECK(bad.out.empty());
  CHECK(capsim_cli("validate bad.yaml", dir).code == 2);

  dir.write("policy.yaml",
            "cluster: {node_groups: [{gpu: V100, gpus_per_node: 8, count: 2}]}\n"
            "workload: {jobs: [{submit: 0s, gpus: 1, duration: 1s}]}\n"
            "policies: {placement: best-fit}\n");
  const auto policy = capsim_cli("validate policy.yaml", dir);
  CHECK(policy.code == 2);
  CHECK(policy.err.find("policy.yaml:3:23: policies.placement") != std::string::npos);

  dir.write("binary.yaml", std::string("\x7f"
                                       "ELF\x02\x01\x01\0\0\0",
                                       10));
  CHECK(capsim_cli("run binary.yaml", dir).code == 2);
}

TEST_CASE("validate accepts the quickstart", "[cli]") {
  TempDir dir;
  const auto validate = capsim_cli("validate '" + quickstart() + "'", dir);
  CHECK(validate.code == 0);
  CHECK(validate.out.find("valid scenario \"quickstart\": 12 nodes, 96 GPUs") != std::string::npos);
}

TEST_CASE("policies lists every policy with its summary in one column", "[cli]") {
  TempDir dir;
  const auto listed = capsim_cli("policies", dir);
  REQUIRE(listed.code == 0);
  const auto registry = capsim::scheduler::PolicyRegistry::with_builtins();
  std::vector<std::string> expected;
  std::size_t longest = 0;
  for (const auto& entries : {registry.queue_policies(), registry.placement_policies(), registry.autoscaling_policies(),
                              registry.energy_policies()}) {
    for (const auto& entry : entries) {
      expected.push_back(entry.name);
      longest = std::max(longest, entry.name.size());
    }
  }
  REQUIRE(longest > 12);  // best_fit_cpu_gpu: the fixed 12 columns it once had would not do
  // Each entry: two spaces, the name padded to the longest, two spaces, the
  // summary; so every summary starts in column 4 + longest.
  std::istringstream lines(listed.out);
  std::vector<std::string> names;
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind("  ", 0) != 0) continue;  // a heading
    INFO(line);
    const std::size_t name_end = line.find(' ', 2);
    REQUIRE(name_end != std::string::npos);
    names.push_back(line.substr(2, name_end - 2));
    const std::size_t summary = line.find_first_not_of(' ', name_end);
    CHECK(summary == 4 + longest);
  }
  CHECK(names == expected);
}

TEST_CASE("run writes results, prints the summary, and is reproducible", "[cli]") {
  TempDir dir;
  const auto first = capsim_cli("run '" + quickstart() + "' -o a --decision-log a/decisions.log", dir);
  REQUIRE(first.code == 0);
  for (const char* heading : {"jobs", "makespan", "GPU utilisation", "JCT", "queueing delay", "p50", "p95", "p99"}) {
    INFO(heading);
    CHECK(first.out.find(heading) != std::string::npos);
  }
  CHECK(first.err.empty());  // no progress line when stderr is not a terminal
  CHECK(std::filesystem::file_size(dir.path() / "a/results.h5") > 0);
  CHECK(std::filesystem::file_size(dir.path() / "a/decisions.log") > 0);
  const auto second = capsim_cli("run '" + quickstart() + "' -o b -q", dir);
  REQUIRE(second.code == 0);
  CHECK(second.out.empty());
  CHECK(slurp(dir.path() / "a/results.h5") == slurp(dir.path() / "b/results.h5"));
  CHECK(slurp(dir.path() / "a/summary.json") == slurp(dir.path() / "b/summary.json"));
  const auto seeded = capsim_cli("run '" + quickstart() + "' -o c -q --seed 43", dir);
  REQUIRE(seeded.code == 0);
  CHECK(slurp(dir.path() / "c/summary.json").find("\"seed\": 43") != std::string::npos);
}

TEST_CASE("an unwritable output folder is an input error before the run", "[cli]") {
  TempDir dir;
  dir.write("file", "x");
  const auto outcome = capsim_cli("run '" + quickstart() + "' -o file/sub", dir);
  CHECK(outcome.code == 2);
  CHECK(outcome.err.find("-o: expected a folder that can be created and written") != std::string::npos);
}

TEST_CASE("SIGINT stops the run and leaves partial results", "[cli]") {
  TempDir dir;
  const std::string scenario = (source_dir() / "tests/data/long_run.yaml").string();
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    REQUIRE(chdir(dir.path().c_str()) == 0);
    const int null = ::open("/dev/null", O_WRONLY);
    dup2(null, 1);
    dup2(null, 2);
    execl(CAPSIM_BINARY, CAPSIM_BINARY, "run", scenario.c_str(), "-o", "out", static_cast<char*>(nullptr));
    _exit(127);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  kill(child, SIGINT);
  int status = 0;
  waitpid(child, &status, 0);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 130);
  const std::string summary = slurp(dir.path() / "out/summary.json");
  CHECK(summary.find("\"status\": \"partial\"") != std::string::npos);
  CHECK(std::filesystem::file_size(dir.path() / "out/results.h5") > 0);
}
