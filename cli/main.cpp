// capsim: the command line. Parsing arguments, progress and exit codes; the
// simulation itself is sim::run_scenario, and `capsim trace ...` lives in
// cli/trace_commands.cpp.
//
// Exit codes: 0 success; 1 internal error; 2 bad input (the message on
// stderr names the file, line, field and what was expected); 130 interrupted
// (SIGINT), after writing the results so far marked partial.
#include <CLI/CLI.hpp>

#include <unistd.h>
#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

#include "cli/compare_command.hpp"
#include "cli/output_folder.hpp"
#include "cli/planning_commands.hpp"
#include "cli/progress.hpp"
#include "cli/report_command.hpp"
#include "cli/trace_commands.hpp"
#include "core/error.hpp"
#include "core/plan_spec.hpp"
#include "core/scenario.hpp"
#include "core/sweep.hpp"
#include "core/version.hpp"
#include "kernels/calibration.hpp"
#include "kernels/executor.hpp"
#include "kernels/model_validation.hpp"
#include "scheduler/registry.hpp"
#include "sim/atomic_file.hpp"
#include "sim/compare.hpp"
#include "sim/network_calibration.hpp"
#include "sim/results_writer.hpp"
#include "sim/run.hpp"
#include "sim/summary.hpp"

namespace {

constexpr int kExitInternal = 1;
constexpr int kExitInput = 2;
constexpr int kExitInterrupted = 130;

// Set by the SIGINT handler, polled by the engine.
std::atomic<bool> interrupted{false};

// The first Ctrl-C stops the simulation and lets the results so far be
// written; a second one ends the process at once.
extern "C" void on_sigint(int) {
  if (interrupted.exchange(true)) {
    std::signal(SIGINT, SIG_DFL);
    std::raise(SIGINT);
  }
}

// A broken invariant (CAPSIM_CHECK) prints its message and aborts; the
// command line then exits with the internal-error code rather than a signal.
extern "C" void on_sigabrt(int) {
  const char message[] = "capsim: internal error (please report it with the scenario)\n";
  [[maybe_unused]] auto ignored = ::write(STDERR_FILENO, message, sizeof message - 1);
  ::_exit(kExitInternal);
}

void print_input_error(const capsim::InputError& e) {
  std::fprintf(stderr, "capsim: error: %s\n", e.what());
}

// --trace PATH replaces the scenario's workload.trace.path.
capsim::ScenarioOverrides overrides_of(const std::string& trace_option) {
  capsim::ScenarioOverrides overrides;
  if (!trace_option.empty()) overrides.trace_path = trace_option;
  return overrides;
}

std::uint64_t parse_seed(const std::string& text, const std::string& option) {
  std::int64_t seed = 0;
  if (!capsim::parse_int(text, seed) || seed < 0) {
    throw capsim::InputError({"command line", 0, 0}, option, "a non-negative integer", capsim::quote_for_message(text));
  }
  return static_cast<std::uint64_t>(seed);
}

std::vector<std::string> split_commas(const std::string& text) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    parts.push_back(text.substr(start, comma - start));
    start = comma + 1;
  }
  return parts;
}

// --policy a,b,c: each name a queue or a placement policy (prefix `queue:` or
// `placement:` where a name is both); they become the scenario's compare
// lists, replacing those of its compare block.
void apply_policy_option(const std::string& option, capsim::Scenario& scenario) {
  const auto registry = capsim::scheduler::PolicyRegistry::with_builtins();
  const auto known = [](const std::vector<capsim::scheduler::PolicyRegistry::Entry>& entries, const std::string& name) {
    return std::any_of(entries.begin(), entries.end(), [&](const auto& e) { return e.name == name; });
  };
  std::vector<capsim::PolicySpec> queue, placement;
  for (const std::string& item : split_commas(option)) {
    std::string name = item;
    bool is_queue = false, is_placement = false;
    if (name.rfind("queue:", 0) == 0) {
      name = name.substr(6);
      is_queue = true;
    } else if (name.rfind("placement:", 0) == 0) {
      name = name.substr(10);
      is_placement = true;
    } else {
      is_queue = known(registry.queue_policies(), name);
      is_placement = known(registry.placement_policies(), name);
      if (is_queue && is_placement) {
        throw capsim::InputError({"command line", 0, 0}, "--policy",
                                 "queue:" + name + " or placement:" + name + " (both kinds have that name)",
                                 capsim::quote_for_message(item));
      }
      if (!is_queue && !is_placement) {
        std::string names;
        for (const auto& e : registry.queue_policies()) names += (names.empty() ? "" : ", ") + e.name;
        for (const auto& e : registry.placement_policies()) names += ", " + e.name;
        throw capsim::InputError({"command line", 0, 0}, "--policy", "policy names separated by commas: " + names,
                                 capsim::quote_for_message(item));
      }
    }
    capsim::PolicySpec spec{name, nullptr, {"command line", 0, 0}, "--policy"};
    (is_queue ? queue : placement).push_back(spec);
  }
  if (!queue.empty()) scenario.compare.queue = queue;
  if (!placement.empty()) scenario.compare.placement = placement;
}

