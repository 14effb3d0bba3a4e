// The policy registry: names, parameters, errors, and the rule that every
// policy file is registered in its extension point's builtin.cpp.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "scheduler/registry.hpp"
#include "tests/support/helpers.hpp"

using namespace capsim;
using namespace capsim::scheduler;
using capsim::testing::input_error_of;
using capsim::testing::scenario_from;

namespace {
const char* kCluster =
    "cluster: {node_groups: [{gpu: V100, gpus_per_node: 8, count: 1}]}\n"
    "workload: {jobs: [{submit: 0s, gpus: 1, duration: 1s}]}\n";
}

TEST_CASE("built-in policies are found by name", "[scheduler][registry]") {
  const auto registry = PolicyRegistry::with_builtins();
  const Scenario s = scenario_from(std::string(kCluster) + "policies: {queue: fifo, placement: first_fit}\n");
  CHECK(registry.make_queue(s.queue_policy)->name() == "fifo");
  CHECK(registry.make_placement(s.placement_policy)->name() == "first_fit");
  CHECK(registry.queue_policies().size() >= 1);
  CHECK(registry.placement_policies().size() >= 2);
  std::vector<std::string> autoscaling;
  for (const auto& entry : registry.autoscaling_policies()) autoscaling.push_back(entry.name);
  CHECK(autoscaling == std::vector<std::string>{"hpa", "keda", "knative", "predictive"});
  std::vector<std::string> energy;
  for (const auto& entry : registry.energy_policies()) energy.push_back(entry.name);
  CHECK(energy == std::vector<std::string>{"carbon_aware", "none", "power_cap", "power_off"});
}

TEST_CASE("an unknown policy names the field and the closest name", "[scheduler][registry]") {
  const auto registry = PolicyRegistry::with_builtins();
  const Scenario s =
      scenario_from(std::string(kCluster) + "policies:\n  queue: fifo\n  placement: best_fti\n", "p.yaml");
  const auto e = input_error_of([&] { registry.make_placement(s.placement_policy); });
  CHECK(e.where().file == "p.yaml");
  CHECK(e.where().line == 5);
  CHECK(e.field() == "policies.placement");
  CHECK(e.expected().find("did you mean \"best_fit\"") != std::string::npos);

  const Scenario m = scenario_from(std::string(kCluster) + "policies:\n  queue: {name: lifo}\n", "p.yaml");
  const auto e2 = input_error_of([&] { registry.make_queue(m.queue_policy); });
  CHECK(e2.field() == "policies.queue.name");
  CHECK(e2.where().line == 4);
}

TEST_CASE("policy parameters are validated", "[scheduler][registry]") {
  const auto registry = PolicyRegistry::with_builtins();
  const Scenario ok = scenario_from(std::string(kCluster) + "policies: {queue: {name: fifo, skip_blocked: true}}\n");
  CHECK_FALSE(registry.make_queue(ok.queue_policy)->blocks_queue());
  const Scenario bad = scenario_from(std::string(kCluster) + "policies:\n  queue: {name: fifo, skip_blocked: yes}\n");
  const auto e = input_error_of([&] { registry.make_queue(bad.queue_policy); });
  CHECK(e.field() == "policies.queue.skip_blocked");
  CHECK(e.where().line == 4);
  const Scenario extra = scenario_from(std::string(kCluster) + "policies:\n  placement: {name: best_fit, spread: 2}\n");
  const auto e2 = input_error_of([&] { registry.make_placement(extra.placement_policy); });
  CHECK(e2.field() == "policies.placement.spread");
}

TEST_CASE("Python-style registration: a new policy joins the registry", "[scheduler][registry]") {
  PolicyRegistry registry = PolicyRegistry::with_builtins();
  struct Lifo final : QueuePolicy {
    std::string_view name() const override { return "lifo"; }
    QueueKey key(const JobView& job) override { return {-static_cast<double>(job.job().submit.count_us()), 0}; }
    bool blocks_queue() const override { return true; }
  };
  registry.add_queue("lifo", "last in, first out", [](const PolicyParams&) { return std::make_unique<Lifo>(); });
  const Scenario s = scenario_from(std::string(kCluster) + "policies: {queue: lifo}\n");
  CHECK(registry.make_queue(s.queue_policy)->name() == "lifo");
}

TEST_CASE("every policy file is registered in its builtin.cpp", "[scheduler][registry]") {
  // STYLE.md: built-in policies are listed once, in one builtin.cpp per
  // extension point. A policy file is any header of the folder other than
  // the interface and shared mechanics.
  const std::filesystem::path root = capsim::testing::source_dir() / "scheduler";
  for (const char* folder : {"queue", "placement", "autoscale", "energy"}) {
    std::ifstream in(root / folder / "builtin.cpp");
    std::stringstream builtin;
    builtin << in.rdbuf();
    for (const auto& entry : std::filesystem::directory_iterator(root / folder)) {
      const std::string file = entry.path().filename().string();
      if (entry.path().extension() != ".hpp") continue;
      if (file == "queue_policy.hpp" || file == "placement_policy.hpp" || file == "autoscaling_policy.hpp" ||
          file == "energy_policy.hpp" || file == "combined.hpp" || file == "node_choice.hpp" ||
          file == "scored_choice.hpp" || file == "failure_memo.hpp" || file == "max_min_fairness.hpp")
        continue;
      INFO(folder << "/" << file);
      CHECK(builtin.str().find("#include \"scheduler/" + std::string(folder) + "/" + file + "\"") != std::string::npos);
    }
  }
}
