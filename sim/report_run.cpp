// A run's part of the report: what was run, its headline figures
// (summary.json) and its charts over time and over jobs.
#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "sim/report_curves.hpp"
#include "sim/report_format.hpp"
#include "sim/report_sections.hpp"

namespace capsim::sim::report {

namespace {

using Json = nlohmann::ordered_json;

// "queueing_delay_p95_s" -> "queueing delay p95", "gpus" -> "GPUs".
std::string figure_label(std::string_view key) {
  // The unit suffix goes (the value shows its unit), but a share must not
  // read like the amount beside it: idle_cost_usd, idle_cost_pct.
  const bool share = key.ends_with("_pct");
  for (const std::string_view suffix : {"_s", "_usd", "_pct", "_kwh", "_kw"}) {
    if (key.size() > suffix.size() && key.ends_with(suffix)) {
      key.remove_suffix(suffix.size());
      break;
    }
  }
  std::string label;
  std::size_t begin = 0;
  while (begin <= key.size()) {
    const std::size_t end = std::min(key.find('_', begin), key.size());
    std::string word(key.substr(begin, end - begin));
    if (word == "jct" || word == "pue" || word == "it") {
      std::transform(word.begin(), word.end(), word.begin(), [](unsigned char c) { return std::toupper(c); });
    } else if (word == "gpu") {
      word = "GPU";
    } else if (word == "gpus") {
      word = "GPUs";
    }
    label += (label.empty() ? "" : " ") + word;
    begin = end + 1;
  }
  return share ? label + " (share)" : label;
}

std::string json_cell(std::string_view key, const Json& value) {
  if (value.is_number()) return format_figure(key, value.get<double>());
  if (value.is_string()) return value.get<std::string>();
  if (value.is_null()) return "n/a";
  return value.dump();
}

Json read_summary(const StoredRun& run, const std::filesystem::path& summary_json) {
  std::error_code error;
  if (std::filesystem::is_regular_file(summary_json, error)) {
    std::ifstream in(summary_json);
    std::stringstream text;
    text << in.rdbuf();
    Json summary = Json::parse(text.str(), nullptr, false);
    if (summary.is_discarded() || !summary.is_object()) {
      throw InputError({summary_json.string(), 0, 0}, "", "summary.json as `capsim run` writes it (a JSON object)",
                       "text that is not one");
    }
    return summary;
  }
  Json summary = Json::parse(run.summary_json, nullptr, false);
  return summary.is_object() ? summary : Json::object();
}

double run_end_s(const StoredRun& run, const Json& summary) {
  if (summary.contains("metrics") && summary["metrics"].contains("simulated_s") &&
      summary["metrics"]["simulated_s"].is_number()) {
    return summary["metrics"]["simulated_s"].get<double>();
  }
  const auto& time = run.timeseries.time_s;
  return time.empty() ? 0.0 : time.back() + run.timeseries.interval.to_seconds();
}

double span_of(const std::vector<ChartLine>& lines) {
  double span = 0;
  for (const ChartLine& line : lines) {
    const auto& time = line.run->timeseries.time_s;
    if (!time.empty()) span = std::max(span, time.back() + line.run->timeseries.interval.to_seconds());
  }
  return span;
}

ChartSeries over_time(const ChartLine& line, const TimeSeries::Metric& metric, const TimeAxis& axis, double scale) {
  ChartSeries series;
  series.name = line.name;
  series.colour = line.colour;
  series.style = ChartSeries::Style::kStep;
  const auto& time = line.run->timeseries.time_s;
  for (std::size_t k = 0; k < time.size(); ++k) {
    series.x.push_back(time[k] / axis.seconds_per_unit);
    series.y.push_back(metric.values[k] * scale);
  }
  // A step holds each interval's mean to its end.
  if (!time.empty()) {
    series.x.push_back((time.back() + line.run->timeseries.interval.to_seconds()) / axis.seconds_per_unit);
    series.y.push_back(series.y.back());
  }
  return series;
}

// One line per run that has `metric`; nullopt (with `why`) when none has.
std::optional<Chart> metric_chart(const std::vector<ChartLine>& lines, std::string_view metric, double scale,
                                  Chart chart, std::string& why) {
  const TimeAxis axis = time_axis_for(span_of(lines));
  chart.x.label = axis.label;
  chart.x.min = 0;
  for (const ChartLine& line : lines) {
    if (const TimeSeries::Metric* m = line.run->timeseries.find(metric)) {
      chart.series.push_back(over_time(line, *m, axis, scale));
    }
  }
  if (chart.series.empty()) {
    why = "the results have no /timeseries/" + std::string(metric);
    return std::nullopt;
  }
  return chart;
}

}  // namespace

namespace {
// A chart of a metric over time, its y axis from 0 up.
Chart time_chart(ChartIds& ids, std::string_view stem, std::string title, std::string y_label) {
  Chart chart;
  chart.id = ids.next(stem);
  chart.title = std::move(title);
  chart.y.label = std::move(y_label);
  chart.y.include_zero = true;
  return chart;
}
}  // namespace

std::optional<Chart> utilisation_chart(const std::vector<ChartLine>& lines, ChartIds& ids, std::string& why) {
  Chart chart = time_chart(ids, "utilisation", "GPU utilisation over time", "allocated GPUs (% of all)");
  chart.y.max = 100;
  return metric_chart(lines, "gpu_utilisation", 100, std::move(chart), why);
}

std::optional<Chart> queue_chart(const std::vector<ChartLine>& lines, ChartIds& ids, std::string& why) {
  std::optional<Chart> drawn =
      metric_chart(lines, "pending_jobs", 1,
                   time_chart(ids, "queue", "Queue length over time", "waiting jobs (mean per interval)"), why);
  // A lone run also shows the GPUs its queue waits for, where recorded.
  if (drawn && lines.size() == 1) {
    if (const TimeSeries::Metric* gpus = lines[0].run->timeseries.find("pending_gpus")) {
      drawn->series[0].name = "waiting jobs";
      drawn->series.push_back(
          over_time({"GPUs waited for", "", lines[0].run}, *gpus, time_axis_for(span_of(lines)), 1));
      drawn->y.label = "jobs, GPUs";
    }
  }
  return drawn;
}

std::optional<Chart> power_chart(const std::vector<ChartLine>& lines, ChartIds& ids, std::string& why) {
  return metric_chart(lines, "power_kw", 1,
                      time_chart(ids, "power", "Facility power over time", "power (kW, mean per interval)"), why);
}

std::optional<Chart> job_cdf_chart(const std::vector<ChartLine>& lines, const std::vector<std::string>& columns,
                                   std::string_view title, std::string_view axis_label, ChartIds& ids,
                                   std::string& why) {
  Chart chart;
  chart.id = ids.next("cdf");
  chart.title = std::string(title);
  chart.x.label = std::string(axis_label);
  chart.x.log = true;
  chart.y.label = "share of jobs (%)";
  chart.y.min = 0;
  chart.y.max = 100;
  bool all_zero = false;
  for (const ChartLine& line : lines) {
    const TimeSeries::Metric* column = nullptr;
    for (const std::string& name : columns) {
      if ((column = line.run->job_column(name)) != nullptr) break;
    }
    if (column == nullptr) continue;
    const Curve cdf = empirical_cdf(column->values);
    if (cdf.x.empty()) continue;
    if (cdf.x.back() <= 0) {
      // Nothing to draw on a log axis (say, no job waited).
      all_zero = true;
      continue;
    }
    ChartSeries series;
    series.name = line.name;
    series.colour = line.colour;
    series.style = ChartSeries::Style::kStep;
    series.x = cdf.x;
    for (const double share : cdf.y) series.y.push_back(share * 100);
    chart.series.push_back(std::move(series));
  }
  if (chart.series.empty()) {
    why = all_zero ? "every job's /jobs/" + columns.front() + " is 0 s"
                   : "no job has a value in /jobs/" + columns.front();
    return std::nullopt;
  }
  return chart;
}

namespace {

std::string chart_or_note(const std::optional<Chart>& chart, std::string_view title, const std::string& why,
                          std::string_view caption = {}) {
  return chart ? figure(*chart, caption) : skipped_chart(title, why);
}

// The share of the finite values that are exactly 0, as "52.1 %".
std::string share_of_zeros(const TimeSeries::Metric* column) {
  if (column == nullptr) return {};
  std::size_t zeros = 0, finite = 0;
  for (const double v : column->values) {
    if (!std::isfinite(v)) continue;
    ++finite;
    zeros += v == 0 ? 1 : 0;
  }
  return finite == 0 ? std::string()
                     : format_number(100.0 * static_cast<double>(zeros) / static_cast<double>(finite)) + " %";
}

std::string cost_chart(const StoredRun& run, const Json& summary, ChartIds& ids) {
  const std::string title = "Cost over time (cumulative)";
  const TimeSeries::Metric* cost = run.job_column("cost");
  const TimeSeries::Metric* start = run.job_column("start_time");
  const TimeSeries::Metric* end = run.job_column("end_time");
  if (cost == nullptr || start == nullptr || end == nullptr) {
    return skipped_chart(title, "the results have no /jobs/cost, start_time and end_time");
  }
  const double run_end = run_end_s(run, summary);
  // Times: 0, then each interval's end.
  std::vector<double> at{0};
  for (const double t : run.timeseries.time_s)
    at.push_back(std::min(t + run.timeseries.interval.to_seconds(), run_end));
  if (at.size() == 1) at.push_back(run_end);
  const Curve work = accrued_cost(start->values, end->values, cost->values, at, run_end);
  double cluster_cost = std::nan("");
  const bool elastic = summary.contains("node_groups");
  if (summary.contains("metrics") && summary["metrics"].contains("cluster_cost_usd") &&
      summary["metrics"]["cluster_cost_usd"].is_number()) {
    cluster_cost = summary["metrics"]["cluster_cost_usd"].get<double>();
  }
  if (work.y.empty() || (work.y.back() == 0 && !(cluster_cost > 0))) {
    return skipped_chart(title, "the scenario gives no prices (every job cost $0)");
  }
  const TimeAxis axis = time_axis_for(run_end);
  Chart chart;
  chart.id = ids.next("cost");
  chart.title = title;
  chart.x.label = axis.label;
  chart.x.min = 0;
  chart.y.label = "cost (USD)";
  chart.y.include_zero = true;
  ChartSeries used{.name = "jobs' cost, accrued over their runs", .colour = "", .style = ChartSeries::Style::kLine};
  for (std::size_t k = 0; k < work.x.size(); ++k) {
    used.x.push_back(work.x[k] / axis.seconds_per_unit);
    used.y.push_back(work.y[k]);
  }
  chart.series.push_back(std::move(used));
  std::string caption =
      "Each job's cost (/jobs/cost: its GPUs x run time x price) is spread evenly from its start to its end.";
  if (std::isfinite(cluster_cost) && !elastic) {
    ChartSeries billed{
        .name = "cluster billed (fixed size: linear)", .colour = "#7f7f7f", .style = ChartSeries::Style::kLine};
    billed.x = {0, run_end / axis.seconds_per_unit};
    billed.y = {0, cluster_cost};
    chart.series.push_back(std::move(billed));
    caption +=
        " The cluster's bill (summary cluster_cost_usd) grows linearly: every GPU is billed for the whole run;"
        " the gap between the lines is idle capacity.";
  } else if (elastic) {
    caption += " The cluster's bill is left out: its node groups change size, and results.h5 does not record when.";
  }
  return figure(chart, caption);
}

std::string energy_charts(const StoredRun& run, const Json& summary, ChartIds& ids) {
  const TimeSeries::Metric* power = run.timeseries.find("power_kw");
  if (power == nullptr) {
    return skipped_chart("Power and energy over time", "the results have no /timeseries/power_kw (no power model)");
  }
  std::string html;
  std::string why;
  if (auto chart = power_chart({{"", "", &run}}, ids, why)) html += figure(*chart);

  const double run_end = run_end_s(run, summary);
  const Curve energy =
      cumulative_energy_kwh(run.timeseries.time_s, power->values, run.timeseries.interval.to_seconds(), run_end);
  const TimeAxis axis = time_axis_for(run_end);
  Chart chart;
  chart.id = ids.next("energy");
  chart.title = "Energy used (cumulative)";
  chart.x.label = axis.label;
  chart.x.min = 0;
  chart.y.label = "energy (kWh)";
  chart.y.include_zero = true;
  ChartSeries series{.name = "", .colour = "#2ca02c", .style = ChartSeries::Style::kLine};
  series.x.push_back(0);
  series.y.push_back(0);
  for (std::size_t k = 0; k < energy.x.size(); ++k) {
    series.x.push_back(energy.x[k] / axis.seconds_per_unit);
    series.y.push_back(energy.y[k]);
  }
  chart.series.push_back(std::move(series));
  return html + figure(chart, "The facility power of each interval times its length, summed.");
}

}  // namespace

std::string run_section(const StoredRun& run, const std::filesystem::path& summary_json, ChartIds& ids) {
  const Json summary = read_summary(run, summary_json);
  std::string html = "<section class=\"run\">\n<h2>Run: " + escape_html(run.scenario_name) + "</h2>\n";

  std::vector<std::vector<std::string>> about{
      {"scenario", run.scenario_name},
      {"seed", std::to_string(run.seed)},
      {"capsim version", run.capsim_version},
      {"engine", run.engine},
      {"policies", run.queue_policy + " + " + run.placement_policy},
      {"status", run.status},
  };
  html += html_table({"run", ""}, about);
  if (run.status == "partial") {
    html +=
        "<p class=\"skipped\"><strong>Partial results:</strong> the run was interrupted before its end; "
        "every figure and chart covers the time simulated so far.</p>\n";
  }
  if (!run.scenario_text.empty()) {
    html += "<details class=\"scenario\"><summary>Scenario text</summary>\n<pre>" + escape_html(run.scenario_text) +
            "</pre></details>\n";
  }

  html += "<h3>Headline figures</h3>\n";
  if (summary.contains("metrics") && summary["metrics"].is_object()) {
    std::vector<std::vector<std::string>> rows;
    for (const auto& [key, value] : summary["metrics"].items())
      rows.push_back({figure_label(key), json_cell(key, value)});
    html += html_table({"figure", "value"}, rows, {false, true});
  } else {
    html += "<p class=\"skipped\">No headline figures: summary.json has no \"metrics\".</p>\n";
  }
  // What the trace gave, the packing experiment: one table each.
  for (const auto& [key, value] : summary.items()) {
    if (key == "metrics" || !value.is_object() || value.empty()) continue;
    std::vector<std::vector<std::string>> rows;
    for (const auto& [field, element] : value.items()) rows.push_back({figure_label(field), json_cell(field, element)});
    html += "<details><summary>" + escape_html(figure_label(key)) + "</summary>\n" +
            html_table({"figure", "value"}, rows, {false, true}) + "</details>\n";
  }
  // Tables of things (pools, tenants, services, node groups, regions).
  for (const auto& [key, value] : summary.items()) {
    if (!value.is_array() || value.empty() || !value.front().is_object()) continue;
    std::vector<std::string> header;
    for (const auto& element : value) {
      for (const auto& [field, ignored] : element.items()) {
        if (std::find(header.begin(), header.end(), field) == header.end()) header.push_back(field);
      }
    }
    std::vector<std::vector<std::string>> rows;
    for (const auto& element : value) {
      std::vector<std::string> row;
      for (const std::string& field : header)
        row.push_back(element.contains(field) ? json_cell(field, element[field]) : "");
      rows.push_back(std::move(row));
    }
    std::vector<bool> numeric(header.size(), true);
    if (!numeric.empty()) numeric[0] = false;
    html += "<details><summary>By " + escape_html(figure_label(key)) + " (" + std::to_string(rows.size()) +
            ")</summary>\n" + html_table(header, rows, numeric) + "</details>\n";
  }

  html += "<h3>Charts</h3>\n";
  const std::vector<ChartLine> lines{{"", "", &run}};
  std::string why;
  html += chart_or_note(utilisation_chart(lines, ids, why), "GPU utilisation over time", why);
  html += chart_or_note(queue_chart(lines, ids, why), "Queue length over time", why);
  html +=
      chart_or_note(job_cdf_chart(lines, {"jct", "jct_s"}, "Job completion time (CDF)", "JCT (s, log scale)", ids, why),
                    "Job completion time (CDF)", why);
  const TimeSeries::Metric* delay = run.job_column("queueing_delay");
  const std::string zeros = share_of_zeros(delay);
  html += chart_or_note(
      job_cdf_chart(lines, {"queueing_delay", "queueing_delay_s"}, "Queueing delay (CDF)",
                    "queueing delay (s, log scale)", ids, why),
      "Queueing delay (CDF)", why,
      zeros.empty() ? std::string() : zeros + " of the jobs started without waiting (0 s lies left of the log axis).");
  html += cost_chart(run, summary, ids);
  html += energy_charts(run, summary, ids);
  return html + "</section>\n";
}

}  // namespace capsim::sim::report