// --seeds 1,2,3 or 1-5.
std::vector<std::uint64_t> parse_seeds(const std::string& option) {
  const std::size_t dash = option.find('-');
  if (dash != std::string::npos && option.find(',') == std::string::npos) {
    const std::uint64_t first = parse_seed(option.substr(0, dash), "--seeds");
    const std::uint64_t last = parse_seed(option.substr(dash + 1), "--seeds");
    if (last < first || last - first >= 1000) {
      throw capsim::InputError({"command line", 0, 0}, "--seeds", "a range FIRST-LAST of at most 1000 seeds",
                               capsim::quote_for_message(option));
    }
    std::vector<std::uint64_t> seeds;
    for (std::uint64_t s = first; s <= last; ++s) seeds.push_back(s);
    return seeds;
  }
  std::vector<std::uint64_t> seeds;
  for (const std::string& item : split_commas(option)) seeds.push_back(parse_seed(item, "--seeds"));
  return seeds;
}

// Several policies side by side: each variant's results in its own folder
// under the output folder, then compare.csv and compare.json beside them.
int compare_command(const capsim::Scenario& scenario, const std::string& output_option, unsigned jobs, bool quiet) {
  const std::vector<capsim::sim::Variant> variants = capsim::sim::expand_variants(scenario);
  const auto registry = capsim::scheduler::PolicyRegistry::with_builtins();
  for (const capsim::sim::Variant& v : variants) capsim::sim::check_scenario(v.scenario, registry);
  const std::filesystem::path directory = capsim::cli::make_output_directory(scenario, output_option);
  capsim::cli::ProgressLine progress(capsim::cli::ProgressLine::should_show(quiet));
  capsim::sim::CompareOptions options;
  options.threads = jobs;
  options.should_stop = [] { return interrupted.load(); };
  std::size_t finished = 0;
  options.done = [&](const capsim::sim::Variant& v, const capsim::sim::RunResults& results) {
    capsim::sim::write_results(results, directory / v.label);
    ++finished;
    progress.show(
        (std::to_string(finished) + "/" + std::to_string(variants.size()) + " runs done (" + v.label + ")").c_str());
  };
  std::signal(SIGINT, on_sigint);
  const capsim::sim::Comparison comparison = capsim::sim::run_comparison(variants, options);
  progress.clear();
  capsim::sim::write_text_atomically(directory / "compare.csv", capsim::sim::comparison_csv(comparison));
  capsim::sim::write_text_atomically(directory / "compare.json", capsim::sim::comparison_json(comparison));
  if (!quiet) {
    std::printf("  %s: %zu runs (%zu policy combinations)\n\n", scenario.name.c_str(), variants.size(),
                comparison.columns.size());
    std::fputs(capsim::sim::format_comparison(comparison).c_str(), stdout);
    std::printf("\n  results            %s/<policies>/seed-<seed>/, %s\n", directory.c_str(),
                (directory / "compare.csv").c_str());
  }
  if (comparison.interrupted) {
    std::fprintf(stderr, "capsim: interrupted; the runs that finished are in %s\n", directory.c_str());
    return kExitInterrupted;
  }
  return 0;
}

