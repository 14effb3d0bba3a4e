// `capsim trace stats|fit|generate`: what a trace holds, the synthetic
// workload fitted to it, and a native CSV trace drawn from a synthetic
// workload. The figures themselves come from core (trace_stats, trace_fit,
// synthetic); this wires them to arguments, files and exit codes.
#pragma once

#include <CLI/CLI.hpp>

#include <atomic>
#include <string>
#include <vector>

namespace capsim::cli {

// The arguments of the trace subcommands, filled by CLI11.
struct TraceArguments {
  CLI::App* trace = nullptr;
  CLI::App* stats = nullptr;
  CLI::App* fit = nullptr;
  CLI::App* generate = nullptr;

  // How to read the trace (stats, fit).
  std::string path;
  std::string format;
  bool skip_bad_rows = false;
  std::string recorded_on;
  std::string processors_per_gpu;      // swf
  std::vector<std::string> gpu_types;  // MODEL=TYPE
  std::string request_gpus;            // azure-llm
  std::string prefill_tokens_per_s;    // azure-llm
  std::string decode_tokens_per_s;     // azure-llm

  bool json = false;                 // stats
  std::string output;                // fit, generate ("" or "-": standard output)
  std::string max_gpus;              // fit
  std::vector<std::string> classes;  // fit
  std::string workload_path;         // generate
  std::string jobs;                  // generate
  std::string seed;                  // generate
};

// Adds `trace` and its subcommands to `app`.
void add_trace_commands(CLI::App& app, TraceArguments& args);

// Runs the trace subcommand that was parsed. Throws InputError for bad input;
// `interrupted` (set by SIGINT) stops `generate`, which then removes its
// unfinished file and returns 130.
int run_trace_command(const TraceArguments& args, const std::atomic<bool>& interrupted);

}  // namespace capsim::cli
