// `capsim sweep` and `capsim plan`: many simulations of one scenario, on
// every core and, under mpirun, on every rank. The sweeping and searching
// themselves are in core/sweep.hpp, sim/sweep.hpp and sim/plan.hpp; this
// wires them to arguments, folders, MPI and exit codes.
#pragma once

#include <CLI/CLI.hpp>

#include <atomic>
#include <string>

namespace capsim::cli {

struct PlanningArguments {
  CLI::App* sweep = nullptr;
  CLI::App* plan = nullptr;
  std::string scenario_path;
  std::string output_option;
  std::string trace_option;
  unsigned jobs = 0;  // runs at once per process (0: the cores, shared among the ranks on a machine)
  bool quiet = false;
  bool table_only = false;  // sweep: no results folder per point
  bool exhaustive = false;  // plan: the whole grid instead of the search
};

// Adds `sweep` and `plan` to `app`.
void add_planning_commands(CLI::App& app, PlanningArguments& args);

// Runs the one that was parsed (false from both: not called). Throws
// InputError for bad input; `interrupted` (SIGINT) stops the runs, and what
// finished is written.
int run_planning_command(const PlanningArguments& args, const std::atomic<bool>& interrupted);

}  // namespace capsim::cli
