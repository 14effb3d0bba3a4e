#include "sim/regression.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <set>

#include <nlohmann/json.hpp>

#include "core/config_tree.hpp"
#include "core/error.hpp"
#include "core/text.hpp"
#include "core/time.hpp"
#include "sim/report_format.hpp"

namespace capsim::sim {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr std::string_view kPlusMinus = "\xC2\xB1";  // "±" in UTF-8

constexpr std::string_view kSourceExpected =
    "a run folder (with summary.json), a comparison folder (with compare.json), or one of those files";
constexpr std::string_view kToleranceExpected =
    "a tolerance such as +5% (may rise 5%), -2% (may fall 2%), 5% or \xC2\xB1"
    "5% (either way), or +0.5, +30s (in the metric's units)";

bool has(const std::map<std::string, double>& metrics, const std::string& name) {
  return metrics.find(name) != metrics.end();
}

double value_of(const std::map<std::string, double>& metrics, const std::string& name) {
  const auto it = metrics.find(name);
  return it == metrics.end() ? kNaN : it->second;
}

// Numbers (null as NaN) under `prefix`, objects and arrays flattened into
// dotted names: an array item with a "name" is named by it, others by index.
// Strings and booleans are not figures.
void flatten(const nlohmann::json& value, const std::string& prefix, std::map<std::string, double>& out) {
  const auto child = [&](const std::string& key) { return prefix.empty() ? key : prefix + "." + key; };
  if (value.is_number()) {
    out[prefix] = value.get<double>();
  } else if (value.is_null()) {
    out[prefix] = kNaN;
  } else if (value.is_object()) {
    for (const auto& [key, item] : value.items()) flatten(item, child(key), out);
  } else if (value.is_array()) {
    for (std::size_t i = 0; i < value.size(); ++i) {
      const nlohmann::json& item = value[i];
      const bool named = item.is_object() && item.contains("name") && item["name"].is_string();
      flatten(item, child(named ? item["name"].get<std::string>() : std::to_string(i)), out);
    }
  }
}

// summary.json says gpu_utilisation (a share) and jobs_pending_at_end;
// compare.json says gpu_utilisation_pct and jobs_waiting_at_end. Each side
// gets both, so that a run and a comparison answer to the same names.
void fill_equivalents(std::map<std::string, double>& m) {
  if (has(m, "gpu_utilisation") && !has(m, "gpu_utilisation_pct")) {
    m["gpu_utilisation_pct"] = 100 * m["gpu_utilisation"];
  }
  if (has(m, "gpu_utilisation_pct") && !has(m, "gpu_utilisation"))
    m["gpu_utilisation"] = m["gpu_utilisation_pct"] / 100;
  if (has(m, "jobs_pending_at_end") && !has(m, "jobs_waiting_at_end")) {
    m["jobs_waiting_at_end"] = m["jobs_pending_at_end"];
  }
  if (has(m, "jobs_waiting_at_end") && !has(m, "jobs_pending_at_end")) {
    m["jobs_pending_at_end"] = m["jobs_waiting_at_end"];
  }
}

std::string string_or(const nlohmann::json& object, const char* key, const std::string& fallback) {
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : fallback;
}

bool ends_with(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

bool is_time(std::string_view metric) {
  return ends_with(metric, "_s");
}

std::string percent_text(double percent) {
  char text[32];
  std::snprintf(text, sizeof text, "%g%%", percent);
  return text;
}

Tolerance default_tolerance(const std::string& metric, double percent) {
  Tolerance t;
  const Worse worse = worse_direction(metric);
  t.bounds_rise = worse != Worse::kFall;
  t.bounds_fall = worse != Worse::kRise;
  t.relative = true;
  t.amount = percent / 100;
  t.text = (worse == Worse::kRise   ? "+"
            : worse == Worse::kFall ? "-"
                                    : std::string(kPlusMinus)) +
           percent_text(percent);
  return t;
}

// A figure for tables: NaN as "-", else six significant digits.
std::string number_text(double value) {
  if (std::isnan(value)) return "-";
  char text[32];
  std::snprintf(text, sizeof text, "%.6g", value);
  return text;
}

std::string delta_text(const CheckResult& c) {
  if (std::isnan(c.baseline) || std::isnan(c.result)) return "-";
  char text[32];
  std::snprintf(text, sizeof text, "%+.6g", c.result - c.baseline);
  return text;
}

std::string delta_percent_text(const CheckResult& c) {
  if (std::isnan(c.baseline) || std::isnan(c.result) || c.baseline == 0) return "-";
  char text[32];
  std::snprintf(text, sizeof text, "%+.2f%%", 100 * (c.result - c.baseline) / std::fabs(c.baseline));
  return text;
}

std::string verdict_text(Verdict verdict) {
  switch (verdict) {
    case Verdict::kPass:
      return "pass";
    case Verdict::kRegressed:
      return "REGRESSED";
    case Verdict::kMissing:
      return "MISSING";
    case Verdict::kNoBaseline:
      return "no baseline";
  }
  return "?";
}

// The heading of a column pair: the name, or both where they differ.
std::string pair_title(const std::pair<std::string, std::string>& pair) {
  if (pair.first == pair.second) return pair.first;
  return pair.first + " (baseline " + pair.second + ")";
}

std::string summary_line(const RegressionReport& r) {
  const std::size_t failures = r.failures();
  std::string line = failures == 0 ? "PASS: " : "FAIL: ";
  line += std::to_string(r.checks.size()) + " checks over " + std::to_string(r.pairs.size()) + " column(s), " +
          std::to_string(failures) + " failed";
  if (!r.missing_columns.empty()) {
    line += " (" + std::to_string(r.missing_columns.size()) + " baseline column(s) missing from the result)";
  }
  return line;
}

std::string markdown_cell(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (c == '|')
      out += "\\|";
    else if (c == '\n')
      out += ' ';
    else
      out += c;
  }
  return out;
}

std::string markdown_code(std::string_view text) {
  std::string out(text);
  std::replace(out.begin(), out.end(), '`', '\'');
  return "`" + markdown_cell(out) + "`";
}

}  // namespace

