#include "sim/network_calibration.hpp"

#include <xbt/base.h>
// after xbt/base.h, which it needs
#include <simgrid/version.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <map>
#include <set>
#include <tuple>

#include "core/version.hpp"
#include "sim/compare.hpp"
#include "sim/run.hpp"

namespace capsim::sim {
namespace {

// Run time and ideal run time summed over the jobs of one (shape, GPU count).
struct Sums {
  double ideal_s = 0;
  double run_s = 0;
  std::int64_t jobs = 0;
};
using Key = std::pair<PlacementShape, std::int32_t>;
using SumsByKey = std::map<Key, Sums>;

std::optional<PlacementShape> shape_of(std::int32_t nodes, std::int32_t racks) {
  if (racks > 1) return PlacementShape::kAcrossRacks;
  if (nodes > 1) return PlacementShape::kAcrossNodes;
  return std::nullopt;
}

// Whole GPUs of a job of the table (0 for a share or a CPU-only job).
std::int32_t whole_gpus(const JobTable& jobs, std::size_t i) {
  const double g = jobs.gpus[i];
  return g >= 1 && g == std::floor(g) ? static_cast<std::int32_t>(g) : 0;
}

// Adds the jobs of a run that spanned nodes, ran to their end and were
// never preempted (their run time is one run at one placement).
void add_jobs(const JobTable& jobs, SumsByKey& sums) {
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    const std::int32_t g = whole_gpus(jobs, i);
    const auto shape = shape_of(jobs.nodes[i], jobs.racks[i]);
    if (g < 2 || !shape || jobs.preemptions[i] != 0 || !ran_to_end(jobs.state[i])) continue;
    const double ideal = jobs.ideal_run_time_s[i], run = jobs.run_time_s[i];
    if (!std::isfinite(ideal) || ideal <= 0 || !(run > 0)) continue;
    Sums& s = sums[{*shape, g}];
    s.ideal_s += ideal;
    s.run_s += run;
    ++s.jobs;
  }
}

double mean_jct(const RunResults& results) {
  return results.summary.jct_s.mean;
}

// The probe workload: for each GPU count and each class, one job of
// `kProbeIterations` iterations, each alone (submitted long after the one
// before has ended; checked after the run).
constexpr int kProbeIterations = 50;
constexpr double kProbeGap = 1e4;  // submit gap, in probe durations

std::vector<JobSpec> probe_jobs(const Scenario& scenario, const std::set<std::int32_t>& counts, std::int64_t max_gpus) {
  std::vector<JobSpec> jobs;
  const JobClasses& classes = scenario.workload.job_classes;
  Duration longest;
  for (std::size_t c = 0; c < classes.size(); ++c) {
    longest = std::max(longest, classes.at(static_cast<JobClassId>(c)).iteration_time * kProbeIterations);
  }
  const Duration gap = Duration::from_seconds(longest.to_seconds() * kProbeGap);
  Time submit = Time::zero();
  for (const std::int32_t g : counts) {
    if (g > max_gpus) continue;
    for (std::size_t c = 0; c < classes.size(); ++c) {
      const JobClassSpec& spec = classes.at(static_cast<JobClassId>(c));
      JobSpec job;
      job.name = "probe-" + spec.name + "-" + std::to_string(g);
      job.submit = submit;
      job.request = Resources::gpus(g);
      job.duration = spec.iteration_time * kProbeIterations;
      job.work = static_cast<double>(job.duration.count_us()) * g;
      job.job_class = static_cast<std::uint16_t>(c);
      jobs.push_back(std::move(job));
      submit = submit + gap;
    }
  }
  return jobs;
}

// Runs probe jobs under SimGrid with `placement` and adds what they measured.
void run_probes(const Scenario& base, const ClusterSpec& cluster, const std::string& placement,
                const std::set<std::int32_t>& counts, SumsByKey& sums) {
  Scenario probe = base;
  probe.cluster = cluster;
  probe.compare = {};
  probe.run.horizon.reset();
  probe.workload.synthetic.reset();
  probe.workload.trace.reset();
  probe.queue_policy = {"fifo", nullptr, {}, "policies.queue"};
  probe.placement_policy = {placement, nullptr, {}, "policies.placement"};
  // A job's GPUs are of one type.
  std::map<GpuTypeId, std::int64_t> gpus_of_type;
  for (const NodeGroupSpec& group : cluster.node_groups) {
    gpus_of_type[group.gpu_type] += std::int64_t{group.whole_gpus_per_node()} * group.count;
  }
  std::int64_t max_gpus = 0;
  for (const auto& [type, gpus] : gpus_of_type) max_gpus = std::max(max_gpus, gpus);
  probe.workload.jobs = probe_jobs(base, counts, max_gpus);
  if (probe.workload.jobs.empty()) return;
  const RunResults results = run_scenario(probe);
  const JobTable& jobs = results.jobs;
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    // Alone: started as submitted, ended before the next came.
    const bool alone =
        jobs.start_s[i] == jobs.submit_s[i] && (i + 1 == jobs.size() || jobs.end_s[i] <= jobs.submit_s[i + 1]);
    CAPSIM_CHECK(alone) << "network probe " << jobs.name[i] << " did not run alone";
  }
  add_jobs(jobs, sums);
}

