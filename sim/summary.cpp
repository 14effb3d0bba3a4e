#include "sim/summary.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>

#include "core/text.hpp"
#include "core/version.hpp"

namespace capsim::sim {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::string seconds_text(double s) {
  if (std::isnan(s)) return "-";
  return format_duration(Duration::from_seconds(s));
}

nlohmann::ordered_json number_or_null(double value) {
  if (std::isnan(value)) return nullptr;
  return value;
}
}  // namespace

Distribution distribution_of(std::span<const double> values) {
  std::vector<double> sorted;
  sorted.reserve(values.size());
  double sum = 0;
  for (const double v : values) {
    if (std::isnan(v)) continue;
    sorted.push_back(v);
    sum += v;  // in job-id order: the same sum on every run
  }
  Distribution d;
  d.count = sorted.size();
  if (sorted.empty()) {
    d.mean = d.p50 = d.p95 = d.p99 = d.max = kNaN;
    return d;
  }
  std::sort(sorted.begin(), sorted.end());
  d.mean = sum / static_cast<double>(sorted.size());
  d.p50 = percentile_of_sorted(sorted, 50);
  d.p95 = percentile_of_sorted(sorted, 95);
  d.p99 = percentile_of_sorted(sorted, 99);
  d.max = sorted.back();
  return d;
}

Summary summarise(const Scenario& scenario, const ClusterLayout& layout, const JobTable& jobs, const EngineStats& stats,
                  ServiceUsage services) {
  Summary s;
  s.scenario = scenario.name;
  s.seed = scenario.run.seed;
  s.engine = scenario.run.engine;
  s.queue_policy = scenario.queue_policy.name;
  s.placement_policy = scenario.placement_policy.name;
  s.partial = stats.interrupted;
  s.nodes = static_cast<std::int64_t>(layout.node_count());
  s.gpus = layout.total_gpus();
  std::map<std::string, std::int64_t> by_type;  // in name order
  std::vector<std::string> order;
  for (const NodeGroupSpec& group : layout.spec().node_groups) {
    const std::string& name = scenario.catalog.at(group.gpu_type).name;
    if (!by_type.count(name)) order.push_back(name);
    by_type[name] += group.count * group.gpus_per_node;
  }
  for (const std::string& name : order) {
    if (!s.gpus_by_type.empty()) s.gpus_by_type += ", ";
    s.gpus_by_type += thousands(by_type[name]) + " " + name;
  }
  s.events = stats.events;
  s.simulated_s = stats.end.to_seconds();

  const double end_s = stats.end.to_seconds();
  double first_submit = kNaN;
  double last_end = kNaN;
  double gpu_seconds = 0;
  double busy_joules = 0;
  s.jobs_submitted = static_cast<std::int64_t>(jobs.size());
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    if (std::isnan(first_submit)) first_submit = jobs.submit_s[i];
    switch (jobs.state[i]) {
      case JobEnd::kCompleted:
        ++s.jobs_completed;
        break;
      case JobEnd::kFailed:
        ++s.jobs_failed;
        break;
      case JobEnd::kKilled:
        ++s.jobs_killed;
        break;
      case JobEnd::kUnfinished:
        ++s.jobs_unfinished;
        break;
      case JobEnd::kRejected:
        ++s.jobs_rejected;
        break;
      case JobEnd::kRunning:
        ++s.jobs_running;
        break;
      case JobEnd::kPending:
        ++s.jobs_pending;
        break;
      case JobEnd::kAbandoned:  // counted by add_failures
      case JobEnd::kReaped:     // counted by add_reaping
        break;
    }
    if (!std::isnan(jobs.start_s[i])) {
      ++s.jobs_started;
      gpu_seconds += jobs.gpus[i] * jobs.run_time_s[i];  // a share of a GPU counts as that share
      if (jobs.gpu_type[i] != kAnyGpuType) {
        const GpuType& type = scenario.catalog.at(jobs.gpu_type[i]);
        // Held idle (an idle tail), its GPUs drew idle watts.
        busy_joules +=
            (jobs.gpus[i] * jobs.run_time_s[i] - jobs.idle_gpu_hours[i] * 3600) * (type.peak_watts - type.idle_watts);
      }
    }
    s.preemptions += jobs.preemptions[i];
    s.lost_gpu_hours += jobs.lost_gpu_hours[i];
    if (!std::isnan(jobs.end_s[i])) last_end = std::isnan(last_end) ? jobs.end_s[i] : std::max(last_end, jobs.end_s[i]);
  }
  s.makespan_s = std::isnan(last_end) ? 0.0 : last_end - first_submit;
  // Services run from time 0.
  gpu_seconds += services.gpu_seconds;
  if (!scenario.workload.services.empty()) first_submit = 0;
  s.jct_s = distribution_of(jobs.jct_s);
  s.queueing_delay_s = distribution_of(jobs.queueing_delay_s);
  s.gpu_hours_allocated = gpu_seconds / 3600.0;
  const double window = std::isnan(first_submit) ? 0.0 : end_s - first_submit;
  s.gpu_utilisation = window > 0 && s.gpus > 0 ? gpu_seconds / (static_cast<double>(s.gpus) * window) : 0.0;
  double idle_watts = 0;
  for (std::size_t n = 0; n < layout.node_count(); ++n) {
    const auto node = static_cast<NodeId>(n);
    idle_watts += layout.gpus_of(node) * scenario.catalog.at(layout.gpu_type_of(node)).idle_watts;
  }
  s.gpu_energy_kwh = (idle_watts * end_s + busy_joules) / 3.6e6;
  s.energy_model = "idle watts, plus peak - idle while allocated";
  return s;
}

