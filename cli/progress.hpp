// The progress line of long runs: shown on a terminal, silent when standard
// error is not a terminal, in CI (CI=true) or with --quiet.
#pragma once

#include <chrono>
#include <cstdio>

#include "sim/engine.hpp"

namespace capsim::cli {

class ProgressLine {
 public:
  // `enabled`: whether to draw at all (see should_show()).
  explicit ProgressLine(bool enabled);
  ~ProgressLine() { clear(); }

  // Whether a progress line belongs on this process's standard error.
  static bool should_show(bool quiet);

  void update(const sim::EngineProgress& progress);
  // Replaces the line with `text` (when enabled).
  void show(const char* text);
  void clear();
  // Wall-clock seconds since construction.
  double elapsed_seconds() const;

 private:
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace capsim::cli