MetricSource parse_metric_source(std::string_view json, const std::filesystem::path& file, const std::string& option) {
  const std::string name = file.string();
  nlohmann::json root;
  try {
    root = nlohmann::json::parse(json);
  } catch (const nlohmann::json::parse_error& e) {
    const std::size_t offset = std::min<std::size_t>(e.byte > 0 ? e.byte - 1 : 0, json.size());
    throw InputError(location_of_offset(json, offset, name), option, std::string(kSourceExpected), "invalid JSON");
  }
  MetricSource source;
  source.file = file;
  if (root.is_object() && root.contains("columns") && root["columns"].is_array()) {
    source.comparison = true;
    const auto interrupted = root.find("interrupted");
    if (interrupted != root.end() && interrupted->is_boolean() && interrupted->get<bool>()) {
      throw InputError({name, 0, 0}, option, "a complete comparison", "an interrupted one (compare.json: interrupted)");
    }
    for (const nlohmann::json& column : root["columns"]) {
      if (!column.is_object() || !column.contains("policies") || !column["policies"].is_string() ||
          !column.contains("mean") || !column["mean"].is_object()) {
        throw InputError({name, 0, 0}, option + " columns", "objects with \"policies\" and \"mean\" (compare.json)");
      }
      MetricColumn c;
      c.name = column["policies"].get<std::string>();
      flatten(column["mean"], "", c.metrics);
      fill_equivalents(c.metrics);
      source.columns.push_back(std::move(c));
    }
    // A gate over no column would pass having checked nothing.
    if (source.columns.empty()) throw InputError({name, 0, 0}, option + " columns", "at least one column", "none");
    return source;
  }
  if (root.is_object() && root.contains("metrics") && root["metrics"].is_object()) {
    if (string_or(root, "status", "complete") == "partial") {
      throw InputError({name, 0, 0}, option, "a complete run", "a partial one (summary.json: status partial)");
    }
    MetricColumn c;
    c.name = string_or(root, "queue_policy", "run") + "+" + string_or(root, "placement_policy", "run");
    flatten(root["metrics"], "", c.metrics);
    // The named blocks (services, node groups, regions, pools, tenants,
    // packing, trace) under their dotted names.
    for (const auto& [key, value] : root.items()) {
      if (key != "metrics" && (value.is_object() || value.is_array())) flatten(value, key, c.metrics);
    }
    // Services' figures also as "<service>.<figure>", as sweeps, plans,
    // compare.json and Python name them.
    if (root.contains("services")) flatten(root["services"], "", c.metrics);
    fill_equivalents(c.metrics);
    source.columns.push_back(std::move(c));
    return source;
  }
  throw InputError({name, 0, 0}, option, "a capsim summary.json (with \"metrics\") or compare.json (with \"columns\")",
                   "other JSON");
}

