#include "scheduler/registry.hpp"

#include <algorithm>

#include "scheduler/energy/combined.hpp"

namespace capsim::scheduler {

namespace {

template <typename Map>
const typename Map::mapped_type& lookup(const Map& map, const PolicySpec& spec, std::string_view kind) {
  const auto it = map.find(spec.name);
  if (it != map.end()) return it->second;
  std::vector<std::string_view> names;
  std::string known;
  for (const auto& [name, unused] : map) {
    names.push_back(name);
    if (!known.empty()) known += ", ";
    known += name;
  }
  const std::string article = std::string_view("aeiou").find(kind.front()) != std::string_view::npos ? "an " : "a ";
  std::string expected = article + std::string(kind) + " policy: " + known;
  const std::string suggestion = closest_word(spec.name, names);
  if (!suggestion.empty())
    expected =
        "a known " + std::string(kind) + " policy (did you mean " + quote_for_message(suggestion) + "?): " + known;
  const std::string field = spec.params ? spec.field + ".name" : spec.field;
  SourceLocation where = spec.where;
  if (spec.params) {
    if (const auto* entry = spec.params->find("name")) where = entry->value->where();
  }
  throw InputError(where, field, expected, quote_for_message(spec.name));
}

template <typename Map>
std::vector<PolicyRegistry::Entry> entries(const Map& map) {
  std::vector<PolicyRegistry::Entry> result;
  for (const auto& [name, registered] : map) result.push_back({name, registered.summary});
  return result;
}

std::string number_text(double value) {
  std::string text = std::to_string(value);
  text.erase(text.find_last_not_of('0') + 1);
  if (text.back() == '.') text.pop_back();
  return text;
}

}  // namespace

double number_or(const MapReader& map, std::string_view key, double fallback, double min, double max, bool above_min) {
  const ConfigNode* node = map.optional(key);
  if (node == nullptr) return fallback;
  const double value = read_number(*node, map.field(key), min, max);
  if (above_min && !(value > min)) {
    throw InputError(node->where(), map.field(key), "a number above " + number_text(min), node->describe());
  }
  return value;
}

Duration duration_or(const MapReader& map, std::string_view key, Duration fallback, Duration min, Duration max,
                     bool above_min) {
  const ConfigNode* node = map.optional(key);
  if (node == nullptr) return fallback;
  const Duration value = read_duration(*node, map.field(key));
  if (value < min || value > max || (above_min && value == min)) {
    const std::string low = (above_min ? "above " : "from ") + format_duration(min);
    throw InputError(node->where(), map.field(key), "a duration " + low + " to " + format_duration(max),
                     node->describe());
  }
  return value;
}

std::optional<MapReader> PolicyParams::reader(std::initializer_list<std::string_view> allowed) const {
  if (node == nullptr) return std::nullopt;
  std::vector<std::string_view> keys{"name"};
  keys.insert(keys.end(), allowed.begin(), allowed.end());
  return MapReader(*node, field, std::move(keys));
}

PolicyRegistry PolicyRegistry::with_builtins() {
  PolicyRegistry registry;
  register_builtin_queue_policies(registry);
  register_builtin_placement_policies(registry);
  register_builtin_autoscaling_policies(registry);
  register_builtin_energy_policies(registry);
  return registry;
}

void PolicyRegistry::add_queue(std::string name, std::string summary, QueueFactory factory) {
  queue_[std::move(name)] = {std::move(summary), std::move(factory)};
}

void PolicyRegistry::add_placement(std::string name, std::string summary, PlacementFactory factory) {
  placement_[std::move(name)] = {std::move(summary), std::move(factory)};
}

void PolicyRegistry::add_autoscaling(std::string name, std::string summary, AutoscalingFactory factory) {
  autoscaling_[std::move(name)] = {std::move(summary), std::move(factory)};
}

void PolicyRegistry::add_energy(std::string name, std::string summary, EnergyFactory factory) {
  energy_[std::move(name)] = {std::move(summary), std::move(factory)};
}

std::unique_ptr<QueuePolicy> PolicyRegistry::make_queue(const PolicySpec& spec, std::uint64_t seed,
                                                        const JobClasses* job_classes,
                                                        const GpuCatalog* catalog) const {
  auto policy =
      lookup(queue_, spec, "queue")
          .factory(PolicyParams{spec.params.get(), spec.field, seed, job_classes, catalog, nullptr, spec.where});
  CAPSIM_CHECK(policy != nullptr) << "queue policy factory for " << spec.name << " returned null";
  return policy;
}

std::unique_ptr<PlacementPolicy> PolicyRegistry::make_placement(const PolicySpec& spec, std::uint64_t seed,
                                                                const JobClasses* job_classes,
                                                                const GpuCatalog* catalog) const {
  auto policy =
      lookup(placement_, spec, "placement")
          .factory(PolicyParams{spec.params.get(), spec.field, seed, job_classes, catalog, nullptr, spec.where});
  CAPSIM_CHECK(policy != nullptr) << "placement policy factory for " << spec.name << " returned null";
  return policy;
}

std::unique_ptr<AutoscalingPolicy> PolicyRegistry::make_autoscaling(const PolicySpec& spec, std::uint64_t seed) const {
  auto policy = lookup(autoscaling_, spec, "autoscaling")
                    .factory(PolicyParams{spec.params.get(), spec.field, seed, nullptr, nullptr, nullptr, spec.where});
  CAPSIM_CHECK(policy != nullptr) << "autoscaling policy factory for " << spec.name << " returned null";
  return policy;
}

std::unique_ptr<EnergyPolicy> PolicyRegistry::make_energy(const PolicySpec& spec, std::uint64_t seed,
                                                          const GpuCatalog& catalog, const ClusterSpec& cluster) const {
  if (spec.params && spec.params->kind() == ConfigNode::Kind::kSequence) {
    // Several, each doing its own part (scheduler/energy/combined.hpp).
    std::vector<std::unique_ptr<EnergyPolicy>> parts;
    std::vector<std::pair<std::string_view, std::string>> kinds_seen;  // (kind, the policy doing it)
    const auto& items = spec.params->items();
    for (std::size_t i = 0; i < items.size(); ++i) {
      const PolicySpec part = parse_policy_node(items[i], spec.field + "[" + std::to_string(i) + "]");
      if (part.params && part.params->kind() == ConfigNode::Kind::kSequence) {
        throw InputError(part.where, part.field, "a policy name or map (lists do not nest)", "a list");
      }
      parts.push_back(make_energy(part, seed, catalog, cluster));
      for (const std::string_view kind : CombinedEnergyPolicy::kinds_of(*parts.back())) {
        for (const auto& [seen, by] : kinds_seen) {
          if (seen == kind) {
            throw InputError(
                part.where, part.field,
                "an energy policy that does something else than " + by + " (which " + std::string(kind) + ")",
                part.name);
          }
        }
        kinds_seen.emplace_back(kind, part.name);
      }
    }
    return std::make_unique<CombinedEnergyPolicy>(std::move(parts));
  }
  const PolicyParams params{spec.params.get(), spec.field, seed, nullptr, &catalog, &cluster, spec.where};
  auto policy = lookup(energy_, spec, "energy").factory(params);
  CAPSIM_CHECK(policy != nullptr) << "energy policy factory for " << spec.name << " returned null";
  return policy;
}

std::vector<PolicyRegistry::Entry> PolicyRegistry::queue_policies() const {
  return entries(queue_);
}
std::vector<PolicyRegistry::Entry> PolicyRegistry::placement_policies() const {
  return entries(placement_);
}
std::vector<PolicyRegistry::Entry> PolicyRegistry::autoscaling_policies() const {
  return entries(autoscaling_);
}
std::vector<PolicyRegistry::Entry> PolicyRegistry::energy_policies() const {
  return entries(energy_);
}

}  // namespace capsim::scheduler
