// The trace readers, one format at a time, on small files written by hand:
// how each maps its fields onto jobs, its errors (file, line, column, field),
// and compressed files read as streams.
#include <archive.h>
#include <archive_entry.h>
#include <catch2/catch.hpp>

#include <fstream>

#include "core/trace.hpp"
#include "tests/support/helpers.hpp"

using namespace capsim;
using capsim::testing::input_error_of;
using capsim::testing::TempDir;

namespace {

const GpuCatalog& catalog() {
  static const GpuCatalog c = GpuCatalog::builtin();
  return c;
}

TraceSpec spec_of(TraceFormat format, const std::filesystem::path& path) {
  TraceSpec spec;
  spec.format = format;
  spec.path = path;
  spec.recorded_on = *catalog().find("V100");
  return spec;
}

std::vector<JobSpec> read_all(const TraceSpec& spec) {
  const auto reader = open_trace_reader(spec, catalog());
  std::vector<JobSpec> jobs;
  JobSpec job;
  while (reader->next(job)) jobs.push_back(job);
  CHECK(reader->rows() == static_cast<std::int64_t>(jobs.size()));
  return jobs;
}

// Writes `text` compressed with libarchive: "gzip", "bzip2", "xz", or "zip"
// (one entry per element of `entries`).
std::filesystem::path write_compressed(const std::filesystem::path& path, const std::string& kind,
                                       const std::vector<std::string>& entries) {
  archive* a = archive_write_new();
  if (kind == "zip") {
    archive_write_set_format_zip(a);
  } else {
    archive_write_set_format_raw(a);
    if (kind == "gzip") archive_write_add_filter_gzip(a);
    if (kind == "bzip2") archive_write_add_filter_bzip2(a);
    if (kind == "xz") archive_write_add_filter_xz(a);
  }
  REQUIRE(archive_write_open_filename(a, path.c_str()) == ARCHIVE_OK);
  for (std::size_t i = 0; i < entries.size(); ++i) {
    archive_entry* entry = archive_entry_new();
    archive_entry_set_pathname(entry, ("entry" + std::to_string(i) + ".txt").c_str());
    archive_entry_set_filetype(entry, AE_IFREG);
    archive_entry_set_perm(entry, 0644);
    archive_entry_set_size(entry, static_cast<la_int64_t>(entries[i].size()));
    REQUIRE(archive_write_header(a, entry) == ARCHIVE_OK);
    REQUIRE(archive_write_data(a, entries[i].data(), entries[i].size()) == static_cast<la_ssize_t>(entries[i].size()));
    archive_entry_free(entry);
  }
  archive_write_close(a);
  archive_write_free(a);
  return path;
}

const char* const kPhilly =
    "timestamp,duration,num_gpus,gpu_time,cluster\n"
    "2017-10-09 07:01:55,66.0,1,66.0,11cb48\n"
    "2017-10-09 06:13:03,2951.5,8,23612.0,6214e9\n";

}  // namespace

