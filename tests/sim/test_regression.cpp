// The regression gate of `capsim compare`: reading runs and comparisons,
// tolerances in each form and direction, verdicts worked out by hand,
// missing metrics and columns, JUnit XML and Markdown, and bad input.
#include <catch2/catch.hpp>

#include <cmath>

#include "sim/regression.hpp"
#include "tests/support/helpers.hpp"

using namespace capsim;
using capsim::testing::input_error_of;
using capsim::testing::TempDir;

namespace {

// A baseline run and a result of the same scenario after a change:
//   jct_mean_s            1000 -> 1049   +4.9%   within +5%
//   jct_p99_s             5000 -> 5300   +6%     beyond +5% (allowed 250, moved 300)
//   queueing_delay_p99_s   200 -> 150    -25%    a fall: +5% does not bound it
//   gpu_utilisation        0.5 -> 0.48   50% -> 48%, -4%, within -5%
//   jobs_completed         100 -> 100
//   cluster_cost_usd      2000 -> 2000
const char* kBaseline = R"({
  "scenario": "t", "seed": 1, "queue_policy": "fifo", "placement_policy": "best_fit", "status": "complete",
  "metrics": {"jobs_completed": 100, "jct_mean_s": 1000, "jct_p99_s": 5000, "queueing_delay_p99_s": 200,
              "gpu_utilisation": 0.5, "cluster_cost_usd": 2000, "energy_model": "linear", "jct_max_s": null},
  "services": [{"name": "chat", "autoscaler": "hpa", "slo_attainment_pct": 99.5}]
})";
const char* kResult = R"({
  "scenario": "t", "seed": 1, "queue_policy": "fifo", "placement_policy": "best_fit", "status": "complete",
  "metrics": {"jobs_completed": 100, "jct_mean_s": 1049, "jct_p99_s": 5300, "queueing_delay_p99_s": 150,
              "gpu_utilisation": 0.48, "cluster_cost_usd": 2000, "energy_model": "linear", "jct_max_s": null},
  "services": [{"name": "chat", "autoscaler": "hpa", "slo_attainment_pct": 98.0}]
})";

sim::MetricSource source(const std::string& json, const std::string& file = "summary.json") {
  return sim::parse_metric_source(json, file, "RESULT");
}

// A run whose metrics block is `metrics` (JSON object text).
std::string run_json(const std::string& metrics) {
  return R"({"queue_policy": "fifo", "placement_policy": "best_fit", "metrics": )" + metrics + "}";
}

const sim::CheckResult& check_of(const sim::RegressionReport& report, const std::string& metric) {
  for (const sim::CheckResult& c : report.checks) {
    if (c.metric == metric) return c;
  }
  FAIL("no check of " << metric);
  return report.checks.front();
}

sim::RegressionReport gate(const std::string& result, const std::string& baseline,
                           const std::vector<std::string>& options) {
  const sim::MetricSource r = source(result), b = source(baseline);
  std::vector<sim::MetricCheck> checks;
  for (const std::string& option : options) {
    checks.push_back(sim::parse_metric_option(option, sim::metric_names(r, b), 5));
  }
  return sim::check_regressions(r, b, checks);
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("a summary reads as one column with nested blocks under dotted names", "[regression]") {
  const sim::MetricSource s = source(kBaseline);
  CHECK_FALSE(s.comparison);
  REQUIRE(s.columns.size() == 1);
  const sim::MetricColumn& c = s.columns[0];
  CHECK(c.name == "fifo+best_fit");
  CHECK(c.metrics.at("jct_mean_s") == 1000);
  CHECK(c.metrics.at("services.chat.slo_attainment_pct") == 99.5);
  CHECK(c.metrics.at("chat.slo_attainment_pct") == 99.5);  // as sweeps, plans and Python name it
  CHECK(std::isnan(c.metrics.at("jct_max_s")));            // null
  CHECK(c.metrics.count("energy_model") == 0);             // text is not a figure
  CHECK(c.metrics.count("seed") == 0);                     // nor the run's identity
  // Both spellings of utilisation and of jobs left waiting.
  CHECK(c.metrics.at("gpu_utilisation_pct") == 50);
}

TEST_CASE("a comparison reads as one column per policy combination", "[regression]") {
  const sim::MetricSource s = sim::parse_metric_source(
      R"({"interrupted": false, "columns": [
           {"policies": "fifo+best_fit", "seeds": [1], "mean": {"jct_mean_s": 10, "gpu_utilisation_pct": 40,
                                                                "jobs_waiting_at_end": 2}, "stddev": {}},
           {"policies": "srtf+best_fit", "seeds": [1], "mean": {"jct_mean_s": null}, "stddev": {}}]})",
      "compare.json", "BASELINE");
  CHECK(s.comparison);
  REQUIRE(s.columns.size() == 2);
  CHECK(s.columns[0].name == "fifo+best_fit");
  CHECK(s.columns[0].metrics.at("gpu_utilisation") == Approx(0.4));
  CHECK(s.columns[0].metrics.at("jobs_pending_at_end") == 2);
  CHECK(s.columns[1].name == "srtf+best_fit");
  CHECK(std::isnan(s.columns[1].metrics.at("jct_mean_s")));
}

