#include "tests/support/helpers.hpp"

#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <fstream>

#include "scheduler/registry.hpp"

namespace capsim::testing {

TempDir::TempDir() {
  static std::atomic<int> counter{0};
  path_ = std::filesystem::temp_directory_path() /
          ("capsim-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  std::filesystem::remove_all(path_);
  std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::filesystem::path TempDir::write(const std::string& name, const std::string& text) const {
  const std::filesystem::path file = path_ / name;
  std::ofstream out(file, std::ios::binary);
  out << text;
  return file;
}

InputError input_error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const InputError& e) {
    return e;
  }
  FAIL("expected an InputError, none was thrown");
  throw std::logic_error("unreachable");
}

Scenario scenario_from(const std::string& yaml, const std::string& file, const std::filesystem::path& base_dir) {
  return parse_scenario(yaml, file, base_dir);
}

sim::RunResults run_yaml(const std::string& yaml) {
  return sim::run_scenario(scenario_from(yaml));
}

std::unique_ptr<scheduler::SchedulerCore> core_for(const Scenario& scenario, const ClusterLayout& layout) {
  const auto registry = scheduler::PolicyRegistry::with_builtins();
  const JobClasses* classes = &scenario.workload.job_classes;
  return std::make_unique<scheduler::SchedulerCore>(
      layout, scenario.catalog,
      registry.make_queue(scenario.queue_policy, scenario.run.seed, classes, &scenario.catalog),
      registry.make_placement(scenario.placement_policy, scenario.run.seed, classes, &scenario.catalog));
}

std::string decisions_text(std::span<const scheduler::Decision> decisions) {
  using scheduler::DecisionKind;
  using scheduler::RejectReason;
  std::string text;
  for (const scheduler::Decision& d : decisions) {
    if (!text.empty()) text += "; ";
    text += std::string(scheduler::to_string(d.kind)) + " " + std::to_string(d.job);
    if (d.kind == DecisionKind::kReject && d.reject_reason == RejectReason::kSharedGpus) text += " (shared GPUs)";
    if (d.kind == DecisionKind::kReject && d.reject_reason == RejectReason::kCpuNotModelled) text += " (no CPU)";
    if (d.kind == DecisionKind::kReject && d.reject_reason == RejectReason::kNoRegionServes) text += " (no region)";
    for (const scheduler::NodeShare& s : d.allocation) {
      text += " n" + std::to_string(s.node);
      if (s.is_gpu_share()) text += "g" + std::to_string(s.gpu);
      text += "x" + std::to_string(s.is_gpu_share() ? s.gpu_milli : s.gpus);
    }
  }
  return text;
}

std::filesystem::path source_dir() {
  return CAPSIM_SOURCE_DIR;
}

std::optional<std::filesystem::path> shared_traces() {
  const std::filesystem::path traces = source_dir().parent_path() / "shared" / "traces";
  if (std::filesystem::is_directory(traces)) return traces;
  return std::nullopt;
}

}  // namespace capsim::testing
