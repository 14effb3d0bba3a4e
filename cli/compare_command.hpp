// `capsim compare RESULT BASELINE`: the regression gate for CI. The checks
// themselves are sim::check_regressions (sim/regression.hpp); this wires
// them to arguments, files and exit codes.
#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace capsim::cli {

// Exit code when a metric regressed (or the result lacks a metric or a
// column of the baseline): 3, as for calibrate's and validate-model's
// --max-error, so that CI tells a regression from bad input (2) and from an
// internal error (1).
inline constexpr int kExitRegression = 3;

// The arguments of `compare`, filled by CLI11.
struct CompareArguments {
  CLI::App* command = nullptr;
  std::string result;
  std::string baseline;
  std::vector<std::string> metrics;  // NAME[:TOLERANCE], repeatable
  std::string tolerance = "5%";      // the default tolerance
  std::string junit;                 // JUnit XML file ("" for none)
  std::string markdown;              // Markdown file ("" for none)
  bool quiet = false;
};

// Adds `compare` to `app`.
void add_compare_command(CLI::App& app, CompareArguments& args);

// Runs the gate: 0 when every check passes, kExitRegression when one
// fails. Throws InputError for bad input (the CLI exits 2).
int run_compare_command(const CompareArguments& args);

}  // namespace capsim::cli
