// bench/trace_read: that reading a trace streams. For growing sizes it writes
// an unsorted native-CSV trace (random submit times over 30 days) to a
// temporary folder, then reads it through the replay pipeline (parse, sort in
// 64 MiB runs spilled to temporary files, merge) in a child process, and
// prints rows/s and the child's peak memory. Memory should stay flat as the
// trace grows; time should grow about linearly.
//
// Usage: bench/trace_read [--sizes 1000000,4000000,16000000] [--gzip]
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "bench/child.hpp"
#include "core/random.hpp"
#include "core/trace.hpp"

namespace {

void write_trace(const std::filesystem::path& path, std::int64_t rows) {
  std::ofstream out(path);
  out << "job_id,submit_s,gpus,duration_s,user\n";
  auto random = capsim::RandomStream::derive(1, "bench.trace_read");
  char line[128];
  for (std::int64_t i = 0; i < rows; ++i) {
    const double submit = random.uniform01() * 30 * 86400;
    const int gpus = 1 << random.uniform_below(4);
    const double duration = random.exponential(3600);
    const int n = std::snprintf(line, sizeof line, "j%lld,%.3f,%d,%.1f,u%llu\n", static_cast<long long>(i), submit,
                                gpus, duration, static_cast<unsigned long long>(random.uniform_below(500)));
    out.write(line, n);
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::int64_t> sizes = {1'000'000, 4'000'000, 16'000'000};
  bool gzip = false;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--sizes") == 0 && i + 1 < argc) {
      sizes.clear();
      for (char* p = std::strtok(argv[++i], ","); p != nullptr; p = std::strtok(nullptr, ",")) {
        sizes.push_back(std::atoll(p));
      }
    } else if (std::strcmp(argv[i], "--gzip") == 0) {
      gzip = true;
    }
  }
  const auto dir = std::filesystem::temp_directory_path() / ("capsim-trace-read-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  for (const std::int64_t rows : sizes) {
    auto path = dir / "trace.csv";
    write_trace(path, rows);
    if (gzip) {
      if (std::system(("gzip -f -1 " + path.string()).c_str()) != 0) return 1;
      path += ".gz";
    }
    const auto bytes = std::filesystem::file_size(path);
    const auto report = capsim::bench::run_in_child<2>([&] {
      const capsim::GpuCatalog catalog = capsim::GpuCatalog::builtin();
      capsim::TraceSpec spec;
      spec.format = capsim::TraceFormat::kCsv;
      spec.path = path;
      const auto start = std::chrono::steady_clock::now();
      const auto source = capsim::open_trace(spec, catalog, 1);
      capsim::JobSpec job;
      double count = 0;
      capsim::Time last;
      while (source->next(job)) {
        if (job.submit < last) ::_exit(3);  // must come out sorted
        last = job.submit;
        ++count;
      }
      return std::array<double, 2>{std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(),
                                   count};
    });
    if (!report) {
      std::fprintf(stderr, "reading %lld rows failed\n", static_cast<long long>(rows));
      return 1;
    }
    std::printf("trace_read %lld rows (%.0f MiB%s, unsorted): %.2f s (%.0f rows/s), peak memory %.1f MiB\n",
                static_cast<long long>(rows), static_cast<double>(bytes) / (1 << 20), gzip ? " gzip" : "",
                report->figures[0], report->figures[1] / report->figures[0], report->peak_mib);
    std::filesystem::remove(path);
  }
  std::filesystem::remove_all(dir);
  return 0;
}