void add_energy(Summary& s, const ClusterSpec& cluster, const EnergyReport& report) {
  constexpr double kJoulesPerKwh = 3.6e6;
  const double facility_kwh = report.facility_joules() / kJoulesPerKwh;
  s.gpu_energy_kwh = report.gpu_joules() / kJoulesPerKwh;
  s.energy_model = "idle watts while powered, plus peak - idle x the share allocated";
  s.energy = {
      {"facility_energy_kwh", "facility energy (kWh)", "", facility_kwh},
      {"it_energy_kwh", "IT energy (kWh)", "", report.it_joules() / kJoulesPerKwh},
      {"gpu_energy_kwh", "GPU energy (kWh)", "", s.gpu_energy_kwh},
      {"mean_power_kw", "mean facility power (kW)", "",
       report.seconds > 0 ? report.facility_joules() / report.seconds / 1000 : 0.0},
      {"peak_power_kw", "peak facility power (kW)", "", report.peak_facility_watts / 1000},
      {"pue", "PUE", "", cluster.pue},
  };
  if (report.has_carbon()) {
    double carbon_kwh = 0;  // of the regions with a series
    for (const RegionEnergy& r : report.regions) carbon_kwh += r.has_carbon ? r.facility_joules / kJoulesPerKwh : 0;
    s.energy.push_back({"emissions_kg_co2e", "emissions (kg CO2e)", "", report.grams_co2e() / 1000});
    s.energy.push_back({"carbon_intensity_g_per_kwh", "mean carbon intensity (g CO2e/kWh)", "",
                        carbon_kwh > 0 ? report.grams_co2e() / carbon_kwh : kNaN});
  }
  s.regions.clear();
  if (cluster.regions.empty()) return;
  for (const RegionEnergy& r : report.regions) {
    const double kwh = r.facility_joules / kJoulesPerKwh;
    s.regions.push_back({r.name,
                         {{"facility_energy_kwh", "facility energy (kWh)", "", kwh},
                          {"it_energy_kwh", "IT energy (kWh)", "", r.it_joules / kJoulesPerKwh},
                          {"emissions_kg_co2e", "emissions (kg CO2e)", "", r.has_carbon ? r.grams_co2e / 1000 : kNaN},
                          {"carbon_intensity_g_per_kwh", "mean carbon intensity (g CO2e/kWh)", "",
                           r.has_carbon && kwh > 0 ? r.grams_co2e / kwh : kNaN}}});
  }
}

