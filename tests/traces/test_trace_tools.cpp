// `capsim trace stats` and `trace fit` on the real traces of
// ../shared/traces: the figures of that folder's README (rows, GPU-hours,
// GPUs per job), run-time percentiles recomputed with numpy (the commands are
// in the comments), and the C++ fit of the Philly trace, which must give the
// philly-2017 preset to the precision it is written with. The ctest entry
// skips this binary, saying so, when ../shared/traces is absent.
#include <catch2/catch.hpp>

#include <cmath>

#include "core/synthetic.hpp"
#include "core/trace_fit.hpp"
#include "core/trace_stats.hpp"
#include "tests/support/helpers.hpp"

using namespace capsim;

namespace {

std::filesystem::path trace_file(const std::string& relative) {
  const auto traces = capsim::testing::shared_traces();
  REQUIRE(traces.has_value());
  return *traces / relative;
}

TraceSpec spec_of(const std::string& relative, TraceFormat format) {
  TraceSpec spec;
  spec.format = format;
  spec.path = trace_file(relative);
  spec.recorded_on = *GpuCatalog::builtin().find("V100");
  return spec;
}

std::int64_t jobs_asking(const TraceStatsSummary& s, std::int64_t gpu_milli) {
  for (const auto& [milli, jobs] : s.gpus_per_job) {
    if (milli == gpu_milli) return jobs;
  }
  return 0;
}

double rounded(double value, int decimals) {
  const double scale = std::pow(10.0, decimals);
  return std::round(value * scale) / scale;
}

}  // namespace

