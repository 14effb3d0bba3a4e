// A simulation run in a forked child (sim/isolated.hpp), as the SimGrid
// engine needs, and the encoding that carries its results back
// (sim/results_codec.hpp): every column comes back bit for bit, errors come
// back as the errors they were, and a child that dies is reported.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <csignal>
#include <cstring>
#include <limits>

#include "sim/isolated.hpp"
#include "sim/results_codec.hpp"
#include "sim/summary.hpp"
#include "tests/support/helpers.hpp"

using namespace capsim;
using capsim::testing::TempDir;

namespace {

// Two days of Philly-like jobs on 32 GPUs, stopped by a horizon: jobs still
// running or waiting at the end have NaN times.
const char* kSyntheticScenario =
    "name: isolated-test\n"
    "cluster: {node_groups: [{gpu: V100, gpus_per_node: 8, count: 4}]}\n"
    "workload:\n"
    "  synthetic: {preset: philly-2017, span: 2d, jobs_per_hour: 6, max_gpus: 16, users: 5}\n"
    "run: {seed: 3, metrics_interval: 2h, horizon: 1d}\n";

// A sampled trace (tests/sim/test_packing.cpp): the summary has its trace
// and packing parts.
struct PackingRun {
  TempDir dir;
  Scenario scenario;
  PackingRun() {
    dir.write("pods.csv",
              "name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,deletion_time,"
              "scheduled_time\n"
              "p0,1000,1024,1,1000,,LS,Running,0,100,0\n");
    scenario = capsim::testing::scenario_from(
        "cluster: {node_groups: [{gpu: V100, gpus_per_node: 8, count: 1}]}\n"
        "workload:\n  trace: {format: alibaba-openb, path: pods.csv, sample: {until_requested_gpus: 130%}}\n"
        "policies: {queue: {name: fifo, skip_blocked: true}, placement: fgd}\n",
        "p.yaml", dir.path());
  }
};

bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0);
}

bool same_bits(double a, double b) {
  return std::memcmp(&a, &b, sizeof a) == 0;
}

void check_same_strings(const sim::StringColumn& a, const sim::StringColumn& b) {
  REQUIRE(a.size() == b.size());
  CHECK(a.max_length() == b.max_length());
  for (std::size_t i = 0; i < a.size(); ++i) CHECK(a[i] == b[i]);
}

void check_same(const sim::Distribution& a, const sim::Distribution& b) {
  CHECK(a.count == b.count);
  for (auto field : {&sim::Distribution::mean, &sim::Distribution::p50, &sim::Distribution::p95,
                     &sim::Distribution::p99, &sim::Distribution::max}) {
    CHECK(same_bits(a.*field, b.*field));
  }
}

