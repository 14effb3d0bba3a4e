// The HTML report of a result folder (sim/report.hpp): a run's page with its
// figures, charts and escaped scenario text; charts left out, with a note,
// when their data is missing; comparison, plan and sweep folders from small
// hand-made files; the same bytes every time; and folders that are not
// result folders refused with their path.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>

#include "sim/report.hpp"
#include "sim/results_reader.hpp"
#include "sim/results_writer.hpp"
#include "tests/support/cli.hpp"
#include "tests/support/helpers.hpp"

using namespace capsim;
using capsim::testing::slurp;
using capsim::testing::TempDir;

namespace {

// A small run whose scenario text carries markup that must come out as text.
const char* kScenario =
    "# <script>alert('not code')</script> & more\n"
    "name: report-test\n"
    "cluster: {node_groups: [{gpu: V100, gpus_per_node: 8, count: 1}]}\n"
    "workload:\n"
    "  synthetic: {preset: philly-2017, span: 1d, jobs_per_hour: 4, max_gpus: 8, users: 3}\n"
    "run: {seed: 5, metrics_interval: 1h}\n";

std::size_t count_of(const std::string& text, const std::string& needle) {
  std::size_t count = 0;
  for (std::size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + needle.size())) ++count;
  return count;
}

sim::RunResults small_run() {
  sim::RunResults results = capsim::testing::run_yaml(kScenario);
  results.scenario_text = kScenario;
  return results;
}

}  // namespace

TEST_CASE("results.h5 reads back: attributes, job columns and time series", "[sim][report]") {
  TempDir dir;
  const sim::RunResults results = small_run();
  sim::write_results(results, dir.path());
  const sim::StoredRun run = sim::read_results_h5(dir.path() / "results.h5");
  CHECK(run.scenario_name == "report-test");
  CHECK(run.seed == 5);
  CHECK(run.scenario_text == kScenario);
  CHECK(run.status == "complete");
  CHECK(run.timeseries.interval == Duration::hours(1));
  CHECK(run.timeseries.time_s == results.timeseries.time_s);
  const sim::TimeSeries* written = &results.timeseries;
  REQUIRE(run.timeseries.find("gpu_utilisation") != nullptr);
  CHECK(run.timeseries.find("gpu_utilisation")->values == written->find("gpu_utilisation")->values);
  CHECK(run.timeseries.find("gpu_utilisation")->units == "1");
  const sim::TimeSeries::Metric* jct = run.job_column("jct");
  REQUIRE(jct != nullptr);
  CHECK(jct->units == "s");
  REQUIRE(jct->values.size() == results.jobs.size());
  for (std::size_t j = 0; j < jct->values.size(); ++j) {
    CHECK(
        (jct->values[j] == results.jobs.jct_s[j] || (std::isnan(jct->values[j]) && std::isnan(results.jobs.jct_s[j]))));
  }
  CHECK(run.job_column("name") == nullptr);  // strings are not read
}

TEST_CASE("a run's report: figures, seven charts with data, the scenario escaped, same bytes", "[sim][report]") {
  TempDir dir;
  sim::write_results(small_run(), dir.path());
  const std::string page = sim::build_report(dir.path());

  CHECK(page.starts_with("<!DOCTYPE html>"));
  CHECK(page.find("<title>capsim report: report-test</title>") != std::string::npos);
  // Utilisation, queue, JCT CDF, queueing-delay CDF, cost, power, energy.
  CHECK(count_of(page, "<svg ") == 7);
  CHECK(count_of(page, "data-points=\"0\"") == 0);
  CHECK(count_of(page, "class=\"skipped\"") == 0);
  // The headline figures, formatted with their units.
  CHECK(page.find("<td>JCT mean</td>") != std::string::npos);
  CHECK(page.find("<td>seed</td><td>5</td>") != std::string::npos);
  CHECK(page.find(" %</td>") != std::string::npos);
  // The scenario as text in a <details>, its markup escaped.
  CHECK(page.find("<details class=\"scenario\">") != std::string::npos);
  CHECK(page.find("# &lt;script&gt;alert(&#39;not code&#39;)&lt;/script&gt; &amp; more") != std::string::npos);
  CHECK(page.find("<script") == std::string::npos);
  // Nothing to fetch.
  CHECK(page.find("http://") == page.find("http://www.w3.org/2000/svg"));
  CHECK(page.find("https://") == std::string::npos);
  // Deterministic, and the file is the page.
  CHECK(sim::build_report(dir.path()) == page);
  sim::write_report(dir.path(), dir.path() / "out.html");
  CHECK(slurp(dir.path() / "out.html") == page);
}

TEST_CASE("a chart whose data is missing is left out with a note", "[sim][report]") {
  TempDir dir;
  sim::RunResults results = small_run();
  std::erase_if(results.timeseries.metrics, [](const sim::TimeSeries::Metric& m) { return m.name == "power_kw"; });
  sim::write_results(results, dir.path());
  const std::string page = sim::build_report(dir.path());
  CHECK(count_of(page, "<svg ") == 5);
  CHECK(page.find("<strong>Power and energy over time:</strong> not drawn, the results have no "
                  "/timeseries/power_kw") != std::string::npos);
}

TEST_CASE("an interrupted run's report says its results are partial", "[sim][report]") {
  TempDir dir;
  sim::RunResults results = small_run();
  results.summary.partial = true;
  sim::write_results(results, dir.path());
  CHECK(sim::build_report(dir.path()).find("<strong>Partial results:</strong>") != std::string::npos);
}