MetricSource read_metric_source(const std::filesystem::path& path, const std::string& option) {
  std::error_code ec;
  std::filesystem::path file = path;
  if (std::filesystem::is_directory(path, ec)) {
    if (std::filesystem::is_regular_file(path / "compare.json", ec)) {
      file = path / "compare.json";
    } else if (std::filesystem::is_regular_file(path / "summary.json", ec)) {
      file = path / "summary.json";
    } else {
      throw InputError({path.string(), 0, 0}, option, std::string(kSourceExpected),
                       "a folder with neither summary.json nor compare.json");
    }
  } else if (!std::filesystem::exists(path, ec)) {
    throw InputError({path.string(), 0, 0}, option, std::string(kSourceExpected), "no such file or folder");
  }
  // A summary or comparison is kilobytes; the limit only refuses a wrong file early.
  constexpr std::size_t kMaxBytes = 64 << 20;
  return parse_metric_source(read_text_file(file, kMaxBytes), file, option);
}

double Tolerance::allowed(double baseline) const {
  return relative ? amount * std::fabs(baseline) : amount;
}

Worse worse_direction(std::string_view metric) {
  const std::size_t dot = metric.rfind('.');
  const std::string_view name = dot == std::string_view::npos ? metric : metric.substr(dot + 1);
  for (const std::string_view better : {"gpu_utilisation", "gpu_utilisation_pct", "jobs_completed", "goodput_pct",
                                        "availability_pct", "intervals_meeting_slo_pct", "allocated_percent"}) {
    if (name == better) return Worse::kFall;
  }
  if (name.find("attainment") != std::string_view::npos || name.starts_with("allocated_at_")) return Worse::kFall;
  for (const std::string_view worse :
       {"preemptions", "lost_gpu_hours", "jobs_waiting_at_end", "jobs_pending_at_end", "jobs_failed", "jobs_killed",
        "jobs_unfinished", "jobs_rejected", "idle_cost_pct", "deadlines_missed", "over_budget_hours",
        "spot_interruptions", "unallocated_pct", "unallocated_percent", "idle_gpu_hours"}) {
    if (name == worse) return Worse::kRise;
  }
  if (is_time(name) || ends_with(name, "_usd") || ends_with(name, "_kwh") || ends_with(name, "_kw") ||
      name.starts_with("emissions") || ends_with(name, "wasted_gpu_hours")) {
    return Worse::kRise;
  }
  return Worse::kEitherWay;
}

