// `capsim report RESULT_DIR [-o FILE]`: the HTML report of a result folder
// (sim/report.hpp). This wires the arguments to it.
#pragma once

#include <CLI/CLI.hpp>

#include <string>

namespace capsim::cli {

struct ReportArguments {
  CLI::App* command = nullptr;
  std::string directory;
  std::string output;  // "" = RESULT_DIR/report.html
};

// Adds `report` to `app`.
void add_report_command(CLI::App& app, ReportArguments& args);

// Writes the report; throws InputError for a folder that is not a result
// folder or a file in it that cannot be read. Returns the exit code.
int run_report_command(const ReportArguments& args);

}  // namespace capsim::cli
