// Integration with the real traces of ../shared/traces (its README gives the
// figures checked here): every reader on its full file, the bundled scenario
// of each trace replayed end to end, and a one-week window of each replayed
// on a cluster large enough that nothing waits, where every job must run
// exactly its recorded time and the GPU-hours consumed must equal the
// trace's. The expected window figures were worked out independently of
// capsim with pandas (the one-liners are quoted beside them). The ctest
// entries skip, saying so, when ../shared/traces is absent.
#include <catch2/catch.hpp>

#include <cmath>
#include <map>

#include "core/scenario.hpp"
#include "core/trace.hpp"
#include "sim/run.hpp"
#include "tests/support/helpers.hpp"

using namespace capsim;

namespace {

std::filesystem::path traces() {
  const auto dir = capsim::testing::shared_traces();
  REQUIRE(dir.has_value());
  return *dir;
}

struct Totals {
  std::int64_t rows = 0;
  std::int64_t cancelled = 0;
  double gpu_hours = 0;  // of the jobs that ran
  std::map<std::int64_t, std::int64_t> jobs_by_gpu_milli;
  std::map<JobOutcome, std::int64_t> jobs_by_outcome;
};

Totals read_totals(const TraceSpec& spec, const GpuCatalog& catalog) {
  Totals totals;
  const auto reader = open_trace_reader(spec, catalog);
  JobSpec job;
  while (reader->next(job)) {
    ++totals.jobs_by_gpu_milli[job.request.gpu_milli];
    ++totals.jobs_by_outcome[job.outcome];
    if (job.outcome == JobOutcome::kCancelled) {
      ++totals.cancelled;
      continue;
    }
    totals.gpu_hours += job.duration.to_seconds() * static_cast<double>(job.request.gpu_milli) / 1000 / 3600;
  }
  totals.rows = reader->rows();
  return totals;
}

TraceSpec spec_of(TraceFormat format, const std::filesystem::path& path, const GpuCatalog& catalog) {
  TraceSpec spec;
  spec.format = format;
  spec.path = path;
  spec.recorded_on = *catalog.find("V100");
  return spec;
}

// Every job that ran did so without waiting, for exactly its recorded time.
void check_no_wait_exact_runs(const sim::RunResults& results) {
  std::int64_t mismatches = 0;
  for (std::size_t i = 0; i < results.jobs.size(); ++i) {
    if (results.jobs.queueing_delay_s[i] != 0 || results.jobs.jct_s[i] != results.jobs.recorded_duration_s[i]) {
      ++mismatches;
    }
  }
  CHECK(mismatches == 0);
}

sim::RunResults run_bundled(const std::string& name) {
  const Scenario scenario = load_scenario(capsim::testing::source_dir() / "scenarios" / name);
  return sim::run_scenario(scenario);
}

}  // namespace

// --- Philly ---------------------------------------------------------------