const std::vector<std::pair<std::string_view, std::string_view>>& metric_aliases() {
  static const std::vector<std::pair<std::string_view, std::string_view>> aliases = {
      {"avg_jct", "jct_mean_s"},
      {"mean_jct", "jct_mean_s"},
      {"p50_jct", "jct_p50_s"},
      {"p95_jct", "jct_p95_s"},
      {"p99_jct", "jct_p99_s"},
      {"max_jct", "jct_max_s"},
      {"avg_queue", "queueing_delay_mean_s"},
      {"mean_queue", "queueing_delay_mean_s"},
      {"p50_queue", "queueing_delay_p50_s"},
      {"p95_queue", "queueing_delay_p95_s"},
      {"p99_queue", "queueing_delay_p99_s"},
      {"max_queue", "queueing_delay_max_s"},
      {"makespan", "makespan_s"},
      {"utilisation", "gpu_utilisation_pct"},
      {"utilization", "gpu_utilisation_pct"},
      {"completed", "jobs_completed"},
      {"waiting", "jobs_waiting_at_end"},
      {"cost", "cluster_cost_usd"},
      {"energy", "facility_energy_kwh"},
      {"peak_power", "peak_power_kw"},
      {"emissions", "emissions_kg_co2e"},
      {"carbon", "emissions_kg_co2e"},
  };
  return aliases;
}

Tolerance parse_tolerance(std::string_view text, const std::string& metric, const std::string& option) {
  const auto bad = [&](const std::string& expected) {
    return InputError({"command line", 0, 0}, option, expected, quote_for_message(text));
  };
  Tolerance t;
  t.text = std::string(text);
  std::string_view rest = text;
  if (rest.starts_with(kPlusMinus) || rest.starts_with("+-")) {
    rest.remove_prefix(rest.starts_with("+-") ? 2 : kPlusMinus.size());
    t.text = std::string(kPlusMinus) + std::string(rest);
  } else if (rest.starts_with('+')) {
    t.bounds_fall = false;
    rest.remove_prefix(1);
  } else if (rest.starts_with('-')) {
    t.bounds_rise = false;
    rest.remove_prefix(1);
  } else {
    t.text = std::string(kPlusMinus) + t.text;
  }
  double number = 0;
  if (rest.ends_with('%')) {
    t.relative = true;
    if (!parse_number(rest.substr(0, rest.size() - 1), number)) throw bad(std::string(kToleranceExpected));
    number /= 100;
  } else if (parse_number(rest, number)) {
    t.relative = false;
  } else if (const std::optional<Duration> d = rest.empty() ? std::nullopt : parse_duration(rest)) {
    if (!is_time(metric)) {
      throw bad("a tolerance in the units of " + metric + " (a duration only for times, metrics ending in _s)");
    }
    t.relative = false;
    number = d->to_seconds();
  } else {
    throw bad(std::string(kToleranceExpected));
  }
  if (!std::isfinite(number) || number < 0) throw bad(std::string(kToleranceExpected));
  t.amount = number;
  return t;
}

MetricCheck parse_metric_option(std::string_view text, const std::vector<std::string>& known, double default_percent) {
  const std::string option = "--metric";
  const std::size_t colon = text.find(':');
  const std::string typed(text.substr(0, colon));
  if (typed.empty()) {
    throw InputError({"command line", 0, 0}, option, "NAME or NAME:TOLERANCE (avg_jct:+5%)", quote_for_message(text));
  }
  std::string metric = typed;
  for (const auto& [alias, name] : metric_aliases()) {
    if (typed == alias) metric = std::string(name);
  }
  if (std::find(known.begin(), known.end(), metric) == known.end()) {
    std::vector<std::string_view> words(known.begin(), known.end());
    for (const auto& alias : metric_aliases()) words.push_back(alias.first);
    // The closest names by spelling (of the alias's metric too), then names
    // that contain what was typed; never the typed name itself.
    std::vector<std::string> close;
    const auto add = [&](std::string_view word) {
      if (!word.empty() && word != typed && std::find(close.begin(), close.end(), word) == close.end()) {
        close.emplace_back(word);
      }
    };
    add(closest_word(typed, words));
    if (metric != typed) add(closest_word(metric, words));
    for (const std::string_view word : words) {
      if (close.size() < 6 && word.find(typed) != std::string_view::npos) add(word);
    }
    std::string expected = "a metric RESULT or BASELINE has, or an alias (avg_jct, p99_queue, utilisation, cost, ...)";
    if (!close.empty()) {
      expected = "a metric RESULT or BASELINE has (close: ";
      for (std::size_t i = 0; i < close.size(); ++i) expected += (i ? ", " : "") + close[i];
      expected += ")";
    }
    std::string got = quote_for_message(typed);
    // compare.json holds the headline metrics only (sim/compare.hpp).
    if (metric != typed) got += " (" + metric + ", which neither file has; a comparison holds the headline metrics)";
    throw InputError({"command line", 0, 0}, option, expected, got);
  }
  if (colon == std::string_view::npos) return {metric, default_tolerance(metric, default_percent)};
  return {metric, parse_tolerance(text.substr(colon + 1), metric, option)};
}