TEST_CASE("trace stats: Philly", "[traces][tools][trace_stats]") {
  const TraceStatsSummary s =
      trace_stats(spec_of("philly/philly_jobs.csv", TraceFormat::kPhilly), GpuCatalog::builtin());
  // The README: 82,247 jobs; 978,078.5 GPU-hours; GPUs per job 1 (76,627),
  // 2 (1,818), 4 (1,870), 8 (1,643), 12 (7), 16 (199), 24 (7), 32 (67),
  // 64 (6), 128 (3); 15 virtual clusters; 2017-09-04 to 2017-12-22.
  CHECK(s.rows == 82'247);
  CHECK(s.jobs == 82'247);
  CHECK(s.completed == 82'247);
  CHECK(s.gpu_hours == Approx(978'078.5).epsilon(1e-6));
  const std::vector<std::pair<std::int64_t, std::int64_t>> gpus = {
      {1000, 76'627}, {2000, 1'818}, {4000, 1'870}, {8000, 1'643}, {12000, 7},
      {16000, 199},   {24000, 7},    {32000, 67},   {64000, 6},    {128000, 3}};
  CHECK(s.gpus_per_job == gpus);
  CHECK(s.queues.distinct == 15);
  CHECK(s.users.distinct == 0);
  // The README's p50 and max. Its p90 (11,266 s) and p99 (254,884 s) are
  // nearest-rank figures (numpy's method="inverted_cdf"); capsim reports
  // numpy's default, linear interpolation:
  //   d = pd.read_csv("philly_jobs.csv").duration
  //   np.percentile(d, [50, 90, 99]) == [1144, 11264.8, 254758.42]
  //   np.percentile(d, [90, 99], method="inverted_cdf") == [11266, 254884]
  CHECK(s.duration_s.p50 == 1'144);
  CHECK(s.duration_s.p90 == Approx(11'264.8).epsilon(1e-9));
  CHECK(s.duration_s.p99 == Approx(254'758.42).epsilon(1e-9));
  CHECK(s.duration_s.max == 4'628'226);
  CHECK(s.duration_s.mean == Approx(13'135.931401753256).epsilon(1e-9));
  CHECK(s.dated);
  // pd.to_datetime(jobs.timestamp).dt.hour.value_counts(): 7,159 at 07h.
  CHECK(s.arrivals_by_hour[7] == 7'159);
  CHECK(s.arrivals_by_hour[0] == 4'367);
  const std::string text = format_trace_stats(s);
  CHECK(text.find("2017-09-04 10:30:41 to 2017-12-22 08:02:11") != std::string::npos);
  CHECK(text.find("GPU-hours          978,078.5") != std::string::npos);
}

TEST_CASE("trace stats: Alibaba openb default", "[traces][tools][trace_stats]") {
  const TraceStatsSummary s = trace_stats(
      spec_of("alibaba-openb-2023/openb_pod_list_default.csv", TraceFormat::kAlibabaOpenb), GpuCatalog::builtin());
  // The README: 8,152 pods, 3,078 asking for a fraction of a GPU, 6,086.8
  // GPUs requested in total.
  CHECK(s.rows == 8'152);
  CHECK(s.jobs == 8'152);
  std::int64_t fractional = 0, requested_milli = 0;
  for (const auto& [milli, jobs] : s.gpus_per_job) {
    if (milli > 0 && milli < 1000) fractional += jobs;
    requested_milli += milli * jobs;
  }
  CHECK(fractional == 3'078);
  CHECK(requested_milli == 6'086'800);
  CHECK(jobs_asking(s, 0) == 1'088);  // CPU-only pods
  // pod_phase: Running 5,193, Failed 1,870, Pending 897, Succeeded 192.
  CHECK(s.completed == 192);
  CHECK(s.failed == 1'870);
  CHECK(s.running == 5'193);
  CHECK(s.cancelled == 897);
  // r = o[o.pod_phase != "Pending"]; d = r.deletion_time - r.scheduled_time
  // np.percentile(d, [50, 90, 99]) == [616, 7763.6, 114347.8]; max 12537496
  CHECK(s.duration_s.jobs == 7'255);
  CHECK(s.duration_s.p50 == 616);
  CHECK(s.duration_s.p90 == Approx(7'763.6).epsilon(1e-9));
  CHECK(s.duration_s.p99 == Approx(114'347.8).epsilon(1e-9));
  CHECK(s.duration_s.max == 12'537'496);
  CHECK(s.gpu_hours == Approx(51'470.67415833333).epsilon(1e-12));
  CHECK_FALSE(s.dated);  // times are seconds on the trace's own clock
  CHECK(*s.first_submit_s == 0);
  CHECK(*s.last_submit_s == 12'901'761);
}

TEST_CASE("trace stats: Azure LLM code and conversation", "[traces][tools][trace_stats]") {
  // Each request holds 0.25 GPU for ContextTokens / 10,000 + GeneratedTokens
  // / 30 seconds (the default token model):
  //   d = j.ContextTokens / 10000 + j.GeneratedTokens / 30
  //   code: np.percentile(d, 50) == 0.657, (d * 0.25).sum() / 3600 == 0.69462016
  //   conv: np.percentile(d, 50) == 4.407367, (d * 0.25).sum() / 3600 == 9.61979307
  struct Case {
    const char* file;
    std::int64_t rows;
    double p50;
    double gpu_hours;
    std::int64_t at_18h, at_19h;
    const char* first;
  };
  for (const Case& c :
       {Case{"AzureLLMInferenceTrace_code.csv", 8'819, 0.657, 0.69462016, 7'717, 1'102, "2023-11-16 18:17:03"},
        Case{"AzureLLMInferenceTrace_conv.csv", 19'366, 4.407367, 9.61979307, 15'606, 3'760, "2023-11-16 18:15:46"}}) {
    INFO(c.file);
    const TraceStatsSummary s =
        trace_stats(spec_of(std::string("azure-llm-2023/") + c.file, TraceFormat::kAzureLlm), GpuCatalog::builtin());
    CHECK(s.rows == c.rows);
    CHECK(s.jobs == c.rows);
    CHECK(s.gpus_per_job == std::vector<std::pair<std::int64_t, std::int64_t>>{{250, c.rows}});
    CHECK(s.duration_s.p50 == Approx(c.p50).epsilon(1e-9));
    CHECK(s.gpu_hours == Approx(c.gpu_hours).epsilon(1e-7));
    CHECK(s.arrivals_by_hour[18] == c.at_18h);
    CHECK(s.arrivals_by_hour[19] == c.at_19h);
    CHECK(format_trace_stats(s).find(c.first) != std::string::npos);
  }
}

TEST_CASE("trace stats: SWF logs, compressed", "[traces][tools][trace_stats]") {
  // Column 4 is the run time, 5 the processors, 12 the user; one GPU per
  // processor (the default):
  //   LCG:  188,041 jobs, np.percentile(run, [50, 90, 99]) == [255, 15265, 172800],
  //         (run * procs).sum() / 3600 == 417369.65527777775, 216 users
  //   NASA: 18,239 jobs, np.percentile(run, [50, 90, 99]) == [86, 1479.2, 10931.62],
  //         (run * procs).sum() / 3600 == 131732.78194444443, 69 users
  const TraceStatsSummary lcg = trace_stats(spec_of("swf/LCG.swf.gz", TraceFormat::kSwf), GpuCatalog::builtin());
  CHECK(lcg.rows == 188'041);
  CHECK(lcg.jobs == 188'041);
  CHECK(lcg.duration_s.p50 == 255);
  CHECK(lcg.duration_s.p90 == 15'265);
  CHECK(lcg.duration_s.p99 == 172'800);
  CHECK(lcg.gpu_hours == Approx(417'369.65527777775).epsilon(1e-12));
  CHECK(lcg.users.distinct == 216);
  CHECK(lcg.dated);
  CHECK(trace_stats_json(lcg).find("\"first_submit\": \"2005-11-20 00:00:05\"") != std::string::npos);

  const TraceStatsSummary nasa =
      trace_stats(spec_of("swf/NASA-iPSC-1993-3.1-cln.swf.zip", TraceFormat::kSwf), GpuCatalog::builtin());
  CHECK(nasa.rows == 18'239);
  CHECK(nasa.duration_s.p50 == 86);
  CHECK(nasa.duration_s.p90 == Approx(1'479.2).epsilon(1e-9));
  CHECK(nasa.duration_s.p99 == Approx(10'931.62).epsilon(1e-9));
  CHECK(nasa.gpu_hours == Approx(131'732.78194444443).epsilon(1e-12));
  CHECK(nasa.users.distinct == 69);
  const std::vector<std::pair<std::int64_t, std::int64_t>> gpus = {{1000, 4'935},  {2000, 1'763},  {4000, 2'683},
                                                                   {8000, 1'793},  {16000, 1'780}, {32000, 3'662},
                                                                   {64000, 1'203}, {128000, 420}};
  CHECK(nasa.gpus_per_job == gpus);
  CHECK(nasa.clock.utc_offset_s == -28'800);  // the log's TimeZone header
}

TEST_CASE("trace fit: the Philly trace gives the philly-2017 preset", "[traces][tools][trace_fit]") {
  std::int64_t rows = 0;
  const TraceFit fit =
      fit_trace(spec_of("philly/philly_jobs.csv", TraceFormat::kPhilly), GpuCatalog::builtin(), {}, &rows);
  const SyntheticWorkloadSpec preset = SyntheticWorkloadSpec::philly_2017();
  CHECK(rows == 82'247);
  CHECK(fit.jobs == 82'247);
  // The preset is written with 3 decimals for the rate and the profiles, 4
  // for the lognormals, and exact job counts for the GPU weights.
  CHECK(rounded(fit.spec.jobs_per_hour, 3) == preset.jobs_per_hour);
  for (std::size_t h = 0; h < 24; ++h) {
    INFO("hour " << h);
    CHECK(rounded(fit.spec.daily_profile[h], 3) == preset.daily_profile[h]);
  }
  for (std::size_t d = 0; d < 7; ++d) {
    INFO("day " << d);
    CHECK(rounded(fit.spec.weekly_profile[d], 3) == preset.weekly_profile[d]);
  }
  CHECK(fit.spec.gpu_weights == preset.gpu_weights);
  REQUIRE(fit.spec.duration_classes.size() == preset.duration_classes.size());
  for (std::size_t i = 0; i < preset.duration_classes.size(); ++i) {
    INFO("class " << i);
    CHECK(fit.spec.duration_classes[i].max_gpus == preset.duration_classes[i].max_gpus);
    CHECK(rounded(fit.spec.duration_classes[i].log_mean, 4) == preset.duration_classes[i].log_mean);
    CHECK(rounded(fit.spec.duration_classes[i].log_sigma, 4) == preset.duration_classes[i].log_sigma);
  }
  CHECK(fit.spec.recorded_speed == preset.recorded_speed);
  CHECK(fit.spec.span == preset.span);

  // Its YAML, spliced into a scenario of Philly's size, loads as the fit.
  const std::string yaml = format_fit_yaml(fit, {"philly_jobs.csv", "philly", rows, 0, "now", "test"});
  const Scenario scenario = capsim::testing::scenario_from(
      "cluster: {node_groups: [{gpu: V100, gpus_per_node: 8, count: 311}]}\n" + yaml, "philly-fit.yaml");
  const SyntheticWorkloadSpec& parsed = *scenario.workload.synthetic;
  CHECK(rounded(parsed.jobs_per_hour, 3) == preset.jobs_per_hour);
  CHECK(parsed.gpu_weights == preset.gpu_weights);
  for (std::size_t i = 0; i < preset.duration_classes.size(); ++i) {
    CHECK(rounded(parsed.duration_classes[i].log_mean, 4) == preset.duration_classes[i].log_mean);
    CHECK(rounded(parsed.duration_classes[i].log_sigma, 4) == preset.duration_classes[i].log_sigma);
  }
}
