#include "cli/planning_commands.hpp"

#include <algorithm>
#include <cstdio>
#include <exception>
#include <thread>

#include "cli/mpi_world.hpp"
#include "cli/output_folder.hpp"
#include "cli/progress.hpp"
#include "core/error.hpp"
#include "core/plan_spec.hpp"
#include "core/scenario.hpp"
#include "core/sweep.hpp"
#include "scheduler/registry.hpp"
#include "sim/atomic_file.hpp"
#include "sim/plan.hpp"
#include "sim/results_writer.hpp"
#include "sim/run.hpp"
#include "sim/sweep.hpp"

namespace capsim::cli {

namespace {

constexpr int kExitInput = 2;
constexpr int kExitInterrupted = 130;

Scenario load(const PlanningArguments& args) {
  ScenarioOverrides overrides;
  if (!args.trace_option.empty()) overrides.trace_path = args.trace_option;
  return load_scenario(args.scenario_path, overrides);
}

unsigned threads_per_rank(const PlanningArguments& args, const MpiWorld& world) {
  if (args.jobs > 0) return args.jobs;
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  return std::max(1u, cores / static_cast<unsigned>(std::max(1, world.local_size())));
}

int sweep_command(const PlanningArguments& args, const std::atomic<bool>& interrupted) {
  const MpiWorld world;
  const Scenario base = load(args);
  const std::optional<SweepSpec> spec = parse_sweep(base);
  if (!spec) {
    throw InputError({base.file.string(), 0, 0}, "sweep", "a sweep: block (grid: and/or points:) to run",
                     "a scenario without one");
  }
  // Every point is read and checked before any runs (on every rank alike,
  // so that a bad point stops them all before they part).
  const std::vector<SweepPoint> points = expand_sweep(base, *spec);
  const auto registry = scheduler::PolicyRegistry::with_builtins();
  for (const SweepPoint& point : points) sim::check_scenario(point.scenario, registry);
  const std::filesystem::path directory = make_output_directory(base, args.output_option);
  const bool lead = world.rank() == 0;

  ProgressLine progress(lead && ProgressLine::should_show(args.quiet));
  sim::SweepOptions options;
  options.threads = threads_per_rank(args, world);
  options.registry = &registry;
  options.should_stop = [&] { return interrupted.load(); };
  for (std::size_t i = static_cast<std::size_t>(world.rank()); i < points.size();
       i += static_cast<std::size_t>(world.size())) {
    options.only.push_back(i);
  }
  std::size_t finished = 0;
  options.done = [&](const SweepPoint& point, const sim::RunResults& results) {
    if (!args.table_only) sim::write_results(results, directory / "points" / point.label);
    ++finished;
    progress.show((std::to_string(finished) + "/" + std::to_string(options.only.size()) + " points done").c_str());
  };
  sim::SweepRuns runs;
  try {
    runs = sim::run_sweep(points, options);
  } catch (const std::exception& e) {
    if (world.size() == 1) throw;
    // The other ranks are running or waiting in the gather: end them all.
    std::fprintf(stderr, "capsim: rank %d: error: %s\n", world.rank(), e.what());
    world.abort(dynamic_cast<const InputError*>(&e) ? kExitInput : 1);
  }
  progress.clear();

  // Each rank's figures, one line per point, gathered on rank 0.
  std::string mine;
  for (const auto& figures : runs.figures) {
    if (figures) mine += sim::encode_point_figures(*figures) + "\n";
  }
  const std::vector<std::string> all = world.gather(mine + (runs.interrupted ? "interrupted\n" : ""));
  if (!lead) return runs.interrupted ? kExitInterrupted : 0;
  std::vector<std::optional<sim::PointFigures>> figures(points.size());
  bool stopped = false;
  for (const std::string& text : all) {
    std::size_t start = 0;
    while (start < text.size()) {
      const std::size_t end = text.find('\n', start);
      const std::string_view line = std::string_view(text).substr(start, end - start);
      if (line == "interrupted") {
        stopped = true;
      } else {
        sim::PointFigures f = sim::decode_point_figures(line);
        figures.at(f.point) = std::move(f);
      }
      start = end + 1;
    }
  }
  const sim::SweepTable table = sim::make_sweep_table(base.name, spec->fields(), points, figures);
  sim::write_text_atomically(directory / "sweep.csv", sim::sweep_csv(table));
  sim::write_sweep_h5(table, base.text, directory / "sweep.h5");
  if (!args.quiet) {
    std::printf("  %s: %zu points%s\n\n", base.name.c_str(), points.size(),
                world.size() > 1 ? (" on " + std::to_string(world.size()) + " MPI ranks").c_str() : "");
    std::fputs(sim::format_sweep(table).c_str(), stdout);
    std::printf("\n  results            %s, %s%s\n", (directory / "sweep.csv").c_str(),
                (directory / "sweep.h5").c_str(), args.table_only ? "" : ", points/<point>/");
    std::printf("  wall               %.2f s\n", progress.elapsed_seconds());
  }
  if (stopped) {
    std::fprintf(stderr, "capsim: interrupted; the points that finished are in %s\n", directory.c_str());
    return kExitInterrupted;
  }
  return 0;
}

int plan_command(const PlanningArguments& args, const std::atomic<bool>& interrupted) {
  const Scenario base = load(args);
  const std::optional<PlanSpec> spec = parse_plan(base);
  if (!spec) {
    throw InputError({base.file.string(), 0, 0}, "plan",
                     "a plan: block (node_groups to search, objective, constraints) to search",
                     "a scenario without one");
  }
  const auto registry = scheduler::PolicyRegistry::with_builtins();
  sim::check_scenario(base, registry);
  const std::filesystem::path directory = make_output_directory(base, args.output_option);
  ProgressLine progress(ProgressLine::should_show(args.quiet));
  sim::PlanOptions options;
  options.threads = args.jobs > 0 ? args.jobs : std::max(1u, std::thread::hardware_concurrency());
  options.registry = &registry;
  options.should_stop = [&] { return interrupted.load(); };
  options.exhaustive = args.exhaustive;
  options.progress = [&](const std::string& line) { progress.show(line.c_str()); };
  const sim::PlanResult result = sim::run_plan(base, *spec, options);
  progress.clear();
  sim::write_text_atomically(directory / "plan.csv", sim::plan_csv(*spec, result));
  sim::write_text_atomically(directory / "plan.json", sim::plan_json(*spec, result));
  if (!args.quiet) {
    std::fputs(sim::format_plan(base, *spec, result).c_str(), stdout);
    std::printf("\n  results            %s, %s\n", (directory / "plan.csv").c_str(), (directory / "plan.json").c_str());
    std::printf("  wall               %.2f s\n", progress.elapsed_seconds());
  }
  if (result.interrupted) {
    std::fprintf(stderr, "capsim: interrupted; the candidates that finished are in %s\n", directory.c_str());
    return kExitInterrupted;
  }
  return 0;
}

}  // namespace

// The options sweep and plan share: the scenario, where results go, the
// trace, the runs at once and quiet.
void add_common_options(CLI::App& command, PlanningArguments& args, const char* scenario, const char* jobs) {
  command.add_option("scenario", args.scenario_path, scenario)->required();
  command.add_option("-o,--output", args.output_option,
                     "output folder (default: run.output_dir, or results/<scenario>)");
  command.add_option("--trace", args.trace_option, "trace file replacing the scenario's workload.trace.path");
  command.add_option("-j,--jobs", args.jobs, jobs);
  command.add_flag("-q,--quiet", args.quiet, "print nothing but errors");
}

void add_planning_commands(CLI::App& app, PlanningArguments& args) {
  args.sweep = app.add_subcommand(
      "sweep", "run every point of a scenario's sweep: block on all cores (and MPI ranks); write one table");
  add_common_options(*args.sweep, args, "scenario YAML file with a sweep: block",
                     "runs at once (default: one per core, shared among local ranks)");
  args.sweep->add_flag("--table-only", args.table_only, "write only sweep.csv and sweep.h5, not each point's results");

  args.plan = app.add_subcommand(
      "plan", "search the scenario's plan: block for the cheapest cluster that meets its constraints");
  add_common_options(*args.plan, args, "scenario YAML file with a plan: block", "runs at once (default: one per core)");
  args.plan->add_flag("--exhaustive", args.exhaustive,
                      "run every candidate of the grid instead of searching (to check a search)");
}

int run_planning_command(const PlanningArguments& args, const std::atomic<bool>& interrupted) {
  if (args.sweep && *args.sweep) return sweep_command(args, interrupted);
  if (args.plan && *args.plan) return plan_command(args, interrupted);
  return 1;
}

}  // namespace capsim::cli