// Every field, column by column, bit for bit.
void check_same(const sim::RunResults& a, const sim::RunResults& b) {
  const sim::JobTable& x = a.jobs;
  const sim::JobTable& y = b.jobs;
  check_same_strings(x.name, y.name);
  check_same_strings(x.user, y.user);
  CHECK(same_bits(x.submit_s, y.submit_s));
  CHECK(same_bits(x.start_s, y.start_s));
  CHECK(same_bits(x.end_s, y.end_s));
  CHECK(same_bits(x.queueing_delay_s, y.queueing_delay_s));
  CHECK(same_bits(x.jct_s, y.jct_s));
  CHECK(same_bits(x.recorded_duration_s, y.recorded_duration_s));
  CHECK(same_bits(x.gpus, y.gpus));
  CHECK(x.nodes == y.nodes);
  CHECK(x.requested_gpu_types == y.requested_gpu_types);
  CHECK(x.gpu_type == y.gpu_type);
  CHECK(x.gpu_type_names == y.gpu_type_names);
  CHECK(x.region == y.region);
  CHECK(x.region_names == y.region_names);
  CHECK(x.preemptions == y.preemptions);
  CHECK(same_bits(x.run_time_s, y.run_time_s));
  CHECK(same_bits(x.lost_gpu_hours, y.lost_gpu_hours));
  CHECK(same_bits(x.idle_gpu_hours, y.idle_gpu_hours));
  CHECK(x.state == y.state);

  CHECK(a.timeseries.interval == b.timeseries.interval);
  CHECK(same_bits(a.timeseries.time_s, b.timeseries.time_s));
  REQUIRE(a.timeseries.metrics.size() == b.timeseries.metrics.size());
  for (std::size_t i = 0; i < a.timeseries.metrics.size(); ++i) {
    const auto& m = a.timeseries.metrics[i];
    const auto& n = b.timeseries.metrics[i];
    CHECK(m.name == n.name);
    CHECK(m.units == n.units);
    CHECK(m.description == n.description);
    CHECK(same_bits(m.values, n.values));
  }

  CHECK(a.services.names == b.services.names);
  CHECK(a.services.service == b.services.service);
  REQUIRE(a.services.columns.size() == b.services.columns.size());
  for (std::size_t i = 0; i < a.services.columns.size(); ++i) {
    CHECK(a.services.columns[i].name == b.services.columns[i].name);
    CHECK(same_bits(a.services.columns[i].values, b.services.columns[i].values));
  }
  REQUIRE(a.summary.services.size() == b.summary.services.size());
  for (std::size_t i = 0; i < a.summary.services.size(); ++i) {
    CHECK(a.summary.services[i].name == b.summary.services[i].name);
    CHECK(a.summary.services[i].autoscaler == b.summary.services[i].autoscaler);
    REQUIRE(a.summary.services[i].figures.size() == b.summary.services[i].figures.size());
    for (std::size_t k = 0; k < a.summary.services[i].figures.size(); ++k) {
      CHECK(a.summary.services[i].figures[k].name == b.summary.services[i].figures[k].name);
      CHECK(same_bits(a.summary.services[i].figures[k].value, b.summary.services[i].figures[k].value));
    }
  }

  // summary.json as text: a NaN is null there, and NaN != NaN as a number.
  CHECK(sim::summary_to_json(a.summary).dump() == sim::summary_to_json(b.summary).dump());
  check_same(a.summary.jct_s, b.summary.jct_s);
  check_same(a.summary.queueing_delay_s, b.summary.queueing_delay_s);
  CHECK(a.summary.trace.has_value() == b.summary.trace.has_value());
  if (a.summary.trace && b.summary.trace) {
    CHECK(a.summary.trace->first_bad_rows == b.summary.trace->first_bad_rows);
    CHECK(a.summary.trace->time_origin_unix_s == b.summary.trace->time_origin_unix_s);
    CHECK(a.summary.trace->sampled_from == b.summary.trace->sampled_from);
  }
  CHECK(a.summary.packing.has_value() == b.summary.packing.has_value());
  if (a.summary.packing && b.summary.packing) CHECK(a.summary.packing->points == b.summary.packing->points);

  CHECK(a.stats.events == b.stats.events);
  CHECK(a.stats.instants == b.stats.instants);
  CHECK(a.stats.end == b.stats.end);
  CHECK(a.stats.interrupted == b.stats.interrupted);
  CHECK(a.scenario_text == b.scenario_text);
  // And the whole, byte for byte, which covers any field the lines above miss.
  CHECK(sim::encode_results(a) == sim::encode_results(b));
}

// A NaN with a payload: arithmetic would quieten or drop it, memcpy keeps it.
double nan_with_payload() {
  const std::uint64_t bits = 0x7ff4'dead'beef'0001ULL;
  double value;
  std::memcpy(&value, &bits, sizeof value);
  return value;
}