TEST_CASE("a comparison folder: its table and one line per variant", "[sim][report]") {
  TempDir dir;
  sim::write_results(small_run(), dir.path() / "fifo+best_fit" / "seed-5");
  sim::write_results(small_run(), dir.path() / "srtf+best_fit" / "seed-5");
  dir.write("compare.csv",
            "policies,metric,units,mean,stddev,seeds\n"
            "fifo+best_fit,jct_mean_s,s,7200,,1\n"
            "srtf+best_fit,jct_mean_s,s,3600,,1\n"
            "fifo+best_fit,gpu_utilisation_pct,%,48.2,1.5,2\n"
            "srtf+best_fit,gpu_utilisation_pct,%,50,,1\n");
  const std::string page = sim::build_report(dir.path());
  CHECK(page.find("<h2>Comparison</h2>") != std::string::npos);
  CHECK(page.find("<th class=\"num\">fifo+best_fit</th><th class=\"num\">srtf+best_fit</th>") != std::string::npos);
  CHECK(page.find("<td>jct_mean_s</td><td class=\"num\">2 h</td><td class=\"num\">1 h</td>") != std::string::npos);
  CHECK(page.find("48.2 % ± 1.5 %") != std::string::npos);
  // Utilisation, JCT CDF, queue and power, each with both variants in its legend.
  CHECK(count_of(page, "<svg ") == 4);
  CHECK(count_of(page, ">fifo+best_fit/seed-5</text>") == 4);
  CHECK(count_of(page, ">srtf+best_fit/seed-5</text>") == 4);
}

TEST_CASE("a plan folder: the recommended candidate and a frontier per quarter", "[sim][report]") {
  TempDir dir;
  dir.write("plan.csv",
            "candidate,quarter,gpus,cost_per_month_usd,queueing_delay_p95_s,feasible,recommended\n"
            "a,2027Q1,64,100000,7200,0,0\n"
            "b,2027Q1,96,150000,1800,1,1\n"
            "c,2027Q1,128,200000,600,1,0\n"
            "a,2027Q2,96,150000,5400,0,0\n"
            "b,2027Q2,128,200000,2400,1,1\n");
  dir.write("plan.json",
            R"({"objective": {"metric": "cost_per_month_usd", "sense": "min"},
                "constraints": [{"metric": "queueing_delay_p95_s", "op": "<=", "limit": 3600}]})");
  const std::string page = sim::build_report(dir.path());
  CHECK(page.find("Objective: min cost_per_month_usd. Constraints: queueing_delay_p95_s &lt;= 1 h.") !=
        std::string::npos);
  CHECK(count_of(page, "<svg ") == 2);
  CHECK(page.find("Quarter 2027Q1: cost against queueing_delay_p95_s") != std::string::npos);
  CHECK(page.find("Quarter 2027Q2: cost against queueing_delay_p95_s") != std::string::npos);
  CHECK(count_of(page, ">limit: &lt;= 1 h</text>") == 2);
  // Q1: 3 candidates + the recommended ring; Q2: 2 + 1.
  CHECK(page.find("data-points=\"4\"") != std::string::npos);
  CHECK(page.find("data-points=\"3\"") != std::string::npos);
  CHECK(count_of(page, "fill=\"none\" stroke=\"#000\"") == 2 + 2);  // rings and their legend swatches
  // The recommended rows, costs formatted.
  CHECK(page.find("<td>b</td><td>2027Q1</td><td>96</td><td>$150,000</td><td>30 min</td>") != std::string::npos);
}

TEST_CASE("a sweep folder: its points as a table", "[sim][report]") {
  TempDir dir;
  dir.write("sweep.csv",
            "point,policies.queue,cluster.count,jct_mean_s,cluster_cost_usd\n"
            "0,fifo,4,7200,1000\n"
            "1,srtf,4,3600,1000.6\n");
  const std::string page = sim::build_report(dir.path());
  CHECK(page.find("<h2>Sweep</h2>") != std::string::npos);
  CHECK(page.find("<td>1</td><td>srtf</td><td>4</td><td>1 h</td><td>$1,001</td>") != std::string::npos);
}

TEST_CASE("folders that are not result folders are refused with their path", "[sim][report]") {
  TempDir dir;
  const InputError missing = capsim::testing::input_error_of([&] { sim::build_report(dir.path() / "nope"); });
  CHECK(missing.where().file == (dir.path() / "nope").string());
  CHECK(missing.got() == "not a folder");
  const InputError empty = capsim::testing::input_error_of([&] { sim::build_report(dir.path()); });
  CHECK(empty.expected().find("results.h5 (capsim run)") != std::string::npos);
  CHECK(empty.got() == "none of these files");

  dir.write("results.h5", "not HDF5 at all\n");
  const InputError corrupt = capsim::testing::input_error_of([&] { sim::build_report(dir.path()); });
  CHECK(corrupt.where().file == (dir.path() / "results.h5").string());
  CHECK(corrupt.expected().find("results.h5 written by `capsim run`") != std::string::npos);

  TempDir plan;
  plan.write("plan.csv", "candidate,cost\na,1\n");
  const InputError no_cost = capsim::testing::input_error_of([&] { sim::build_report(plan.path()); });
  CHECK(no_cost.field() == "cost_per_month_usd");
  CHECK(no_cost.where().file == (plan.path() / "plan.csv").string());
}
