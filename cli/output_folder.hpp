// Where a command writes its results: -o, else the scenario's
// run.output_dir, else results/<scenario file's stem>; created if needed.
#pragma once

#include <filesystem>
#include <string>

#include "core/scenario.hpp"

namespace capsim::cli {

// Throws InputError (naming -o or run.output_dir) when it cannot be created.
std::filesystem::path make_output_directory(const Scenario& scenario, const std::string& output_option);

}  // namespace capsim::cli
