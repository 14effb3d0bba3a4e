// Running a measurement in a child process, so that its peak memory (the
// kernel's maximum resident set of the child) is its own. Shared by the
// benchmarks that report peak memory.
#pragma once

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstddef>
#include <optional>

namespace capsim::bench {

template <std::size_t N>
struct ChildReport {
  std::array<double, N> figures{};
  double peak_mib = 0;
};

// Forks; the child runs `measure` (which returns N figures) and exits; the
// parent returns the figures and the child's peak memory, or nothing when
// the child failed (exit status other than 0, or no figures).
template <std::size_t N, typename Measure>
std::optional<ChildReport<N>> run_in_child(Measure measure) {
  int fds[2];
  if (::pipe(fds) != 0) return std::nullopt;
  const pid_t child = ::fork();
  if (child < 0) return std::nullopt;
  if (child == 0) {
    ::close(fds[0]);
    const std::array<double, N> figures = measure();
    const bool sent = ::write(fds[1], figures.data(), sizeof figures) == static_cast<ssize_t>(sizeof figures);
    ::_exit(sent ? 0 : 1);
  }
  ::close(fds[1]);
  ChildReport<N> report;
  const bool ok =
      ::read(fds[0], report.figures.data(), sizeof report.figures) == static_cast<ssize_t>(sizeof report.figures);
  ::close(fds[0]);
  int status = 0;
  struct rusage usage {};
  ::wait4(child, &status, 0, &usage);
  if (!ok || !WIFEXITED(status) || WEXITSTATUS(status) != 0) return std::nullopt;
  report.peak_mib = static_cast<double>(usage.ru_maxrss) / 1024.0;
  return report;
}

}  // namespace capsim::bench
