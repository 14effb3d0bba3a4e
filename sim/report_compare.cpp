// A comparison's part of the report (sim/compare.hpp): the table of headline
// metrics by policy, then utilisation, JCT, queue and power with one line
// per variant (the seeds of one policy pair share its colour).
#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "sim/report_format.hpp"
#include "sim/report_sections.hpp"

namespace capsim::sim::report {

namespace {

constexpr const char* kExpectedTable =
    "a comparison table as `capsim run` writes it with compare: (columns policies, metric, units, mean, stddev)";

struct Cell {
  double mean = 0;
  double stddev = 0;
};
struct Table {
  std::vector<std::string> policies;
  std::vector<std::pair<std::string, std::string>> metrics;   // name, units
  std::map<std::pair<std::string, std::string>, Cell> cells;  // (policies, metric)
};

std::size_t index_of(std::vector<std::string>& list, const std::string& value) {
  const auto found = std::find(list.begin(), list.end(), value);
  if (found != list.end()) return static_cast<std::size_t>(found - list.begin());
  list.push_back(value);
  return list.size() - 1;
}

void add_metric(Table& table, const std::string& name, const std::string& units) {
  for (const auto& metric : table.metrics) {
    if (metric.first == name) return;
  }
  table.metrics.emplace_back(name, units);
}

Table read_csv(const std::filesystem::path& path) {
  const CsvTable csv = read_csv_table(path);
  const int policies = csv.require("policies", kExpectedTable);
  const int metric = csv.require("metric", kExpectedTable);
  const int mean = csv.require("mean", kExpectedTable);
  const int units = csv.column("units");
  const int stddev = csv.column("stddev");
  Table table;
  for (std::size_t r = 0; r < csv.rows.size(); ++r) {
    const auto& row = csv.rows[r];
    const std::string& name = row[static_cast<std::size_t>(metric)];
    index_of(table.policies, row[static_cast<std::size_t>(policies)]);
    add_metric(table, name, units >= 0 ? row[static_cast<std::size_t>(units)] : "");
    table.cells[{row[static_cast<std::size_t>(policies)], name}] = {csv.number(r, mean), csv.number(r, stddev)};
  }
  return table;
}

double number_or_nan(const nlohmann::ordered_json& value) {
  return value.is_number() ? value.get<double>() : std::nan("");
}

Table read_json(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  const auto json = nlohmann::ordered_json::parse(text.str(), nullptr, false);
  if (json.is_discarded() || !json.contains("columns") || !json["columns"].is_array()) {
    throw InputError({path.string(), 0, 0}, "columns",
                     "a comparison as `capsim run` writes it with compare:", "JSON without a \"columns\" array");
  }
  Table table;
  for (const auto& column : json["columns"]) {
    const std::string policies = column.value("policies", std::string("?"));
    index_of(table.policies, policies);
    if (!column.contains("mean") || !column["mean"].is_object()) continue;
    for (const auto& [name, value] : column["mean"].items()) {
      add_metric(table, name, "");
      const double stddev =
          column.contains("stddev") && column["stddev"].contains(name) ? number_or_nan(column["stddev"][name]) : NAN;
      table.cells[{policies, name}] = {number_or_nan(value), stddev};
    }
  }
  return table;
}

}  // namespace

std::string comparison_section(const std::filesystem::path& table_path,
                               const std::vector<std::pair<std::string, StoredRun>>& runs, ChartIds& ids) {
  std::string html = "<section class=\"comparison\">\n<h2>Comparison</h2>\n";
  if (!table_path.empty()) {
    const Table table = table_path.extension() == ".json" ? read_json(table_path) : read_csv(table_path);
    std::vector<std::string> header{"metric"};
    header.insert(header.end(), table.policies.begin(), table.policies.end());
    std::vector<std::vector<std::string>> rows;
    for (const auto& [name, units] : table.metrics) {
      std::vector<std::string> row{name};
      for (const std::string& policies : table.policies) {
        const auto found = table.cells.find({policies, name});
        if (found == table.cells.end()) {
          row.emplace_back();
          continue;
        }
        std::string cell = format_figure(name, found->second.mean, units);
        if (std::isfinite(found->second.stddev)) cell += " ± " + format_figure(name, found->second.stddev, units);
        row.push_back(std::move(cell));
      }
      rows.push_back(std::move(row));
    }
    std::vector<bool> numeric(header.size(), true);
    numeric[0] = false;
    html += "<p>Mean over the seeds (± their sample standard deviation, with more than one seed).</p>\n";
    html += html_table(header, rows, numeric);
  }
  if (runs.empty()) {
    html += skipped_chart("Overlay charts", "the folder has no variant's results.h5");
    return html + "</section>\n";
  }
  // One colour per policy pair (the label's first part), one legend entry per variant.
  std::vector<std::string> pairs;
  std::vector<ChartLine> lines;
  for (const auto& [label, run] : runs) {
    const std::size_t pair = index_of(pairs, label.substr(0, label.find('/')));
    lines.push_back({label, palette_colour(pair), &run});
  }
  std::string why;
  const auto add = [&](const std::optional<Chart>& chart, std::string_view title) {
    html += chart ? figure(*chart) : skipped_chart(title, why);
  };
  add(utilisation_chart(lines, ids, why), "GPU utilisation over time");
  add(job_cdf_chart(lines, {"jct", "jct_s"}, "Job completion time (CDF)", "JCT (s, log scale)", ids, why),
      "Job completion time (CDF)");
  add(queue_chart(lines, ids, why), "Queue length over time");
  // Energy policies differ here first; a run without a power model has no line.
  if (const auto power = power_chart(lines, ids, why)) html += figure(*power);
  return html + "</section>\n";
}

}  // namespace capsim::sim::report