struct RunArguments {
  std::string scenario_path, output_option, seed_option, decision_log_path, trace_option, policy_option, seeds_option,
      engine_option, calibration_option;
  unsigned jobs = 0;
  bool quiet = false;
};

int run_command(const RunArguments& args) {
  const std::string& output_option = args.output_option;
  const std::string& decision_log_path = args.decision_log_path;
  const bool quiet = args.quiet;
  capsim::ScenarioOverrides overrides = overrides_of(args.trace_option);
  if (!args.engine_option.empty()) overrides.engine = args.engine_option;
  if (!args.calibration_option.empty()) overrides.calibration_path = args.calibration_option;
  capsim::Scenario scenario = capsim::load_scenario(args.scenario_path, overrides);
  if (!args.seed_option.empty()) scenario.run.seed = parse_seed(args.seed_option, "--seed");
  if (!args.policy_option.empty()) apply_policy_option(args.policy_option, scenario);
  if (!args.seeds_option.empty()) scenario.compare.seeds = parse_seeds(args.seeds_option);
  if (!scenario.compare.empty()) {
    if (!decision_log_path.empty()) {
      throw capsim::InputError({"command line", 0, 0}, "--decision-log", "one policy (not a comparison)",
                               "a comparison of several");
    }
    const unsigned jobs = args.jobs > 0 ? args.jobs : std::max(1u, std::thread::hardware_concurrency());
    return compare_command(scenario, output_option, jobs, quiet);
  }
  const std::filesystem::path directory = capsim::cli::make_output_directory(scenario, output_option);

  capsim::cli::ProgressLine progress(capsim::cli::ProgressLine::should_show(quiet));
  capsim::sim::RunOptions options;
  options.on_progress = [&](const capsim::sim::EngineProgress& p) { progress.update(p); };
  options.should_stop = [] { return interrupted.load(); };
  // The decision log goes to a temporary file renamed when the run is done.
  std::ofstream decision_log;
  std::filesystem::path decision_log_temporary;
  if (!decision_log_path.empty()) {
    decision_log_temporary = decision_log_path + ".tmp-" + std::to_string(::getpid());
    decision_log.open(decision_log_temporary);
    if (!decision_log) {
      throw capsim::InputError({"command line", 0, 0}, "--decision-log", "a file that can be written",
                               capsim::quote_for_message(decision_log_path));
    }
    options.decision_log = &decision_log;
  }
  std::signal(SIGINT, on_sigint);
  std::string real_device;
  capsim::sim::RunResults results;
  if (scenario.run.engine == "real") {
    // The real executor: the scenario's jobs on this machine's devices.
    capsim::kernels::ExecutorOptions real_options;
    real_options.notice = &std::cerr;
    real_options.should_stop = options.should_stop;
    real_options.decision_log = options.decision_log;
    progress.show("running for real...");
    capsim::kernels::RealRun real = capsim::kernels::execute_scenario(scenario, real_options);
    real_device = real.backend + ": " + real.device;
    results = std::move(real.results);
  } else {
    results = capsim::sim::run_scenario(scenario, options);
  }
  if (decision_log.is_open()) {
    decision_log.close();
    if (!decision_log) throw std::runtime_error("cannot write the decision log " + decision_log_temporary.string());
    std::filesystem::rename(decision_log_temporary, decision_log_path);
  }
  const double wall = progress.elapsed_seconds();
  progress.clear();

  progress.show("writing results...");
  capsim::sim::write_results(results, directory);
  progress.clear();
  if (results.summary.trace && results.summary.trace->bad_rows > 0) {
    const capsim::sim::TraceSummary& t = *results.summary.trace;
    std::fprintf(stderr, "capsim: warning: skipped %lld bad rows of %s (skip_bad_rows); the first: %s\n",
                 static_cast<long long>(t.bad_rows), t.path.c_str(), t.first_bad_rows.front().c_str());
  }
  if (!quiet) {
    std::fputs(capsim::sim::format_summary(results.summary).c_str(), stdout);
    std::printf("\n  results            %s, %s\n", (directory / "results.h5").c_str(),
                (directory / "summary.json").c_str());
    if (!real_device.empty()) std::printf("  ran for real on    %s\n", real_device.c_str());
    // The scenario as it stands ran; its parameter study and plan are
    // other commands.
    for (const char* block : {"sweep", "plan"}) {
      if (scenario.document && scenario.document->find(block)) {
        std::printf("  note               the scenario's %s: block runs with `capsim %s %s`\n", block, block,
                    args.scenario_path.c_str());
      }
    }
    std::printf("  run                %.2f s wall, %llu events (%.2fM events/s)\n", wall,
                static_cast<unsigned long long>(results.stats.events),
                wall > 0 ? static_cast<double>(results.stats.events) / wall / 1e6 : 0.0);
  }
  if (results.stats.interrupted) {
    std::fprintf(stderr, "capsim: interrupted; the results so far are marked partial in %s\n", directory.c_str());
    return kExitInterrupted;
  }
  return 0;
}