double factor_of(const Sums& s) {
  return std::clamp(s.ideal_s / s.run_s, 1e-3, 1.0);
}

// Over every (shape, GPU count): the rate of all those jobs together against
// their ideal, weighed by GPUs (GPU-hours are what they take from the
// others: the queueing); 0 when there were none.
double total_factor(const SumsByKey& sums) {
  Sums all;
  for (const auto& [key, s] : sums) {
    all.ideal_s += s.ideal_s * key.second;
    all.run_s += s.run_s * key.second;
  }
  return all.run_s > 0 ? factor_of(all) : 0.0;
}

// The link-sharing search: a grid of kSharingSteps + 1 weights from 0 to 1,
// and a line through kSharingWindow samples each side of the crossing.
constexpr int kSharingSteps = 20;
constexpr std::size_t kSharingWindow = 2;

GpuCountFactors factors_of(const std::vector<NetworkFactorFit>& fits, PlacementShape shape) {
  GpuCountFactors factors;
  for (const NetworkFactorFit& fit : fits) {
    if (fit.shape == shape && fit.isolated) factors.points.emplace_back(fit.gpus, *fit.isolated);
  }
  return factors;
}

std::string network_description(const Scenario& scenario) {
  const NetworkSpec net = scenario.cluster.network.value_or(NetworkSpec{});
  return std::string("SimGrid ") + std::to_string(SIMGRID_VERSION_MAJOR) + "." + std::to_string(SIMGRID_VERSION_MINOR) +
         ", " + (net.topology == NetworkTopology::kFatTree ? "fat tree" : "leaf-spine");
}

}  // namespace

std::string_view to_string(PlacementShape shape) {
  return shape == PlacementShape::kAcrossRacks ? "across_racks" : "across_nodes";
}

double NetworkCalibration::max_abs_error() const {
  double worst = 0;
  for (const NetworkCheck& check : checks) worst = std::max(worst, std::abs(check.error()));
  return worst;
}

