#include "sim/result_columns.hpp"

namespace capsim::sim {

namespace {

template <typename Column>
std::vector<std::string_view> views(const Column& column) {
  std::vector<std::string_view> out(column.size());
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = column[i];
  return out;
}

}  // namespace

JobColumns::JobColumns(const JobTable& jobs) {
  const std::size_t n = jobs.size();
  id_.resize(n);
  for (std::size_t i = 0; i < n; ++i) id_[i] = static_cast<std::int32_t>(i);
  std::vector<std::string_view> state(n);
  for (std::size_t i = 0; i < n; ++i) state[i] = to_string(jobs.state[i]);
  std::vector<std::string_view> ran_on(n);
  for (std::size_t i = 0; i < n; ++i) {
    if (jobs.gpu_type[i] != kAnyGpuType) ran_on[i] = jobs.gpu_type_names[static_cast<std::size_t>(jobs.gpu_type[i])];
  }
  std::vector<std::string_view> region(n);
  for (std::size_t i = 0; i < n && i < jobs.region.size(); ++i) {
    if (jobs.region[i] >= 0) region[i] = jobs.region_names[static_cast<std::size_t>(jobs.region[i])];
  }
  // A set of types is named by its types joined by '|'.
  std::vector<std::string_view> requested(n);
  for (std::size_t i = 0; i < n; ++i) {
    const GpuTypeSet set = jobs.requested_gpu_types[i];
    if (set.is_any()) continue;
    auto [it, added] = set_names_.try_emplace(set.bits());
    if (added) {
      for (std::size_t t = 0; t < jobs.gpu_type_names.size(); ++t) {
        if (!set.allows(static_cast<GpuTypeId>(t))) continue;
        if (!it->second.empty()) it->second += '|';
        it->second += jobs.gpu_type_names[t];
      }
    }
    requested[i] = it->second;
  }
  const auto doubles = [](const std::vector<double>& v) { return std::span<const double>(v); };
  const auto ints = [](const std::vector<std::int32_t>& v) { return std::span<const std::int32_t>(v); };
  columns_ = {
      {"id", "", "job index in arrival order", ints(id_)},
      {"name", "", "the job's id in its trace, or a generated one", views(jobs.name)},
      {"user", "", "user or tenant (empty when the workload has none)", views(jobs.user)},
      {"submit_time", "s", "submit time since the start", doubles(jobs.submit_s)},
      {"start_time", "s", "start time (NaN: never started)", doubles(jobs.start_s)},
      {"end_time", "s", "end time (NaN: did not end)", doubles(jobs.end_s)},
      {"queueing_delay", "s", "start - submit", doubles(jobs.queueing_delay_s)},
      {"jct", "s", "job completion time: end - submit", doubles(jobs.jct_s)},
      {"recorded_duration", "s", "run time as recorded in the workload", doubles(jobs.recorded_duration_s)},
      {"gpus", "GPUs", "GPUs asked for: whole GPUs, a share of one GPU (0.25: a quarter), or 0 for a CPU-only job",
       doubles(jobs.gpus)},
      {"nodes", "nodes", "nodes the job ran on", ints(jobs.nodes)},
      {"racks", "racks", "racks those nodes are in", ints(jobs.racks)},
      {"requested_gpu_type", "", "GPU types the job may run on, joined by '|' (empty: any)", std::move(requested)},
      {"gpu_type", "", "GPU type the job ran on (empty: never ran, or CPU-only)", std::move(ran_on)},
      {"region", "", "region of the nodes the job (last) ran on (empty: never ran)", std::move(region)},
      {"preemptions", "", "times the job was preempted", ints(jobs.preemptions)},
      {"failures", "", "times a node failure stopped the job", ints(jobs.failures)},
      {"run_time", "s", "time holding its allocation, over all its runs (preemptions split a job into runs)",
       doubles(jobs.run_time_s)},
      {"ideal_run_time", "s",
       "time its work takes on the GPUs it ran on at the ideal placement (one node, alone, no network; NaN: never "
       "started, or endless): run_time / ideal_run_time is the slowdown of a job never preempted",
       doubles(jobs.ideal_run_time_s)},
      {"lost_gpu_hours", "GPU-h",
       "work lost to preemptions and failures since the last checkpoint, in reference GPU-hours (redone)",
       doubles(jobs.lost_gpu_hours)},
      {"wasted_gpu_hours", "GPU-h",
       "GPU-hours held that left no kept work: run time since the last checkpoint at each preemption or failure "
       "(a failure: up to its detection) x GPUs",
       doubles(jobs.wasted_gpu_hours)},
      {"idle_gpu_hours", "GPU-h",
       "GPU-hours held without using them: GPUs x the time spent in its class's idle tail (a notebook left open)",
       doubles(jobs.idle_gpu_hours)},
      {"energy", "kWh",
       "facility energy of the GPUs the job held, while it held them (peak watts computing, the cap x peak under a "
       "power cap, idle watts in its idle tail, x PUE)",
       doubles(jobs.energy_kwh)},
      {"cost", "USD", "what the GPUs it held cost while it held them (GPUs x run time x its node group's price)",
       doubles(jobs.cost_usd)},
      {"tenant", "", "who pays: the job's queue (virtual cluster, tenant), or its user when it has none",
       views(jobs.tenant)},
      {"state", "",
       "completed, failed, killed, unfinished (ran its recorded time, which ended with the trace), rejected, "
       "abandoned (node failures restarted it more often than its class's restart_limit), reaped (stopped by "
       "policies.reaping in its idle tail, its work done), or running/pending when the simulation stopped",
       std::move(state)},
  };
}

}  // namespace capsim::sim
