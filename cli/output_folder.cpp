#include "cli/output_folder.hpp"

#include <system_error>

#include "core/error.hpp"

namespace capsim::cli {

std::filesystem::path make_output_directory(const Scenario& scenario, const std::string& output_option) {
  std::filesystem::path directory = output_option;
  if (directory.empty()) directory = scenario.run.output_dir;
  if (directory.empty()) directory = std::filesystem::path("results") / scenario.file.stem();
  std::error_code ec;
  std::filesystem::create_directories(directory, ec);
  if (ec || !std::filesystem::is_directory(directory)) {
    throw InputError({"command line", 0, 0}, output_option.empty() ? "run.output_dir" : "-o",
                     "a folder that can be created and written",
                     quote_for_message(directory.string()) + " (" + ec.message() + ")");
  }
  return directory;
}

}  // namespace capsim::cli
