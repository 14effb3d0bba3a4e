#include "sim/run.hpp"

#include <optional>

#include "sim/decision_log.hpp"
#include "sim/isolated.hpp"
#include "sim/job_recorder.hpp"
#include "sim/packing_recorder.hpp"
#include "sim/power_meter.hpp"
#include "sim/services.hpp"
#include "sim/simgrid_engine.hpp"
#include "sim/summary.hpp"
#include "sim/timeseries_recorder.hpp"

namespace capsim::sim {

namespace {

// The scenario's energy policy (null: none).
std::unique_ptr<scheduler::EnergyPolicy> make_energy_policy(const Scenario& scenario,
                                                            const scheduler::PolicyRegistry& registry) {
  if (!scenario.energy_policy) return nullptr;
  const PolicySpec& spec = *scenario.energy_policy;
  auto policy = registry.make_energy(spec, scenario.run.seed, scenario.catalog, scenario.cluster);
  if (!scenario.failures.empty() && policy->scan_interval() > Duration()) {
    throw InputError(spec.where, spec.field,
                     "an energy policy that powers no node off, with failures: (a node failing while powered off is "
                     "not modelled yet)",
                     spec.name + " and failures");
  }
  return policy;
}

}  // namespace

void check_scenario(const Scenario& scenario, const scheduler::PolicyRegistry& registry) {
  registry.make_queue(scenario.queue_policy, scenario.run.seed, &scenario.workload.job_classes, &scenario.catalog);
  registry.make_placement(scenario.placement_policy, scenario.run.seed, &scenario.workload.job_classes,
                          &scenario.catalog);
  for (const ServiceSpec& service : scenario.workload.services) {
    if (service.autoscaling) registry.make_autoscaling(*service.autoscaling, scenario.run.seed);
  }
  make_energy_policy(scenario, registry);
  open_workload(scenario);  // opens the trace and reads its header
}

namespace {

// Everything a run does around its driver: the scheduler core with the
// scenario's policies, the workload, the recorders and the summary.
// `make_engine(layout, core, workload, engine_options)` builds the driver;
// `finish(engine, results)` adds what only that driver knows.
template <class MakeEngine, class Finish>
RunResults run_with(const Scenario& scenario, const RunOptions& options, MakeEngine make_engine, Finish finish) {
  const scheduler::PolicyRegistry builtins =
      options.registry ? scheduler::PolicyRegistry() : scheduler::PolicyRegistry::with_builtins();
  const scheduler::PolicyRegistry& registry = options.registry ? *options.registry : builtins;

  const ClusterLayout layout(scenario.cluster);
  const JobClasses* classes = &scenario.workload.job_classes;
  scheduler::SchedulerCore core(
      layout, scenario.catalog,
      registry.make_queue(scenario.queue_policy, scenario.run.seed, classes, &scenario.catalog),
      registry.make_placement(scenario.placement_policy, scenario.run.seed, classes, &scenario.catalog));
  std::shared_ptr<TraceReport> trace_report;
  if (scenario.workload.trace) trace_report = std::make_shared<TraceReport>();
  std::unique_ptr<JobSource> workload = open_workload(scenario, trace_report);

  EngineOptions engine_options;
  if (scenario.run.horizon) engine_options.horizon = Time::zero() + *scenario.run.horizon;
  engine_options.on_progress = options.on_progress;
  engine_options.should_stop = options.should_stop;
  engine_options.job_classes = &scenario.workload.job_classes;
  engine_options.failures = &scenario.failures;
  if (scenario.reaping) engine_options.reaping_idle = scenario.reaping->idle;
  const std::unique_ptr<scheduler::EnergyPolicy> energy_policy = make_energy_policy(scenario, registry);
  engine_options.energy = energy_policy.get();
  // Each service's load (seeded by its name) and autoscaler.
  std::vector<std::unique_ptr<ServiceRunner>> services;
  for (const ServiceSpec& service : scenario.workload.services) {
    services.push_back(std::make_unique<ServiceRunner>(
        service, scenario.catalog, generate_load(service.load, scenario.run.seed, "load." + service.name),
        service.autoscaling ? registry.make_autoscaling(*service.autoscaling, scenario.run.seed) : nullptr));
    engine_options.services.push_back(services.back().get());
  }
  auto engine = make_engine(layout, core, *workload, std::move(engine_options));
  PowerMeter power(layout, scenario.catalog, scenario.run.metrics_interval);
  engine->add_observer(power);
  JobRecorder jobs(scenario.catalog, &layout, &scenario.workload.job_classes);
  TimeSeriesRecorder series(scenario.run.metrics_interval, layout.total_gpus());
  engine->add_observer(jobs);
  engine->add_observer(series);
  std::optional<DecisionLog> log;
  if (options.decision_log) engine->add_observer(log.emplace(*options.decision_log, layout, scenario.catalog));
  // The packing experiment's curve, when the workload samples its trace:
  // every 10% of the cluster's GPUs requested, up to the sample's target.
  std::optional<PackingRecorder> packing;
  if (scenario.workload.trace && scenario.workload.trace->sample &&
      scenario.workload.trace->sample->until_requested_percent) {
    std::vector<double> points;
    for (int p = 10; p <= *scenario.workload.trace->sample->until_requested_percent + 1e-9; p += 10)
      points.push_back(p);
    engine->add_observer(packing.emplace(layout.total_gpus(), std::move(points)));
  }

  RunResults results;
  results.stats = engine->run();
  results.jobs = jobs.take();
  results.timeseries = series.result();
  ServiceUsage usage;
  for (const auto& service : services) usage.gpu_seconds += service->gpu_seconds();
  results.summary = summarise(scenario, layout, results.jobs, results.stats, usage);
  add_energy(results.summary, scenario.cluster, power.report());
  power.add_series(results.timeseries);
  for (std::size_t i = 0; i < services.size(); ++i) {
    results.summary.services.push_back(services[i]->finish(static_cast<std::int32_t>(i), results.services));
  }
  if (trace_report) {
    const TraceSpec& spec = *scenario.workload.trace;
    const TraceReport& r = *trace_report;
    results.summary.trace = TraceSummary{std::string(to_string(spec.format)),
                                         spec.path.string(),
                                         r.rows,
                                         r.bad_rows,
                                         r.first_bad_rows,
                                         r.cancelled,
                                         r.filtered_out,
                                         r.thinned_out,
                                         r.copies_added,
                                         r.jobs,
                                         r.first_submit_unix_s,
                                         std::nullopt};
    if (spec.sample) results.summary.trace->sampled_from = r.sampled_from;
  }
  if (packing) results.summary.packing = packing->result();
  results.scenario_text = scenario.text;
  finish(*engine, results);
  add_cost(results.summary, scenario.cluster, scenario.catalog, results.jobs);
  if (scenario.reaping || scenario.workload.job_classes.has_idle_tails()) {
    add_reaping(results.summary, results.jobs, jobs.reaping());
  }
  if (options.decision_log) options.decision_log->flush();
  return results;
}

RunResults run_native(const Scenario& scenario, const RunOptions& options) {
  return run_with(
      scenario, options,
      [&](const ClusterLayout& layout, scheduler::SchedulerCore& core, JobSource& workload, EngineOptions engine) {
        engine.seed = scenario.run.seed;
        return std::make_unique<NativeEngine>(layout, scenario.catalog, core, workload, std::move(engine));
      },
      [&](NativeEngine& engine, RunResults& results) {
        if (!scenario.failures.empty()) add_failures(results.summary, engine.failure_stats(), results.jobs);
        const EnergyStats& e = engine.energy_stats();
        if (e.jobs_with_deadline > 0) {
          results.summary.energy.push_back(
              {"jobs_with_deadline", "jobs with a deadline", "", static_cast<double>(e.jobs_with_deadline)});
          results.summary.energy.push_back(
              {"jobs_deferred", "jobs deferred", "", static_cast<double>(e.jobs_deferred)});
          results.summary.energy.push_back(
              {"mean_deferral_h", "mean deferral (h)", "",
               e.jobs_deferred > 0 ? e.deferral_seconds / 3600 / static_cast<double>(e.jobs_deferred) : 0.0});
          results.summary.energy.push_back(
              {"deadlines_missed", "deadlines missed", "", static_cast<double>(e.deadlines_missed)});
        }
        if (e.caps) {
          auto& energy = results.summary.energy;
          energy.push_back({"power_budget_kw", "power budget (kW)", "", e.power_budget_watts / 1000});
          energy.push_back({"capped_hours", "hours capped", "", e.capped_seconds / 3600});
          energy.push_back({"mean_cap_pct", "mean cap while capped (% of peak)", "",
                            e.capped_seconds > 0 ? 100 * e.cap_seconds / e.capped_seconds : 100.0});
          energy.push_back({"over_budget_hours", "hours over budget", "", e.over_budget_seconds / 3600});
        }
        if (scenario.energy_policy) {
          results.summary.energy.push_back(
              {"nodes_powered_off", "nodes powered off", "", static_cast<double>(e.power_offs)});
          results.summary.energy.push_back({"node_boots", "nodes booted", "", static_cast<double>(e.boots)});
          results.summary.energy.push_back({"node_hours_off", "node-hours off", "", e.node_seconds_off / 3600});
        }
        const std::vector<NodeGroupUsage>& usage = engine.node_group_usage();
        for (std::size_t g = 0; g < usage.size(); ++g) {
          const NodeGroupSpec& group = scenario.cluster.node_groups[g];
          const NodeGroupUsage& u = usage[g];
          results.summary.node_groups.push_back(
              {group.name,
               std::string(to_string(group.pool)),
               {{"node_hours", "node-hours", "", u.node_seconds / 3600},
                {"gpu_hours", "GPU-hours", "", u.node_seconds / 3600 * group.gpus_per_node},
                {"cost_usd", "cost (USD)", "", u.cost_usd},
                {"peak_nodes", "peak nodes", "", static_cast<double>(u.peak_nodes)},
                {"nodes_provisioned", "nodes provisioned", "", static_cast<double>(u.provisioned)},
                {"nodes_released", "nodes released", "", static_cast<double>(u.released)},
                {"spot_interruptions", "spot interruptions", "", static_cast<double>(u.interruptions)}}});
        }
      });
}

RunResults run_simgrid(const Scenario& scenario, const RunOptions& options) {
  return run_with(
      scenario, options,
      [&](const ClusterLayout& layout, scheduler::SchedulerCore& core, JobSource& workload, EngineOptions engine) {
        SimGridOptions simgrid;
        simgrid.engine = std::move(engine);
        simgrid.network = scenario.cluster.network.value_or(NetworkSpec{});
        simgrid.steps = scenario.run.simgrid_steps;
        return std::make_unique<SimGridEngine>(layout, scenario.catalog, core, workload, std::move(simgrid));
      },
      [](SimGridEngine& engine, RunResults& results) {
        // The GPU boards as SimGrid's plugin measured them; facility energy
        // and carbon stay capsim's allocation model (sim/power_meter.hpp).
        results.summary.gpu_energy_kwh = engine.energy().total_joules / 3.6e6;
        results.summary.energy_model = "SimGrid host energy plugin: idle watts, peak while computing";
        for (Metric& figure : results.summary.energy) {
          if (figure.name == "gpu_energy_kwh") figure.value = results.summary.gpu_energy_kwh;
        }
      });
}

}  // namespace

RunResults run_scenario(const Scenario& scenario, const RunOptions& options) {
  if (scenario.run.engine == "simgrid") {
    // One SimGrid simulation per process (DESIGN.md): this one runs in a
    // child process, which hands its results back.
    return run_in_child([&] { return run_simgrid(scenario, options); });
  }
  return run_native(scenario, options);
}

}  // namespace capsim::sim