// A small table with every part set, trace and packing included.
sim::RunResults hand_made_results(std::size_t jobs) {
  sim::RunResults r;
  for (std::size_t i = 0; i < jobs; ++i) {
    r.jobs.name.push_back("job-" + std::to_string(i));
    r.jobs.user.push_back(i % 3 ? "alice" : "");
    const double t = static_cast<double>(i);
    r.jobs.submit_s.push_back(t);
    r.jobs.start_s.push_back(i % 2 ? t + 0.1 : nan_with_payload());
    r.jobs.end_s.push_back(-0.0);
    r.jobs.queueing_delay_s.push_back(std::numeric_limits<double>::infinity());
    r.jobs.jct_s.push_back(std::numeric_limits<double>::quiet_NaN());
    r.jobs.recorded_duration_s.push_back(1e300 * t);
    r.jobs.gpus.push_back(0.25);
    r.jobs.nodes.push_back(static_cast<std::int32_t>(i % 4));
    GpuTypeSet types;
    if (i % 2) types.add(1);
    if (i % 3) types.add(63);
    r.jobs.requested_gpu_types.push_back(types);
    r.jobs.gpu_type.push_back(i % 2 ? 1 : kAnyGpuType);
    r.jobs.preemptions.push_back(static_cast<std::int32_t>(i));
    r.jobs.failures.push_back(static_cast<std::int32_t>(i % 2));
    r.jobs.run_time_s.push_back(std::numeric_limits<double>::denorm_min());
    r.jobs.lost_gpu_hours.push_back(t / 3);
    r.jobs.wasted_gpu_hours.push_back(t / 4);
    r.jobs.idle_gpu_hours.push_back(t / 5);
    r.jobs.state.push_back(static_cast<sim::JobEnd>(i % 9));
    r.jobs.region.push_back(i % 2 ? 1 : -1);
  }
  r.jobs.gpu_type_names = {"V100", "A100-80GB"};
  r.jobs.region_names = {"eu", "us"};
  r.timeseries.interval = Duration::minutes(5);
  r.timeseries.time_s = {0, 300};
  r.timeseries.metrics = {{"gpus_allocated", "GPUs", "GPUs held", {1.5, nan_with_payload()}}};
  r.summary.scenario = "hand";
  r.summary.seed = 0xffff'ffff'ffff'ffffULL;
  r.summary.partial = true;
  r.summary.jobs_pending = -1;
  r.summary.jct_s = {3, 1, 2, 3, 4, nan_with_payload()};
  r.summary.trace = sim::TraceSummary{"philly", "/t.csv", 9, 1, {"bad,row"}, 2, 3, 4, 5, 6, 1'500'000'000, {}};
  r.summary.packing = sim::PackingSummary{{{10, 12.5}, {20, 25}}, 137.5, 100, 0, 3};
  r.services.names = {"chat", ""};
  r.services.service = {0, 1, 0};
  r.services.columns = {{"time", "s", "end", {15, 15, 30}},
                        {"latency_p99", "s", "", {std::numeric_limits<double>::infinity(), -0.0, nan_with_payload()}}};
  r.summary.services = {{"chat", "hpa", {{"replica_hours", "replica-hours", "", 1.25}, {"x", "", "%", -0.0}}}};
  r.summary.reaping = {{"gpu_hours_recovered", "GPU-hours recovered by reaping", "", 2.5}};
  r.stats = {7, 6, Time::from_us(123'456'789), true};
  r.scenario_text = std::string("name: hand\n\0binary", 18);
  return r;
}

// The what() of the InternalError `fn` throws; fails the test otherwise.
std::string internal_error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const InternalError& e) {
    return e.what();
  }
  FAIL("no InternalError thrown");
  return {};
}

}  // namespace

