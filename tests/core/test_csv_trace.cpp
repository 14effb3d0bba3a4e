// The native CSV trace format: columns by header, strict rows, errors with
// line and column, and streaming.
#include <catch2/catch.hpp>

#include "core/csv_trace.hpp"
#include "core/trace.hpp"
#include "tests/support/helpers.hpp"

using namespace capsim;
using capsim::testing::input_error_of;
using capsim::testing::TempDir;

namespace {
std::vector<JobSpec> read_all(const std::filesystem::path& path, GpuTypeId recorded_on = 2) {
  const GpuCatalog catalog = GpuCatalog::builtin();
  TraceSpec spec;
  spec.format = TraceFormat::kCsv;
  spec.path = path;
  spec.recorded_on = recorded_on;
  const auto reader = open_trace_reader(spec, catalog);
  std::vector<JobSpec> jobs;
  JobSpec job;
  while (reader->next(job)) jobs.push_back(job);
  return jobs;
}
}  // namespace

TEST_CASE("a native CSV trace reads into jobs", "[core][trace]") {
  TempDir dir;
  const auto path = dir.write("t.csv",
                              "# a comment\n"
                              "job_id,submit_s,gpus,duration_s,gpu_type,user,state,cpus,memory_mib\n"
                              "a,0,1,60,,u1,completed,4,1024\n"
                              "\n"
                              "\"b,2\", 1.5 ,8,3600.25,A100-80GB,\"u \"\"2\"\"\",failed,,\r\n"
                              "c,1.5,2,0,,,killed,,\n");
  const GpuCatalog catalog = GpuCatalog::builtin();
  const auto jobs = read_all(path, *catalog.find("P100"));
  REQUIRE(jobs.size() == 3);
  CHECK(jobs[0].name == "a");
  CHECK(jobs[0].submit == Time::zero());
  CHECK(jobs[0].gpus() == 1);
  CHECK(jobs[0].duration == Duration::seconds(60));
  CHECK(jobs[0].request.cpu_milli == 4000);
  CHECK(jobs[0].request.memory_mib == 1024);
  CHECK(jobs[0].user == "u1");
  CHECK(jobs[0].gpu_types.is_any());
  CHECK(jobs[0].origin.line == 3);
  // Work is duration x GPUs x the speed of the GPU it was recorded on.
  CHECK(jobs[0].work == 60e6 * 1 * 0.738);
  CHECK(jobs[1].name == "b,2");
  CHECK(jobs[1].submit == Time::zero() + Duration::milliseconds(1500));
  CHECK(jobs[1].duration == Duration::microseconds(3'600'250'000));
  CHECK(jobs[1].gpu_types == GpuTypeSet::of(*catalog.find("A100-80GB")));
  CHECK(jobs[1].user == "u \"2\"");
  CHECK(jobs[1].outcome == JobOutcome::kFailed);
  CHECK(jobs[1].origin.line == 5);
  CHECK(jobs[2].outcome == JobOutcome::kKilled);
  CHECK(jobs[2].duration == Duration());
}

TEST_CASE("GPU memory per GPU is a column", "[core][trace]") {
  TempDir dir;
  const auto jobs = read_all(dir.write("t.csv", "submit_s,gpus,duration_s,gpu_memory_mib\n0,2,10,40960\n1,1,1,\n"));
  CHECK(jobs[0].request.gpu_memory_mib == 40960);
  CHECK(jobs[1].request.gpu_memory_mib == 0);
}

TEST_CASE("minimal columns, any order; ids default to the line", "[core][trace]") {
  TempDir dir;
  const auto jobs = read_all(dir.write("t.csv", "duration_s,gpus,submit_s\n10,4,0\n"));
  REQUIRE(jobs.size() == 1);
  CHECK(jobs[0].name == "line-2");
  CHECK(jobs[0].gpus() == 4);
}

TEST_CASE("trace errors name the line, column and field", "[core][trace][errors]") {
  TempDir dir;
  const auto error = [&](const std::string& body) {
    const auto path = dir.write("bad.csv", body);
    return input_error_of([&] { read_all(path); });
  };
  const auto fractional = error("submit_s,gpus,duration_s\n0,0.0005,5\n");
  CHECK(fractional.field() == "gpus");
  CHECK(fractional.where().column == 3);
  CHECK(fractional.expected().find("fraction of one GPU in thousandths") != std::string::npos);
  CHECK(error("submit_s,gpus,duration_s\n0,1.5,5\n").field() == "gpus");

  const auto zero = error("submit_s,gpus,duration_s\n0,0,5\n");
  CHECK(zero.field() == "gpus");
  CHECK(zero.expected().find("CPU-only") != std::string::npos);

  const auto negative = error("submit_s,gpus,duration_s\n0,1,-5\n");
  CHECK(negative.field() == "duration_s");
  CHECK(negative.expected() == "a non-negative number of seconds");

  const auto unknown = error("submit_s,gpus,duration_s,priority\n");
  CHECK(unknown.field() == "header");
  CHECK(unknown.where().column == 26);
  CHECK(unknown.got() == "\"priority\"");

  const auto missing = error("submit_s,gpus\n0,1\n");
  CHECK(missing.expected().find("a column named duration_s") == 0);

  const auto fields = error("submit_s,gpus,duration_s\n0,1\n");
  CHECK(fields.where().line == 2);
  CHECK(fields.expected() == "3 fields as in the header");

  const auto type = error("submit_s,gpus,duration_s,gpu_type\n0,1,1,Z80\n");
  CHECK(type.field() == "gpu_type");

  const auto state = error("submit_s,gpus,duration_s,state\n0,1,1,done\n");
  CHECK(state.field() == "state");

  const auto quote = error("submit_s,gpus,duration_s,job_id\n0,1,1,\"open\n");
  CHECK(quote.expected() == "a closing quote on the same line");

  std::string binary = "submit_s,gpus,duration_s\n0,1,1\n";
  binary += std::string("\0\x01\x02", 3);
  const auto not_text = error(binary);
  CHECK(not_text.where().line == 3);

  CHECK(error("").got() == "an empty file");
  CHECK(input_error_of([&] { read_all(dir.path() / "nope.csv"); }).got() == "no such file");
  CHECK(input_error_of([&] { read_all("/dev/null"); }).got() == "a device, pipe or socket");
}

TEST_CASE("a line longer than the limit is refused without reading it all", "[core][trace][errors]") {
  TempDir dir;
  const auto path = dir.write("long.csv", "submit_s,gpus,duration_s\n" + std::string(3u << 20, '1') + "\n");
  const auto e = input_error_of([&] { read_all(path); });
  CHECK(e.where().line == 2);
  CHECK(e.expected().find("at most 1024 KiB") != std::string::npos);
}

TEST_CASE("native CSV rows may come in any order, with fractions, CPU-only jobs and type sets", "[core][trace]") {
  TempDir dir;
  const GpuCatalog catalog = GpuCatalog::builtin();
  const auto jobs = read_all(dir.write("t.csv",
                                       "job_id,submit_s,gpus,duration_s,gpu_type,cpus,queue,state,estimate_s\n"
                                       "late,10,0.25,100,,,q1,running,200\n"
                                       "early,5,0,10,,2,,cancelled,\n"
                                       "any2,7,2,10,V100|A100-80GB,,,,\n"),
                             *catalog.find("V100"));
  REQUIRE(jobs.size() == 3);
  CHECK(jobs[0].name == "late");  // file order: the pipeline sorts
  CHECK(jobs[0].request.gpu_milli == 250);
  CHECK(jobs[0].work == 100e6 * 0.25);
  CHECK(jobs[0].queue == "q1");
  CHECK(jobs[0].outcome == JobOutcome::kRunning);
  CHECK(jobs[0].estimate == Duration::seconds(200));
  CHECK(jobs[1].request.gpu_milli == 0);
  CHECK(jobs[1].request.cpu_milli == 2000);
  CHECK(jobs[1].outcome == JobOutcome::kCancelled);
  CHECK(jobs[2].gpu_types.allows(*catalog.find("V100")));
  CHECK(jobs[2].gpu_types.allows(*catalog.find("A100-80GB")));
  CHECK_FALSE(jobs[2].gpu_types.allows(*catalog.find("H100")));
}