TEST_CASE("tolerances: relative, absolute, durations, each direction", "[regression]") {
  const auto parse = [](const char* text, const char* metric = "jct_mean_s") {
    return sim::parse_tolerance(text, metric, "--metric");
  };
  const sim::Tolerance rise = parse("+5%");
  CHECK((rise.bounds_rise && !rise.bounds_fall && rise.relative));
  CHECK(rise.amount == Approx(0.05));
  CHECK(rise.allowed(-200) == Approx(10));  // a share of |baseline|
  const sim::Tolerance fall = parse("-2%");
  CHECK((!fall.bounds_rise && fall.bounds_fall && fall.relative));
  CHECK(fall.amount == Approx(0.02));
  for (const char* both : {"5%",
                           "\xC2\xB1"
                           "5%",
                           "+-5%"}) {
    const sim::Tolerance t = parse(both);
    CHECK((t.bounds_rise && t.bounds_fall && t.relative));
    CHECK(t.amount == Approx(0.05));
    CHECK(t.text.starts_with("\xC2\xB1"));
  }
  const sim::Tolerance seconds = parse("+30s");
  CHECK((!seconds.relative && seconds.amount == 30 && seconds.bounds_rise && !seconds.bounds_fall));
  CHECK(parse("+2m").amount == 120);
  CHECK(parse("-1h").amount == 3600);
  const sim::Tolerance units = parse("+0.5", "cluster_cost_usd");
  CHECK((!units.relative && units.amount == 0.5));
  CHECK(parse("0%").amount == 0);
  const sim::Tolerance either = parse("+-5");  // 5 either way, in the metric's units
  CHECK((either.bounds_rise && either.bounds_fall && !either.relative && either.amount == 5));
  CHECK(either.text ==
        "\xC2\xB1"
        "5");

  // A duration on a figure that is not a time, and forms that are no tolerance.
  const InputError dollars = input_error_of([&] { parse("+30s", "cluster_cost_usd"); });
  CHECK(dollars.field() == "--metric");
  CHECK(dollars.expected().find("units of cluster_cost_usd") != std::string::npos);
  for (const char* bad : {"", "+", "abc", "+5%%", "--5%", "+-", "5 %", "+nan%", "+inf"}) {
    INFO(bad);
    const InputError e = input_error_of([&] { parse(bad); });
    CHECK(e.field() == "--metric");
  }
}

TEST_CASE("each metric's worse direction", "[regression]") {
  using sim::Worse;
  CHECK(sim::worse_direction("jct_mean_s") == Worse::kRise);
  CHECK(sim::worse_direction("queueing_delay_p99_s") == Worse::kRise);
  CHECK(sim::worse_direction("cluster_cost_usd") == Worse::kRise);
  CHECK(sim::worse_direction("facility_energy_kwh") == Worse::kRise);
  CHECK(sim::worse_direction("emissions_kg_co2e") == Worse::kRise);
  CHECK(sim::worse_direction("preemptions") == Worse::kRise);
  CHECK(sim::worse_direction("gpu_utilisation_pct") == Worse::kFall);
  CHECK(sim::worse_direction("jobs_completed") == Worse::kFall);
  CHECK(sim::worse_direction("services.chat.slo_attainment_pct") == Worse::kFall);
  CHECK(sim::worse_direction("goodput_pct") == Worse::kFall);
  CHECK(sim::worse_direction("events") == Worse::kEitherWay);
}