NetworkCalibration calibrate_network(const Scenario& scenario, const std::string& scenario_path,
                                     const NetworkCalibrationOptions& options) {
  const auto step = [&](const std::string& line) {
    if (options.on_step) options.on_step(line);
  };
  if (scenario.executor) {
    throw InputError({scenario_path, 0, 0}, "run.engine", "native or simgrid (calibrate --network simulates it)",
                     scenario.run.engine);
  }
  Scenario simgrid = scenario;
  simgrid.run.engine = "simgrid";
  Scenario native = scenario;
  native.run.engine = "native";
  native.cluster.performance.across_nodes = {};
  native.cluster.performance.across_racks = {};
  const std::vector<Variant> native_variants = expand_variants(native);
  const std::vector<Variant> simgrid_variants = expand_variants(simgrid);

  // 1. The native engine without placement factors: the GPU counts of the
  // workload, and the baseline of the check.
  NetworkCalibration result;
  std::set<std::int32_t> counts;
  for (const Variant& variant : native_variants) {
    const RunResults r = run_scenario(variant.scenario);
    for (std::size_t i = 0; i < r.jobs.size(); ++i) {
      if (const std::int32_t g = whole_gpus(r.jobs, i); g >= 2) counts.insert(g);
    }
    result.checks.push_back({variant.label, 0, mean_jct(r), 0});
  }
  step("native engine, no placement factors: " + std::to_string(native_variants.size()) + " run(s), " +
       std::to_string(counts.size()) + " multi-GPU job sizes");

  // 2. Probes, each job alone: packed by node then rack, spread over racks,
  // spread over the nodes of one rack.
  SumsByKey probes;
  run_probes(simgrid, simgrid.cluster, "topology", counts, probes);
  run_probes(simgrid, simgrid.cluster, "spread", counts, probes);
  ClusterSpec one_rack = simgrid.cluster;
  one_rack.node_groups.resize(1);
  one_rack.node_groups[0].count =
      std::min<std::int64_t>(one_rack.node_groups[0].count, one_rack.node_groups[0].nodes_per_rack);
  run_probes(simgrid, one_rack, "spread", counts, probes);
  step("isolated probes: " + std::to_string(probes.size()) + " (shape, GPU count) pairs");

  // 3. The scenario itself under SimGrid.
  SumsByKey in_place;
  if (!options.isolated_only) {
    for (std::size_t v = 0; v < simgrid_variants.size(); ++v) {
      const RunResults r = run_scenario(simgrid_variants[v].scenario);
      add_jobs(r.jobs, in_place);
      result.checks[v].simgrid_jct_s = mean_jct(r);
      step("SimGrid, " + simgrid_variants[v].label + ": mean JCT " +
           format_duration(Duration::from_seconds(mean_jct(r))));
    }
  }

  // 4. The factors: each (shape, GPU count)'s probe, alone. A size with no
  // probe (larger than the cluster) is interpolated from its neighbours.
  std::set<Key> keys;
  for (const auto& [key, sums] : probes) keys.insert(key);
  for (const auto& [key, sums] : in_place) keys.insert(key);
  for (const Key& key : keys) {
    NetworkFactorFit fit;
    fit.shape = key.first;
    fit.gpus = key.second;
    if (const auto it = probes.find(key); it != probes.end()) fit.isolated = factor_of(it->second);
    if (const auto it = in_place.find(key); it != in_place.end()) {
      fit.in_place = factor_of(it->second);
      fit.jobs = it->second.jobs;
      fit.gpu_hours = it->second.ideal_s * key.second / 3600;
    }
    result.fits.push_back(fit);
  }
  CalibrationProfile& profile = result.profile;
  profile.backend = "simgrid";
  profile.device = network_description(scenario);
  profile.across_nodes = factors_of(result.fits, PlacementShape::kAcrossNodes);
  profile.across_racks = factors_of(result.fits, PlacementShape::kAcrossRacks);
  profile.network_scenario = scenario_path;
  profile.created_by = std::string("capsim ") + kVersion + ", " +
                       format_datetime(std::int64_t{std::time(nullptr)} * 1'000'000).substr(0, 10);
  if (options.isolated_only) {
    result.checks.clear();
    return result;
  }

  // 5. Link sharing: how much a neighbour's flows slow a job. The native
  // engine with the probes' factors runs every variant; the weight is set so
  // that its jobs spanning nodes run, all together, as much slower than
  // ideal as SimGrid's did in place (more sharing, slower jobs).
  Scenario fitted = native;
  fitted.cluster.performance.across_nodes = profile.across_nodes;
  fitted.cluster.performance.across_racks = profile.across_racks;
  std::vector<double> fitted_jct(native_variants.size());
  const auto native_in_place = [&](double sharing) {
    fitted.cluster.performance.link_sharing = sharing;
    SumsByKey sums;
    const std::vector<Variant> variants = expand_variants(fitted);
    for (std::size_t v = 0; v < variants.size(); ++v) {
      const RunResults r = run_scenario(variants[v].scenario);
      add_jobs(r.jobs, sums);
      fitted_jct[v] = mean_jct(r);
    }
    return total_factor(sums);
  };
  result.simgrid_in_place = total_factor(in_place);
  // The native engine's schedule, and with it each job's neighbours, moves
  // with the weight: its in-place rate is a noisy, falling curve of it.
  // Sampled on a grid, the weight is where a straight line fitted through
  // the samples around the first crossing meets SimGrid's rate.
  const double target = result.simgrid_in_place;
  double sharing = 0;
  if (target <= 0 || native_in_place(0) <= target * (1 + 1e-9)) {
    sharing = 0;  // no job spanned nodes in place, or SimGrid's ran no slower than alone
  } else if (native_in_place(1) >= target) {
    sharing = 1;  // as contended as the closed form or more: every flow, all the time
  } else {
    std::vector<std::pair<double, double>> curve;  // (weight, native rate in place)
    for (int i = 0; i <= kSharingSteps; ++i) {
      const double w = static_cast<double>(i) / kSharingSteps;
      curve.emplace_back(w, native_in_place(w));
    }
    std::size_t cross = 1;
    while (cross + 1 < curve.size() && curve[cross].second > target) ++cross;
    const std::size_t first = cross >= kSharingWindow ? cross - kSharingWindow : 0;
    const std::size_t last = std::min(curve.size() - 1, cross - 1 + kSharingWindow);
    double n = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
    for (std::size_t i = first; i <= last; ++i) {
      const auto [x, y] = curve[i];
      n += 1;
      sx += x;
      sy += y;
      sxx += x * x;
      sxy += x * y;
    }
    const double slope = (n * sxy - sx * sy) / (n * sxx - sx * sx);
    const double intercept = (sy - slope * sx) / n;
    sharing = slope < 0 ? (target - intercept) / slope : (curve[cross - 1].first + curve[cross].first) / 2;
    sharing = std::clamp(sharing, curve[first].first, curve[last].first);
  }
  profile.link_sharing = sharing;
  result.native_in_place = native_in_place(sharing);

  // 6. The check: the native engine with the fitted profile (as run last).
  for (std::size_t v = 0; v < fitted_jct.size(); ++v) result.checks[v].fitted_jct_s = fitted_jct[v];
  return result;
}

