// The regression gate of `capsim compare RESULT BASELINE` (issue 10): the
// headline metrics of a run (summary.json) or of a comparison (compare.json)
// checked against a stored baseline, each within a tolerance in the direction
// that makes it worse, with the verdicts as a table, JUnit XML and Markdown
// for CI systems to show. Pure functions of the files read: no clock, no
// simulation.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace capsim::sim {

// The figures of one run, or of one column (policy combination) of a
// comparison. Nested summary blocks are flattened into dotted names
// ("services.chat.slo_attainment_pct"); null figures are NaN.
struct MetricColumn {
  std::string name;                       // "fifo+best_fit"
  std::map<std::string, double> metrics;  // by name
};

// What a RESULT or BASELINE argument holds.
struct MetricSource {
  std::filesystem::path file;  // the summary.json or compare.json read
  bool comparison = false;     // compare.json: columns matched by name
  std::vector<MetricColumn> columns;
};

// Reads a run folder (summary.json), a comparison folder (compare.json), or
// either file itself. `option` names the argument in errors. Both spellings
// of utilisation (gpu_utilisation, a share; gpu_utilisation_pct, percent)
// and of jobs left waiting are filled in, so that a run and a comparison
// answer to the same names. Throws InputError for a missing or unreadable
// file, JSON that is not capsim's, or an interrupted (partial) run.
MetricSource read_metric_source(const std::filesystem::path& path, const std::string& option);
// The same from JSON text (`file` names it in errors).
MetricSource parse_metric_source(std::string_view json, const std::filesystem::path& file, const std::string& option);

// How far a metric may move from its baseline before it has regressed.
// Written "+5%" (may rise at most 5% of the baseline), "-2%" (may fall at
// most 2%), "5%" or "±5%" (at most 5% either way); without "%" the amount
// is in the metric's own units ("+0.5", "-3"), and for times ("_s" names)
// it may carry a duration unit ("+30s", "+2m", "+1h").
struct Tolerance {
  bool bounds_rise = true;  // a rise beyond `amount` regresses
  bool bounds_fall = true;  // a fall beyond `amount` regresses
  bool relative = true;     // `amount` is a share of the baseline (0.05), else in the metric's units
  double amount = 0.05;     // >= 0
  std::string text;         // as written, for the table: "+5%"

  // The allowed move for `baseline` (amount x |baseline| when relative).
  double allowed(double baseline) const;
};

// One gated metric: its summary name and tolerance.
struct MetricCheck {
  std::string metric;  // "jct_mean_s"
  Tolerance tolerance;
};

// Whether a rise or a fall of a metric is the bad direction: times, cost,
// energy, emissions, losses and waiting jobs should not rise; utilisation,
// jobs completed, SLO attainment, goodput and availability should not
// fall. Neither for the rest (both ways then bound).
enum class Worse { kRise, kFall, kEitherWay };
Worse worse_direction(std::string_view metric);

// The short names users type and the summary names they stand for, in the
// order the README lists them: {"avg_jct", "jct_mean_s"}, ...
const std::vector<std::pair<std::string_view, std::string_view>>& metric_aliases();

// Parses a tolerance written for `metric` (see Tolerance). `option` names
// the option in errors ("--metric"). Throws InputError on anything else,
// and on a duration unit for a metric that is not a time.
Tolerance parse_tolerance(std::string_view text, const std::string& metric, const std::string& option);

// Parses one `--metric NAME[:TOL]`. NAME is a metric `known` lists or an
// alias; without TOL the metric's worse direction with `default_percent`
// (5 for 5%). Throws InputError naming the option and the closest names for
// an unknown NAME.
MetricCheck parse_metric_option(std::string_view text, const std::vector<std::string>& known, double default_percent);

// The gate without --metric: mean, p95 and p99 JCT, mean, p95 and p99
// queueing delay, makespan, jobs completed, GPU utilisation, cluster cost,
// facility energy and emissions, each at `default_percent` in its worse
// direction. Metrics neither side has (energy without an energy model) are
// left out by check_regressions.
std::vector<MetricCheck> default_metric_checks(double default_percent);

// Every metric name either source has, sorted: what --metric accepts
// besides the aliases.
std::vector<std::string> metric_names(const MetricSource& result, const MetricSource& baseline);

enum class Verdict {
  kPass,        // within tolerance (or both sides have no value)
  kRegressed,   // moved beyond the tolerance in a bounded direction
  kMissing,     // the baseline has a value, the result none: a failure
  kNoBaseline,  // the result has a value, the baseline none: reported, passes
};

struct CheckResult {
  std::string column;  // the result's column ("fifo+best_fit")
  std::string metric;
  double baseline = 0;  // NaN where the baseline has none
  double result = 0;    // NaN where the result has none
  Tolerance tolerance;
  Verdict verdict = Verdict::kPass;

  bool failed() const { return verdict == Verdict::kRegressed || verdict == Verdict::kMissing; }
  // One sentence for logs and JUnit: "jct_mean_s rose 7.2% (100 -> 107.2), beyond +5%".
  std::string message() const;
};

struct RegressionReport {
  std::string result_name, baseline_name;  // the paths as given, for headings
  // Column pairs: a single run or column on each side pairs whatever their
  // names; otherwise columns pair by policy name.
  std::vector<std::pair<std::string, std::string>> pairs;  // (result column, baseline column)
  std::vector<CheckResult> checks;                         // per pair, in check order
  std::vector<std::string> missing_columns;                // in the baseline, not the result: failures
  std::vector<std::string> new_columns;                    // in the result, not the baseline: reported

  std::size_t failures() const;
  bool passed() const { return failures() == 0; }
};

// Checks every MetricCheck on every column pair. A check whose metric
// neither side of any pair has is left out (the default set on a run
// without energy figures).
RegressionReport check_regressions(const MetricSource& result, const MetricSource& baseline,
                                   const std::vector<MetricCheck>& checks);

// The table the CLI prints: metric, baseline, result, delta, delta %,
// tolerance, verdict, per column pair, then a one-line verdict.
std::string format_regression_report(const RegressionReport& report);
// JUnit XML: a testsuite per column pair, a testcase per metric, a
// <failure> with the message on each failed check; a testcase per missing
// column, failed.
std::string regression_junit_xml(const RegressionReport& report);
// A Markdown summary (GitHub step summaries, PR comments): the verdict line,
// then a table per column pair.
std::string regression_markdown(const RegressionReport& report);

}  // namespace capsim::sim
