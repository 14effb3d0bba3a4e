#include "core/plan_spec.hpp"

#include <cstdio>

namespace capsim {

namespace {

// A limit: a number, or a duration ("1h") for figures in seconds.
double read_limit(const ConfigNode& node, const std::string& field) {
  double number = 0;
  if (node.kind() == ConfigNode::Kind::kScalar && parse_number(node.scalar(), number)) {
    return read_number(node, field, -1e300, 1e300);
  }
  if (node.kind() == ConfigNode::Kind::kScalar) {
    try {
      return read_duration(node, field).to_seconds();
    } catch (const InputError&) {
    }
  }
  throw InputError(node.where(), field, "a number, or a duration such as 1h for a figure in seconds", node.describe());
}

}  // namespace

std::string PlanConstraint::text() const {
  char limit_text[64];
  std::snprintf(limit_text, sizeof limit_text, "%g", limit);
  return metric + (at_most ? " <= " : " >= ") + limit_text;
}

double PlanSpec::grid_size() const {
  double n = 1;
  for (const PlanDimension& d : dimensions) n *= static_cast<double>(d.values());
  return n;
}

std::optional<PlanSpec> parse_plan(const Scenario& scenario) {
  if (!scenario.document || scenario.document->kind() != ConfigNode::Kind::kMap) return std::nullopt;
  const ConfigNode::Entry* entry = scenario.document->find("plan");
  if (!entry || entry->value->kind() == ConfigNode::Kind::kNull) return std::nullopt;
  const ConfigNode& node = *entry->value;
  if (node.kind() != ConfigNode::Kind::kMap) {
    throw InputError(node.where(), "plan", "a map with node_groups, objective, constraints, seeds, quarters",
                     node.describe());
  }
  MapReader map(node, "plan", {"node_groups", "objective", "constraints", "seeds", "quarters"});
  PlanSpec spec;
  spec.where = node.where();

  const ConfigNode& groups = map.required("node_groups", "the node groups whose counts to search: {NAME: {min, max}}");
  if (groups.kind() != ConfigNode::Kind::kMap || groups.entries().empty()) {
    throw InputError(groups.where(), "plan.node_groups", "a map of node group name: {min: N, max: N, step: N}",
                     groups.describe());
  }
  for (const ConfigNode::Entry& g : groups.entries()) {
    const std::string field = "plan.node_groups." + g.key;
    const auto& cluster_groups = scenario.cluster.node_groups;
    const auto known = std::find_if(cluster_groups.begin(), cluster_groups.end(),
                                    [&](const NodeGroupSpec& spec_group) { return spec_group.name == g.key; });
    if (known == cluster_groups.end()) {
      std::vector<std::string_view> names;
      for (const NodeGroupSpec& spec_group : cluster_groups) names.push_back(spec_group.name);
      const std::string close = closest_word(g.key, names);
      throw InputError(g.key_where, field,
                       "a node group of cluster.node_groups" + (close.empty() ? "" : " (did you mean " + close + "?)"),
                       quote_for_message(g.key));
    }
    if (g.value->kind() != ConfigNode::Kind::kMap) {
      throw InputError(g.value->where(), field, "{min: N, max: N} nodes (step: N optional)", g.value->describe());
    }
    MapReader range(*g.value, field, {"min", "max", "step"});
    PlanDimension d;
    d.node_group = g.key;
    d.where = g.value->where();
    d.min = range.has("min") ? read_int(*range.optional("min"), range.field("min"), 0, 1'000'000) : 0;
    d.max = read_int(range.required("max", "the most nodes to consider"), range.field("max"), 0, 1'000'000);
    d.step = range.has("step") ? read_int(*range.optional("step"), range.field("step"), 1, 1'000'000) : 1;
    if (d.max < d.min) {
      throw InputError(range.required("max", "").where(), range.field("max"),
                       "at least min (" + std::to_string(d.min) + ")", std::to_string(d.max));
    }
    spec.dimensions.push_back(d);
  }
  if (spec.grid_size() > 1e12) throw InputError(groups.where(), "plan.node_groups", "a smaller search space", "more");

  if (const ConfigNode* objective = map.optional("objective")) {
    spec.objective = read_name(*objective, "plan.objective");
    spec.objective_where = objective->where();
  } else {
    spec.objective_where = node.where();
  }
  if (const ConfigNode* constraints = map.optional("constraints")) {
    const auto& items = read_list(*constraints, "plan.constraints", "constraints: {metric: NAME, max: X} or min: X");
    for (std::size_t i = 0; i < items.size(); ++i) {
      const std::string field = "plan.constraints[" + std::to_string(i) + "]";
      if (items[i]->kind() != ConfigNode::Kind::kMap) {
        throw InputError(items[i]->where(), field, "{metric: NAME, max: X} or {metric: NAME, min: X}",
                         items[i]->describe());
      }
      MapReader c(*items[i], field, {"metric", "max", "min"});
      PlanConstraint constraint;
      const ConfigNode& metric = c.required("metric", "a figure of the runs, e.g. queueing_delay_p95_s");
      constraint.metric = read_name(metric, c.field("metric"));
      constraint.where = metric.where();
      constraint.field = field;
      if (c.has("max") == c.has("min")) {
        throw InputError(items[i]->where(), field, "exactly one of max: and min:", c.has("max") ? "both" : "neither");
      }
      constraint.at_most = c.has("max");
      constraint.limit =
          read_limit(*c.optional(constraint.at_most ? "max" : "min"), c.field(constraint.at_most ? "max" : "min"));
      spec.constraints.push_back(constraint);
    }
  }
  if (const ConfigNode* seeds = map.optional("seeds")) {
    const auto& items = read_list(*seeds, "plan.seeds", "seeds");
    if (items.empty()) throw InputError(seeds->where(), "plan.seeds", "at least one seed", "an empty list");
    for (std::size_t i = 0; i < items.size(); ++i) {
      spec.seeds.push_back(static_cast<std::uint64_t>(
          read_int(*items[i], "plan.seeds[" + std::to_string(i) + "]", 0, std::int64_t{1} << 62)));
    }
  } else {
    spec.seeds.push_back(scenario.run.seed);
  }
  if (const ConfigNode* quarters = map.optional("quarters")) {
    const auto& items = read_list(*quarters, "plan.quarters", "quarters: {name: NAME, set: {field: value}}");
    if (items.empty()) throw InputError(quarters->where(), "plan.quarters", "at least one quarter", "an empty list");
    for (std::size_t i = 0; i < items.size(); ++i) {
      const std::string field = "plan.quarters[" + std::to_string(i) + "]";
      if (items[i]->kind() != ConfigNode::Kind::kMap) {
        throw InputError(items[i]->where(), field, "{name: NAME, set: {field: value, ...}}", items[i]->describe());
      }
      MapReader q(*items[i], field, {"name", "set"});
      PlanQuarter quarter;
      quarter.name = read_name(q.required("name", "the quarter's name, e.g. 2027-Q1"), q.field("name"));
      if (const ConfigNode* set = q.optional("set")) {
        if (set->kind() != ConfigNode::Kind::kMap) {
          throw InputError(set->where(), q.field("set"), "a map of scenario field: value", set->describe());
        }
        for (const ConfigNode::Entry& e : set->entries()) quarter.settings.push_back({e.key, e.value});
      }
      spec.quarters.push_back(std::move(quarter));
    }
  } else {
    spec.quarters.push_back({"now", {}});
  }
  if (const ConfigNode::Entry* compare = scenario.document->find("compare")) {
    throw InputError(compare->value->where(), "compare",
                     "no compare: block beside plan: (set the policies under policies:, the seeds in plan.seeds)",
                     "a compare block");
  }
  return spec;
}

}  // namespace capsim