int validate_command(const std::string& scenario_path, const std::string& trace_option) {
  const capsim::Scenario scenario = capsim::load_scenario(scenario_path, overrides_of(trace_option));
  capsim::sim::check_scenario(scenario, capsim::scheduler::PolicyRegistry::with_builtins());
  const capsim::ClusterLayout layout(scenario.cluster);
  std::printf("%s: valid scenario \"%s\": %zu nodes, %lld GPUs; queue %s, placement %s\n", scenario_path.c_str(),
              scenario.name.c_str(), layout.node_count(), static_cast<long long>(layout.total_gpus()),
              scenario.queue_policy.name.c_str(), scenario.placement_policy.name.c_str());
  // A sweep's points and a plan's block are checked too: each point is read
  // as the scenario it makes.
  const auto registry = capsim::scheduler::PolicyRegistry::with_builtins();
  if (const auto sweep = capsim::parse_sweep(scenario)) {
    const std::vector<capsim::SweepPoint> points = capsim::expand_sweep(scenario, *sweep);
    for (const capsim::SweepPoint& point : points) capsim::sim::check_scenario(point.scenario, registry);
    std::printf("  sweep: %zu points, each a valid scenario\n", points.size());
  }
  if (const auto plan = capsim::parse_plan(scenario)) {
    for (const capsim::PlanQuarter& quarter : plan->quarters) {
      capsim::sim::check_scenario(capsim::scenario_with(scenario, quarter.settings, "quarter " + quarter.name),
                                  registry);
    }
    std::printf("  plan: %zu node groups to size (%.0f candidates), %zu constraints, %zu seeds, %zu quarters\n",
                plan->dimensions.size(), plan->grid_size(), plan->constraints.size(), plan->seeds.size(),
                plan->quarters.size());
  }
  return 0;
}

struct CalibrateArguments {
  std::string backend = "auto", output = "calibration.yaml", scenario;
  std::int32_t slots = 0;
  std::uint64_t seed = 1;
  double max_error_percent = -1;
  bool quick = false, quiet = false, network = false, isolated = false;
};

// `calibrate --network`: placement factors fitted with SimGrid; with
// --max-error, exits 3 when the native engine's mean JCT with them is
// further than that from SimGrid's on a variant of the scenario.
int calibrate_network_command(const CalibrateArguments& args) {
  if (args.scenario.empty()) {
    throw capsim::InputError({"command line", 0, 0}, "--scenario",
                             "a scenario with the cluster, network and workload to fit on (calibrate --network)",
                             "none");
  }
  const capsim::Scenario scenario = capsim::load_scenario(args.scenario);
  capsim::sim::NetworkCalibrationOptions options;
  options.isolated_only = args.isolated;
  if (!args.quiet) {
    options.on_step = [](const std::string& line) {
      std::printf("  %s\n", line.c_str());
      std::fflush(stdout);
    };
    std::printf("capsim calibrate --network: %s under SimGrid, probes, then the native engine with the factors\n",
                args.scenario.c_str());
    std::fflush(stdout);
  }
  const capsim::sim::NetworkCalibration calibration = capsim::sim::calibrate_network(scenario, args.scenario, options);
  capsim::sim::write_text_atomically(args.output, capsim::calibration_profile_text(calibration.profile));
  if (!args.quiet) {
    std::fputs(capsim::sim::format_network_calibration(calibration).c_str(), stdout);
    std::printf("  profile            %s (cluster.calibration, or capsim run --calibration)\n", args.output.c_str());
  }
  if (args.max_error_percent >= 0 && !calibration.checks.empty() &&
      100 * calibration.max_abs_error() > args.max_error_percent) {
    std::fprintf(stderr, "capsim: the native engine with the fitted factors is %.1f%% from SimGrid (over %g%%)\n",
                 100 * calibration.max_abs_error(), args.max_error_percent);
    return 3;
  }
  return 0;
}