std::string format_network_calibration(const NetworkCalibration& calibration) {
  std::string out;
  char line[256];
  out += "  placement factors (rate against all GPUs on one node): alone, written; in place, for comparison\n";
  out += "    shape         GPUs   isolated   in place   jobs\n";
  const auto cell = [](const std::optional<double>& v) {
    char text[32];
    if (v) {
      std::snprintf(text, sizeof text, "%.4f", *v);
    } else {
      std::snprintf(text, sizeof text, "-");
    }
    return std::string(text);
  };
  for (const NetworkFactorFit& fit : calibration.fits) {
    std::snprintf(line, sizeof line, "    %-12s %5d %10s %10s %6lld\n", std::string(to_string(fit.shape)).c_str(),
                  fit.gpus, cell(fit.isolated).c_str(), cell(fit.in_place).c_str(), static_cast<long long>(fit.jobs));
    out += line;
  }
  if (!calibration.checks.empty()) {
    std::snprintf(line, sizeof line,
                  "  link sharing %.4f: jobs spanning nodes run at %.4f of their ideal rate (SimGrid in place: %.4f)\n",
                  calibration.profile.link_sharing, calibration.native_in_place, calibration.simgrid_in_place);
    out += line;
    out += "  check: mean JCT, SimGrid against the native engine without and with the factors\n";
    out += "    variant                       SimGrid     native   (error)     fitted   (error)\n";
    for (const NetworkCheck& check : calibration.checks) {
      std::snprintf(line, sizeof line, "    %-26s %10s %10s %+8.1f%% %10s %+8.1f%%\n", check.label.c_str(),
                    format_duration(Duration::from_seconds(check.simgrid_jct_s)).c_str(),
                    format_duration(Duration::from_seconds(check.native_jct_s)).c_str(),
                    100 * (check.native_jct_s / check.simgrid_jct_s - 1),
                    format_duration(Duration::from_seconds(check.fitted_jct_s)).c_str(), 100 * check.error());
      out += line;
    }
  }
  return out;
}

}  // namespace capsim::sim
