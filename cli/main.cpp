// capsim: the command line. Parsing arguments, progress and exit codes; the
// simulation itself is sim::run_scenario, and `capsim trace ...` lives in
// cli/trace_commands.cpp.
//
// Exit codes: 0 success; 1 internal error; 2 bad input (the message on
// stderr names the file, line, field and what was expected); 130 interrupted
// (SIGINT), after writing the results so far marked partial.
#include <CLI/CLI.hpp>

#include <unistd.h>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "cli/progress.hpp"
#include "cli/trace_commands.hpp"
#include "core/error.hpp"
#include "core/scenario.hpp"
#include "core/version.hpp"
#include "scheduler/registry.hpp"
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

std::filesystem::path output_directory(const capsim::Scenario& scenario, const std::string& option) {
  if (!option.empty()) return option;
  if (!scenario.run.output_dir.empty()) return scenario.run.output_dir;
  return std::filesystem::path("results") / scenario.file.stem();
}

// --trace PATH replaces the scenario's workload.trace.path.
capsim::ScenarioOverrides overrides_of(const std::string& trace_option) {
  capsim::ScenarioOverrides overrides;
  if (!trace_option.empty()) overrides.trace_path = trace_option;
  return overrides;
}

int run_command(const std::string& scenario_path, const std::string& output_option, const std::string& seed_option,
                const std::string& decision_log_path, const std::string& trace_option, bool quiet) {
  capsim::Scenario scenario = capsim::load_scenario(scenario_path, overrides_of(trace_option));
  if (!seed_option.empty()) {
    std::int64_t seed = 0;
    if (!capsim::parse_int(seed_option, seed) || seed < 0) {
      throw capsim::InputError({"command line", 0, 0}, "--seed", "a non-negative integer",
                               capsim::quote_for_message(seed_option));
    }
    scenario.run.seed = static_cast<std::uint64_t>(seed);
  }
  const std::filesystem::path directory = output_directory(scenario, output_option);
  std::error_code ec;
  std::filesystem::create_directories(directory, ec);
  if (ec || !std::filesystem::is_directory(directory)) {
    throw capsim::InputError({"command line", 0, 0}, output_option.empty() ? "run.output_dir" : "-o",
                             "a folder that can be created and written",
                             capsim::quote_for_message(directory.string()) + " (" + ec.message() + ")");
  }

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
  const capsim::sim::RunResults results = capsim::sim::run_scenario(scenario, options);
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
  return 0;
}

int policies_command() {
  const auto registry = capsim::scheduler::PolicyRegistry::with_builtins();
  std::printf("queue policies:\n");
  for (const auto& entry : registry.queue_policies())
    std::printf("  %-12s %s\n", entry.name.c_str(), entry.summary.c_str());
  std::printf("placement policies:\n");
  for (const auto& entry : registry.placement_policies()) {
    std::printf("  %-12s %s\n", entry.name.c_str(), entry.summary.c_str());
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::signal(SIGABRT, on_sigabrt);
  CLI::App app{"capsim: simulation and capacity planning for GPU clusters"};
  app.set_version_flag("--version", std::string("capsim ") + capsim::kVersion);
  app.require_subcommand(1);

  std::string scenario_path;
  std::string output_option;
  std::string seed_option;
  bool quiet = false;
  CLI::App* run = app.add_subcommand("run", "simulate a scenario; write results.h5 and summary.json");
  run->add_option("scenario", scenario_path, "scenario YAML file")->required();
  run->add_option("-o,--output", output_option, "output folder (default: run.output_dir, or results/<scenario>)");
  run->add_option("--seed", seed_option, "random seed (overrides run.seed)");
  run->add_flag("-q,--quiet", quiet, "print nothing but errors");
  std::string decision_log_path;
  run->add_option("--decision-log", decision_log_path, "write every arrival, decision and job end to this file");
  std::string trace_option;
  run->add_option("--trace", trace_option, "trace file replacing the scenario's workload.trace.path");

  std::string validate_path;
  CLI::App* validate = app.add_subcommand("validate", "check a scenario without running it");
  validate->add_option("scenario", validate_path, "scenario YAML file")->required();
  validate->add_option("--trace", trace_option, "trace file replacing the scenario's workload.trace.path");

  CLI::App* policies = app.add_subcommand("policies", "list the policies a scenario can name");

  capsim::cli::TraceArguments trace;
  capsim::cli::add_trace_commands(app, trace);

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
    if (*run) return run_command(scenario_path, output_option, seed_option, decision_log_path, trace_option, quiet);
    if (*validate) return validate_command(validate_path, trace_option);
    if (*policies) return policies_command();
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
