// libFuzzer target: any bytes given to a trace reader and the replay
// pipeline end in jobs or an InputError, never a crash, a hang or unbounded
// memory. The first byte picks the format (and whether bad rows are
// skipped); the rest is the file. Build and run (clang, not part of the
// default build):
//   clang++ -std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined -I. -Ibuild/generated \
//     tests/fuzz/fuzz_trace.cpp core/*.cpp core/traces/*.cpp -lyaml-cpp -larchive -o build/fuzz_trace
//   mkdir -p build/fuzz_trace_corpus && build/fuzz_trace -max_total_time=300 -rss_limit_mb=2048 \
//     -timeout=10 build/fuzz_trace_corpus
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include "core/trace.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  static const capsim::GpuCatalog catalog = capsim::GpuCatalog::builtin();
  static const std::string path = "/tmp/capsim-fuzz-trace-" + std::to_string(::getpid());
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr) return 0;
  std::fwrite(data + 1, 1, size - 1, file);
  std::fclose(file);
  capsim::TraceSpec spec;
  spec.format = static_cast<capsim::TraceFormat>(data[0] % 5);
  spec.skip_bad_rows = (data[0] & 0x80) != 0;
  spec.path = path;
  spec.gpu_types = {{"G2", 0}};
  if ((data[0] & 0x40) != 0) spec.scale = 2.5;
  try {
    const auto source = capsim::open_trace(spec, catalog, 1);
    capsim::JobSpec job;
    while (source->next(job)) {
    }
  } catch (const capsim::InputError&) {
  }
  return 0;
}
