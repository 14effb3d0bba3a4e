// Policies found by name: the registry that a scenario's `policies:` names
// are looked up in. It is an object, not a global: a run gets one (usually
// PolicyRegistry::with_builtins()), and Python adds its own policies to it.
// Built-in policies are listed once per extension point, in
// scheduler/queue/builtin.cpp, scheduler/placement/builtin.cpp,
// scheduler/autoscale/builtin.cpp and scheduler/energy/builtin.cpp.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/config_tree.hpp"
#include "core/scenario.hpp"
#include "scheduler/autoscale/autoscaling_policy.hpp"
#include "scheduler/energy/energy_policy.hpp"
#include "scheduler/placement/placement_policy.hpp"
#include "scheduler/queue/queue_policy.hpp"

namespace capsim::scheduler {

// A policy's parameters as the scenario gave them: the policy's map (with its
// `name` key) or null, and its field path for error messages.
struct PolicyParams {
  const ConfigNode* node = nullptr;
  std::string field;
  // The run's seed: a policy that draws at random derives its own stream from
  // it (RandomStream::derive(seed, "placement.<name>")).
  std::uint64_t seed = 1;
  // The scenario's job classes (their speed per GPU type: the throughput
  // matrix) and GPU catalog, for heterogeneity-aware policies; null when the
  // caller has none (a policy then falls back to the catalog's speeds, or to
  // equal speeds). Both outlive the policy.
  const JobClasses* job_classes = nullptr;
  const GpuCatalog* catalog = nullptr;
  // The scenario's cluster (its regions' carbon intensity), for energy
  // policies; outlives the policy.
  const ClusterSpec* cluster = nullptr;
  // Where the scenario names the policy (for a policy that needs parameters
  // and was given none).
  SourceLocation where;
  // A reader of the policy's map that rejects keys other than `name` and
  // `allowed`; nothing when the scenario named the policy without a map.
  std::optional<MapReader> reader(std::initializer_list<std::string_view> allowed) const;
};

// A policy parameter: a number in [min, max] (above min, when `above_min`),
// or `fallback` when the key is absent; throws InputError naming the field.
double number_or(const MapReader& map, std::string_view key, double fallback, double min, double max,
                 bool above_min = false);
// A duration in [min, max] (above min, when `above_min`), or `fallback`.
Duration duration_or(const MapReader& map, std::string_view key, Duration fallback, Duration min, Duration max,
                     bool above_min = false);

class PolicyRegistry {
 public:
  using QueueFactory = std::function<std::unique_ptr<QueuePolicy>(const PolicyParams&)>;
  using PlacementFactory = std::function<std::unique_ptr<PlacementPolicy>(const PolicyParams&)>;
  // An autoscaling factory builds one policy object per service (a policy
  // keeps that service's history).
  using AutoscalingFactory = std::function<std::unique_ptr<AutoscalingPolicy>(const PolicyParams&)>;
  using EnergyFactory = std::function<std::unique_ptr<EnergyPolicy>(const PolicyParams&)>;

  // The registry with every built-in policy.
  static PolicyRegistry with_builtins();

  // Registers a policy; a second registration of a name replaces the first.
  void add_queue(std::string name, std::string summary, QueueFactory factory);
  void add_placement(std::string name, std::string summary, PlacementFactory factory);
  void add_autoscaling(std::string name, std::string summary, AutoscalingFactory factory);
  void add_energy(std::string name, std::string summary, EnergyFactory factory);

  // Builds the policy a scenario names; throws InputError naming the field
  // when the name is unknown (listing the known ones) or a parameter is bad.
  // `seed`: the run's (PolicyParams::seed); `job_classes` and `catalog`: the
  // scenario's (PolicyParams), which must outlive the policy.
  std::unique_ptr<QueuePolicy> make_queue(const PolicySpec& spec, std::uint64_t seed = 1,
                                          const JobClasses* job_classes = nullptr,
                                          const GpuCatalog* catalog = nullptr) const;
  std::unique_ptr<PlacementPolicy> make_placement(const PolicySpec& spec, std::uint64_t seed = 1,
                                                  const JobClasses* job_classes = nullptr,
                                                  const GpuCatalog* catalog = nullptr) const;
  // One service's autoscaler (call once per service).
  std::unique_ptr<AutoscalingPolicy> make_autoscaling(const PolicySpec& spec, std::uint64_t seed = 1) const;
  // The run's energy policy; `catalog` and `cluster` must outlive it.
  std::unique_ptr<EnergyPolicy> make_energy(const PolicySpec& spec, std::uint64_t seed, const GpuCatalog& catalog,
                                            const ClusterSpec& cluster) const;

  struct Entry {
    std::string name;
    std::string summary;
  };
  std::vector<Entry> queue_policies() const;
  std::vector<Entry> placement_policies() const;
  std::vector<Entry> autoscaling_policies() const;
  std::vector<Entry> energy_policies() const;

 private:
  template <typename Factory>
  struct Registered {
    std::string summary;
    Factory factory;
  };
  std::map<std::string, Registered<QueueFactory>> queue_;
  std::map<std::string, Registered<PlacementFactory>> placement_;
  std::map<std::string, Registered<AutoscalingFactory>> autoscaling_;
  std::map<std::string, Registered<EnergyFactory>> energy_;
};

// Defined in scheduler/queue/builtin.cpp, scheduler/placement/builtin.cpp,
// scheduler/autoscale/builtin.cpp and scheduler/energy/builtin.cpp.
void register_builtin_queue_policies(PolicyRegistry& registry);
void register_builtin_placement_policies(PolicyRegistry& registry);
void register_builtin_autoscaling_policies(PolicyRegistry& registry);
void register_builtin_energy_policies(PolicyRegistry& registry);

}  // namespace capsim::scheduler