std::vector<MetricCheck> default_metric_checks(double default_percent) {
  std::vector<MetricCheck> checks;
  for (const char* metric : {"jct_mean_s", "jct_p95_s", "jct_p99_s", "queueing_delay_mean_s", "queueing_delay_p95_s",
                             "queueing_delay_p99_s", "makespan_s", "jobs_completed", "gpu_utilisation_pct",
                             "cluster_cost_usd", "facility_energy_kwh", "emissions_kg_co2e"}) {
    checks.push_back({metric, default_tolerance(metric, default_percent)});
  }
  return checks;
}

std::vector<std::string> metric_names(const MetricSource& result, const MetricSource& baseline) {
  std::set<std::string> names;
  for (const MetricSource* source : {&result, &baseline}) {
    for (const MetricColumn& column : source->columns) {
      for (const auto& entry : column.metrics) names.insert(entry.first);
    }
  }
  return {names.begin(), names.end()};
}

std::string CheckResult::message() const {
  switch (verdict) {
    case Verdict::kMissing:
      return metric + " is missing from the result (baseline " + number_text(baseline) + ")";
    case Verdict::kNoBaseline:
      return metric + " has no baseline value (result " + number_text(result) + "): not gated";
    case Verdict::kPass:
      if (std::isnan(baseline)) return metric + " has no value on either side";
      return metric + " " + number_text(baseline) + " -> " + number_text(result) + " (" + delta_percent_text(*this) +
             "), within " + tolerance.text;
    case Verdict::kRegressed:
      return metric + (result > baseline ? " rose by " : " fell by ") + number_text(std::fabs(result - baseline)) +
             " (" + number_text(baseline) + " -> " + number_text(result) + ", " + delta_percent_text(*this) +
             "), beyond the " + tolerance.text + " tolerance";
  }
  return metric;
}

std::size_t RegressionReport::failures() const {
  return missing_columns.size() + static_cast<std::size_t>(std::count_if(
                                      checks.begin(), checks.end(), [](const CheckResult& c) { return c.failed(); }));
}