void add_cost(Summary& s, const ClusterSpec& cluster, const GpuCatalog& catalog, const JobTable& jobs) {
  // Billed, by pool in NodePool order.
  constexpr std::size_t kPools = 3;
  std::array<double, kPools> pool_usd{}, pool_gpu_hours{};
  std::array<bool, kPools> pool_used{};
  for (std::size_t g = 0; g < cluster.node_groups.size(); ++g) {
    const NodeGroupSpec& group = cluster.node_groups[g];
    double usd = 0, gpu_hours = 0;
    if (!s.node_groups.empty()) {
      usd = s.node_groups[g].figure("cost_usd");
      gpu_hours = s.node_groups[g].figure("gpu_hours");
    } else {
      gpu_hours = static_cast<double>(group.count) * group.gpus_per_node * s.simulated_s / 3600;
      usd = gpu_hours * group.price_per_gpu_hour(catalog);
    }
    const auto pool = static_cast<std::size_t>(group.pool);
    pool_usd[pool] += usd;
    pool_gpu_hours[pool] += gpu_hours;
    pool_used[pool] = true;
  }
  double billed = 0;
  s.pools.clear();
  for (std::size_t p = 0; p < kPools; ++p) {
    if (!pool_used[p]) continue;
    billed += pool_usd[p];
    s.pools.push_back(
        {std::string(to_string(static_cast<NodePool>(p))),
         {{"cost_usd", "cost (USD)", "", pool_usd[p]}, {"gpu_hours", "GPU-hours billed", "", pool_gpu_hours[p]}}});
  }
  // Used: by tenant, in name order, then by cost.
  struct Tenant {
    double jobs = 0, gpu_hours = 0, usd = 0, kwh = 0;
  };
  std::map<std::string, Tenant, std::less<>> by_tenant;
  double used = 0;
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    Tenant& t = by_tenant[std::string(jobs.tenant[i])];
    t.jobs += 1;
    t.gpu_hours += jobs.gpus[i] * jobs.run_time_s[i] / 3600;
    t.usd += jobs.cost_usd[i];
    t.kwh += jobs.energy_kwh[i];
    used += jobs.cost_usd[i];
  }
  for (const ServiceSummary& service : s.services) used += service.figure("cost_usd");
  s.tenants.clear();
  for (const auto& [name, t] : by_tenant) {
    s.tenants.push_back({name.empty() ? "(none)" : name,
                         {{"jobs", "jobs", "", t.jobs},
                          {"gpu_hours", "GPU-hours", "", t.gpu_hours},
                          {"cost_usd", "cost (USD)", "", t.usd},
                          {"energy_kwh", "energy (kWh)", "", t.kwh}}});
  }
  std::stable_sort(s.tenants.begin(), s.tenants.end(), [](const NamedFigures& a, const NamedFigures& b) {
    return a.figure("cost_usd") > b.figure("cost_usd");
  });
  s.cost = {{"cluster_cost_usd", "cluster cost (USD)", "", billed},
            {"used_cost_usd", "cost of GPUs in use (USD)", "", used},
            {"idle_cost_usd", "cost of idle capacity (USD)", "", billed - used},
            {"idle_cost_pct", "idle share of the cost", "%", billed > 0 ? 100 * (billed - used) / billed : 0.0}};
}

void add_failures(Summary& s, const FailureStats& stats, const JobTable& jobs) {
  double held_gpu_hours = 0;
  double wasted_gpu_hours = 0;
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    held_gpu_hours += jobs.gpus[i] * jobs.run_time_s[i] / 3600;
    wasted_gpu_hours += jobs.wasted_gpu_hours[i];
  }
  const double capacity_gpu_seconds = static_cast<double>(s.gpus) * s.simulated_s;
  s.failures = {
      {"node_failures", "node failures", "", static_cast<double>(stats.node_failures)},
      {"failure_interruptions", "jobs and replicas stopped by failures", "", static_cast<double>(stats.interruptions)},
      {"jobs_abandoned", "jobs abandoned at their restart limit", "", static_cast<double>(stats.abandoned)},
      {"failure_wasted_gpu_hours", "GPU-hours wasted by failures", "", stats.wasted_gpu_seconds / 3600},
      {"gpu_hours_down", "GPU-hours down", "", stats.gpu_seconds_down / 3600},
      {"goodput_pct", "goodput", "%", held_gpu_hours > 0 ? 100 * (1 - wasted_gpu_hours / held_gpu_hours) : 100.0},
      {"availability_pct", "availability", "%",
       capacity_gpu_seconds > 0 ? 100 * (1 - stats.gpu_seconds_down / capacity_gpu_seconds) : 100.0}};
}