TEST_CASE("philly: the reader matches the trace's README", "[traces][philly]") {
  const GpuCatalog catalog = GpuCatalog::builtin();
  const auto t = read_totals(spec_of(TraceFormat::kPhilly, traces() / "philly/philly_jobs.csv", catalog), catalog);
  CHECK(t.rows == 82'247);
  CHECK(t.gpu_hours == Approx(978'078.5).margin(0.05));
  const std::map<std::int64_t, std::int64_t> by_gpus = {{1000, 76'627}, {2000, 1'818}, {4000, 1'870}, {8000, 1'643},
                                                        {12000, 7},     {16000, 199},  {24000, 7},    {32000, 67},
                                                        {64000, 6},     {128000, 3}};
  CHECK(t.jobs_by_gpu_milli == by_gpus);
}

TEST_CASE("philly: the bundled scenario replays every job, GPU-hours conserved", "[traces][philly]") {
  const auto results = run_bundled("philly.yaml");
  CHECK(results.summary.jobs_submitted == 82'247);
  CHECK(results.summary.jobs_completed == 82'247);
  CHECK(results.summary.gpu_hours_allocated == Approx(978'078.472777).epsilon(1e-12));
  // Submitted 2017-09-04 10:30:41 to 2017-12-22 08:02:11: the replay is no shorter.
  CHECK(results.summary.makespan_s >= 9'322'290);
}

TEST_CASE("philly: one week replays exactly on a cluster where nothing waits", "[traces][philly]") {
  // p = pd.read_csv("philly_jobs.csv"); t = pd.to_datetime(p.timestamp)
  // w = p[(t >= "2017-10-02") & (t < "2017-10-09")]
  // len(w) == 11386; (w.duration * w.num_gpus).sum() / 3600 == 96159.01111111112
  const auto results = sim::run_scenario(
      capsim::testing::scenario_from("cluster: {node_groups: [{gpu: V100, gpus_per_node: 8, count: 2000}]}\n"
                                     "workload:\n"
                                     "  trace:\n"
                                     "    format: philly\n"
                                     "    path: " +
                                     (traces() / "philly/philly_jobs.csv").string() +
                                     "\n"
                                     "    window: {start: 2017-10-02, length: 7d}\n"));
  CHECK(results.summary.jobs_submitted == 11'386);
  CHECK(results.summary.jobs_completed == 11'386);
  CHECK(results.summary.gpu_hours_allocated == Approx(96'159.01111111112).epsilon(1e-12));
  check_no_wait_exact_runs(results);
}

// --- Alibaba openb --------------------------------------------------------

TEST_CASE("alibaba-openb: the reader matches the trace's README", "[traces][openb]") {
  const GpuCatalog catalog = GpuCatalog::builtin();
  TraceSpec spec =
      spec_of(TraceFormat::kAlibabaOpenb, traces() / "alibaba-openb-2023/openb_pod_list_default.csv", catalog);
  const auto t = read_totals(spec, catalog);
  CHECK(t.rows == 8'152);
  std::int64_t fractional = 0, gpu_milli = 0;
  for (const auto& [milli, count] : t.jobs_by_gpu_milli) {
    if (milli > 0 && milli < 1000) fractional += count;
    gpu_milli += milli * count;
  }
  CHECK(fractional == 3'078);
  CHECK(gpu_milli == 6'086'800);  // 6,086.8 GPUs requested
  CHECK(t.jobs_by_gpu_milli.at(0) == 1'088);
  CHECK(t.jobs_by_outcome.at(JobOutcome::kCancelled) == 897);  // Pending
  CHECK(t.jobs_by_outcome.at(JobOutcome::kRunning) == 5'193);
  CHECK(t.jobs_by_outcome.at(JobOutcome::kFailed) == 1'870);
  CHECK(t.jobs_by_outcome.at(JobOutcome::kCompleted) == 192);
}

TEST_CASE("alibaba-openb: every variant reads with the bundled scenario's GPU models", "[traces][openb]") {
  const Scenario scenario = load_scenario(capsim::testing::source_dir() / "scenarios/alibaba_openb.yaml");
  TraceSpec spec = *scenario.workload.trace;
  int variants = 0;
  for (const auto& entry : std::filesystem::directory_iterator(traces() / "alibaba-openb-2023")) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("openb_pod_list_", 0) != 0) continue;
    INFO(name);
    ++variants;
    spec.path = entry.path();
    const auto reader = open_trace_reader(spec, scenario.catalog);
    JobSpec job;
    std::int64_t rows = 0;
    while (reader->next(job)) ++rows;
    CHECK(rows > 4'000);
    // The multigpuNN variants list requests only: they read but do not replay.
    const bool requests_only = name.find("multigpu") != std::string::npos;
    CHECK(reader->timed() == !requests_only);
    if (requests_only) {
      const auto e = capsim::testing::input_error_of([&] { open_trace(spec, scenario.catalog, 1); });
      CHECK(e.field() == "path");
    }
  }
  CHECK(variants == 23);
}

TEST_CASE("alibaba-openb: the bundled scenario replays on the trace's nodes", "[traces][openb]") {
  const auto results = run_bundled("alibaba_openb.yaml");
  CHECK(results.summary.jobs_submitted == 8'152 - 897);  // Pending pods never ran
  CHECK(results.summary.jobs_rejected == 0);
  // o = pd.read_csv("openb_pod_list_default.csv"); r = o[o.pod_phase != "Pending"]
  // g = np.where(r.num_gpu > 0, r.num_gpu * r.gpu_milli / 1000, 0)
  // ((r.deletion_time - r.scheduled_time) * g).sum() / 3600 == 51470.67415833333
  CHECK(results.summary.gpu_hours_allocated == Approx(51'470.67415833333).epsilon(1e-12));
}

TEST_CASE("alibaba-openb: one week replays exactly on a cluster where nothing waits", "[traces][openb]") {
  // Pods created in [142 d, 149 d) of the trace's clock:
  // w = r[(r.creation_time >= 142 * 86400) & (r.creation_time < 149 * 86400)]
  // len(w) == 1892 (683 sharing a GPU, 243 CPU-only), GPU-hours 1643.4810972222222;
  // 280 Pending pods of that week are left out.
  auto report = std::make_shared<TraceReport>();
  const Scenario scenario = capsim::testing::scenario_from(
      "cluster: {node_groups: [{gpu: V100, gpus_per_node: 8, count: 2000, cpus: 128, memory: 1TiB}]}\n"
      "workload:\n"
      "  trace:\n"
      "    format: alibaba-openb\n"
      "    path: " +
      (traces() / "alibaba-openb-2023/openb_pod_list_default.csv").string() +
      "\n"
      "    window: {start: 142d, length: 7d}\n");
  std::int64_t jobs = 0;
  const auto source = open_trace(*scenario.workload.trace, scenario.catalog, 1, report);
  JobSpec job;
  while (source->next(job)) ++jobs;
  CHECK(jobs == 1'892);
  const auto results = sim::run_scenario(scenario);
  CHECK(results.summary.jobs_submitted == 1'892);
  CHECK(results.summary.gpu_hours_allocated == Approx(1'643.4810972222222).epsilon(1e-12));
  check_no_wait_exact_runs(results);
}

// --- Azure LLM ------------------------------------------------------------

TEST_CASE("azure-llm: the readers match the trace's README", "[traces][azure]") {
  const GpuCatalog catalog = GpuCatalog::builtin();
  for (const auto& [file, rows] : {std::pair{"code", 8'819}, std::pair{"conv", 19'366}}) {
    INFO(file);
    const auto spec =
        spec_of(TraceFormat::kAzureLlm,
                traces() / ("azure-llm-2023/AzureLLMInferenceTrace_" + std::string(file) + ".csv"), catalog);
    CHECK(read_totals(spec, catalog).rows == rows);
    auto report = std::make_shared<TraceReport>();
    const auto source = open_trace(spec, catalog, 1, report);
    JobSpec job;
    REQUIRE(source->next(job));
    // About one hour each, starting 2023-11-16 18:15.
    CHECK(format_datetime(*report->first_submit_unix_s * 1'000'000).substr(0, 15) == "2023-11-16 18:1");
    Time last;
    while (source->next(job)) last = job.submit;
    CHECK(last > Time::zero() + Duration::minutes(55));
    CHECK(last < Time::zero() + Duration::minutes(61));
  }
}

TEST_CASE("azure-llm: the conv hour replays exactly on a cluster where nothing waits", "[traces][azure]") {
  // a = pd.read_csv("AzureLLMInferenceTrace_conv.csv")
  // (a.ContextTokens / 10000 + a.GeneratedTokens / 30).sum() * 0.25 / 3600 == 9.619793078703704
  // (run times are rounded to the microsecond, hence the relative 1e-7)
  const auto results = sim::run_scenario(
      capsim::testing::scenario_from("cluster: {node_groups: [{gpu: H100, gpus_per_node: 8, count: 16}]}\n"
                                     "workload:\n"
                                     "  trace:\n"
                                     "    format: azure-llm\n"
                                     "    recorded_on: H100\n"
                                     "    path: " +
                                     (traces() / "azure-llm-2023/AzureLLMInferenceTrace_conv.csv").string() + "\n"));
  CHECK(results.summary.jobs_completed == 19'366);
  CHECK(results.summary.gpu_hours_allocated == Approx(9.619793078703704).epsilon(1e-7));
  check_no_wait_exact_runs(results);
  const auto bundled = run_bundled("azure_llm.yaml");
  CHECK(bundled.summary.jobs_completed == 19'366);
  CHECK(bundled.summary.gpu_hours_allocated == Approx(9.619793078703704).epsilon(1e-7));
}

// --- SWF ------------------------------------------------------------------

TEST_CASE("swf: the compressed logs read in full", "[traces][swf]") {
  const GpuCatalog catalog = GpuCatalog::builtin();
  const auto lcg = read_totals(spec_of(TraceFormat::kSwf, traces() / "swf/LCG.swf.gz", catalog), catalog);
  CHECK(lcg.rows == 188'041);  // the header's MaxJobs
  // s = pd.read_csv(gzip.open("LCG.swf.gz", "rt"), comment=";", sep=r"\s+", header=None)
  // (s[3] * s[4]).sum() / 3600 == 417369.65527777775
  CHECK(lcg.gpu_hours == Approx(417'369.65527777775).epsilon(1e-12));
  const auto nasa =
      read_totals(spec_of(TraceFormat::kSwf, traces() / "swf/NASA-iPSC-1993-3.1-cln.swf.zip", catalog), catalog);
  CHECK(nasa.rows == 18'239);
  CHECK(nasa.gpu_hours == Approx(131'732.78194444443).epsilon(1e-12));
}

TEST_CASE("swf: the bundled scenarios replay every job, GPU-hours conserved", "[traces][swf]") {
  const auto lcg = run_bundled("swf_lcg.yaml");
  CHECK(lcg.summary.jobs_completed == 188'041);
  CHECK(lcg.summary.gpu_hours_allocated == Approx(417'369.65527777775).epsilon(1e-12));
  const auto nasa = run_bundled("swf_nasa_ipsc.yaml");
  CHECK(nasa.summary.jobs_completed == 18'239);
  CHECK(nasa.summary.gpu_hours_allocated == Approx(131'732.78194444443).epsilon(1e-12));
}

TEST_CASE("swf: a week of each log replays exactly where nothing waits", "[traces][swf]") {
  // The second week: submit in [first + 7d, first + 14d).
  // LCG: 75,878 jobs, 188,981.83638888889 GPU-hours; NASA: 1,534 jobs,
  // 8,147.460277777778 GPU-hours (pandas, as above).
  const std::string base =
      "gpu_catalog: [{name: slot, memory: 1GiB, relative_speed: 1, idle_watts: 0, peak_watts: 0, usd_per_hour: 0}]\n"
      "cluster: {node_groups: [{gpu: slot, gpus_per_node: 128, count: 300}]}\n"
      "workload:\n"
      "  trace:\n"
      "    format: swf\n"
      "    recorded_on: slot\n"
      "    window: {start: 7d, length: 7d}\n"
      "    path: ";
  const auto lcg = sim::run_scenario(capsim::testing::scenario_from(base + (traces() / "swf/LCG.swf.gz").string()));
  CHECK(lcg.summary.jobs_completed == 75'878);
  CHECK(lcg.summary.gpu_hours_allocated == Approx(188'981.83638888889).epsilon(1e-12));
  check_no_wait_exact_runs(lcg);
  const auto nasa = sim::run_scenario(
      capsim::testing::scenario_from(base + (traces() / "swf/NASA-iPSC-1993-3.1-cln.swf.zip").string()));
  CHECK(nasa.summary.jobs_completed == 1'534);
  CHECK(nasa.summary.gpu_hours_allocated == Approx(8'147.460277777778).epsilon(1e-12));
  check_no_wait_exact_runs(nasa);
}
