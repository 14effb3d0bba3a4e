// `capsim trace stats|fit|generate` and `--trace` as a user runs them: the
// built binary on small hand-made files, exit codes, messages on stderr,
// files written whole, and a generated trace replaying exactly as the
// synthetic workload it came from.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "tests/support/cli.hpp"
#include "tests/support/helpers.hpp"

using capsim::testing::TempDir;

namespace {

using Outcome = capsim::testing::CliOutcome;
using capsim::testing::capsim_cli;
using capsim::testing::slurp;

std::size_t count_lines(const std::string& text) {
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

// Files in `dir` other than the captured stdout and stderr.
std::vector<std::string> files_in(const TempDir& dir) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    const std::string name = entry.path().filename().string();
    if (name != "stdout.txt" && name != "stderr.txt") names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

// Four jobs on a clock without dates (seconds from 100): GPU-hours
// 1 x 3600 + 2 x 1800 + 0.5 x 7200 = 10800 GPU-s = 3; one cancelled.
const char* kTrace =
    "job_id,submit_s,gpus,duration_s,user,state\n"
    "a,100,1,3600,ana,completed\n"
    "b,3700,2,1800,bob,failed\n"
    "c,7300,0.5,7200,ana,\n"
    "d,9000,4,0,bob,cancelled\n";

const char* kCluster = "cluster: {node_groups: [{gpu: V100, gpus_per_node: 8, count: 4}]}\n";

}  // namespace

TEST_CASE("trace stats prints the table and the JSON", "[cli][trace]") {
  TempDir dir;
  dir.write("t.csv", kTrace);
  const auto text = capsim_cli("trace stats t.csv --format csv", dir);
  REQUIRE(text.code == 0);
  INFO(text.out);
  CHECK(text.err.empty());
  CHECK(text.out.find("capsim trace stats  t.csv  (csv)") == 0);
  CHECK(text.out.find("  rows               4 read, none bad\n") != std::string::npos);
  CHECK(text.out.find("  jobs               4: 2 completed, 1 failed, 1 cancelled (never ran)\n") != std::string::npos);
  CHECK(text.out.find("  GPU-hours          3.00\n") != std::string::npos);
  CHECK(text.out.find("  GPUs per job       0.5: 1   1: 1   2: 1   4: 1\n") != std::string::npos);

  const auto json = capsim_cli("trace stats t.csv --format csv --json", dir);
  REQUIRE(json.code == 0);
  const auto j = nlohmann::json::parse(json.out);
  CHECK(j["rows"] == 4);
  CHECK(j["jobs"] == 4);
  CHECK(j["states"]["cancelled"] == 1);
  CHECK(j["gpu_hours"].get<double>() == Approx(3.0));
  CHECK(j["users"]["distinct"] == 2);
  CHECK(j["users"]["top_by_gpu_hours"][0]["name"] == "ana");  // 2 GPU-hours to bob's 1
  // Run times of the three that ran: 1800, 3600, 7200; p50 3600.
  CHECK(j["duration_s"]["p50"] == 3600.0);
  CHECK(j["duration_s"]["max"] == 7200.0);
  CHECK(j["span"]["first_submit_s"] == 100.0);
  CHECK(j["span"]["seconds"] == 8900.0);
  // Hours since the first submit: +0, +3600, +7200, +8900 -> 0, 1, 2, 2.
  CHECK(j["arrivals_by_hour"][0] == 1);
  CHECK(j["arrivals_by_hour"][1] == 1);
  CHECK(j["arrivals_by_hour"][2] == 2);
}

TEST_CASE("trace commands exit 2 on bad input, naming the place", "[cli][trace][errors]") {
  TempDir dir;
  dir.write("t.csv", kTrace);
  const auto missing = capsim_cli("trace stats nope.csv --format csv", dir);
  CHECK(missing.code == 2);
  CHECK(missing.err == "capsim: error: nope.csv: expected an existing file, got no such file\n");
  const auto format = capsim_cli("trace stats t.csv --format cvs", dir);
  CHECK(format.code == 2);
  CHECK(format.err.find("--format: expected a trace format: philly, alibaba-openb, azure-llm, swf, csv, got \"cvs\"") !=
        std::string::npos);
  CHECK(capsim_cli("trace stats t.csv", dir).code == 2);  // --format is required
  CHECK(capsim_cli("trace", dir).code == 2);
  CHECK(capsim_cli("trace frobnicate", dir).code == 2);
  const auto option = capsim_cli("trace stats t.csv --format csv --processors-per-gpu 4", dir);
  CHECK(option.code == 2);
  CHECK(option.err.find("--processors-per-gpu: expected an option of the swf format only") != std::string::npos);
  const auto type = capsim_cli("trace stats t.csv --format csv --recorded-on V200", dir);
  CHECK(type.code == 2);
  CHECK(type.err.find("--recorded-on: expected a GPU type of the catalog") != std::string::npos);
}

TEST_CASE("a bad row stops trace stats unless --skip-bad-rows", "[cli][trace][errors]") {
  TempDir dir;
  dir.write("bad.csv", "submit_s,gpus,duration_s\n0,1,10\n5,x,10\n6,1,10\n");
  const auto stopped = capsim_cli("trace stats bad.csv --format csv", dir);
  CHECK(stopped.code == 2);
  CHECK(stopped.out.empty());
  CHECK(stopped.err.find("capsim: error: bad.csv:3:3: gpus: expected a whole number of GPUs") == 0);
  CHECK(stopped.err.find("got \"x\"") != std::string::npos);

  const auto skipped = capsim_cli("trace stats bad.csv --format csv --skip-bad-rows", dir);
  CHECK(skipped.code == 0);
  CHECK(skipped.out.find("  rows               3 read, 1 bad (skipped)\n") != std::string::npos);
  CHECK(skipped.out.find("  bad rows           1 skipped:\n    bad.csv:3:3: gpus: expected") != std::string::npos);
  const auto json =
      nlohmann::json::parse(capsim_cli("trace stats bad.csv --format csv --skip-bad-rows --json", dir).out);
  CHECK(json["bad_rows"] == 1);
  CHECK(json["jobs"] == 2);
  CHECK(json["first_bad_rows"][0].get<std::string>().find("bad.csv:3:3: gpus:") == 0);

  CHECK(capsim_cli("trace fit bad.csv --format csv", dir).code == 2);
  CHECK(capsim_cli("trace fit bad.csv --format csv --skip-bad-rows -o fit.yaml", dir).code == 0);
}

TEST_CASE("run and validate take --trace in place of the scenario's trace", "[cli][trace]") {
  TempDir dir;
  dir.write("jobs.csv", kTrace);
  dir.write("replay.yaml", std::string(kCluster) + "workload: {trace: {format: csv, path: absent.csv}}\n");
  const auto absent = capsim_cli("validate replay.yaml", dir);
  CHECK(absent.code == 2);
  CHECK(absent.err.find("replay.yaml:2:") != std::string::npos);
  CHECK(absent.err.find(": workload.trace.path: expected an existing trace file") != std::string::npos);
  const auto valid = capsim_cli("validate replay.yaml --trace jobs.csv", dir);
  CHECK(valid.code == 0);
  CHECK(valid.out.find("valid scenario \"replay\"") != std::string::npos);
  const auto missing = capsim_cli("validate replay.yaml --trace nope.csv", dir);
  CHECK(missing.code == 2);
  CHECK(missing.err.find("--trace: expected an existing trace file, got \"nope.csv\"") != std::string::npos);

  const auto run = capsim_cli("run replay.yaml --trace jobs.csv -o out -q", dir);
  REQUIRE(run.code == 0);
  const auto summary = nlohmann::json::parse(slurp(dir.path() / "out/summary.json"));
  CHECK(summary["metrics"]["jobs_submitted"] == 3);  // the cancelled job never replays

  dir.write("synthetic.yaml",
            std::string(kCluster) + "workload: {synthetic: {preset: philly-2017, jobs: 5, max_gpus: 32}}\n");
  const auto no_trace = capsim_cli("validate synthetic.yaml --trace jobs.csv", dir);
  CHECK(no_trace.code == 2);
  CHECK(no_trace.err.find("workload.trace: expected a trace to replace") != std::string::npos);
}

TEST_CASE("a generated trace replays as the synthetic workload it came from", "[cli][trace]") {
  TempDir dir;
  dir.write("synthetic.yaml", std::string(kCluster) +
                                  "workload:\n"
                                  "  synthetic: {preset: philly-2017, jobs: 400, max_gpus: 32, users: 5}\n"
                                  "run: {seed: 11}\n");
  const auto generated = capsim_cli("trace generate synthetic.yaml -o jobs.csv", dir);
  REQUIRE(generated.code == 0);
  CHECK(generated.out.find("jobs.csv: 400 jobs") == 0);
  CHECK(files_in(dir) == std::vector<std::string>{"jobs.csv", "synthetic.yaml"});  // no temporary left
  const std::string csv = slurp(dir.path() / "jobs.csv");
  CHECK(csv.find("# Jobs drawn by `capsim trace generate` from the synthetic workload of synthetic.yaml (seed 11)") ==
        0);
  CHECK(csv.find("\njob_id,submit_s,gpus,duration_s,user\njob-000001,") != std::string::npos);
  CHECK(count_lines(csv) == 402);

  dir.write("replay.yaml",
            std::string(kCluster) + "workload: {trace: {format: csv, path: jobs.csv}}\nrun: {seed: 11}\n");
  REQUIRE(capsim_cli("run synthetic.yaml -o direct -q", dir).code == 0);
  REQUIRE(capsim_cli("run replay.yaml -o replayed -q", dir).code == 0);
  const auto direct = nlohmann::json::parse(slurp(dir.path() / "direct/summary.json"))["metrics"];
  const auto replayed = nlohmann::json::parse(slurp(dir.path() / "replayed/summary.json"))["metrics"];
  // The same jobs, to the microsecond: the replay only starts its clock at
  // the first arrival, so times since submit agree.
  for (const char* key : {"jobs_submitted", "jobs_completed", "jobs_rejected"}) {
    INFO(key);
    CHECK(direct[key] == replayed[key]);
  }
  CHECK(direct["jobs_submitted"] == 400);
  for (const char* key : {"jct_mean_s", "jct_p50_s", "jct_p99_s", "jct_max_s", "queueing_delay_mean_s",
                          "queueing_delay_max_s", "gpu_hours_allocated", "makespan_s", "gpu_utilisation"}) {
    INFO(key);
    CHECK(replayed[key].get<double>() == Approx(direct[key].get<double>()).epsilon(1e-9));
  }

  const auto stats = nlohmann::json::parse(capsim_cli("trace stats jobs.csv --format csv --json", dir).out);
  CHECK(stats["jobs"] == 400);
  CHECK(stats["users"]["distinct"].get<int>() <= 5);
  CHECK(stats["gpu_hours"].get<double>() == Approx(direct["gpu_hours_allocated"].get<double>()).epsilon(1e-9));
}

TEST_CASE("trace generate is deterministic, takes --jobs and --seed, writes stdout", "[cli][trace]") {
  TempDir dir;
  dir.write("synthetic.yaml",
            std::string(kCluster) + "workload: {synthetic: {preset: philly-2017, span: 1d, max_gpus: 32}}\n");
  REQUIRE(capsim_cli("trace generate synthetic.yaml --jobs 1000 -o a.csv", dir).code == 0);
  REQUIRE(capsim_cli("trace generate synthetic.yaml --jobs 1000 -o b.csv", dir).code == 0);
  REQUIRE(capsim_cli("trace generate synthetic.yaml --jobs 1000 -o c.csv --seed 2", dir).code == 0);
  const std::string a = slurp(dir.path() / "a.csv");
  CHECK(count_lines(a) == 1002);  // comment, header, 1,000 jobs: more than one day's 755 or so
  CHECK(a == slurp(dir.path() / "b.csv"));
  const std::string c = slurp(dir.path() / "c.csv");
  CHECK(a.substr(a.find('\n')) != c.substr(c.find('\n')));

  const auto out = capsim_cli("trace generate synthetic.yaml --jobs 3", dir);
  REQUIRE(out.code == 0);
  CHECK(out.out.find("# Jobs drawn") == 0);
  CHECK(count_lines(out.out) == 5);
  CHECK(capsim_cli("trace generate synthetic.yaml --jobs 3 -o -", dir).out == out.out);

  // Without --jobs, the scenario's own span: one day.
  const auto day = capsim_cli("trace generate synthetic.yaml", dir);
  REQUIRE(day.code == 0);
  CHECK(count_lines(day.out) > 500);
  CHECK(count_lines(day.out) < 1000);

  CHECK(capsim_cli("trace generate synthetic.yaml --jobs 0", dir).code == 2);
  CHECK(capsim_cli("trace generate synthetic.yaml --jobs 5 -o missing/dir/x.csv", dir).code == 2);
  dir.write("trace.yaml", std::string(kCluster) + "workload: {jobs: [{submit: 0s, gpus: 1, duration: 1s}]}\n");
  const auto none = capsim_cli("trace generate trace.yaml --jobs 5", dir);
  CHECK(none.code == 2);
  CHECK(none.err.find("workload.synthetic: expected a synthetic workload to draw jobs from") != std::string::npos);
}

TEST_CASE("trace fit writes a workload that generate and the scenario loader read", "[cli][trace]") {
  TempDir dir;
  dir.write("t.csv", kTrace);
  const auto fit = capsim_cli("trace fit t.csv --format csv -o fit.yaml", dir);
  REQUIRE(fit.code == 0);
  CHECK(fit.out.find("fit.yaml: synthetic workload fitted to 2 jobs of t.csv") == 0);
  const std::string yaml = slurp(dir.path() / "fit.yaml");
  INFO(yaml);
  CHECK(yaml.find("# A synthetic workload fitted by `capsim trace fit`") == 0);
  CHECK(yaml.find("# to t.csv (csv): 4 rows, 2 jobs fitted,") != std::string::npos);
  // Left out: the cancelled job and the half-GPU one.
  CHECK(yaml.find("1 cancelled (never ran), 1 on a share of one GPU.") != std::string::npos);
  CHECK(yaml.find("    gpus: {1: 1, 2: 1}") != std::string::npos);
  CHECK(yaml.find("    users: 2") != std::string::npos);
  CHECK(capsim_cli("trace fit t.csv --format csv", dir).out.substr(yaml.find('\n')) == yaml.substr(yaml.find('\n')));

  // A workload-only file generates as it is...
  const auto generated = capsim_cli("trace generate fit.yaml --jobs 50 -o g.csv", dir);
  REQUIRE(generated.code == 0);
  const auto stats = nlohmann::json::parse(capsim_cli("trace stats g.csv --format csv --json", dir).out);
  CHECK(stats["jobs"] == 50);
  for (const auto& [gpus, jobs] : stats["gpus_per_job"].items()) CHECK((gpus == "1" || gpus == "2"));
  // ...and pasted under a cluster it is a scenario.
  dir.write("scenario.yaml", std::string(kCluster) + yaml);
  CHECK(capsim_cli("validate scenario.yaml", dir).code == 0);

  const auto classes = capsim_cli("trace fit t.csv --format csv --classes 4,2", dir);
  CHECK(classes.code == 2);
  CHECK(classes.err.find("--classes: expected ascending GPU counts") != std::string::npos);
  CHECK(capsim_cli("trace fit t.csv --format csv --max-gpus 0", dir).code == 2);
  CHECK(capsim_cli("trace fit t.csv --format csv -o no/such/dir/fit.yaml", dir).code == 2);
}

TEST_CASE("SIGINT stops trace generate and leaves no file", "[cli][trace]") {
  TempDir dir;
  dir.write("synthetic.yaml",
            std::string(kCluster) + "workload: {synthetic: {preset: philly-2017, jobs: 1, max_gpus: 32}}\n");
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    if (chdir(dir.path().c_str()) != 0) _exit(127);
    const int null = ::open("/dev/null", O_WRONLY);
    dup2(null, 1);
    dup2(null, 2);
    execl(CAPSIM_BINARY, CAPSIM_BINARY, "trace", "generate", "synthetic.yaml", "--jobs", "1000000000000", "-o",
          "big.csv", static_cast<char*>(nullptr));
    _exit(127);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(800));
  kill(child, SIGINT);
  int status = 0;
  waitpid(child, &status, 0);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 130);
  CHECK(files_in(dir) == std::vector<std::string>{"synthetic.yaml"});
}

