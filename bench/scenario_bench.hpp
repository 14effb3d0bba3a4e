// What the benchmarks that time whole scenarios share: `[--repeat R]
// [SCENARIO]` on the command line, the scenario loaded (a bad one printed,
// exit 2), and medians.
#pragma once

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "core/scenario.hpp"

namespace capsim::bench {

inline double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

struct ScenarioBench {
  int repeat = 0;
  std::string path;
  Scenario scenario;
};

// Reads `[--repeat R] [SCENARIO]`; nullopt (after printing the error) when
// the scenario does not load.
inline std::optional<ScenarioBench> scenario_bench(int argc, char** argv, int repeat, std::string path) {
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--repeat") == 0 && i + 1 < argc) {
      repeat = std::max(1, std::atoi(argv[++i]));
    } else {
      path = argv[i];
    }
  }
  try {
    return ScenarioBench{repeat, path, load_scenario(path)};
  } catch (const InputError& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return std::nullopt;
  }
}

}  // namespace capsim::bench