RegressionReport check_regressions(const MetricSource& result, const MetricSource& baseline,
                                   const std::vector<MetricCheck>& checks) {
  RegressionReport report;
  report.result_name = result.file.string();
  report.baseline_name = baseline.file.string();
  std::vector<std::pair<const MetricColumn*, const MetricColumn*>> pairs;
  if (result.columns.size() == 1 && baseline.columns.size() == 1) {
    pairs.emplace_back(&result.columns[0], &baseline.columns[0]);
  } else {
    for (const MetricColumn& b : baseline.columns) {
      const auto r = std::find_if(result.columns.begin(), result.columns.end(),
                                  [&](const MetricColumn& c) { return c.name == b.name; });
      if (r == result.columns.end()) {
        report.missing_columns.push_back(b.name);
      } else {
        pairs.emplace_back(&*r, &b);
      }
    }
    for (const MetricColumn& r : result.columns) {
      const bool paired = std::any_of(pairs.begin(), pairs.end(), [&](const auto& p) { return p.first == &r; });
      if (!paired) report.new_columns.push_back(r.name);
    }
  }
  // A metric neither side has anywhere is not this run's to gate.
  std::vector<const MetricCheck*> applicable;
  for (const MetricCheck& check : checks) {
    const bool anywhere = std::any_of(pairs.begin(), pairs.end(), [&](const auto& p) {
      return has(p.first->metrics, check.metric) || has(p.second->metrics, check.metric);
    });
    if (anywhere) applicable.push_back(&check);
  }
  for (const auto& [r, b] : pairs) {
    report.pairs.emplace_back(r->name, b->name);
    for (const MetricCheck* check : applicable) {
      CheckResult c;
      c.column = r->name;
      c.metric = check->metric;
      c.baseline = value_of(b->metrics, check->metric);
      c.result = value_of(r->metrics, check->metric);
      c.tolerance = check->tolerance;
      if (std::isnan(c.baseline) && std::isnan(c.result)) {
        c.verdict = Verdict::kPass;
      } else if (std::isnan(c.baseline)) {
        c.verdict = Verdict::kNoBaseline;
      } else if (std::isnan(c.result)) {
        c.verdict = Verdict::kMissing;
      } else {
        // Slack for the rounding of the figures themselves, so that a move
        // of exactly the tolerance passes ("at most 5%").
        const double allowed = c.tolerance.allowed(c.baseline) + 1e-9 * std::fabs(c.baseline);
        const double delta = c.result - c.baseline;
        const bool regressed =
            (c.tolerance.bounds_rise && delta > allowed) || (c.tolerance.bounds_fall && -delta > allowed);
        c.verdict = regressed ? Verdict::kRegressed : Verdict::kPass;
      }
      report.checks.push_back(std::move(c));
    }
  }
  return report;
}

std::string format_regression_report(const RegressionReport& r) {
  std::string out = "capsim compare: " + r.result_name + " against baseline " + r.baseline_name + "\n";
  const std::vector<std::string> header = {"metric", "baseline", "result", "delta", "delta %", "tolerance", "verdict"};
  for (const auto& pair : r.pairs) {
    std::vector<std::vector<std::string>> rows = {header};
    for (const CheckResult& c : r.checks) {
      if (c.column != pair.first) continue;
      rows.push_back({c.metric, number_text(c.baseline), number_text(c.result), delta_text(c), delta_percent_text(c),
                      c.tolerance.text, verdict_text(c.verdict)});
    }
    std::vector<std::size_t> width(header.size(), 0);
    for (const auto& row : rows) {
      for (std::size_t k = 0; k < row.size(); ++k) {
        // Display width: "±" is two bytes and one column.
        const std::size_t shown = row[k].size() - (row[k].find(kPlusMinus) != std::string::npos ? 1 : 0);
        width[k] = std::max(width[k], shown);
      }
    }
    out += "\n  " + pair_title(pair) + "\n";
    for (const auto& row : rows) {
      std::string line = "   ";
      for (std::size_t k = 0; k < row.size(); ++k) {
        const std::size_t shown = row[k].size() - (row[k].find(kPlusMinus) != std::string::npos ? 1 : 0);
        const std::string pad(width[k] - shown, ' ');
        // Names and words to the left, numbers to the right.
        const bool left = k == 0 || k >= 5;
        line += " " + (left ? row[k] + pad : pad + row[k]);
        if (k + 1 < row.size()) line += " ";
      }
      while (!line.empty() && line.back() == ' ') line.pop_back();
      out += line + "\n";
    }
  }
  if (!r.missing_columns.empty() || !r.new_columns.empty()) out += "\n";
  for (const std::string& name : r.missing_columns) {
    out += "  " + name + ": in the baseline, missing from the result (FAIL)\n";
  }
  for (const std::string& name : r.new_columns) out += "  " + name + ": in the result only, no baseline (not gated)\n";
  out += "\n" + summary_line(r) + "\n";
  return out;
}

