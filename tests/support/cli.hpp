// Running the built `capsim` binary as a user would, for the command-line
// tests: its exit code and what it printed. Header-only, because the
// binary's path (CAPSIM_BINARY) is a compile definition of the test target.
#pragma once

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "tests/support/helpers.hpp"

namespace capsim::testing {

struct CliOutcome {
  int code = -1;
  std::string out;
  std::string err;
};

inline std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Runs capsim with `args` (shell words) in `dir`; stdout and stderr go to
// stdout.txt and stderr.txt there.
inline CliOutcome capsim_cli(const std::string& args, const TempDir& dir) {
  const auto out = dir.path() / "stdout.txt";
  const auto err = dir.path() / "stderr.txt";
  const std::string command = "cd '" + dir.path().string() + "' && '" + std::string(CAPSIM_BINARY) + "' " + args +
                              " > '" + out.string() + "' 2> '" + err.string() + "'";
  const int status = std::system(command.c_str());
  CliOutcome outcome;
  outcome.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  outcome.out = slurp(out);
  outcome.err = slurp(err);
  return outcome;
}

}  // namespace capsim::testing
