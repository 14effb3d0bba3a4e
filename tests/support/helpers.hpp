// Small helpers shared by the tests: temporary folders, files, scenarios
// from text, the InputError a piece of code throws, and the scheduler's
// decisions as text.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "core/error.hpp"
#include "core/scenario.hpp"
#include "scheduler/scheduler_core.hpp"
#include "scheduler/types.hpp"
#include "sim/results.hpp"
#include "sim/run.hpp"

namespace capsim::testing {

// A fresh folder under the system's temporary folder, removed at destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  // Writes `text` to a file in the folder and returns its path.
  std::filesystem::path write(const std::string& name, const std::string& text) const;

 private:
  std::filesystem::path path_;
};

// The InputError `fn` throws; fails the test when it throws nothing or
// something else.
InputError input_error_of(const std::function<void()>& fn);

// Parses a scenario from text (named `file` in messages); relative paths
// resolve against `base_dir`.
Scenario scenario_from(const std::string& yaml, const std::string& file = "test.yaml",
                       const std::filesystem::path& base_dir = ".");

// Runs a scenario given as text.
sim::RunResults run_yaml(const std::string& yaml);

// The scheduler core sim::run_scenario builds for `scenario` on `layout`
// (its queue and placement policies from the builtin registry), for tests
// that drive an engine themselves with their own observers.
std::unique_ptr<scheduler::SchedulerCore> core_for(const Scenario& scenario, const ClusterLayout& layout);

// A scheduling pass's decisions as the scheduler tests compare them:
// "preempt 1; start 2 n0x4 n1x4; start 3 n1g0x250; reject 4 (no CPU)" (or
// "(no region)": none in the regions it may run in). A
// start lists its nodes with their GPUs (a CPU-only job's node as n0x0), a
// share of a GPU as node, GPU and thousandths; a rejection for another
// reason than its size names the reason.
std::string decisions_text(std::span<const scheduler::Decision> decisions);

// The repository's root (for scenarios/ and tests/data/).
std::filesystem::path source_dir();
// ../shared/traces, if it exists.
std::optional<std::filesystem::path> shared_traces();

}  // namespace capsim::testing