std::string regression_junit_xml(const RegressionReport& r) {
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += "<testsuites name=\"capsim compare\" tests=\"" + std::to_string(r.checks.size() + r.missing_columns.size()) +
         "\" failures=\"" + std::to_string(r.failures()) + "\">\n";
  const auto testcase = [&](const std::string& suite, const std::string& name, const std::string* failure) {
    out += "    <testcase classname=\"" + escape_html("capsim.compare." + suite) + "\" name=\"" + escape_html(name) +
           "\" time=\"0\"";
    if (failure == nullptr) {
      out += "/>\n";
      return;
    }
    out += ">\n      <failure type=\"regression\" message=\"" + escape_html(*failure) + "\">" + escape_html(*failure) +
           "</failure>\n    </testcase>\n";
  };
  for (const auto& pair : r.pairs) {
    std::size_t tests = 0, failures = 0;
    for (const CheckResult& c : r.checks) {
      if (c.column != pair.first) continue;
      ++tests;
      if (c.failed()) ++failures;
    }
    out += "  <testsuite name=\"" + escape_html(pair_title(pair)) + "\" tests=\"" + std::to_string(tests) +
           "\" failures=\"" + std::to_string(failures) + "\" errors=\"0\" skipped=\"0\">\n";
    for (const CheckResult& c : r.checks) {
      if (c.column != pair.first) continue;
      const std::string message = c.message();
      testcase(pair.first, c.metric, c.failed() ? &message : nullptr);
    }
    out += "  </testsuite>\n";
  }
  if (!r.missing_columns.empty()) {
    out += "  <testsuite name=\"missing columns\" tests=\"" + std::to_string(r.missing_columns.size()) +
           "\" failures=\"" + std::to_string(r.missing_columns.size()) + "\" errors=\"0\" skipped=\"0\">\n";
    for (const std::string& name : r.missing_columns) {
      const std::string message = name + " is in the baseline and missing from the result";
      testcase("columns", name, &message);
    }
    out += "  </testsuite>\n";
  }
  out += "</testsuites>\n";
  return out;
}

std::string regression_markdown(const RegressionReport& r) {
  std::string out = std::string("### capsim compare: ") + (r.passed() ? "pass" : "**regression**") + "\n\n";
  out += markdown_code(r.result_name) + " against baseline " + markdown_code(r.baseline_name) + ". " +
         markdown_cell(summary_line(r)) + "\n";
  for (const auto& pair : r.pairs) {
    out += "\n#### " + markdown_cell(pair_title(pair)) + "\n\n";
    out += "| metric | baseline | result | delta | delta % | tolerance | verdict |\n";
    out += "| --- | ---: | ---: | ---: | ---: | --- | --- |\n";
    for (const CheckResult& c : r.checks) {
      if (c.column != pair.first) continue;
      const std::string verdict = c.failed() ? "**" + verdict_text(c.verdict) + "**" : verdict_text(c.verdict);
      out += "| " + markdown_code(c.metric) + " | " + number_text(c.baseline) + " | " + number_text(c.result) + " | " +
             delta_text(c) + " | " + delta_percent_text(c) + " | " + markdown_cell(c.tolerance.text) + " | " + verdict +
             " |\n";
    }
  }
  if (!r.missing_columns.empty() || !r.new_columns.empty()) out += "\n";
  for (const std::string& name : r.missing_columns) {
    out += "- " + markdown_code(name) + ": in the baseline, **missing** from the result\n";
  }
  for (const std::string& name : r.new_columns) {
    out += "- " + markdown_code(name) + ": in the result only, no baseline (not gated)\n";
  }
  return out;
}

}  // namespace capsim::sim
