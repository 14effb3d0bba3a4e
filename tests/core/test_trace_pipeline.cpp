// The replay pipeline of a trace: sorting in bounded memory (with spills),
// windows, filters, thinning and inflation, bad rows and what it reports.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>

#include "core/random.hpp"
#include "core/scenario.hpp"
#include "core/trace.hpp"
#include "core/trace_sort.hpp"
#include "tests/support/helpers.hpp"

using namespace capsim;
using capsim::testing::input_error_of;
using capsim::testing::TempDir;

namespace {

const GpuCatalog& catalog() {
  static const GpuCatalog c = GpuCatalog::builtin();
  return c;
}

TraceSpec csv_spec(const std::filesystem::path& path) {
  TraceSpec spec;
  spec.format = TraceFormat::kCsv;
  spec.path = path;
  spec.recorded_on = *catalog().find("V100");
  return spec;
}

std::vector<JobSpec> drain(JobSource& source) {
  std::vector<JobSpec> jobs;
  JobSpec job;
  while (source.next(job)) jobs.push_back(job);
  return jobs;
}

// A CSV trace of `n` jobs in a scrambled order, submit times with many ties.
std::string scrambled_trace(int n) {
  std::string text = "job_id,submit_s,gpus,duration_s,user,queue\n";
  auto random = RandomStream::derive(7, "test.scrambled");
  for (int i = 0; i < n; ++i) {
    const auto submit = random.uniform_below(1000);
    text += "j" + std::to_string(i) + "," + std::to_string(submit) + ",1," + std::to_string(i % 97) + ",u" +
            std::to_string(i % 5) + ",q" + std::to_string(i % 3) + "\n";
  }
  return text;
}

}  // namespace

