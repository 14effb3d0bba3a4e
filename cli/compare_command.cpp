#include "cli/compare_command.hpp"

#include <cmath>
#include <cstdio>
#include <filesystem>

#include "core/config_tree.hpp"
#include "core/error.hpp"
#include "sim/atomic_file.hpp"
#include "sim/regression.hpp"

namespace capsim::cli {

namespace {

// --tolerance: a percentage ("5%"), the default for every gated metric.
double default_percent(const std::string& text) {
  double percent = 0;
  if (text.empty() || text.back() != '%' || !parse_number(std::string_view(text).substr(0, text.size() - 1), percent) ||
      !(percent >= 0) || !std::isfinite(percent)) {
    throw InputError({"command line", 0, 0}, "--tolerance",
                     "a percentage such as 5% (each metric in its worse direction)", quote_for_message(text));
  }
  return percent;
}

// Writes a report file atomically, making its folder if need be (CI writes
// them under a build folder that may not have it yet).
void write_report(const std::string& path, const std::string& option, const std::string& text) {
  const std::filesystem::path file(path);
  std::error_code ec;
  if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path(), ec);
  if (ec || (file.has_parent_path() && !std::filesystem::is_directory(file.parent_path()))) {
    throw InputError({"command line", 0, 0}, option, "a file in a folder that can be created and written",
                     quote_for_message(path) + " (" + ec.message() + ")");
  }
  try {
    sim::write_text_atomically(file, text);
  } catch (const std::runtime_error& e) {
    throw InputError({"command line", 0, 0}, option, "a file that can be written",
                     quote_for_message(path) + " (" + e.what() + ")");
  }
}

}  // namespace

void add_compare_command(CLI::App& app, CompareArguments& args) {
  args.command = app.add_subcommand(
      "compare", "check a run or comparison against a baseline; exit 3 when a metric regressed beyond its tolerance");
  args.command->add_option("result", args.result, "run folder, comparison folder, summary.json or compare.json")
      ->required();
  args.command->add_option("baseline", args.baseline, "the same, for the baseline")->required();
  args.command
      ->add_option("--metric", args.metrics,
                   "NAME[:TOL], repeatable: avg_jct:+5% (may rise 5%), utilisation:-2% (may fall 2%), "
                   "cost:5% (either way), p99_jct:+30s (absolute); replaces the default set")
      // One value per --metric, so that RESULT and BASELINE may follow it.
      ->allow_extra_args(false);
  args.command->add_option("--tolerance", args.tolerance,
                           "default tolerance, each metric in its worse direction (default: 5%)");
  args.command->add_option("--junit", args.junit, "write JUnit XML here (one testcase per metric and column)");
  args.command->add_option("--markdown", args.markdown, "write a Markdown table here (step summaries, PR comments)");
  args.command->add_flag("-q,--quiet", args.quiet, "print nothing but errors and failed checks");
}

int run_compare_command(const CompareArguments& args) {
  const double percent = default_percent(args.tolerance);
  const sim::MetricSource result = sim::read_metric_source(args.result, "RESULT");
  const sim::MetricSource baseline = sim::read_metric_source(args.baseline, "BASELINE");
  std::vector<sim::MetricCheck> checks;
  if (args.metrics.empty()) {
    checks = sim::default_metric_checks(percent);
  } else {
    const std::vector<std::string> known = sim::metric_names(result, baseline);
    for (const std::string& text : args.metrics) checks.push_back(sim::parse_metric_option(text, known, percent));
  }
  const sim::RegressionReport report = sim::check_regressions(result, baseline, checks);
  if (!args.junit.empty()) write_report(args.junit, "--junit", sim::regression_junit_xml(report));
  if (!args.markdown.empty()) write_report(args.markdown, "--markdown", sim::regression_markdown(report));
  if (!args.quiet) {
    std::fputs(sim::format_regression_report(report).c_str(), stdout);
  }
  if (report.passed()) return 0;
  // Failures go to standard error too, so that a quiet CI log still says why.
  for (const sim::CheckResult& check : report.checks) {
    if (check.failed()) std::fprintf(stderr, "capsim: %s: %s\n", check.column.c_str(), check.message().c_str());
  }
  for (const std::string& name : report.missing_columns) {
    std::fprintf(stderr, "capsim: %s: in the baseline, missing from the result\n", name.c_str());
  }
  return kExitRegression;
}

}  // namespace capsim::cli