void add_reaping(Summary& s, const JobTable& jobs, const ReapingTotals& totals) {
  std::int64_t reaped = 0;
  double idle_gpu_hours = 0;
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    reaped += jobs.state[i] == JobEnd::kReaped;
    idle_gpu_hours += jobs.idle_gpu_hours[i];
  }
  s.reaping = {{"jobs_reaped", "jobs reaped", "", static_cast<double>(reaped)},
               {"idle_gpu_hours", "GPU-hours held idle", "", idle_gpu_hours},
               {"gpu_hours_recovered", "GPU-hours recovered by reaping", "", totals.recovered_gpu_hours},
               {"cost_recovered_usd", "cost recovered by reaping (USD)", "", totals.recovered_usd}};
}

nlohmann::ordered_json summary_to_json(const Summary& s) {
  nlohmann::ordered_json j;
  j["capsim_version"] = kVersion;
  j["scenario"] = s.scenario;
  j["seed"] = s.seed;
  j["engine"] = s.engine;
  j["queue_policy"] = s.queue_policy;
  j["placement_policy"] = s.placement_policy;
  j["status"] = s.partial ? "partial" : "complete";
  nlohmann::ordered_json m;
  m["nodes"] = s.nodes;
  m["gpus"] = s.gpus;
  m["jobs_submitted"] = s.jobs_submitted;
  m["jobs_started"] = s.jobs_started;
  m["jobs_completed"] = s.jobs_completed;
  m["jobs_failed"] = s.jobs_failed;
  m["jobs_killed"] = s.jobs_killed;
  m["jobs_unfinished"] = s.jobs_unfinished;
  m["jobs_rejected"] = s.jobs_rejected;
  m["jobs_running_at_end"] = s.jobs_running;
  m["jobs_pending_at_end"] = s.jobs_pending;
  m["simulated_s"] = s.simulated_s;
  m["makespan_s"] = s.makespan_s;
  const auto add = [&](const std::string& prefix, const Distribution& d) {
    m[prefix + "_mean_s"] = number_or_null(d.mean);
    m[prefix + "_p50_s"] = number_or_null(d.p50);
    m[prefix + "_p95_s"] = number_or_null(d.p95);
    m[prefix + "_p99_s"] = number_or_null(d.p99);
    m[prefix + "_max_s"] = number_or_null(d.max);
  };
  add("jct", s.jct_s);
  add("queueing_delay", s.queueing_delay_s);
  m["gpu_hours_allocated"] = s.gpu_hours_allocated;
  m["gpu_utilisation"] = s.gpu_utilisation;
  m["preemptions"] = s.preemptions;
  m["lost_gpu_hours"] = s.lost_gpu_hours;
  m["gpu_energy_kwh"] = s.gpu_energy_kwh;
  m["energy_model"] = s.energy_model;
  for (const Metric& figure : s.energy) {
    if (figure.name != "gpu_energy_kwh") m[figure.name] = number_or_null(figure.value);
  }
  for (const Metric& figure : s.cost) m[figure.name] = number_or_null(figure.value);
  for (const Metric& figure : s.failures) m[figure.name] = number_or_null(figure.value);
  for (const Metric& figure : s.reaping) m[figure.name] = number_or_null(figure.value);
  m["events"] = s.events;
  j["metrics"] = m;
  if (s.trace) {
    const TraceSummary& t = *s.trace;
    nlohmann::ordered_json trace;
    trace["format"] = t.format;
    trace["path"] = t.path;
    trace["rows"] = t.rows;
    trace["bad_rows_skipped"] = t.bad_rows;
    trace["first_bad_rows"] = t.first_bad_rows;
    trace["cancelled_not_replayed"] = t.cancelled;
    trace["filtered_out"] = t.filtered_out;
    trace["thinned_out"] = t.thinned_out;
    trace["copies_added"] = t.copies_added;
    trace["jobs_replayed"] = t.jobs;
    if (t.sampled_from) trace["sampled_from_rows"] = *t.sampled_from;
    if (t.time_origin_unix_s) {
      trace["time_origin_unix_s"] = *t.time_origin_unix_s;
      trace["time_origin"] = format_datetime(*t.time_origin_unix_s * 1'000'000);
    } else {
      trace["time_origin_unix_s"] = nullptr;
      trace["time_origin"] = nullptr;
    }
    j["trace"] = trace;
  }
  if (s.packing) {
    const PackingSummary& p = *s.packing;
    nlohmann::ordered_json packing;
    nlohmann::ordered_json points = nlohmann::ordered_json::array();
    for (const PackingPoint& point : p.points) {
      points.push_back(
          {{"requested_percent", point.requested_percent}, {"allocated_percent", point.allocated_percent}});
    }
    packing["points"] = points;
    packing["requested_percent"] = p.requested_percent;
    packing["allocated_percent"] = p.allocated_percent;
    packing["unallocated_percent"] = p.unallocated_percent;
    packing["jobs_waiting"] = p.jobs_waiting;
    j["packing"] = packing;
  }
  // Named sets of figures (services, node groups): a list of objects.
  const auto named = [](const std::string& name, const char* kind_key, const std::string& kind,
                        const std::vector<Metric>& figures) {
    nlohmann::ordered_json one;
    one["name"] = name;
    one[kind_key] = kind;
    for (const Metric& figure : figures) one[figure.name] = number_or_null(figure.value);
    return one;
  };
  if (!s.services.empty()) {
    nlohmann::ordered_json services = nlohmann::ordered_json::array();
    for (const ServiceSummary& v : s.services) services.push_back(named(v.name, "autoscaler", v.autoscaler, v.figures));
    j["services"] = services;
  }
  if (!s.node_groups.empty()) {
    nlohmann::ordered_json groups = nlohmann::ordered_json::array();
    for (const NodeGroupSummary& g : s.node_groups) groups.push_back(named(g.name, "pool", g.pool, g.figures));
    j["node_groups"] = groups;
  }
  for (const auto& [key, list] : {std::pair{"regions", &s.regions}, {"pools", &s.pools}, {"tenants", &s.tenants}}) {
    if (list->empty()) continue;
    nlohmann::ordered_json items = nlohmann::ordered_json::array();
    for (const NamedFigures& r : *list) {
      nlohmann::ordered_json one;
      one["name"] = r.name;
      for (const Metric& figure : r.figures) one[figure.name] = number_or_null(figure.value);
      items.push_back(one);
    }
    j[key] = items;
  }
  return j;
}