TEST_CASE("the default set: hand-worked deltas, each in its worse direction", "[regression]") {
  const sim::RegressionReport r =
      sim::check_regressions(source(kResult), source(kBaseline), sim::default_metric_checks(5));
  REQUIRE(r.pairs.size() == 1);
  // Of the default set, the six the runs have; p95s, makespan, energy and
  // emissions are left out (neither side has them).
  CHECK(r.checks.size() == 6);
  CHECK(check_of(r, "jct_mean_s").verdict == sim::Verdict::kPass);  // +4.9%
  const sim::CheckResult& p99 = check_of(r, "jct_p99_s");
  CHECK(p99.verdict == sim::Verdict::kRegressed);  // +300 over an allowed 250
  CHECK(p99.tolerance.text == "+5%");
  CHECK(p99.message() == "jct_p99_s rose by 300 (5000 -> 5300, +6.00%), beyond the +5% tolerance");
  CHECK(check_of(r, "queueing_delay_p99_s").verdict == sim::Verdict::kPass);  // fell: better
  const sim::CheckResult& util = check_of(r, "gpu_utilisation_pct");
  CHECK(util.tolerance.text == "-5%");
  CHECK(util.baseline == 50);
  CHECK(util.result == 48);
  CHECK(util.verdict == sim::Verdict::kPass);  // -4%
  CHECK(r.failures() == 1);
  CHECK_FALSE(r.passed());

  const std::string table = sim::format_regression_report(r);
  CHECK(table.find("jct_p99_s") != std::string::npos);
  CHECK(table.find("REGRESSED") != std::string::npos);
  CHECK(table.find("FAIL: 6 checks over 1 column(s), 1 failed") != std::string::npos);
}

TEST_CASE("metric tolerances (--metric) decide the verdict", "[regression]") {
  // Exactly 5% is within +5%; a cent more is not.
  CHECK(gate(run_json(R"({"jct_mean_s": 1050})"), run_json(R"({"jct_mean_s": 1000})"), {"avg_jct:+5%"}).passed());
  CHECK_FALSE(
      gate(run_json(R"({"jct_mean_s": 1050.01})"), run_json(R"({"jct_mean_s": 1000})"), {"avg_jct:+5%"}).passed());
  // A fall is unbounded by "+": 1000 -> 10.
  CHECK(gate(run_json(R"({"jct_mean_s": 10})"), run_json(R"({"jct_mean_s": 1000})"), {"avg_jct:+5%"}).passed());
  // Either way: 200 -> 150 fell 25%, beyond 10%.
  CHECK_FALSE(gate(run_json(R"({"queueing_delay_p99_s": 150})"), run_json(R"({"queueing_delay_p99_s": 200})"),
                   {"p99_queue:10%"})
                  .passed());
  // Absolute seconds: 200 + 30 passes, 200 + 31 does not.
  CHECK(gate(run_json(R"({"queueing_delay_p99_s": 230})"), run_json(R"({"queueing_delay_p99_s": 200})"),
             {"p99_queue:+30s"})
            .passed());
  CHECK_FALSE(gate(run_json(R"({"queueing_delay_p99_s": 231})"), run_json(R"({"queueing_delay_p99_s": 200})"),
                   {"p99_queue:+0.5m"})
                  .passed());
  // Higher is better: utilisation 50% -> 48% fell 4%, beyond -2%; a rise passes.
  const sim::RegressionReport util =
      gate(run_json(R"({"gpu_utilisation": 0.48})"), run_json(R"({"gpu_utilisation": 0.5})"), {"utilisation:-2%"});
  CHECK(check_of(util, "gpu_utilisation_pct").verdict == sim::Verdict::kRegressed);
  CHECK(gate(run_json(R"({"gpu_utilisation": 0.9})"), run_json(R"({"gpu_utilisation": 0.5})"), {"utilisation:-2%"})
            .passed());
  // Absolute in the metric's units: cost 2000 -> 2000.5 within +0.5.
  CHECK(gate(run_json(R"({"cluster_cost_usd": 2000.5})"), run_json(R"({"cluster_cost_usd": 2000})"), {"cost:+0.5"})
            .passed());
  // A relative tolerance on a zero baseline allows no rise at all.
  CHECK_FALSE(gate(run_json(R"({"preemptions": 1})"), run_json(R"({"preemptions": 0})"), {"preemptions"}).passed());
  // Nested figures by their dotted names: SLO attainment 99.5 -> 98 fell 1.5%.
  const sim::RegressionReport slo = gate(kResult, kBaseline, {"services.chat.slo_attainment_pct"});
  CHECK(check_of(slo, "services.chat.slo_attainment_pct").tolerance.text == "-5%");
  CHECK(slo.passed());
  CHECK_FALSE(gate(kResult, kBaseline, {"services.chat.slo_attainment_pct:-1%"}).passed());
  CHECK_FALSE(gate(kResult, kBaseline, {"chat.slo_attainment_pct:-1%"}).passed());
}

