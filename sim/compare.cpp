#include "sim/compare.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <optional>
#include <tuple>

#include <nlohmann/json.hpp>

#include "core/csv.hpp"
#include "core/text.hpp"
#include "sim/batch.hpp"
#include "sim/summary.hpp"

namespace capsim::sim {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Every (a, b, c) of the three lists, a-major.
template <typename A, typename B, typename C>
std::vector<std::tuple<A, B, C>> combinations(const std::vector<A>& as, const std::vector<B>& bs,
                                              const std::vector<C>& cs) {
  std::vector<std::tuple<A, B, C>> out;
  for (const A& a : as) {
    for (const B& b : bs) {
      for (const C& c : cs) out.emplace_back(a, b, c);
    }
  }
  return out;
}

// A duration as a scenario writes it, for labels (folder names): "1h30m", "45s".
std::string duration_label(Duration d) {
  std::int64_t us = d.count_us();
  std::string out;
  for (const auto& [unit, name] : {std::pair<std::int64_t, const char*>{86'400'000'000, "d"},
                                   {3'600'000'000, "h"},
                                   {60'000'000, "m"},
                                   {1'000'000, "s"},
                                   {1'000, "ms"},
                                   {1, "us"}}) {
    if (us < unit) continue;
    out += std::to_string(us / unit) + name;
    us %= unit;
  }
  return out.empty() ? "0s" : out;
}

}  // namespace

std::vector<Variant> expand_variants(const Scenario& scenario) {
  const CompareSpec& c = scenario.compare;
  const std::vector<PolicySpec> queues = c.queue.empty() ? std::vector{scenario.queue_policy} : c.queue;
  const std::vector<PolicySpec> placements = c.placement.empty() ? std::vector{scenario.placement_policy} : c.placement;
  // Each autoscaler replaces every service's; none listed: the services' own.
  std::vector<std::optional<PolicySpec>> autoscalers(c.autoscaling.begin(), c.autoscaling.end());
  if (autoscalers.empty()) autoscalers.emplace_back();
  // Each energy policy replaces the scenario's; none listed: its own.
  std::vector<std::optional<PolicySpec>> energies(c.energy.begin(), c.energy.end());
  if (energies.empty()) energies.push_back(scenario.energy_policy);
  // Each reaping setting replaces the scenario's; none listed: its own.
  std::vector<std::optional<ReapingSpec>> reapings = c.reaping;
  if (reapings.empty()) reapings.push_back(scenario.reaping);
  const std::vector<std::uint64_t> seeds = c.seeds.empty() ? std::vector{scenario.run.seed} : c.seeds;
  std::vector<Variant> variants;
  std::vector<std::string> pairs;  // the base name of each policy pair so far
  for (const PolicySpec& queue : queues) {
    for (const PolicySpec& placement : placements) {
      for (const auto& [autoscaler, energy, reaping] : combinations(autoscalers, energies, reapings)) {
        // Two entries of one policy with other parameters share a name:
        // number the later pairs so that each keeps its own column.
        std::string base = queue.name + "+" + placement.name;
        if (autoscaler) base += "+" + autoscaler->name;
        if (energy && !c.energy.empty()) base += "+" + energy->name;
        if (!c.reaping.empty()) base += reaping ? "+reap-" + duration_label(reaping->idle) : "+no-reaping";
        const auto same = std::count(pairs.begin(), pairs.end(), base);
        pairs.push_back(base);
        const std::string policies = same == 0 ? base : base + "#" + std::to_string(same + 1);
        for (const std::uint64_t seed : seeds) {
          Variant v;
          v.policies = policies;
          v.label = policies + "/seed-" + std::to_string(seed);
          v.scenario = scenario;
          v.scenario.queue_policy = queue;
          v.scenario.placement_policy = placement;
          if (autoscaler) {
            for (ServiceSpec& service : v.scenario.workload.services) service.autoscaling = *autoscaler;
          }
          v.scenario.energy_policy = energy;
          v.scenario.reaping = reaping;
          v.scenario.run.seed = seed;
          v.scenario.compare = {};
          variants.push_back(std::move(v));
        }
      }
    }
  }
  return variants;
}

std::vector<Metric> headline_metrics(const Summary& s) {
  std::vector<Metric> m = {
      {"jobs_completed", "jobs completed", "", static_cast<double>(s.jobs_completed)},
      {"jobs_waiting_at_end", "jobs left waiting", "", static_cast<double>(s.jobs_pending)},
      {"jct_mean_s", "mean JCT", "s", s.jct_s.mean},
      {"jct_p50_s", "p50 JCT", "s", s.jct_s.p50},
      {"jct_p95_s", "p95 JCT", "s", s.jct_s.p95},
      {"jct_p99_s", "p99 JCT", "s", s.jct_s.p99},
      {"queueing_delay_mean_s", "mean queueing delay", "s", s.queueing_delay_s.mean},
      {"queueing_delay_p95_s", "p95 queueing delay", "s", s.queueing_delay_s.p95},
      {"makespan_s", "makespan", "s", s.makespan_s},
      {"gpu_utilisation_pct", "GPU utilisation", "%", 100.0 * s.gpu_utilisation},
      {"preemptions", "preemptions", "", static_cast<double>(s.preemptions)},
      {"lost_gpu_hours", "GPU-hours lost", "", s.lost_gpu_hours},
  };
  // A packing experiment (FGD, ATC'23): the share of GPUs allocated as the
  // requests grow, from half the cluster on, and what stayed unallocated.
  if (s.packing) {
    // Nothing ends in a packing experiment: times say nothing there.
    std::erase_if(m, [](const Metric& metric) { return metric.units == "s" || metric.name == "jobs_completed"; });
    for (const PackingPoint& point : s.packing->points) {
      if (point.requested_percent < 50) continue;
      const auto requested = static_cast<int>(std::lround(point.requested_percent));
      m.push_back({"allocated_at_" + std::to_string(requested) + "pct",
                   "GPUs allocated at " + std::to_string(requested) + "% asked", "%", point.allocated_percent});
    }
    m.push_back({"unallocated_pct", "GPUs unallocated at end", "%", s.packing->unallocated_percent});
  }
  // Inference services: a workload of services alone has no job times.
  if (!s.services.empty() && s.jobs_submitted == 0) {
    std::erase_if(m, [](const Metric& metric) { return metric.units == "s" || metric.name == "jobs_completed"; });
  }
  // Elastic node groups: what the cluster cost.
  if (!s.node_groups.empty()) {
    double interruptions = 0;
    for (const NodeGroupSummary& group : s.node_groups) interruptions += group.figure("spot_interruptions");
    m.push_back({"spot_interruptions", "spot interruptions", "", interruptions});
  }
  // Cost (every run has one) and its idle share.
  for (const Metric& figure : s.cost) {
    if (figure.name == "cluster_cost_usd" || figure.name == "idle_cost_pct") m.push_back(figure);
  }
  // Energy and carbon, where the driver measured them.
  for (const char* name : {"facility_energy_kwh", "peak_power_kw", "emissions_kg_co2e", "node_hours_off",
                           "deadlines_missed", "capped_hours", "over_budget_hours"}) {
    for (const Metric& figure : s.energy) {
      if (figure.name == name) m.push_back(figure);
    }
  }
  // Reaping, where the scenario has idle tails or reaps.
  for (const Metric& figure : s.reaping) {
    if (figure.name == "jobs_reaped" || figure.name == "gpu_hours_recovered" || figure.name == "cost_recovered_usd")
      m.push_back(figure);
  }
  // Failures, where the scenario has them.
  for (const Metric& figure : s.failures) {
    if (figure.name == "failure_wasted_gpu_hours" || figure.name == "goodput_pct" || figure.name == "jobs_abandoned")
      m.push_back(figure);
  }
  for (const ServiceSummary& service : s.services) {
    for (const char* name : {"slo_attainment_pct", "dropped", "latency_p99_worst_s", "replica_hours", "cost_usd",
                             "peak_replicas", "capacity_lag_s", "short_of_capacity_s"}) {
      for (const Metric& figure : service.figures) {
        if (figure.name != name) continue;
        const std::string prefix = s.services.size() > 1 ? service.name + " " : "";
        m.push_back({(s.services.size() > 1 ? service.name + "." : "") + figure.name, prefix + figure.label,
                     figure.units, figure.value});
      }
    }
  }
  return m;
}

Comparison run_comparison(const std::vector<Variant>& variants, const CompareOptions& options) {
  const std::size_t n = variants.size();
  std::vector<std::vector<Metric>> metrics(n);
  std::vector<const Scenario*> scenarios;
  for (const Variant& v : variants) scenarios.push_back(&v.scenario);
  BatchOptions batch;
  batch.threads = options.threads;
  batch.registry = options.registry;
  batch.should_stop = options.should_stop;
  const bool stopped = run_batch(scenarios, batch, [&](std::size_t i, const RunResults& results) {
    metrics[i] = headline_metrics(results.summary);
    if (options.done) options.done(variants[i], results);
  });

  // Runs report different figures (an energy policy's own, a workload's
  // deadlines): align every run on the union of them, in the order they
  // first appear, NaN where a run has none.
  std::vector<Metric> rows;
  for (const std::vector<Metric>& run : metrics) {
    for (const Metric& m : run) {
      const bool known = std::any_of(rows.begin(), rows.end(), [&](const Metric& r) { return r.name == m.name; });
      if (!known) rows.push_back({m.name, m.label, m.units, kNaN});
    }
  }
  for (std::vector<Metric>& run : metrics) {
    if (run.empty()) continue;
    std::vector<Metric> aligned = rows;
    for (Metric& row : aligned) row.value = figure_of(run, row.name);
    run = std::move(aligned);
  }

  Comparison comparison;
  comparison.interrupted = stopped;
  for (std::size_t i = 0; i < n; ++i) {
    if (metrics[i].empty()) continue;  // not run: interrupted
    auto column = std::find_if(comparison.columns.begin(), comparison.columns.end(),
                               [&](const ComparedColumn& c) { return c.policies == variants[i].policies; });
    if (column == comparison.columns.end()) {
      comparison.columns.push_back({variants[i].policies, {}, {}, {}});
      column = comparison.columns.end() - 1;
    }
    column->seeds.push_back(variants[i].scenario.run.seed);
  }
  // Mean and sample standard deviation over the seeds, summed in variant order.
  for (ComparedColumn& column : comparison.columns) {
    std::vector<const std::vector<Metric>*> runs;
    for (std::size_t i = 0; i < n; ++i) {
      if (variants[i].policies == column.policies && !metrics[i].empty()) runs.push_back(&metrics[i]);
    }
    column.mean = *runs.front();
    column.stddev.assign(column.mean.size(), kNaN);
    for (std::size_t k = 0; k < column.mean.size(); ++k) {
      double sum = 0;
      std::size_t count = 0;
      for (const auto* run : runs) {
        if (std::isnan((*run)[k].value)) continue;
        sum += (*run)[k].value;
        ++count;
      }
      column.mean[k].value = count ? sum / static_cast<double>(count) : kNaN;
      if (count < 2) continue;
      double squares = 0;
      for (const auto* run : runs) {
        if (std::isnan((*run)[k].value)) continue;
        const double d = (*run)[k].value - column.mean[k].value;
        squares += d * d;
      }
      column.stddev[k] = std::sqrt(squares / static_cast<double>(count - 1));
    }
  }
  return comparison;
}

std::string format_comparison(const Comparison& c) {
  if (c.columns.empty()) return "no run finished\n";
  const bool spread =
      std::any_of(c.columns.begin(), c.columns.end(), [](const auto& col) { return col.seeds.size() > 1; });
  std::vector<std::vector<std::string>> cells;  // [row][column], row 0 the header
  std::vector<std::string> header{""};
  for (const ComparedColumn& column : c.columns) header.push_back(column.policies);
  cells.push_back(header);
  for (std::size_t k = 0; k < c.columns.front().mean.size(); ++k) {
    std::vector<std::string> row{c.columns.front().mean[k].label};
    for (const ComparedColumn& column : c.columns) {
      std::string text = metric_text(column.mean[k]);
      if (spread && !std::isnan(column.stddev[k]) && column.stddev[k] > 0) {
        Metric sd = column.mean[k];
        sd.value = column.stddev[k];
        text += " ±" + metric_text(sd);
      }
      row.push_back(text);
    }
    cells.push_back(row);
  }
  std::vector<std::size_t> width(header.size(), 0);
  for (const auto& row : cells) {
    for (std::size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  }
  std::string out;
  for (std::size_t r = 0; r < cells.size(); ++r) {
    out += "  ";
    for (std::size_t i = 0; i < cells[r].size(); ++i) {
      const std::string& cell = cells[r][i];
      const std::string pad(width[i] - std::min(width[i], cell.size()), ' ');
      out += i == 0 ? cell + pad : "  " + pad + cell;  // labels left, numbers right
    }
    out += "\n";
  }
  if (spread) {
    std::string seeds;
    for (const std::uint64_t s : c.columns.front().seeds) seeds += (seeds.empty() ? "" : ", ") + std::to_string(s);
    out += "  (mean ± standard deviation over seeds " + seeds + ")\n";
  }
  return out;
}

std::string comparison_csv(const Comparison& c) {
  std::string out = "policies,metric,units,mean,stddev,seeds\n";
  for (const ComparedColumn& column : c.columns) {
    for (std::size_t k = 0; k < column.mean.size(); ++k) {
      const Metric& m = column.mean[k];
      out += column.policies + "," + m.name + "," + m.units + "," + csv_number(m.value) + "," +
             csv_number(column.stddev[k]) + "," + std::to_string(column.seeds.size()) + "\n";
    }
  }
  return out;
}

std::string comparison_json(const Comparison& c) {
  nlohmann::ordered_json root;
  root["interrupted"] = c.interrupted;
  nlohmann::ordered_json columns = nlohmann::ordered_json::array();
  for (const ComparedColumn& column : c.columns) {
    nlohmann::ordered_json j;
    j["policies"] = column.policies;
    j["seeds"] = column.seeds;
    nlohmann::ordered_json mean, sd;
    for (std::size_t k = 0; k < column.mean.size(); ++k) {
      const Metric& m = column.mean[k];
      mean[m.name] = std::isnan(m.value) ? nlohmann::ordered_json() : nlohmann::ordered_json(m.value);
      sd[m.name] = std::isnan(column.stddev[k]) ? nlohmann::ordered_json() : nlohmann::ordered_json(column.stddev[k]);
    }
    j["mean"] = mean;
    j["stddev"] = sd;
    columns.push_back(j);
  }
  root["columns"] = columns;
  return root.dump(2) + "\n";
}

}  // namespace capsim::sim