int calibrate_command(const CalibrateArguments& args) {
  if (args.network) return calibrate_network_command(args);
  capsim::kernels::CalibrationOptions options;
  options.backend = args.backend;
  options.slots = args.slots;
  options.quick = args.quick;
  options.seed = args.seed;
  if (!args.scenario.empty()) {
    const capsim::Scenario scenario = capsim::load_scenario(args.scenario);
    if (!scenario.executor) {
      throw capsim::InputError({args.scenario, 0, 0}, "run.engine",
                               "real (calibrate --scenario takes its kernel mixes)", scenario.run.engine);
    }
    options.mixes = capsim::kernels::scenario_mixes(scenario);
    if (options.backend == "auto") options.backend = scenario.executor->backend;
    if (options.slots == 0) options.slots = scenario.executor->slots_per_device;
  }
  options.notice = &std::cerr;
  if (!args.quiet) options.on_step = [](const std::string& line) { std::printf("  %s\n", line.c_str()); };
  if (!args.quiet)
    std::printf("capsim calibrate: probes, contention, scaling, then a real workload against its twin\n");
  std::fflush(stdout);
  const capsim::kernels::Calibration calibration = capsim::kernels::calibrate(options);
  capsim::sim::write_text_atomically(args.output, capsim::calibration_profile_text(calibration.profile));
  if (!args.quiet) {
    std::printf("\n  device             %s: %s, %d slots\n", calibration.profile.backend.c_str(),
                calibration.profile.device.c_str(), calibration.profile.slots);
    std::fputs(capsim::kernels::format_model_comparison(calibration.workload_fit, 3).c_str(), stdout);
    std::printf("  profile            %s\n", args.output.c_str());
  }
  return 0;
}

struct ValidateModelArguments {
  std::string scenario_path, profile_path, output_option;
  double max_error_percent = -1;
  bool quiet = false;
};

// Runs a run.engine real scenario for real and as its simulated twin with a
// calibration profile, and reports the error; with --max-error, exits 3
// when the makespan error is larger.
int validate_model_command(const ValidateModelArguments& args) {
  capsim::Scenario scenario = capsim::load_scenario(args.scenario_path);
  if (!scenario.executor) {
    throw capsim::InputError({args.scenario_path, 0, 0}, "run.engine", "real (validate-model runs it for real)",
                             scenario.run.engine);
  }
  if (!args.profile_path.empty()) {
    scenario.calibration = capsim::read_calibration_profile(args.profile_path);
    scenario.calibration_where = {"command line", 0, 0};
    scenario.calibration_field = "--profile";  // twin_scenario takes contention and scaling from it
  }
  if (!scenario.calibration) {
    throw capsim::InputError({args.scenario_path, 0, 0}, "executor.calibration",
                             "a calibration profile (executor.calibration, or --profile PATH)", "none");
  }
  const std::filesystem::path directory = capsim::cli::make_output_directory(scenario, args.output_option);
  capsim::kernels::ExecutorOptions options;
  options.notice = &std::cerr;
  options.should_stop = [] { return interrupted.load(); };
  std::signal(SIGINT, on_sigint);
  capsim::cli::ProgressLine progress(capsim::cli::ProgressLine::should_show(args.quiet));
  progress.show("running for real...");
  capsim::kernels::RealRun real = capsim::kernels::execute_scenario(scenario, options);
  progress.clear();
  if (real.results.stats.interrupted) {
    capsim::sim::write_results(real.results, directory / "real");
    std::fprintf(stderr, "capsim: interrupted; the real run so far is marked partial in %s\n",
                 (directory / "real").c_str());
    return kExitInterrupted;
  }
  const capsim::Scenario twin = capsim::kernels::twin_scenario(scenario, real.workload, *scenario.calibration);
  const capsim::sim::RunResults simulated = capsim::sim::run_scenario(twin);
  const capsim::kernels::ModelComparison comparison = capsim::kernels::compare_runs(real.results.jobs, simulated.jobs);
  capsim::sim::write_results(real.results, directory / "real");
  capsim::sim::write_results(simulated, directory / "simulated");
  capsim::sim::write_text_atomically(directory / "model_error.csv", capsim::kernels::model_comparison_csv(comparison));
  if (!args.quiet) {
    std::printf("  %s: real run on %s: %s, against its simulated twin\n", scenario.name.c_str(), real.backend.c_str(),
                real.device.c_str());
    std::fputs(capsim::kernels::format_model_comparison(comparison).c_str(), stdout);
    std::printf("  results            %s/real, %s/simulated, %s\n", directory.c_str(), directory.c_str(),
                (directory / "model_error.csv").c_str());
  }
  if (comparison.jobs_compared == 0) {
    std::fprintf(stderr, "capsim: no job completed in both runs; nothing to compare\n");
    return 3;
  }
  if (args.max_error_percent >= 0 && 100 * comparison.makespan_error > args.max_error_percent) {
    std::fprintf(stderr, "capsim: makespan error %.1f%% is over --max-error %.1f%%\n", 100 * comparison.makespan_error,
                 args.max_error_percent);
    return 3;
  }
  return 0;
}