TEST_CASE("a metric the result lacks fails; one the baseline lacks is reported", "[regression]") {
  const sim::RegressionReport r =
      gate(run_json(R"({"jct_mean_s": null, "jct_p99_s": 7, "makespan_s": null})"),
           run_json(R"({"jct_mean_s": 5, "makespan_s": null})"), {"avg_jct", "p99_jct", "makespan"});
  const sim::CheckResult& mean = check_of(r, "jct_mean_s");
  CHECK(mean.verdict == sim::Verdict::kMissing);
  CHECK(mean.failed());
  CHECK(mean.message() == "jct_mean_s is missing from the result (baseline 5)");
  CHECK(check_of(r, "jct_p99_s").verdict == sim::Verdict::kNoBaseline);
  CHECK_FALSE(check_of(r, "jct_p99_s").failed());
  CHECK(check_of(r, "makespan_s").verdict == sim::Verdict::kPass);  // neither has a value
  CHECK(r.failures() == 1);

  // Absent altogether (not null) on the result's side: the same failure.
  const sim::RegressionReport absent =
      sim::check_regressions(source(run_json("{}")), source(kBaseline), sim::default_metric_checks(5));
  CHECK(check_of(absent, "jct_mean_s").verdict == sim::Verdict::kMissing);
  CHECK(absent.failures() == 6);
}

TEST_CASE("comparisons pair columns by policy name; a missing column fails", "[regression]") {
  const auto comparison = [](const std::string& columns) {
    return sim::parse_metric_source(R"({"interrupted": false, "columns": [)" + columns + "]}", "compare.json",
                                    "RESULT");
  };
  const sim::MetricSource baseline = comparison(R"({"policies": "fifo+best_fit", "mean": {"jct_mean_s": 100}},
                    {"policies": "sjf+best_fit", "mean": {"jct_mean_s": 80}})");
  const sim::MetricSource result = comparison(R"({"policies": "srtf+best_fit", "mean": {"jct_mean_s": 70}},
                    {"policies": "fifo+best_fit", "mean": {"jct_mean_s": 104}})");
  const sim::RegressionReport r = sim::check_regressions(result, baseline, sim::default_metric_checks(5));
  REQUIRE(r.pairs.size() == 1);
  CHECK(r.pairs[0] == std::pair<std::string, std::string>{"fifo+best_fit", "fifo+best_fit"});
  CHECK(r.checks.size() == 1);
  CHECK(r.checks[0].verdict == sim::Verdict::kPass);  // +4%
  CHECK(r.missing_columns == std::vector<std::string>{"sjf+best_fit"});
  CHECK(r.new_columns == std::vector<std::string>{"srtf+best_fit"});
  CHECK(r.failures() == 1);
  const std::string table = sim::format_regression_report(r);
  CHECK(table.find("sjf+best_fit: in the baseline, missing from the result (FAIL)") != std::string::npos);
  CHECK(table.find("srtf+best_fit: in the result only, no baseline (not gated)") != std::string::npos);
  const std::string xml = sim::regression_junit_xml(r);
  CHECK(xml.find("<testcase classname=\"capsim.compare.columns\" name=\"sjf+best_fit\"") != std::string::npos);
  CHECK(xml.find("failures=\"1\"") != std::string::npos);

  // One run against one run: paired whatever their names (a policy against another).
  const sim::RegressionReport runs = sim::check_regressions(
      source(R"({"queue_policy": "sjf", "placement_policy": "best_fit", "metrics": {}})"), source(kBaseline), {});
  REQUIRE(runs.pairs.size() == 1);
  CHECK(runs.pairs[0] == std::pair<std::string, std::string>{"sjf+best_fit", "fifo+best_fit"});
}