TEST_CASE("philly: dates, GPUs, the virtual cluster as the queue", "[core][trace][philly]") {
  TempDir dir;
  const auto jobs = read_all(spec_of(TraceFormat::kPhilly, dir.write("p.csv", kPhilly)));
  REQUIRE(jobs.size() == 2);
  // 2017-10-09 07:01:55 is 1,507,532,515 s after 1970-01-01 (date -u -d ... +%s).
  CHECK(jobs[0].submit == Time::from_us(1'507'532'515'000'000));
  CHECK(jobs[0].duration == Duration::seconds(66));
  CHECK(jobs[0].gpus() == 1);
  CHECK(jobs[0].queue == "11cb48");
  CHECK(jobs[0].outcome == JobOutcome::kCompleted);
  CHECK(jobs[0].name == "philly-1");
  CHECK(jobs[0].origin.line == 2);
  CHECK(jobs[1].duration == Duration::milliseconds(2'951'500));
  CHECK(jobs[1].work == 2951.5e6 * 8 * 1.0);  // recorded on V100, speed 1
  CHECK(jobs[1].submit < jobs[0].submit);     // file order; the pipeline sorts
}

TEST_CASE("philly: bad rows name their line and column", "[core][trace][philly][errors]") {
  TempDir dir;
  const auto error = [&](const std::string& row) {
    const auto path = dir.write("p.csv", std::string("timestamp,duration,num_gpus,gpu_time,cluster\n") + row + "\n");
    return input_error_of([&] { read_all(spec_of(TraceFormat::kPhilly, path)); });
  };
  const auto date = error("2017-02-30 00:00:00,1,1,1,a");
  CHECK(date.field() == "timestamp");
  CHECK(date.where().line == 2);
  CHECK(date.where().column == 1);
  const auto gpus = error("2017-10-09 07:01:55,1,0,1,a");
  CHECK(gpus.field() == "num_gpus");
  CHECK(gpus.where().column == 23);
  CHECK(error("2017-10-09 07:01:55,-1,1,1,a").field() == "duration");
  CHECK(error("2017-10-09 07:01:55,1,1").expected() == "5 fields as in the header");
  const auto header =
      input_error_of([&] { read_all(spec_of(TraceFormat::kPhilly, dir.write("h.csv", "time,duration,num_gpus\n"))); });
  CHECK(header.field() == "header");
  CHECK(header.expected().find("a column named timestamp") == 0);
}

TEST_CASE("alibaba-openb: shares of a GPU, CPU-only pods, model sets, phases", "[core][trace][openb]") {
  TempDir dir;
  const auto path = dir.write("pods.csv",
                              "name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,"
                              "deletion_time,scheduled_time\n"
                              "p0,12000,16384,1,1000,,LS,Running,0,12537496,0\n"
                              "p1,6000,12288,1,460,,BE,Succeeded,427061,12902960,427061\n"
                              "p2,4000,8192,0,0,,LS,Failed,10,100,40\n"
                              "p3,1000,1024,2,1000,V100M16|V100M32,Burstable,Pending,20,30,\n"
                              "p4,1000,1024,8,1000,V100M32,LS,Succeeded,50,60,55\n");
  TraceSpec spec = spec_of(TraceFormat::kAlibabaOpenb, path);
  spec.gpu_types = {{"V100M16", *catalog().find("V100")}, {"V100M32", *catalog().find("V100-32GB")}};
  const auto jobs = read_all(spec);
  REQUIRE(jobs.size() == 5);
  CHECK(jobs[0].request == Resources{1000, 0, 12000, 16384});
  CHECK(jobs[0].outcome == JobOutcome::kRunning);
  CHECK(jobs[0].duration == Duration::seconds(12'537'496));
  CHECK(jobs[0].queue == "LS");
  CHECK(jobs[1].request.gpu_milli == 460);
  CHECK(jobs[1].submit == Time::zero() + Duration::seconds(427'061));
  CHECK(jobs[1].duration == Duration::seconds(12'902'960 - 427'061));
  CHECK(jobs[1].work == (12'902'960.0 - 427'061) * 1e6 * 0.46);
  CHECK(jobs[1].outcome == JobOutcome::kCompleted);
  CHECK(jobs[2].request.gpu_milli == 0);
  CHECK(jobs[2].outcome == JobOutcome::kFailed);
  CHECK(jobs[2].duration == Duration::seconds(60));
  CHECK(jobs[3].outcome == JobOutcome::kCancelled);  // never scheduled
  CHECK(jobs[3].gpu_types.allows(*catalog().find("V100")));
  CHECK(jobs[3].gpu_types.allows(*catalog().find("V100-32GB")));
  CHECK_FALSE(jobs[3].gpu_types.allows(*catalog().find("T4")));
  // One named type: its run time counts as measured on that type.
  CHECK(jobs[4].work == 5e6 * 8 * catalog().at(*catalog().find("V100-32GB")).relative_speed);
}

TEST_CASE("alibaba-openb: bad pods", "[core][trace][openb][errors]") {
  TempDir dir;
  const std::string header =
      "name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,deletion_time,"
      "scheduled_time\n";
  const auto error = [&](const std::string& row) {
    const auto path = dir.write("pods.csv", header + row + "\n");
    return input_error_of([&] { read_all(spec_of(TraceFormat::kAlibabaOpenb, path)); });
  };
  CHECK(error("p,1,1,2,500,,LS,Running,0,1,0").field() == "gpu_milli");  // several shared GPUs
  CHECK(error("p,1,1,1,1001,,LS,Running,0,1,0").field() == "gpu_milli");
  const auto model = error("p,1,1,1,1000,G9,LS,Running,0,1,0");
  CHECK(model.field() == "gpu_spec");
  CHECK(model.expected().find("gpu_types") != std::string::npos);
  CHECK(error("p,1,1,1,1000,,LS,Running,10,5,10").field() == "deletion_time");
  CHECK(error("p,1,1,1,1000,,LS,Evicted,0,5,0").field() == "pod_phase");
  CHECK(error("p,0,1,0,0,,LS,Running,0,5,0").field() == "cpu_milli");  // asks for nothing
}

TEST_CASE("azure-llm: requests become jobs through the token model", "[core][trace][azure]") {
  TempDir dir;
  const auto path = dir.write("code.csv",
                              "TIMESTAMP,ContextTokens,GeneratedTokens\n"
                              "2023-11-16 18:17:03.9799600,4808,10\n"
                              "2023-11-16 18:17:04.0319600,3180,8\n");
  TraceSpec spec = spec_of(TraceFormat::kAzureLlm, path);
  spec.azure = {0.5, 1000, 20};
  spec.recorded_on = *catalog().find("H100");
  const auto jobs = read_all(spec);
  REQUIRE(jobs.size() == 2);
  // 2023-11-16 18:17:03 is 1,700,158,623 s after 1970; .9799600 rounds to 979,960 us.
  CHECK(jobs[0].submit == Time::from_us(1'700'158'623'979'960));
  CHECK(jobs[0].duration == Duration::from_seconds(4808 / 1000.0 + 10 / 20.0));
  CHECK(jobs[0].request.gpu_milli == 500);
  CHECK(jobs[0].work ==
        static_cast<double>(jobs[0].duration.count_us()) * 0.5 * catalog().at(spec.recorded_on).relative_speed);
  CHECK(jobs[1].submit - jobs[0].submit == Duration::microseconds(52'000));

  const auto bad = input_error_of([&] {
    read_all(spec_of(TraceFormat::kAzureLlm,
                     dir.write("b.csv", "TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:17:03,-4,1\n")));
  });
  CHECK(bad.field() == "ContextTokens");
  CHECK(bad.where().column == 21);
}

TEST_CASE("swf: header clock, fields, states, processors per GPU", "[core][trace][swf]") {
  TempDir dir;
  const std::string log =
      "; Version: 2.2\n"
      "; UnixStartTime: 749458803\n"
      "; TimeZone: -28800\n"
      ";\n"
      "    1        0     -1   1451  128     -1    -1   -1     -1    -1 -1   1   1  -1 -1 -1 -1 -1\n"
      "    2     1460     10   3726   -1     -1   2048   64   7200  4096  0   7   1  -1  3 -1 -1 -1\n"
      "    3     1500     -1     -1   -1     -1    -1    4     -1    -1  5   1   1  -1 -1 -1 -1 -1\n"
      "    4     1600     -1     50    8     -1    -1    8     -1    -1  5   1   1  -1 -1 -1 -1 -1\n";
  TraceSpec spec = spec_of(TraceFormat::kSwf, dir.write("log.swf", log));
  spec.processors_per_gpu = 4;
  const auto reader = open_trace_reader(spec, catalog());
  CHECK(reader->clock().unix_origin_s == 749'458'803);
  CHECK(reader->clock().utc_offset_s == -28'800);
  const auto jobs = read_all(spec);
  REQUIRE(jobs.size() == 4);
  CHECK(jobs[0].name == "1");
  CHECK(jobs[0].gpus() == 32);  // 128 processors, 4 per GPU
  CHECK(jobs[0].duration == Duration::seconds(1451));
  CHECK(jobs[0].outcome == JobOutcome::kCompleted);  // status -1: unknown
  CHECK(jobs[0].user == "1");
  CHECK(jobs[0].origin.line == 5);
  CHECK(jobs[1].gpus() == 16);  // requested processors when none were allocated
  CHECK(jobs[1].estimate == Duration::seconds(7200));
  CHECK(jobs[1].request.memory_mib == 4096 * 64 / 1024);  // requested KB per processor
  CHECK(jobs[1].outcome == JobOutcome::kFailed);
  CHECK(jobs[1].queue == "3");
  CHECK(jobs[2].outcome == JobOutcome::kCancelled);
  CHECK(jobs[3].outcome == JobOutcome::kKilled);  // cancelled after it ran
  CHECK(jobs[3].request.gpu_milli == 2000);

  const auto error = [&](const std::string& row, double processors_per_gpu = 1) {
    const auto path = dir.write("bad.swf", "; UnixStartTime: 0\n" + row + "\n");
    TraceSpec s = spec_of(TraceFormat::kSwf, path);
    s.processors_per_gpu = processors_per_gpu;
    return input_error_of([&] { read_all(s); });
  };
  const auto short_row = error("1 0 -1 10 1");
  CHECK(short_row.expected() == "18 fields per job");
  CHECK(short_row.got() == "5");
  const auto word = error("1 0 -1 ten 1 -1 -1 -1 -1 -1 1 1 1 -1 -1 -1 -1 -1");
  CHECK(word.field() == "run time");
  CHECK(word.where().column == 8);
  const auto no_run = error("1 0 -1 -1 1 -1 -1 -1 -1 -1 1 1 1 -1 -1 -1 -1 -1");
  CHECK(no_run.field() == "run time");
  // 3 processors at 2 per GPU would be 1.5 GPUs.
  const auto odd = error("1 0 -1 5 3 -1 -1 -1 -1 -1 1 1 1 -1 -1 -1 -1 -1", 2);
  CHECK(odd.field() == "allocated processors");
  CHECK(odd.where().column == 10);
}

TEST_CASE("compressed traces are read as streams", "[core][trace][compressed]") {
  TempDir dir;
  for (const std::string kind : {"gzip", "bzip2", "xz", "zip"}) {
    INFO(kind);
    const auto path = write_compressed(dir.path() / ("p." + kind), kind, {kPhilly});
    const auto jobs = read_all(spec_of(TraceFormat::kPhilly, path));
    REQUIRE(jobs.size() == 2);
    CHECK(jobs[1].duration == Duration::milliseconds(2'951'500));
    CHECK(jobs[1].origin.file == path.string());
    CHECK(jobs[1].origin.line == 3);
  }
  const auto two = write_compressed(dir.path() / "two.zip", "zip", {kPhilly, kPhilly});
  const auto e = input_error_of([&] { read_all(spec_of(TraceFormat::kPhilly, two)); });
  CHECK(e.expected() == "a zip archive holding one file");

  // A gzip file cut short is an error, not a shorter trace.
  std::string body = "timestamp,duration,num_gpus,gpu_time,cluster\n";
  for (int i = 0; i < 20000; ++i) body += "2017-10-09 07:01:55,66.0,1,66.0,11cb48\n";
  const auto whole = write_compressed(dir.path() / "big.gz", "gzip", {body});
  std::string bytes;
  {
    std::ifstream in(whole, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  const auto cut = dir.write("cut.gz", bytes.substr(0, bytes.size() / 2));
  const auto truncated = input_error_of([&] { read_all(spec_of(TraceFormat::kPhilly, cut)); });
  CHECK(truncated.expected() == "a readable gzip file");
}
