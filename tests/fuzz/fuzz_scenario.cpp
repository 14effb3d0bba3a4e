// libFuzzer target: any bytes given to the scenario loader end in a scenario
// or an InputError, never a crash, a hang or unbounded memory. Build and run
// (clang, not part of the default build):
//   clang++ -std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined -I. -Ibuild/generated \
//     tests/fuzz/fuzz_scenario.cpp core/*.cpp core/traces/*.cpp -lyaml-cpp -larchive -o build/fuzz_scenario
//   build/fuzz_scenario -max_total_time=300 -rss_limit_mb=2048 -timeout=10 tests/data/golden
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/scenario.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    capsim::parse_scenario(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.yaml", "/nonexistent");
  } catch (const capsim::InputError&) {
  }
  return 0;
}
