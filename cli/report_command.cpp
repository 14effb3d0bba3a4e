#include "cli/report_command.hpp"

#include <cstdio>
#include <filesystem>
#include <stdexcept>

#include "core/error.hpp"
#include "sim/report.hpp"

namespace capsim::cli {

void add_report_command(CLI::App& app, ReportArguments& args) {
  args.command = app.add_subcommand("report", "write a self-contained HTML report of a result folder");
  args.command->add_option("result_dir", args.directory, "folder written by capsim run, plan or sweep")->required();
  args.command->add_option("-o,--output", args.output, "HTML file to write (default: RESULT_DIR/report.html)");
}

int run_report_command(const ReportArguments& args) {
  const std::filesystem::path directory = args.directory;
  const std::filesystem::path output =
      args.output.empty() ? directory / "report.html" : std::filesystem::path(args.output);
  try {
    sim::write_report(directory, output);
  } catch (const InputError&) {
    throw;
  } catch (const std::runtime_error& e) {
    // The folder was read; the output could not be written.
    throw InputError({"command line", 0, 0}, "-o", "a file that can be written", e.what());
  }
  std::printf("%s\n", output.c_str());
  return 0;
}

}  // namespace capsim::cli
