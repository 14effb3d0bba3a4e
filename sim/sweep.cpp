#include "sim/sweep.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>

#include <nlohmann/json.hpp>

#include "core/csv.hpp"
#include "sim/batch.hpp"
#include "sim/results_writer.hpp"
#include "sim/summary.hpp"

namespace capsim::sim {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kSecondsPerMonth = 365.25 / 12 * 86'400;

}  // namespace

double PointFigures::figure(std::string_view name) const {
  for (const auto& [n, v] : figures) {
    if (n == name) return v;
  }
  return kNaN;
}

PointFigures point_figures(std::size_t point, const Summary& summary) {
  PointFigures out;
  out.point = point;
  out.status = summary.partial ? "partial" : "complete";
  const nlohmann::ordered_json json = summary_to_json(summary);
  const auto add = [&](const std::string& name, const nlohmann::ordered_json& value) {
    if (value.is_number()) out.figures.emplace_back(name, value.get<double>());
    if (value.is_null()) out.figures.emplace_back(name, kNaN);
  };
  for (const auto& [name, value] : json["metrics"].items()) add(name, value);
  // What the cluster costs a month at the rate it cost over the run (an
  // average month: 365.25 / 12 days), for plans and for tables.
  if (summary.simulated_s > 0) {
    out.figures.emplace_back("cost_per_month_usd",
                             summary.cost_figure("cluster_cost_usd") * kSecondsPerMonth / summary.simulated_s);
  }
  if (json.contains("services")) {
    for (const auto& service : json["services"]) {
      const std::string prefix = service["name"].get<std::string>() + ".";
      for (const auto& [name, value] : service.items()) {
        if (name != "name") add(prefix + name, value);
      }
    }
  }
  return out;
}

std::string encode_point_figures(const PointFigures& figures) {
  nlohmann::json pairs = nlohmann::json::array();
  for (const auto& [name, value] : figures.figures) {
    pairs.push_back({name, std::isnan(value) ? nlohmann::json() : nlohmann::json(value)});
  }
  return nlohmann::json{{"point", figures.point}, {"status", figures.status}, {"figures", pairs}}.dump();
}

PointFigures decode_point_figures(std::string_view text) {
  const nlohmann::json json = nlohmann::json::parse(text);
  PointFigures out;
  out.point = json.at("point").get<std::size_t>();
  out.status = json.at("status").get<std::string>();
  for (const auto& pair : json.at("figures")) {
    out.figures.emplace_back(pair.at(0).get<std::string>(), pair.at(1).is_null() ? kNaN : pair.at(1).get<double>());
  }
  return out;
}

SweepRuns run_sweep(const std::vector<SweepPoint>& points, const SweepOptions& options) {
  std::vector<std::size_t> chosen = options.only;
  if (chosen.empty()) {
    for (std::size_t i = 0; i < points.size(); ++i) chosen.push_back(i);
  }
  std::vector<const Scenario*> scenarios;
  for (const std::size_t i : chosen) scenarios.push_back(&points.at(i).scenario);
  SweepRuns runs;
  runs.figures.resize(points.size());
  BatchOptions batch;
  batch.threads = options.threads;
  batch.registry = options.registry;
  batch.should_stop = options.should_stop;
  runs.interrupted = run_batch(scenarios, batch, [&](std::size_t k, const RunResults& results) {
    const SweepPoint& point = points[chosen[k]];
    runs.figures[point.index] = point_figures(point.index, results.summary);
    if (options.done) options.done(point, results);
  });
  return runs;
}

SweepTable make_sweep_table(const std::string& scenario, const std::vector<std::string>& fields,
                            const std::vector<SweepPoint>& points,
                            const std::vector<std::optional<PointFigures>>& figures) {
  SweepTable table;
  table.scenario = scenario;
  table.fields = fields;
  // Every figure any point reported, in the order they first appear.
  std::map<std::string, std::size_t> column_of;
  for (const auto& f : figures) {
    if (!f) continue;
    for (const auto& [name, value] : f->figures) {
      if (column_of.emplace(name, table.metrics.size()).second) table.metrics.push_back(name);
    }
  }
  for (const SweepPoint& point : points) {
    SweepRow row;
    row.point = point.index;
    row.label = point.label;
    for (const std::string& field : fields) {
      auto it = std::find_if(point.settings.rbegin(), point.settings.rend(),
                             [&](const auto& s) { return s.first == field; });  // the last setting wins
      row.settings.push_back(it == point.settings.rend() ? "" : it->second);
    }
    row.values.assign(table.metrics.size(), kNaN);
    const auto& f = figures.at(point.index);
    row.status = f ? f->status : "not run";
    if (f) {
      for (const auto& [name, value] : f->figures) row.values[column_of.at(name)] = value;
    }
    table.rows.push_back(std::move(row));
  }
  return table;
}

