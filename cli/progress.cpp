#include "cli/progress.hpp"

#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>

namespace capsim::cli {

ProgressLine::ProgressLine(bool enabled)
    : enabled_(enabled), start_(std::chrono::steady_clock::now()), last_draw_(start_) {}

bool ProgressLine::should_show(bool quiet) {
  if (quiet || !::isatty(STDERR_FILENO)) return false;
  const char* ci = std::getenv("CI");
  return !(ci && (std::strcmp(ci, "true") == 0 || std::strcmp(ci, "1") == 0));
}

double ProgressLine::elapsed_seconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void ProgressLine::update(const sim::EngineProgress& progress) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (now - last_draw_ < std::chrono::milliseconds(200)) return;
  last_draw_ = now;
  const double elapsed = elapsed_seconds();
  const double rate = elapsed > 0 ? static_cast<double>(progress.events) / elapsed : 0;
  std::fprintf(stderr, "\r\033[K  simulated %s | %llu jobs arrived, %llu ended | %.2fM events/s",
               format_duration(progress.now.since_start()).c_str(),
               static_cast<unsigned long long>(progress.jobs_arrived),
               static_cast<unsigned long long>(progress.jobs_ended), rate / 1e6);
  std::fflush(stderr);
  drawn_ = true;
}

void ProgressLine::show(const char* text) {
  if (!enabled_) return;
  std::fprintf(stderr, "\r\033[K  %s", text);
  std::fflush(stderr);
  drawn_ = true;
}

void ProgressLine::clear() {
  if (!drawn_) return;
  std::fprintf(stderr, "\r\033[K");
  std::fflush(stderr);
  drawn_ = false;
}

}  // namespace capsim::cli
