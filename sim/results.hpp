// What a run produces, shared by every driver: a row per job, time series at
// the scenario's metrics interval, and the headline summary. Written to
// results.h5 and summary.json by sim/results_writer.hpp.
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/chunked_vector.hpp"
#include "core/gpu_catalog.hpp"
#include "core/time.hpp"
#include "sim/engine.hpp"
#include "sim/observer.hpp"

namespace capsim::sim {

// Strings stored end to end in one buffer: a column of a million job names
// costs the names' bytes plus 8 bytes each, not a heap block per name.
class StringColumn {
 public:
  void push_back(std::string_view value) {
    chars_.append(value);
    ends_.push_back(chars_.size());
    max_length_ = std::max(max_length_, value.size());
  }
  std::string_view operator[](std::size_t i) const {
    const std::size_t begin = i == 0 ? 0 : ends_[i - 1];
    return std::string_view(chars_).substr(begin, ends_[i] - begin);
  }
  std::size_t size() const { return ends_.size(); }
  std::size_t max_length() const { return max_length_; }

 private:
  std::string chars_;
  ChunkedVector<std::size_t> ends_;
  std::size_t max_length_ = 0;
};

// One entry per job, in arrival order (index = job id). Times are seconds
// since the start of the simulation; NaN where a time does not apply (a job
// that never started has no start time).
struct JobTable {
  StringColumn name;
  StringColumn user;
  std::vector<double> submit_s;
  std::vector<double> start_s;
  std::vector<double> end_s;
  std::vector<double> queueing_delay_s;  // start - submit
  std::vector<double> jct_s;             // end - submit, for jobs that ended
  std::vector<double> recorded_duration_s;
  std::vector<double> gpus;                     // GPUs asked for: 0.25 for a quarter of one, 0 for CPU only
  std::vector<std::int32_t> nodes;              // nodes the job ran on (0: never started)
  std::vector<std::int32_t> racks;              // racks those nodes are in (0: never started, or not recorded)
  std::vector<GpuTypeSet> requested_gpu_types;  // empty set = any
  std::vector<GpuTypeId> gpu_type;              // the type it ran on (kAnyGpuType: never started, or CPU only)
  std::vector<std::string> gpu_type_names;      // GpuTypeId -> name (the scenario's catalog)
  std::vector<std::int32_t> preemptions;
  std::vector<std::int32_t> failures;  // times a node failure stopped it
  std::vector<double> run_time_s;      // time holding its allocation, over all its runs
  // The time its work takes on the GPUs it (last) ran on at the ideal
  // placement: all on one node, alone, no network (NaN: never started,
  // endless, or not recorded). run_time_s / this = its slowdown, for a job
  // never preempted.
  std::vector<double> ideal_run_time_s;
  std::vector<double> lost_gpu_hours;  // reference GPU-hours of work lost to preemptions and failures (redone)
  // GPU-hours it held that left no kept work: the run time since its last
  // checkpoint at each preemption or failure (with a failure, up to its
  // detection), times its GPUs.
  std::vector<double> wasted_gpu_hours;
  // GPU-hours it held without using them: its GPUs x the time it spent in
  // its idle tail (JobClassSpec::idle_tail), over all its runs.
  std::vector<double> idle_gpu_hours;
  // Facility energy of the GPUs it held, while it held them: their peak
  // watts while it computed and idle watts in its idle tail, x the PUE (0:
  // CPU only, or never ran).
  std::vector<double> energy_kwh;
  // What its GPUs cost while it held them: GPUs x run time x the price of
  // their node group (core/cluster.hpp, price_per_gpu_hour).
  std::vector<double> cost_usd;
  // Who pays: its queue (virtual cluster, tenant), or its user without one.
  StringColumn tenant;
  std::vector<JobEnd> state;
  // The region of the nodes it (last) ran on (-1: never started, or not
  // recorded): with data residency (a class's regions:), where it stayed.
  std::vector<RegionId> region;
  std::vector<std::string> region_names;  // RegionId -> name (the scenario's cluster.regions)

