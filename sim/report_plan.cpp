// A plan's and a sweep's parts of the report. `capsim plan` writes
// plan.csv (one row per candidate cluster: cost_per_month_usd, the metrics
// its constraints name, feasible 0/1, recommended 0/1, and optionally
// quarter) and plan.json (the objective and the constraints); the frontier
// is cost against the first constraint's metric, one panel per quarter.
// `capsim sweep` writes sweep.csv (point, the swept fields, then metrics),
// shown as a table. Columns are found by name, so new ones do no harm.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "sim/report_format.hpp"
#include "sim/report_sections.hpp"

namespace capsim::sim::report {

namespace {

constexpr const char* kCostColumn = "cost_per_month_usd";
constexpr const char* kExpectedPlan = "plan.csv as `capsim plan` writes it (a cost_per_month_usd column)";

struct Constraint {
  std::string metric;
  std::string op;  // "<=", ">="
  double limit = 0;
};
struct PlanSpec {
  std::string objective_metric;
  std::string objective_sense;
  std::vector<Constraint> constraints;
};

PlanSpec read_plan_json(const std::filesystem::path& path) {
  PlanSpec spec;
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error)) return spec;
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  const auto json = nlohmann::json::parse(text.str(), nullptr, false);
  if (json.is_discarded() || !json.is_object()) {
    throw InputError({path.string(), 0, 0}, "", "plan.json as `capsim plan` writes it (a JSON object)",
                     "text that is not one");
  }
  if (json.contains("objective") && json["objective"].is_object()) {
    spec.objective_metric = json["objective"].value("metric", std::string());
    spec.objective_sense = json["objective"].value("sense", std::string());
  }
  if (json.contains("constraints") && json["constraints"].is_array()) {
    for (const auto& c : json["constraints"]) {
      if (!c.is_object() || !c.contains("metric")) continue;
      Constraint constraint;
      constraint.metric = c.value("metric", std::string());
      constraint.op = c.value("op", std::string());
      constraint.limit = c.contains("limit") && c["limit"].is_number() ? c["limit"].get<double>() : std::nan("");
      spec.constraints.push_back(std::move(constraint));
    }
  }
  return spec;
}

bool is_flag_column(const std::string& name) {
  return name == kCostColumn || name == "feasible" || name == "recommended" || name == "quarter";
}

// The metric drawn against cost: the first constraint's, or else the first
// numeric column that is not cost or a flag.
std::string frontier_metric(const CsvTable& plan, const PlanSpec& spec) {
  for (const Constraint& c : spec.constraints) {
    if (plan.column(c.metric) >= 0) return c.metric;
  }
  for (std::size_t c = 0; c < plan.header.size(); ++c) {
    if (is_flag_column(plan.header[c]) || plan.rows.empty()) continue;
    if (std::isfinite(plan.number(0, static_cast<int>(c)))) return plan.header[c];
  }
  return {};
}

std::string cell_text(const std::string& column, const std::string& text) {
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  const bool number = !text.empty() && end != text.c_str() && *end == '\0';
  for (const std::string_view suffix : {"_s", "_usd", "_pct", "_kwh", "_kw"}) {
    if (number && column.size() > suffix.size() && column.ends_with(suffix)) return format_figure(column, value);
  }
  return text;
}

std::string whole_table(const CsvTable& table, const std::vector<std::size_t>& rows) {
  std::vector<std::vector<std::string>> cells;
  for (const std::size_t r : rows) {
    std::vector<std::string> row;
    for (std::size_t c = 0; c < table.header.size(); ++c) row.push_back(cell_text(table.header[c], table.rows[r][c]));
    cells.push_back(std::move(row));
  }
  return html_table(table.header, cells);
}

std::vector<std::size_t> all_rows(const CsvTable& table) {
  std::vector<std::size_t> rows(table.rows.size());
  for (std::size_t r = 0; r < rows.size(); ++r) rows[r] = r;
  return rows;
}

}  // namespace