std::string sweep_csv(const SweepTable& table) {
  std::string out = "point";
  for (const std::string& field : table.fields) out += "," + csv_field(field);
  out += ",status";
  for (const std::string& metric : table.metrics) out += "," + csv_field(metric);
  out += "\n";
  for (const SweepRow& row : table.rows) {
    out += std::to_string(row.point);
    for (const std::string& value : row.settings) out += "," + csv_field(value);
    out += "," + row.status;
    for (const double value : row.values) out += "," + csv_number(value);
    out += "\n";
  }
  return out;
}

void write_sweep_h5(const SweepTable& table, const std::string& scenario_text, const std::filesystem::path& path) {
  const std::size_t n = table.rows.size();
  std::vector<std::int32_t> point(n);
  std::vector<std::vector<std::string_view>> settings(table.fields.size());
  std::vector<std::string_view> status(n);
  std::vector<std::vector<double>> values(table.metrics.size(), std::vector<double>(n));
  for (std::size_t r = 0; r < n; ++r) {
    const SweepRow& row = table.rows[r];
    point[r] = static_cast<std::int32_t>(row.point);
    for (std::size_t f = 0; f < table.fields.size(); ++f) settings[f].push_back(row.settings[f]);
    status[r] = row.status;
    for (std::size_t m = 0; m < table.metrics.size(); ++m) values[m][r] = row.values[m];
  }
  // HDF5 names cannot hold '/'.
  const auto name_of = [](std::string name) {
    std::replace(name.begin(), name.end(), '/', '_');
    return name;
  };
  std::vector<ResultColumn> columns;
  columns.push_back({"point", "", "the point's index in the sweep", std::span<const std::int32_t>(point)});
  for (std::size_t f = 0; f < table.fields.size(); ++f) {
    columns.push_back({name_of(table.fields[f]), "", "the value the point gives this scenario field", settings[f]});
  }
  columns.push_back({"status", "", "complete, partial (interrupted) or not run", status});
  for (std::size_t m = 0; m < table.metrics.size(); ++m) {
    columns.push_back({name_of(table.metrics[m]), "", "as in summary.json", std::span<const double>(values[m])});
  }
  std::string fields;
  for (const std::string& f : table.fields) fields += (fields.empty() ? "" : ",") + f;
  write_table_h5(path, "sweep", columns,
                 {{"scenario_name", table.scenario}, {"scenario", scenario_text}, {"fields", fields}});
}

std::string format_sweep(const SweepTable& table, std::size_t max_rows) {
  // Headline figures, where the runs have them.
  const std::vector<std::pair<std::string, Metric>> headline = {
      {"jobs_completed", {"jobs_completed", "jobs done", "", 0}},
      {"jct_mean_s", {"jct_mean_s", "mean JCT", "s", 0}},
      {"queueing_delay_p95_s", {"queueing_delay_p95_s", "p95 wait", "s", 0}},
      {"gpu_utilisation", {"gpu_utilisation", "GPU util", "%", 0}},
      {"cluster_cost_usd", {"cluster_cost_usd", "cost $", "", 0}},
  };
  std::vector<std::size_t> shown;
  std::vector<Metric> kinds;
  for (const auto& [name, metric] : headline) {
    const auto it = std::find(table.metrics.begin(), table.metrics.end(), name);
    if (it == table.metrics.end()) continue;
    shown.push_back(static_cast<std::size_t>(it - table.metrics.begin()));
    kinds.push_back(metric);
  }
  std::vector<std::vector<std::string>> cells;
  std::vector<std::string> header{"point"};
  header.insert(header.end(), table.fields.begin(), table.fields.end());
  for (const Metric& m : kinds) header.push_back(m.label);
  cells.push_back(header);
  const std::size_t rows = std::min(max_rows, table.rows.size());
  for (std::size_t r = 0; r < rows; ++r) {
    const SweepRow& row = table.rows[r];
    std::vector<std::string> line{std::to_string(row.point)};
    line.insert(line.end(), row.settings.begin(), row.settings.end());
    for (std::size_t k = 0; k < shown.size(); ++k) {
      Metric m = kinds[k];
      m.value = row.values[shown[k]];
      if (m.name == "gpu_utilisation") m.value *= 100;
      line.push_back(row.status == "not run" ? "-" : metric_text(m));
    }
    cells.push_back(line);
  }
  std::vector<std::size_t> width(header.size(), 0);
  for (const auto& line : cells) {
    for (std::size_t i = 0; i < line.size(); ++i) width[i] = std::max(width[i], line[i].size());
  }
  std::string out;
  for (const auto& line : cells) {
    out += " ";
    for (std::size_t i = 0; i < line.size(); ++i) {
      out += " " + std::string(width[i] - line[i].size(), ' ') + line[i];
    }
    out += "\n";
  }
  if (table.rows.size() > rows) {
    out += "  ... " + std::to_string(table.rows.size() - rows) + " more points in the table files\n";
  }
  return out;
}

}  // namespace capsim::sim