TEST_CASE("results survive encoding bit for bit", "[sim][isolated]") {
  SECTION("a synthetic run stopped by its horizon") {
    const sim::RunResults results = capsim::testing::run_yaml(kSyntheticScenario);
    // The run is worth the test: jobs, metrics, and jobs with NaN times.
    REQUIRE(results.jobs.size() > 50);
    REQUIRE(!results.timeseries.metrics.empty());
    CHECK(results.summary.jobs_running + results.summary.jobs_pending > 0);
    check_same(results, sim::decode_results(sim::encode_results(results)));
  }
  SECTION("a sampled trace: the summary's trace and packing parts") {
    PackingRun run;
    const sim::RunResults results = sim::run_scenario(run.scenario);
    REQUIRE(results.summary.trace);
    REQUIRE(results.summary.packing);
    check_same(results, sim::decode_results(sim::encode_results(results)));
  }
  SECTION("NaN payloads, -0, infinities, denormals, empty strings and a NUL") {
    const sim::RunResults results = hand_made_results(10);
    const sim::RunResults back = sim::decode_results(sim::encode_results(results));
    check_same(results, back);
    const double nan = back.jobs.start_s[0];
    std::uint64_t bits;
    std::memcpy(&bits, &nan, sizeof bits);
    CHECK(bits == 0x7ff4'dead'beef'0001ULL);
    CHECK(back.jobs.requested_gpu_types[5].bits() == ((std::uint64_t{1} << 1) | (std::uint64_t{1} << 63)));
    CHECK(back.scenario_text.size() == 18);
  }
  SECTION("empty results") {
    const sim::RunResults empty;
    check_same(empty, sim::decode_results(sim::encode_results(empty)));
  }
}

TEST_CASE("a run in a child process gives the results of a run in this one", "[sim][isolated]") {
  SECTION("synthetic") {
    const Scenario scenario = capsim::testing::scenario_from(kSyntheticScenario);
    const sim::RunResults here = sim::run_scenario(scenario);
    const sim::RunResults there = sim::run_in_child([&] { return sim::run_scenario(scenario); });
    check_same(here, there);
  }
  SECTION("sampled trace") {
    PackingRun run;
    check_same(sim::run_scenario(run.scenario), sim::run_in_child([&] { return sim::run_scenario(run.scenario); }));
  }
  SECTION("results far larger than a pipe's buffer (64 KiB) do not deadlock") {
    // 100,000 jobs: about 12 MB through the pipe.
    const sim::RunResults big = hand_made_results(100'000);
    check_same(big, sim::run_in_child([&] { return hand_made_results(100'000); }));
  }
  SECTION("runs one after another") {
    for (int i = 0; i < 3; ++i) {
      CHECK(sim::run_in_child([&] { return hand_made_results(static_cast<std::size_t>(i)); }).jobs.size() ==
            static_cast<std::size_t>(i));
    }
  }
}

TEST_CASE("an InputError in the child arrives in the parent as the same InputError", "[sim][isolated]") {
  SECTION("a bad scenario") {
    const std::string yaml =
        "cluster: {node_groups: [{gpu: V100, gpus_per_node: 8, count: -3}]}\n"
        "workload: {synthetic: {preset: philly-2017, span: 1d}}\n";
    const InputError here = capsim::testing::input_error_of([&] { capsim::testing::scenario_from(yaml, "bad.yaml"); });
    const InputError there = capsim::testing::input_error_of([&] {
      sim::run_in_child([&] { return sim::run_scenario(capsim::testing::scenario_from(yaml, "bad.yaml")); });
    });
    CHECK(std::string(there.what()) == here.what());
    CHECK(there.where() == here.where());
    CHECK(there.field() == here.field());
    CHECK(there.expected() == here.expected());
    CHECK(there.got() == here.got());
    CHECK(there.where().line == 1);
  }
  SECTION("every part of the message") {
    const InputError there = capsim::testing::input_error_of([] {
      sim::run_in_child([]() -> sim::RunResults {
        throw InputError({"s.yaml", 12, 5}, "cluster.node_groups[0].count", "a non-negative integer", "\"-3\"");
      });
    });
    CHECK(std::string(there.what()) ==
          "s.yaml:12:5: cluster.node_groups[0].count: expected a non-negative integer, got \"-3\"");
    CHECK(there.where() == SourceLocation{"s.yaml", 12, 5});
    CHECK(there.got() == "\"-3\"");
  }
}

TEST_CASE("other failures in the child arrive as InternalError", "[sim][isolated]") {
  // Catch2 handles SIGABRT and SIGSEGV in the child too (it inherited them):
  // the child puts the default action back so that it dies as a crash would.
  SECTION("another exception: its message") {
    CHECK(internal_error_of([] {
            sim::run_in_child([]() -> sim::RunResults { throw std::runtime_error("the disk is full"); });
          }) == "the simulation process failed: the disk is full");
  }
  SECTION("killed") {
    CHECK(internal_error_of([] {
            sim::run_in_child([] {
              std::raise(SIGKILL);
              return sim::RunResults();
            });
          }) == "the simulation process was killed by signal 9 (Killed)");
  }
  SECTION("abort()") {
    CHECK(internal_error_of([] {
            sim::run_in_child([] {
              std::signal(SIGABRT, SIG_DFL);
              std::abort();
              return sim::RunResults();
            });
          }) == "the simulation process was killed by signal 6 (Aborted)");
  }
  SECTION("a crash") {
    CHECK(internal_error_of([] {
            sim::run_in_child([] {
              std::signal(SIGSEGV, SIG_DFL);
              std::raise(SIGSEGV);
              return sim::RunResults();
            });
          }) == "the simulation process was killed by signal 11 (Segmentation fault)");
  }
  SECTION("an exit without a result") {
    CHECK(internal_error_of([] {
            sim::run_in_child([] {
              ::_exit(3);
              return sim::RunResults();
            });
          }) == "the simulation process exited with status 3 without a complete result (0 bytes received)");
  }
}

TEST_CASE("decoding truncated or corrupt bytes throws InternalError", "[sim][isolated]") {
  const std::string bytes = sim::encode_results(hand_made_results(3));
  REQUIRE_NOTHROW(sim::decode_results(bytes));
  SECTION("every truncation") {
    for (std::size_t n = 0; n < bytes.size(); ++n) {
      CHECK_THROWS_AS(sim::decode_results(std::string_view(bytes).substr(0, n)), InternalError);
    }
  }
  SECTION("a byte too many") {
    CHECK_THROWS_AS(sim::decode_results(bytes + '\0'), InternalError);
  }
  SECTION("wrong magic or version") {
    std::string corrupt = bytes;
    corrupt[0] = 'X';
    CHECK_THROWS_WITH(sim::decode_results(corrupt), Catch::Contains("wrong magic"));
    corrupt = bytes;
    corrupt[sim::kResultsMagic.size()] = 99;
    CHECK_THROWS_WITH(sim::decode_results(corrupt), Catch::Contains("version 99"));
  }
  SECTION("a count past the end is refused before allocating") {
    std::string corrupt = bytes;
    // The first field after magic and version: the job-name count.
    std::memset(corrupt.data() + sim::kResultsMagic.size() + 4, 0x7f, 8);
    CHECK_THROWS_WITH(sim::decode_results(corrupt), Catch::Contains("jobs.name") && Catch::Contains("do not fit"));
  }
  SECTION("an unknown JobEnd") {
    // Two encodings that differ only in one job's end locate its byte.
    sim::RunResults other = hand_made_results(3);
    other.jobs.state[1] = sim::JobEnd::kPending;
    const std::string other_bytes = sim::encode_results(other);
    REQUIRE(other_bytes.size() == bytes.size());
    std::size_t at = 0;
    while (bytes[at] == other_bytes[at]) ++at;
    std::string corrupt = bytes;
    corrupt[at] = 9;  // one past JobEnd::kReaped
    CHECK_THROWS_WITH(sim::decode_results(corrupt), Catch::Contains("no JobEnd 9"));
  }
}