std::string plan_section(const std::filesystem::path& directory, ChartIds& ids) {
  const CsvTable plan = read_csv_table(directory / "plan.csv");
  const PlanSpec spec = read_plan_json(directory / "plan.json");
  const int cost = plan.require(kCostColumn, kExpectedPlan);
  const int feasible = plan.column("feasible");
  const int recommended = plan.column("recommended");
  const int quarter = plan.column("quarter");

  std::string html = "<section class=\"plan\">\n<h2>Plan</h2>\n";
  std::string goal;
  if (!spec.objective_metric.empty()) {
    goal += "Objective: " + spec.objective_sense + " " + spec.objective_metric + ".";
  }
  for (std::size_t i = 0; i < spec.constraints.size(); ++i) {
    const Constraint& c = spec.constraints[i];
    goal += (i == 0 ? " Constraints: " : "; ") + c.metric + " " + c.op + " " + format_figure(c.metric, c.limit);
  }
  if (!goal.empty()) html += "<p>" + escape_html(goal) + (spec.constraints.empty() ? "" : ".") + "</p>\n";

  std::vector<std::size_t> chosen;
  for (std::size_t r = 0; r < plan.rows.size(); ++r) {
    if (plan.number(r, recommended) == 1) chosen.push_back(r);
  }
  html += "<h3>Recommended</h3>\n";
  html += chosen.empty() ? std::string("<p class=\"skipped\">No candidate is marked recommended.</p>\n")
                         : whole_table(plan, chosen);

  html += "<h3>The plan's frontier</h3>\n";
  const std::string metric = frontier_metric(plan, spec);
  if (metric.empty()) {
    html += skipped_chart("The plan's frontier", "plan.csv has no numeric metric column besides the cost");
  } else {
    const int y = plan.column(metric);
    // One panel per quarter, in the order they first appear.
    std::vector<std::string> quarters;
    for (std::size_t r = 0; r < plan.rows.size(); ++r) {
      const std::string q = quarter >= 0 ? plan.rows[r][static_cast<std::size_t>(quarter)] : "";
      if (std::find(quarters.begin(), quarters.end(), q) == quarters.end()) quarters.push_back(q);
    }
    for (const std::string& q : quarters) {
      Chart chart;
      chart.id = ids.next("frontier");
      chart.title = q.empty() ? "Candidates: cost against " + metric : "Quarter " + q + ": cost against " + metric;
      chart.x.label = "cost per month (USD)";
      chart.y.label = metric;
      chart.y.include_zero = true;
      ChartSeries ok{.name = "feasible", .colour = "#2ca02c", .style = ChartSeries::Style::kPoints};
      ChartSeries not_ok{.name = "infeasible", .colour = "#9e9e9e", .style = ChartSeries::Style::kPoints};
      ChartSeries best{
          .name = "recommended", .colour = "#000", .style = ChartSeries::Style::kPoints, .radius = 7, .ring = true};
      for (std::size_t r = 0; r < plan.rows.size(); ++r) {
        if (quarter >= 0 && plan.rows[r][static_cast<std::size_t>(quarter)] != q) continue;
        ChartSeries& into = feasible < 0 || plan.number(r, feasible) == 1 ? ok : not_ok;
        into.x.push_back(plan.number(r, cost));
        into.y.push_back(plan.number(r, y));
        if (plan.number(r, recommended) == 1) {
          best.x.push_back(plan.number(r, cost));
          best.y.push_back(plan.number(r, y));
        }
      }
      // Candidates far too small wait for days: over two decades, a log
      // axis keeps the candidates near the limit apart.
      double lowest = std::numeric_limits<double>::infinity(), highest = 0;
      for (const ChartSeries* series : {&ok, &not_ok}) {
        for (const double v : series->y) {
          if (!std::isfinite(v)) continue;
          lowest = std::min(lowest, v);
          highest = std::max(highest, v);
        }
      }
      if (lowest > 0 && highest / lowest > 100) {
        chart.y.log = true;
        chart.y.label += " (log scale)";
      }
      chart.series = {std::move(ok), std::move(not_ok), std::move(best)};
      for (const Constraint& c : spec.constraints) {
        if (c.metric == metric && std::isfinite(c.limit)) {
          chart.y_lines.push_back({c.limit, "limit: " + c.op + " " + format_figure(c.metric, c.limit)});
        }
      }
      html += figure(chart);
    }
  }
  html += "<details><summary>Every candidate (" + std::to_string(plan.rows.size()) + ")</summary>\n" +
          whole_table(plan, all_rows(plan)) + "</details>\n";
  return html + "</section>\n";
}

std::string sweep_section(const std::filesystem::path& sweep_csv) {
  const CsvTable sweep = read_csv_table(sweep_csv);
  return "<section class=\"sweep\">\n<h2>Sweep</h2>\n<p>" + std::to_string(sweep.rows.size()) + " points.</p>\n" +
         whole_table(sweep, all_rows(sweep)) + "</section>\n";
}

}  // namespace capsim::sim::report