int policies_command() {
  const auto registry = capsim::scheduler::PolicyRegistry::with_builtins();
  const auto queue = registry.queue_policies();
  const auto placement = registry.placement_policies();
  const auto autoscaling = registry.autoscaling_policies();
  const auto energy = registry.energy_policies();
  // One name column for every list, as wide as the longest name.
  int width = 0;
  for (const auto* entries : {&queue, &placement, &autoscaling, &energy}) {
    for (const auto& entry : *entries) width = std::max(width, static_cast<int>(entry.name.size()));
  }
  for (const auto& [title, entries] : {std::pair{"queue policies", &queue},
                                       {"placement policies", &placement},
                                       {"autoscaling policies (services)", &autoscaling},
                                       {"energy policies", &energy}}) {
    std::printf("%s:\n", title);
    for (const auto& entry : *entries) std::printf("  %-*s  %s\n", width, entry.name.c_str(), entry.summary.c_str());
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::signal(SIGABRT, on_sigabrt);
  CLI::App app{"capsim: simulation and capacity planning for GPU clusters"};
  app.set_version_flag("--version", std::string("capsim ") + capsim::kVersion);
  app.require_subcommand(1);

  RunArguments args;
  CLI::App* run = app.add_subcommand("run", "simulate a scenario; write results.h5 and summary.json");
  run->add_option("scenario", args.scenario_path, "scenario YAML file")->required();
  run->add_option("-o,--output", args.output_option, "output folder (default: run.output_dir, or results/<scenario>)");
  run->add_option("--seed", args.seed_option, "random seed (overrides run.seed)");
  run->add_flag("-q,--quiet", args.quiet, "print nothing but errors");
  run->add_option("--decision-log", args.decision_log_path, "write every arrival, decision and job end to this file");
  run->add_option("--trace", args.trace_option, "trace file replacing the scenario's workload.trace.path");
  run->add_option("--engine", args.engine_option, "native or simgrid, replacing the scenario's run.engine");
  run->add_option("--calibration", args.calibration_option,
                  "calibration profile replacing the scenario's cluster.calibration (e.g. from calibrate --network)");
  run->add_option("--policy", args.policy_option,
                  "compare policies side by side: names separated by commas (queue: or placement: where ambiguous)");
  run->add_option("--seeds", args.seeds_option, "compare over seeds: 1,2,3 or 1-5");
  run->add_option("-j,--jobs", args.jobs, "runs at once when comparing (default: one per core)");
  std::string trace_option;
  std::string validate_path;
  CLI::App* validate = app.add_subcommand("validate", "check a scenario without running it");
  validate->add_option("scenario", validate_path, "scenario YAML file")->required();
  validate->add_option("--trace", trace_option, "trace file replacing the scenario's workload.trace.path");

  CLI::App* policies = app.add_subcommand("policies", "list the policies a scenario can name");

  CalibrateArguments calibrate_args;
  CLI::App* calibrate = app.add_subcommand(
      "calibrate", "measure this machine's device and fit the performance model; write a calibration profile");
  calibrate->add_option("-o,--output", calibrate_args.output, "profile to write (default: calibration.yaml)");
  calibrate->add_option("--backend", calibrate_args.backend, "auto (CUDA where a GPU is present), cpu or cuda")
      ->check(CLI::IsMember({"auto", "cpu", "cuda"}));
  calibrate->add_option("--slots", calibrate_args.slots, "slots per device (default: CPU threads, or 4 per GPU)")
      ->check(CLI::Range(1, 64));
  calibrate->add_option("--seed", calibrate_args.seed, "seed of the inputs and of the calibration workload");
  calibrate->add_option("--scenario", calibrate_args.scenario,
                        "a run.engine real scenario: calibrate for its kernel mixes, backend and slots");
  calibrate->add_flag("--quick", calibrate_args.quick, "fewer sizes, repeats and jobs (about 15 s on a CPU)");
  calibrate->add_flag("--network", calibrate_args.network,
                      "fit the native engine's placement factors with SimGrid on --scenario (its cluster, network "
                      "and workload)");
  calibrate->add_flag("--isolated", calibrate_args.isolated,
                      "with --network: probes only (each job alone), no run of the scenario and no check");
  calibrate->add_option("--max-error", calibrate_args.max_error_percent,
                        "with --network: exit 3 when the native engine's mean JCT with the factors is further than "
                        "this many percent from SimGrid's");
  calibrate->add_flag("-q,--quiet", calibrate_args.quiet, "print nothing but errors");

  ValidateModelArguments validate_model_args;
  CLI::App* validate_model = app.add_subcommand(
      "validate-model", "run a run.engine real scenario for real and simulated; report the model's error");
  validate_model->add_option("scenario", validate_model_args.scenario_path, "scenario YAML file")->required();
  validate_model->add_option("--profile", validate_model_args.profile_path,
                             "calibration profile (default: the scenario's executor.calibration)");
  validate_model->add_option("-o,--output", validate_model_args.output_option,
                             "output folder (default: run.output_dir, or results/<scenario>)");
  validate_model->add_option("--max-error", validate_model_args.max_error_percent,
                             "exit 3 when the makespan error is over this many percent");
  validate_model->add_flag("-q,--quiet", validate_model_args.quiet, "print nothing but errors");

  capsim::cli::TraceArguments trace;
  capsim::cli::add_trace_commands(app, trace);
  capsim::cli::PlanningArguments planning;
  capsim::cli::add_planning_commands(app, planning);

  capsim::cli::CompareArguments compare_args;
  capsim::cli::add_compare_command(app, compare_args);

  capsim::cli::ReportArguments report;
  capsim::cli::add_report_command(app, report);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitInput;
  }

  try {
    if (*run) return run_command(args);
    if (*validate) return validate_command(validate_path, trace_option);
    if (*policies) return policies_command();
    if (*calibrate) return calibrate_command(calibrate_args);
    if (*validate_model) return validate_model_command(validate_model_args);
    if (*planning.sweep || *planning.plan) {
      std::signal(SIGINT, on_sigint);
      return capsim::cli::run_planning_command(planning, interrupted);
    }
    if (*compare_args.command) return capsim::cli::run_compare_command(compare_args);
    if (*report.command) return capsim::cli::run_report_command(report);
    if (*trace.trace) {
      std::signal(SIGINT, on_sigint);
      return capsim::cli::run_trace_command(trace, interrupted);
    }
  } catch (const capsim::InputError& e) {
    print_input_error(e);
    return kExitInput;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "capsim: internal error: %s\n", e.what());
    return kExitInternal;
  }
  return kExitInternal;
}
