// The headline metrics of a run (summary.json, the CLI's table): computed from
// the job table in job-id order, so that they are the same bits on every run.
// Percentiles interpolate linearly between the closest ranks, as NumPy's
// default does, so that a notebook recomputing them from /jobs agrees.
#pragma once

#include <span>
#include <string>

#include <nlohmann/json.hpp>

#include "core/scenario.hpp"
#include "core/statistics.hpp"
#include "sim/power_meter.hpp"
#include "sim/results.hpp"

namespace capsim::sim {

// The distribution of `values` (NaNs skipped).
Distribution distribution_of(std::span<const double> values);

// `services`: what the inference services' replicas held (their GPU-time
// counts with the jobs'). gpu_energy_kwh is the jobs' allocation alone over
// every GPU for the whole run: drivers with a power meter replace it
// (add_energy); the real executor keeps it.
struct ServiceUsage {
  double gpu_seconds = 0;
};
Summary summarise(const Scenario& scenario, const ClusterLayout& layout, const JobTable& jobs, const EngineStats& stats,
                  ServiceUsage services = {});

// Fills the summary's energy figures (and gpu_energy_kwh) from a power
// meter's report, and its regions when the cluster lists regions.
void add_energy(Summary& summary, const ClusterSpec& cluster, const EnergyReport& report);

// Fills the summary's cost figures, pools and tenants: what each node group
// was billed (its node_groups figures when some group is elastic, else all
// its GPUs for the whole run), what the jobs (JobTable cost_usd) and service
// replicas (their cost_usd figure) used of it, and the rest, idle.
void add_cost(Summary& summary, const ClusterSpec& cluster, const GpuCatalog& catalog, const JobTable& jobs);

// Fills the summary's failure figures (the native engine's, with failures in
// the scenario): node failures, jobs and replicas they stopped, jobs
// abandoned, GPU-hours wasted and down, the jobs' goodput (the share of
// their GPU-hours that left kept work, preemptions included) and the
// cluster's availability (the share of its GPU-hours up).
void add_failures(Summary& summary, const FailureStats& stats, const JobTable& jobs);

// Fills the summary's reaping figures (with idle tails or policies.reaping
// in the scenario): jobs reaped, GPU-hours held idle (every job's idle
// tail, reaped or not), and what reaping recovered (the job recorder's
// totals: GPU-hours reaped jobs would still have held idle, and their cost).
void add_reaping(Summary& summary, const JobTable& jobs, const ReapingTotals& totals);

// summary.json's content.
nlohmann::ordered_json summary_to_json(const Summary& summary);

// The table the CLI prints.
std::string format_summary(const Summary& summary);

// A figure as the summary and comparisons print it: a duration for "s",
// a percentage for "%", grouped digits for counts.
std::string metric_text(const Metric& metric);

}  // namespace capsim::sim