TEST_CASE("run reports what the trace read: skipped rows warn, summary.json tells", "[cli][trace]") {
  TempDir dir;
  dir.write("jobs.csv",
            "job_id,submit_s,gpus,duration_s,state\n"
            "a,0,1,10,completed\n"
            "b,x,1,10,completed\n"
            "c,5,1,0,cancelled\n"
            "d,7,2,10,failed\n");
  dir.write("s.yaml",
            "cluster: {node_groups: [{gpu: V100, gpus_per_node: 8, count: 1}]}\n"
            "workload: {trace: {format: csv, path: jobs.csv, skip_bad_rows: true}}\n");
  const Outcome run = capsim_cli("run s.yaml -o out", dir);
  REQUIRE(run.code == 0);
  CHECK(run.err.find("capsim: warning: skipped 1 bad rows of") != std::string::npos);
  CHECK(run.err.find("jobs.csv:3:") != std::string::npos);
  CHECK(run.out.find("4 rows of csv, 2 jobs replayed, 1 never ran in the trace, 1 BAD ROWS SKIPPED") !=
        std::string::npos);
  const auto summary = nlohmann::json::parse(slurp(dir.path() / "out/summary.json"));
  const auto& trace = summary.at("trace");
  CHECK(trace.at("rows") == 4);
  CHECK(trace.at("bad_rows_skipped") == 1);
  CHECK(trace.at("first_bad_rows").size() == 1);
  CHECK(trace.at("cancelled_not_replayed") == 1);
  CHECK(trace.at("jobs_replayed") == 2);
  CHECK(trace.at("time_origin").is_null());  // CSV times are not dates
  CHECK(summary.at("metrics").at("jobs_submitted") == 2);

  // Without skip_bad_rows the same trace is an error naming the row.
  dir.write("strict.yaml",
            "cluster: {node_groups: [{gpu: V100, gpus_per_node: 8, count: 1}]}\n"
            "workload: {trace: {format: csv, path: jobs.csv}}\n");
  const Outcome strict = capsim_cli("run strict.yaml -o out2", dir);
  CHECK(strict.code == 2);
  CHECK(strict.err.find("jobs.csv:3:") != std::string::npos);
  CHECK(strict.err.find("submit_s") != std::string::npos);
}