TEST_CASE("metric names (--metric): aliases, summary names, and unknown names with close ones", "[regression]") {
  const std::vector<std::string> known = sim::metric_names(source(kResult), source(kBaseline));
  const sim::MetricCheck avg = sim::parse_metric_option("avg_jct:+10%", known, 5);
  CHECK(avg.metric == "jct_mean_s");
  CHECK(avg.tolerance.amount == Approx(0.1));
  const sim::MetricCheck plain = sim::parse_metric_option("jct_p99_s", known, 3);
  CHECK(plain.tolerance.text == "+3%");
  CHECK(sim::parse_metric_option("utilisation", known, 5).tolerance.text == "-5%");
  CHECK(sim::parse_metric_option("utilization", known, 5).metric == "gpu_utilisation_pct");
  CHECK(sim::parse_metric_option("cost", known, 5).metric == "cluster_cost_usd");

  const InputError typo = input_error_of([&] { sim::parse_metric_option("avg_jtc:+5%", known, 5); });
  CHECK(typo.field() == "--metric");
  CHECK(typo.got() == "\"avg_jtc\"");
  CHECK(typo.expected().find("(close: avg_jct") != std::string::npos);
  const InputError part = input_error_of([&] { sim::parse_metric_option("jct", known, 5); });
  CHECK(part.expected().find("jct_mean_s") != std::string::npos);
  CHECK(part.expected().find("jct_p99_s") != std::string::npos);
  // An alias of a metric neither file has (these runs have no energy model).
  const InputError energy = input_error_of([&] { sim::parse_metric_option("energy", known, 5); });
  CHECK(energy.got().find("facility_energy_kwh, which neither file has") != std::string::npos);
  CHECK(energy.expected().find("energy,") == std::string::npos);  // not the typed name back
  CHECK(input_error_of([&] { sim::parse_metric_option(":5%", known, 5); }).field() == "--metric");
  CHECK(input_error_of([&] { sim::parse_metric_option("avg_jct:", known, 5); }).field() == "--metric");
  CHECK(input_error_of([&] { sim::parse_metric_option("avg_jct:lots", known, 5); }).field() == "--metric");
}

TEST_CASE("JUnit XML: a testcase per metric, failures with messages, escaped", "[regression]") {
  const std::string result = R"({"queue_policy": "a<b>&\"c'", "placement_policy": "p", "metrics": {"jct_mean_s": 2}})";
  const std::string baseline = R"({"queue_policy": "a<b>&\"c'", "placement_policy": "p", "metrics": {"jct_mean_s": 1,
                                 "makespan_s": 9}})";
  const std::string xml = sim::regression_junit_xml(gate(result, baseline, {"avg_jct:+5%", "makespan"}));
  CHECK(
      xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"capsim compare\" tests=\"2\" "
                      "failures=\"2\">"));
  CHECK(count(xml, "<testcase ") == 2);
  CHECK(count(xml, "<failure ") == 2);
  CHECK(xml.find("classname=\"capsim.compare.a&lt;b&gt;&amp;&quot;c&#39;+p\" name=\"jct_mean_s\"") !=
        std::string::npos);
  CHECK(xml.find("message=\"jct_mean_s rose by 1 (1 -&gt; 2, +100.00%), beyond the +5% tolerance\"") !=
        std::string::npos);
  CHECK(xml.find("message=\"makespan_s is missing from the result (baseline 9)\"") != std::string::npos);
  CHECK(xml.find("<b>") == std::string::npos);
  CHECK(xml.ends_with("</testsuites>\n"));

  // A passing check is a testcase without a failure.
  const std::string pass = sim::regression_junit_xml(gate(kBaseline, kBaseline, {"avg_jct"}));
  CHECK(pass.find("<testcase classname=\"capsim.compare.fifo+best_fit\" name=\"jct_mean_s\" time=\"0\"/>") !=
        std::string::npos);
  CHECK(count(pass, "<failure") == 0);
}