TEST_CASE("the sorter orders by submit time, stably, in memory and with spills", "[core][trace][sort]") {
  TempDir dir;
  const auto path = dir.write("t.csv", scrambled_trace(20'000));
  const auto reader = open_trace_reader(csv_spec(path), catalog());
  std::vector<JobSpec> input;
  JobSpec job;
  while (reader->next(job)) input.push_back(job);
  std::vector<JobSpec> expected = input;
  std::stable_sort(expected.begin(), expected.end(), [](const auto& a, const auto& b) { return a.submit < b.submit; });

  for (const std::size_t buffer : {std::size_t{64} << 20, std::size_t{64} << 10, std::size_t{4096}}) {
    INFO("buffer " << buffer);
    JobSorter sorter(buffer);
    for (const auto& j : input) sorter.add(j);
    sorter.finish();
    if (buffer < (std::size_t{1} << 20)) CHECK(sorter.runs_spilled() > 1);
    if (buffer == (std::size_t{64} << 20)) CHECK(sorter.runs_spilled() == 0);
    std::size_t i = 0;
    while (sorter.next(job)) {
      REQUIRE(i < expected.size());
      const JobSpec& e = expected[i++];
      REQUIRE(job.name == e.name);  // stable: ties keep file order
      CHECK(job.submit == e.submit);
      CHECK(job.duration == e.duration);
      CHECK(job.work == e.work);
      CHECK(job.request == e.request);
      CHECK(job.user == e.user);
      CHECK(job.queue == e.queue);
      CHECK(job.origin.line == e.origin.line);
      CHECK(job.origin.file == e.origin.file);
    }
    CHECK(i == expected.size());
  }
}

TEST_CASE("a trace replays from its first job, cancelled jobs left out", "[core][trace][pipeline]") {
  TempDir dir;
  const auto path = dir.write("t.csv",
                              "job_id,submit_s,gpus,duration_s,state\n"
                              "c,300,1,10,completed\n"
                              "a,100,1,10,completed\n"
                              "x,50,1,0,cancelled\n"
                              "b,200,1,10,failed\n");
  auto report = std::make_shared<TraceReport>();
  const auto source = open_trace(csv_spec(path), catalog(), 1, report);
  const auto jobs = drain(*source);
  REQUIRE(jobs.size() == 3);
  // Time 0 is the trace's first submit, the cancelled job's (50 s).
  CHECK(jobs[0].name == "a");
  CHECK(jobs[0].submit == Time::zero() + Duration::seconds(50));
  CHECK(jobs[1].name == "b");
  CHECK(jobs[2].submit == Time::zero() + Duration::seconds(250));
  CHECK(report->rows == 4);
  CHECK(report->cancelled == 1);
  CHECK(report->jobs == 3);
  CHECK_FALSE(report->first_submit_unix_s.has_value());
}

TEST_CASE("windows by offset or by date", "[core][trace][pipeline]") {
  TempDir dir;
  const auto path = dir.write("p.csv",
                              "timestamp,duration,num_gpus,gpu_time,cluster\n"
                              "2017-10-01 23:59:59,10,1,10,a\n"
                              "2017-10-02 00:00:00,10,1,10,a\n"
                              "2017-10-08 23:59:59,10,1,10,a\n"
                              "2017-10-09 00:00:00,10,1,10,a\n"
                              "2017-09-30 12:00:00,10,1,10,a\n");
  TraceSpec spec = csv_spec(path);
  spec.format = TraceFormat::kPhilly;
  spec.window.start_at_us = *parse_datetime_us("2017-10-02");
  spec.window.length = Duration::days(7);
  auto report = std::make_shared<TraceReport>();
  auto jobs = drain(*open_trace(spec, catalog(), 1, report));
  REQUIRE(jobs.size() == 2);
  CHECK(jobs[0].submit == Time::zero());
  CHECK(jobs[1].submit == Time::zero() + Duration::days(7) - Duration::seconds(1));
  CHECK(report->filtered_out == 3);
  CHECK(report->first_submit_unix_s == *parse_datetime_us("2017-10-02") / 1'000'000);

  // The same window as an offset from the first job (2017-09-30 12:00).
  spec.window = {};
  spec.window.start_offset = Duration::hours(36);
  spec.window.end_at_us = *parse_datetime_us("2017-10-09");
  jobs = drain(*open_trace(spec, catalog(), 1));
  CHECK(jobs.size() == 2);

  // A date window on a trace without dates is an error naming the scenario.
  TraceSpec relative = csv_spec(dir.write("t.csv", "submit_s,gpus,duration_s\n0,1,1\n"));
  relative.window.start_at_us = 0;
  relative.where = {"s.yaml", 4, 5};
  const auto e = input_error_of([&] { open_trace(relative, catalog(), 1); });
  CHECK(e.where().line == 4);
  CHECK(e.field() == "window");
}

TEST_CASE("filters by GPUs, states, users and queues", "[core][trace][pipeline]") {
  TempDir dir;
  const auto path = dir.write("t.csv",
                              "job_id,submit_s,gpus,duration_s,state,user,queue\n"
                              "a,0,0.5,10,completed,ann,q1\n"
                              "b,1,1,10,failed,bob,q1\n"
                              "c,2,8,10,completed,ann,q2\n"
                              "d,3,64,10,killed,cat,q2\n");
  const auto names = [&](const TraceFilters& filters) {
    TraceSpec spec = csv_spec(path);
    spec.filters = filters;
    std::string out;
    for (const auto& job : drain(*open_trace(spec, catalog(), 1))) out += job.name;
    return out;
  };
  CHECK(names({}) == "abcd");
  CHECK(names({1.0, 8.0, {}, {}, {}}) == "bc");
  CHECK(names({std::nullopt, 0.5, {}, {}, {}}) == "a");
  CHECK(names({std::nullopt, std::nullopt, {JobOutcome::kFailed, JobOutcome::kKilled}, {}, {}}) == "bd");
  CHECK(names({std::nullopt, std::nullopt, {}, {"ann"}, {}}) == "ac");
  CHECK(names({std::nullopt, std::nullopt, {}, {}, {"q2"}}) == "cd");
  CHECK(names({std::nullopt, std::nullopt, {}, {"ann"}, {"q2"}}) == "c");
}

TEST_CASE("scale thins or inflates a trace, deterministically", "[core][trace][pipeline]") {
  TempDir dir;
  std::string text = "job_id,submit_s,gpus,duration_s\n";
  for (int i = 0; i < 10'000; ++i) text += "j" + std::to_string(i) + "," + std::to_string(i * 60) + ",1,100\n";
  const auto path = dir.write("t.csv", text);
  const auto run = [&](double scale, std::uint64_t seed, std::shared_ptr<TraceReport> report = nullptr) {
    TraceSpec spec = csv_spec(path);
    spec.scale = scale;
    spec.jitter = Duration::minutes(30);
    return drain(*open_trace(spec, catalog(), seed, std::move(report)));
  };

  auto report = std::make_shared<TraceReport>();
  const auto thin = run(0.3, 1, report);
  CHECK(thin.size() == Approx(3000).margin(150));  // binomial(10000, 0.3): sd 46
  CHECK(report->thinned_out + report->jobs == 10'000);

  report = std::make_shared<TraceReport>();
  const auto grown = run(1.4, 1, report);
  CHECK(grown.size() == Approx(14'000).margin(200));
  CHECK(report->copies_added + 10'000 == static_cast<std::int64_t>(grown.size()));
  CHECK(std::is_sorted(grown.begin(), grown.end(), [](const auto& a, const auto& b) { return a.submit < b.submit; }));
  std::map<std::string, int> originals;
  for (const auto& job : grown) {
    const auto plus = job.name.find("+copy");
    if (plus == std::string::npos) {
      ++originals[job.name];
      continue;
    }
    // A copy lies within the jitter of its original.
    const int index = std::stoi(job.name.substr(1, plus - 1));
    const auto original = Time::zero() + Duration::seconds(index * 60);
    CHECK(std::max(job.submit - original, original - job.submit) <= Duration::minutes(30));
  }
  CHECK(originals.size() == 10'000);

  const auto tripled = run(3.0, 1);
  CHECK(tripled.size() == 30'000);

  // Same seed, same jobs; another seed, other copies.
  const auto again = run(1.4, 1);
  REQUIRE(again.size() == grown.size());
  for (std::size_t i = 0; i < again.size(); ++i) {
    CHECK(again[i].name == grown[i].name);
    CHECK(again[i].submit == grown[i].submit);
  }
  const auto other = run(1.4, 2);
  bool same = other.size() == grown.size();
  for (std::size_t i = 0; same && i < other.size(); ++i) same = other[i].name == grown[i].name;
  CHECK_FALSE(same);
}

TEST_CASE("bad rows stop the replay, or are skipped and counted", "[core][trace][pipeline][errors]") {
  TempDir dir;
  const auto path = dir.write("t.csv",
                              "job_id,submit_s,gpus,duration_s\n"
                              "a,0,1,10\n"
                              "b,x,1,10\n"
                              "c,2,1,10\n"
                              "d,3,1\n"
                              "e,4,1,10\n");
  TraceSpec spec = csv_spec(path);
  const auto e = input_error_of([&] { drain(*open_trace(spec, catalog(), 1)); });
  CHECK(e.where().line == 3);
  CHECK(e.field() == "submit_s");

  spec.skip_bad_rows = true;
  auto report = std::make_shared<TraceReport>();
  const auto jobs = drain(*open_trace(spec, catalog(), 1, report));
  CHECK(jobs.size() == 3);
  CHECK(report->rows == 5);
  CHECK(report->bad_rows == 2);
  REQUIRE(report->first_bad_rows.size() == 2);
  CHECK(report->first_bad_rows[0].find(":3:") != std::string::npos);
  CHECK(report->first_bad_rows[1].find(":5") != std::string::npos);
}

TEST_CASE("a scenario's trace block: window, filters, scale and --trace", "[core][trace][scenario]") {
  TempDir dir;
  dir.write("t.csv", "job_id,submit_s,gpus,duration_s\na,0,1,10\n");
  dir.write("other.csv", "job_id,submit_s,gpus,duration_s\nz,0,2,10\n");
  const std::string yaml =
      "cluster: {node_groups: [{gpu: V100, gpus_per_node: 8, count: 1}]}\n"
      "workload:\n"
      "  trace:\n"
      "    format: csv\n"
      "    path: t.csv\n"
      "    window: {start: 1d, length: 7d}\n"
      "    filters: {gpus: {min: 1, max: 8}, states: [completed, running], users: [a], queues: [q]}\n"
      "    scale: 1.4\n"
      "    jitter: 10m\n"
      "    skip_bad_rows: true\n"
      "    gpu_types: {G2: T4}\n";
  const Scenario s = capsim::testing::scenario_from(yaml, "x.yaml", dir.path());
  const TraceSpec& t = *s.workload.trace;
  CHECK(t.window.start_offset == Duration::days(1));
  CHECK(t.window.length == Duration::days(7));
  CHECK(t.filters.min_gpus == 1.0);
  CHECK(t.filters.max_gpus == 8.0);
  CHECK(t.filters.states == std::vector<JobOutcome>{JobOutcome::kCompleted, JobOutcome::kRunning});
  CHECK(t.filters.users == std::vector<std::string>{"a"});
  CHECK(t.scale == 1.4);
  CHECK(t.jitter == Duration::minutes(10));
  CHECK(t.skip_bad_rows);
  CHECK(t.gpu_types.at("G2") == *s.catalog.find("T4"));

  const auto overridden = capsim::testing::scenario_from(yaml, "x.yaml", dir.path());
  ScenarioOverrides o;
  o.trace_path = dir.path() / "other.csv";
  const Scenario s2 = parse_scenario(yaml, "x.yaml", dir.path(), o);
  CHECK(s2.workload.trace->path == dir.path() / "other.csv");
  o.trace_path = dir.path() / "missing.csv";
  CHECK(input_error_of([&] { parse_scenario(yaml, "x.yaml", dir.path(), o); }).field() == "--trace");

  const auto error = [&](const std::string& from, const std::string& to) {
    std::string text = yaml;
    text.replace(text.find(from), from.size(), to);
    return input_error_of([&] { capsim::testing::scenario_from(text, "x.yaml", dir.path()); });
  };
  const auto window = error("start: 1d", "start: soon");
  CHECK(window.field() == "workload.trace.window.start");
  CHECK(window.where().line == 6);
  CHECK(error("length: 7d", "end: 2017-10-02").field() == "workload.trace.window.end");
  CHECK(error("max: 8", "max: 0.5").field() == "workload.trace.filters.gpus.max");
  CHECK(error("running", "cancelled").field() == "workload.trace.filters.states[1]");
  CHECK(error("scale: 1.4", "scale: 0").field() == "workload.trace.scale");
  CHECK(error("jitter: 10m", "processors_per_gpu: 2").field() == "workload.trace.processors_per_gpu");
  CHECK(error("{G2: T4}", "{G2: T5}").field() == "workload.trace.gpu_types.G2");
}

TEST_CASE("each job of a sorted trace gets its own class, not the previous job's", "[core][trace][pipeline]") {
  // Rows out of submit order go through the sorter. Jobs of queue prod take
  // class prod; the others the catch-all batch. The sorter once left the
  // previous job's class in the record it filled, so every job kept the
  // first one's class.
  TempDir dir;
  dir.write("t.csv",
            "job_id,submit_s,gpus,duration_s,queue\n"
            "c,20,1,10,prod\n"
            "a,0,1,10,prod\n"
            "b,10,1,10,other\n"
            "d,30,1,10,other\n");
  const Scenario s = capsim::testing::scenario_from(
      "cluster: {node_groups: [{gpu: V100, gpus_per_node: 8, count: 1}]}\n"
      "workload:\n"
      "  job_classes:\n"
      "    - {name: prod, queues: [prod], priority: 1}\n"
      "    - {name: batch}\n"
      "  trace: {format: csv, path: t.csv}\n",
      "x.yaml", dir.path());
  const auto source = open_workload(s);
  std::vector<std::string> classes;
  for (const JobSpec& job : drain(*source))
    classes.push_back(job.name + ":" + s.workload.job_classes.at(job.job_class).name);
  CHECK(classes == std::vector<std::string>{"a:prod", "b:batch", "c:prod", "d:batch"});
}