  std::size_t size() const { return name.size(); }
};

struct TimeSeries {
  struct Metric {
    std::string name;
    std::string units;
    std::string description;
    std::vector<double> values;
  };
  Duration interval;
  std::vector<double> time_s;  // start of each interval
  std::vector<Metric> metrics;

  const Metric* find(std::string_view name) const {
    for (const Metric& metric : metrics) {
      if (metric.name == name) return &metric;
    }
    return nullptr;
  }
};

// One headline number of a run (a summary's figure, a comparison's cell).
struct Metric {
  std::string name;   // "jct_mean_s"
  std::string label;  // "mean JCT"
  std::string units;  // "s", "%", ""
  double value = 0;
};

// The value of the figure named `name`; NaN when there is none.
inline double figure_of(const std::vector<Metric>& figures, std::string_view name) {
  for (const Metric& m : figures) {
    if (m.name == name) return m.value;
  }
  return std::numeric_limits<double>::quiet_NaN();
}

// Inference services (sim/services.hpp): one row per service per interval,
// columns in file order ("time" first: the interval's end, s).
struct ServiceTable {
  std::vector<std::string> names;     // by service index
  std::vector<std::int32_t> service;  // per row: the service's index
  std::vector<TimeSeries::Metric> columns;
  std::size_t size() const { return service.size(); }
};

// A service's headline figures over the run (sim/services.cpp lists them).
struct ServiceSummary {
  std::string name;
  std::string autoscaler;  // "hpa", "fixed"
  std::vector<Metric> figures;
  // The figure of that name; NaN when there is none.
  double figure(std::string_view figure_name) const { return figure_of(figures, figure_name); }
};

// A node group's figures when some group autoscales or is spot (core/cluster.hpp).
struct NodeGroupSummary {
  std::string name;
  std::string pool;  // "on-demand", "reserved", "spot"
  std::vector<Metric> figures;
  double figure(std::string_view figure_name) const { return figure_of(figures, figure_name); }
};

// Figures of one of several things: a region's energy and emissions
// (cluster.regions; sim/power_meter.hpp), a pool's or a tenant's cost.
struct NamedFigures {
  std::string name;
  std::vector<Metric> figures;
  double figure(std::string_view figure_name) const { return figure_of(figures, figure_name); }
};

struct Distribution {
  std::size_t count = 0;
  double mean = 0, p50 = 0, p95 = 0, p99 = 0, max = 0;  // NaN when count == 0
};

// What the trace of a run's workload read and left out (core's TraceReport,
// with the file), when the workload has a trace.
struct TraceSummary {
  std::string format;
  std::string path;
  std::int64_t rows = 0;
  std::int64_t bad_rows = 0;  // skipped (skip_bad_rows)
  std::vector<std::string> first_bad_rows;
  std::int64_t cancelled = 0;     // never ran in the trace: not replayed
  std::int64_t filtered_out = 0;  // by the window or the filters
  std::int64_t thinned_out = 0;   // by scale < 1
  std::int64_t copies_added = 0;  // by scale > 1
  std::int64_t jobs = 0;          // handed to the simulation
  // Wall clock (seconds since 1970, UTC) of simulated time 0, when the
  // trace's times are dates.
  std::optional<std::int64_t> time_origin_unix_s;
  // With a sample (TraceSample): the rows drawn from (jobs: the draws).
  std::optional<std::int64_t> sampled_from;
};

// The packing experiment's curve (Weng et al., ATC'23), when the workload
// samples its trace (core/trace.hpp, TraceSample): the share of the
// cluster's GPUs allocated as the GPUs that arrivals request grow, both as
// percentages of the cluster's GPUs.
struct PackingPoint {
  double requested_percent = 0;  // a fixed point: 10, 20, ... of the cluster's GPUs requested so far
  double allocated_percent = 0;  // GPUs allocated once the arrival that reached it was placed (or not)
  friend bool operator==(const PackingPoint&, const PackingPoint&) = default;
};
struct PackingSummary {
  std::vector<PackingPoint> points;
  double requested_percent = 0;    // at the end: every drawn job's request
  double allocated_percent = 0;    // at the end
  double unallocated_percent = 0;  // 100 - allocated: what the policy could not give
  std::int64_t jobs_waiting = 0;   // drawn jobs that found no room
};

struct Summary {
  std::string scenario;
  std::uint64_t seed = 0;
  std::string engine;
  std::string queue_policy;
  std::string placement_policy;
  bool partial = false;  // interrupted before the end
  std::int64_t nodes = 0;
  std::int64_t gpus = 0;
  std::string gpus_by_type;  // "64 V100, 32 A100-80GB"
  std::int64_t jobs_submitted = 0;
  std::int64_t jobs_started = 0;
  std::int64_t jobs_completed = 0;
  std::int64_t jobs_failed = 0;
  std::int64_t jobs_killed = 0;
  std::int64_t jobs_unfinished = 0;  // ran their recorded time, which ended with the trace
  std::int64_t jobs_rejected = 0;
  std::int64_t jobs_running = 0;  // at the end of the simulation
  std::int64_t jobs_pending = 0;  // at the end of the simulation
  double simulated_s = 0;         // simulated time covered
  double makespan_s = 0;          // first submit to last job end
  Distribution jct_s;             // jobs that ended (completed, failed, killed or unfinished)
  Distribution queueing_delay_s;  // jobs that started
  double gpu_hours_allocated =
      0;                         // GPU-time of started jobs and service replicas: a share of a GPU counts as that share
  double gpu_utilisation = 0;    // allocated GPU-time / (GPUs x (end - first submit, or 0 with services))
  std::int64_t preemptions = 0;  // over all jobs
  double lost_gpu_hours = 0;     // reference GPU-hours of work lost to preemptions
  // Energy of the GPU boards from time 0 to the end: every GPU at its type's
  // idle watts, plus (peak - idle) while allocated (native engine), or while
  // computing (SimGrid driver: its host energy plugin; a GPU waiting on the
  // network draws idle power).
  double gpu_energy_kwh = 0;
  std::string energy_model;  // how gpu_energy_kwh was found
  std::uint64_t events = 0;
  std::optional<TraceSummary> trace;
  std::optional<PackingSummary> packing;
  std::vector<ServiceSummary> services;
  std::vector<NodeGroupSummary> node_groups;  // with an autoscaled or spot group only
  // The facility's energy, power and emissions (sim/power_meter.hpp; empty
  // for the real executor), and the same by region when the cluster lists
  // regions.
  std::vector<Metric> energy;
  std::vector<NamedFigures> regions;
  // What the cluster cost (its node groups' GPU-hours billed x their price),
  // what the work on it used of that, and the rest: idle capacity. By pool
  // (on-demand, reserved, spot) and by tenant (jobs' queue, or user).
  std::vector<Metric> cost;
  std::vector<NamedFigures> pools;
  std::vector<NamedFigures> tenants;
  // Failures and resilience (empty when the scenario has none): node
  // failures, jobs they stopped, GPU-hours wasted, goodput, availability.
  std::vector<Metric> failures;
  // Idle reaping (empty unless the scenario has idle tails or
  // policies.reaping): jobs reaped, GPU-hours held idle, GPU-hours and cost
  // recovered.
  std::vector<Metric> reaping;
  double cost_figure(std::string_view figure_name) const { return figure_of(cost, figure_name); }
  double energy_figure(std::string_view figure_name) const { return figure_of(energy, figure_name); }
};

// What reaping took back over a run (the job recorder's, sim/job_recorder.hpp):
// for each reaped job, its GPUs x the idle time it would still have held,
// and that at its node groups' prices.
struct ReapingTotals {
  double recovered_gpu_hours = 0;
  double recovered_usd = 0;
};

struct RunResults {
  JobTable jobs;
  TimeSeries timeseries;
  ServiceTable services;
  Summary summary;
  EngineStats stats;
  std::string scenario_text;
};

}  // namespace capsim::sim