TEST_CASE("Markdown: the verdict and one table row per check", "[regression]") {
  const std::string md = sim::regression_markdown(
      sim::check_regressions(source(kResult), source(kBaseline), sim::default_metric_checks(5)));
  CHECK(md.starts_with("### capsim compare: **regression**\n"));
  CHECK(md.find("| metric | baseline | result | delta | delta % | tolerance | verdict |\n") != std::string::npos);
  CHECK(md.find("| `jct_p99_s` | 5000 | 5300 | +300 | +6.00% | +5% | **REGRESSED** |\n") != std::string::npos);
  CHECK(md.find("| `jct_mean_s` | 1000 | 1049 | +49 | +4.90% | +5% | pass |\n") != std::string::npos);
  CHECK(count(md, "\n| `") == 6);
  // A | in a name does not break the table.
  const std::string piped = R"({"queue_policy": "a|b", "placement_policy": "p", "metrics": {"jct_mean_s": 1}})";
  CHECK(sim::regression_markdown(gate(piped, piped, {"avg_jct"})).find("#### a\\|b+p") != std::string::npos);
}

TEST_CASE("bad RESULT and BASELINE files are input errors naming the argument", "[regression]") {
  TempDir dir;
  const InputError missing = input_error_of([&] { sim::read_metric_source(dir.path() / "nope", "RESULT"); });
  CHECK(missing.field() == "RESULT");
  CHECK(missing.got() == "no such file or folder");
  const InputError empty = input_error_of([&] { sim::read_metric_source(dir.path(), "BASELINE"); });
  CHECK(empty.field() == "BASELINE");
  CHECK(empty.got() == "a folder with neither summary.json nor compare.json");
  const auto bad_json = dir.write("bad.json", "{\n  \"metrics\": {\n    \"jct_mean_s\": 1,,\n}");
  const InputError json = input_error_of([&] { sim::read_metric_source(bad_json, "BASELINE"); });
  CHECK(json.where().line == 3);
  CHECK(json.got() == "invalid JSON");
  const auto other = dir.write("other.json", "[1, 2]");
  CHECK(input_error_of([&] { sim::read_metric_source(other, "RESULT"); }).got() == "other JSON");
  const auto partial = dir.write("partial.json", R"({"status": "partial", "metrics": {}})");
  CHECK(input_error_of([&] { sim::read_metric_source(partial, "RESULT"); }).expected() == "a complete run");
  const auto interrupted = dir.write("interrupted.json", R"({"interrupted": true, "columns": []})");
  CHECK(input_error_of([&] { sim::read_metric_source(interrupted, "RESULT"); }).expected() == "a complete comparison");
  const auto no_columns = dir.write("empty.json", R"({"interrupted": false, "columns": []})");
  CHECK(input_error_of([&] { sim::read_metric_source(no_columns, "RESULT"); }).expected() == "at least one column");
  const auto odd = dir.write("odd.json", R"({"interrupted": "no", "columns": [{"policies": "x"}]})");
  CHECK(input_error_of([&] { sim::read_metric_source(odd, "BASELINE"); }).field() == "BASELINE columns");
  // A run folder reads its summary.json.
  std::filesystem::create_directories(dir.path() / "run");
  dir.write("run/summary.json", kBaseline);
  CHECK(sim::read_metric_source(dir.path() / "run", "RESULT").file == dir.path() / "run" / "summary.json");
}