static std::string duration_text(double s) {
  if (std::isnan(s)) return "-";
  return format_duration(Duration::from_seconds(s));
}

std::string metric_text(const Metric& m) {
  if (std::isnan(m.value)) return "-";
  char text[64];
  if (m.units == "s") return duration_text(m.value);
  if (m.units == "%") {
    // Near 100% the digits that matter come later (99.9% vs 99.99% SLOs).
    std::snprintf(text, sizeof text, m.value > 99 && m.value < 100 ? "%.3f%%" : "%.1f%%", m.value);
    return text;
  }
  // Whole numbers, and means of a thousand or more (1792.6 jobs), in
  // grouped digits; a mean's fraction matters only below that.
  if (std::fabs(m.value) < 1e15 && (m.value == std::floor(m.value) || std::fabs(m.value) >= 1000)) {
    return thousands(static_cast<std::int64_t>(std::llround(m.value)));
  }
  std::snprintf(text, sizeof text, "%.2f", m.value);
  return text;
}

std::string format_summary(const Summary& s) {
  std::string out;
  char line[256];
  std::snprintf(line, sizeof line, "capsim %s  scenario %s  seed %llu  %s engine  queue %s  placement %s%s\n", kVersion,
                s.scenario.c_str(), static_cast<unsigned long long>(s.seed), s.engine.c_str(), s.queue_policy.c_str(),
                s.placement_policy.c_str(), s.partial ? "  (PARTIAL: interrupted)" : "");
  out += line;
  out += "\n";
  const auto row = [&](const char* label, const std::string& value) {
    std::snprintf(line, sizeof line, "  %-18s %s\n", label, value.c_str());
    out += line;
  };
  row("cluster", thousands(s.nodes) + " nodes, " + s.gpus_by_type + " GPUs");
  if (s.trace) {
    const TraceSummary& t = *s.trace;
    std::string text = thousands(t.rows) + " rows of " + t.format + ", " + thousands(t.jobs) + " jobs replayed";
    if (t.sampled_from) {
      text = thousands(t.rows) + " rows of " + t.format + ", " + thousands(t.jobs) + " jobs drawn at random from " +
             thousands(*t.sampled_from) + " of them";
    }
    if (t.cancelled) text += ", " + thousands(t.cancelled) + " never ran in the trace";
    if (t.filtered_out) text += ", " + thousands(t.filtered_out) + " outside the window or filters";
    if (t.thinned_out) text += ", " + thousands(t.thinned_out) + " thinned out";
    if (t.copies_added) text += ", " + thousands(t.copies_added) + " copies added";
    if (t.bad_rows) text += ", " + thousands(t.bad_rows) + " BAD ROWS SKIPPED";
    row("trace", text);
    if (t.time_origin_unix_s)
      row("time 0", format_datetime(*t.time_origin_unix_s * 1'000'000) + " (the trace's clock)");
  }
  std::string jobs = thousands(s.jobs_submitted) + " submitted, " + thousands(s.jobs_completed) + " completed";
  if (s.jobs_failed) jobs += ", " + thousands(s.jobs_failed) + " failed";
  if (s.jobs_killed) jobs += ", " + thousands(s.jobs_killed) + " killed";
  if (s.jobs_unfinished)
    jobs += ", " + thousands(s.jobs_unfinished) + " unfinished (still running when the trace ended)";
  if (s.jobs_rejected) jobs += ", " + thousands(s.jobs_rejected) + " rejected (they can never run on this cluster)";
  if (const double reaped = figure_of(s.reaping, "jobs_reaped"); reaped > 0)
    jobs += ", " + thousands(std::llround(reaped)) + " reaped (stopped idle, their work done)";
  if (s.jobs_running || s.jobs_pending) {
    jobs += ", " + thousands(s.jobs_running) + " running and " + thousands(s.jobs_pending) + " waiting at the end";
  }
  row("jobs", jobs);
  row("simulated", seconds_text(s.simulated_s));
  row("makespan", seconds_text(s.makespan_s));
  std::snprintf(line, sizeof line, "%.1f%%  (%s GPU-hours allocated)", 100.0 * s.gpu_utilisation,
                thousands(std::llround(s.gpu_hours_allocated)).c_str());
  row("GPU utilisation", line);
  std::snprintf(line, sizeof line, "%s kWh  (%s)", thousands(std::llround(s.gpu_energy_kwh)).c_str(),
                s.energy_model.c_str());
  row("GPU energy", line);
  if (!s.energy.empty()) {
    std::snprintf(line, sizeof line, "%s kWh  (mean %s kW, peak %s kW, PUE %.2f)",
                  metric_text({"", "", "", s.energy_figure("facility_energy_kwh")}).c_str(),
                  metric_text({"", "", "", s.energy_figure("mean_power_kw")}).c_str(),
                  metric_text({"", "", "", s.energy_figure("peak_power_kw")}).c_str(), s.energy_figure("pue"));
    row("facility energy", line);
    const double emissions = s.energy_figure("emissions_kg_co2e");
    if (!std::isnan(emissions)) {
      std::snprintf(line, sizeof line, "%s kg CO2e  (%.1f g/kWh on average)",
                    metric_text({"", "", "", emissions}).c_str(), s.energy_figure("carbon_intensity_g_per_kwh"));
      row("emissions", line);
    }
    const double powered_off = s.energy_figure("nodes_powered_off");
    if (!std::isnan(powered_off)) {
      std::snprintf(line, sizeof line, "%s nodes powered off, %s booted, %s node-hours off",
                    thousands(std::llround(powered_off)).c_str(),
                    thousands(std::llround(s.energy_figure("node_boots"))).c_str(),
                    metric_text({"", "", "", s.energy_figure("node_hours_off")}).c_str());
      row("power off", line);
    }
    const double budget = s.energy_figure("power_budget_kw");
    if (!std::isnan(budget)) {
      std::snprintf(line, sizeof line, "budget %s kW: capped %s h (at %.1f%% of peak on average), %s h over budget",
                    metric_text({"", "", "", budget}).c_str(),
                    metric_text({"", "", "", s.energy_figure("capped_hours")}).c_str(), s.energy_figure("mean_cap_pct"),
                    metric_text({"", "", "", s.energy_figure("over_budget_hours")}).c_str());
      row("power cap", line);
    }
    const double with_deadline = s.energy_figure("jobs_with_deadline");
    if (!std::isnan(with_deadline)) {
      std::snprintf(line, sizeof line, "%s of %s jobs with a deadline deferred (mean %.1f h), %s deadlines missed",
                    thousands(std::llround(s.energy_figure("jobs_deferred"))).c_str(),
                    thousands(std::llround(with_deadline)).c_str(), s.energy_figure("mean_deferral_h"),
                    thousands(std::llround(s.energy_figure("deadlines_missed"))).c_str());
      row("deferral", line);
    }
  }
  if (!s.cost.empty()) {
    std::string text = "$" + metric_text({"", "", "", s.cost_figure("cluster_cost_usd")});
    for (const NamedFigures& pool : s.pools) {
      if (s.pools.size() > 1)
        text += (&pool == &s.pools.front() ? "  (" : ", ") + pool.name + " $" +
                metric_text({"", "", "", pool.figure("cost_usd")});
    }
    if (s.pools.size() > 1) text += ")";
    row("cluster cost", text);
    std::snprintf(line, sizeof line, "$%s  (%.1f%% of the cost)",
                  metric_text({"", "", "", s.cost_figure("idle_cost_usd")}).c_str(), s.cost_figure("idle_cost_pct"));
    row("idle capacity", line);
  }
  if (s.preemptions) {
    std::snprintf(line, sizeof line, "%s (%.1f GPU-hours of work lost since checkpoints)",
                  thousands(s.preemptions).c_str(), s.lost_gpu_hours);
    row("preemptions", line);
  }
  if (!s.failures.empty()) {
    const auto figure = [&](std::string_view name) { return figure_of(s.failures, name); };
    std::snprintf(line, sizeof line, "%s node failures, %s jobs and replicas stopped, %s abandoned",
                  thousands(std::llround(figure("node_failures"))).c_str(),
                  thousands(std::llround(figure("failure_interruptions"))).c_str(),
                  thousands(std::llround(figure("jobs_abandoned"))).c_str());
    row("failures", line);
    std::snprintf(line, sizeof line, "%.2f%% goodput, %.3f%% availability (%s GPU-hours wasted, %s down)",
                  figure("goodput_pct"), figure("availability_pct"),
                  metric_text({"", "", "", figure("failure_wasted_gpu_hours")}).c_str(),
                  metric_text({"", "", "", figure("gpu_hours_down")}).c_str());
    row("resilience", line);
  }
  if (!s.reaping.empty()) {
    const auto figure = [&](std::string_view name) { return metric_text({"", "", "", figure_of(s.reaping, name)}); };
    std::snprintf(line, sizeof line, "%s jobs reaped, %s GPU-hours held idle, %s GPU-hours ($%s) recovered",
                  figure("jobs_reaped").c_str(), figure("idle_gpu_hours").c_str(),
                  figure("gpu_hours_recovered").c_str(), figure("cost_recovered_usd").c_str());
    row("reaping", line);
  }
  out += "\n";
  std::snprintf(line, sizeof line, "  %-18s %12s %12s %12s %12s %12s\n", "", "mean", "p50", "p95", "p99", "max");
  out += line;
  const auto dist = [&](const char* label, const Distribution& d) {
    std::snprintf(line, sizeof line, "  %-18s %12s %12s %12s %12s %12s\n", label, seconds_text(d.mean).c_str(),
                  seconds_text(d.p50).c_str(), seconds_text(d.p95).c_str(), seconds_text(d.p99).c_str(),
                  seconds_text(d.max).c_str());
    out += line;
  };
  dist("JCT", s.jct_s);
  dist("queueing delay", s.queueing_delay_s);
  if (s.packing) {
    // The packing curve: % of the cluster's GPUs allocated as arrivals
    // request more of them (Weng et al., ATC'23).
    const PackingSummary& p = *s.packing;
    out += "\n  packing: % of the cluster's GPUs allocated as arrivals request more\n";
    std::string requested = "    requested      ";
    std::string allocated = "    allocated      ";
    for (const PackingPoint& point : p.points) {
      std::snprintf(line, sizeof line, "%6.0f%%", point.requested_percent);
      requested += line;
      std::snprintf(line, sizeof line, "%6.1f%%", point.allocated_percent);
      allocated += line;
    }
    out += requested + "\n" + allocated + "\n";
    std::snprintf(line, sizeof line, "%.1f%% allocated, %.1f%% unallocated (requested %.1f%%; %s jobs found no room)",
                  p.allocated_percent, p.unallocated_percent, p.requested_percent, thousands(p.jobs_waiting).c_str());
    row("packing at end", line);
  }
  for (const NodeGroupSummary& group : s.node_groups) {
    out += "\n  node group " + group.name + " (" + group.pool + ")\n";
    for (const Metric& figure : group.figures) {
      std::snprintf(line, sizeof line, "    %-26s %s\n", figure.label.c_str(), metric_text(figure).c_str());
      out += line;
    }
  }
  // The tenants that cost most (summary.json lists them all).
  if (s.tenants.size() > 1) {
    out += "\n  tenants (by cost)               jobs    GPU-hours    cost (USD)   energy (kWh)\n";
    for (std::size_t i = 0; i < s.tenants.size() && i < 10; ++i) {
      const NamedFigures& t = s.tenants[i];
      std::snprintf(line, sizeof line, "    %-24s %10s %12s %13s %14s\n", t.name.substr(0, 24).c_str(),
                    metric_text({"", "", "", t.figure("jobs")}).c_str(),
                    metric_text({"", "", "", t.figure("gpu_hours")}).c_str(),
                    metric_text({"", "", "", t.figure("cost_usd")}).c_str(),
                    metric_text({"", "", "", t.figure("energy_kwh")}).c_str());
      out += line;
    }
    if (s.tenants.size() > 10)
      out += "    ... " + thousands(static_cast<std::int64_t>(s.tenants.size() - 10)) + " more in summary.json\n";
  }
  for (const NamedFigures& region : s.regions) {
    out += "\n  region " + region.name + "\n";
    for (const Metric& figure : region.figures) {
      std::snprintf(line, sizeof line, "    %-34s %s\n", figure.label.c_str(), metric_text(figure).c_str());
      out += line;
    }
  }
  for (const ServiceSummary& service : s.services) {
    out += "\n  service " + service.name + " (" + service.autoscaler + ")\n";
    for (const Metric& figure : service.figures) {
      std::snprintf(line, sizeof line, "    %-26s %s\n", figure.label.c_str(), metric_text(figure).c_str());
      out += line;
    }
  }
  return out;
}

}  // namespace capsim::sim
