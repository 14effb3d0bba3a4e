#include "core/failures.hpp"

#include <algorithm>

#include "core/csv.hpp"
#include "core/text.hpp"

namespace capsim {

namespace {

std::int64_t rack_count(const ClusterSpec& cluster) {
  std::int64_t racks = 0;
  for (const NodeGroupSpec& group : cluster.node_groups) {
    racks += (group.count + group.nodes_per_rack - 1) / group.nodes_per_rack;
  }
  return racks;
}

std::int64_t node_count(const ClusterSpec& cluster) {
  std::int64_t nodes = 0;
  for (const NodeGroupSpec& group : cluster.node_groups) nodes += group.count;
  return nodes;
}

bool elastic(const NodeGroupSpec& group) {
  return group.autoscaling.has_value() || group.spot.has_value();
}

std::int32_t read_group(const ConfigNode& node, const std::string& field, const ClusterSpec& cluster) {
  const std::string name = read_name(node, field);
  std::string known;
  for (std::size_t g = 0; g < cluster.node_groups.size(); ++g) {
    if (cluster.node_groups[g].name == name) return static_cast<std::int32_t>(g);
    known += (g ? ", " : "") + cluster.node_groups[g].name;
  }
  throw InputError(node.where(), field, "a node group of the cluster (" + known + ")", quote_for_message(name));
}

FailureModelSpec parse_model(const ConfigNode& node, const std::string& field, const ClusterSpec& cluster,
                             std::vector<std::int8_t>& modelled) {
  MapReader map(node, field, {"node_groups", "mtbf", "shape", "repair", "repair_distribution"});
  FailureModelSpec model;
  model.where = node.where();
  if (const ConfigNode* value = map.optional("node_groups")) {
    const auto& items = read_list(*value, map.field("node_groups"), "node group names");
    for (std::size_t i = 0; i < items.size(); ++i) {
      const std::string f = map.field("node_groups") + "[" + std::to_string(i) + "]";
      const std::int32_t g = read_group(*items[i], f, cluster);
      if (elastic(cluster.node_groups[static_cast<std::size_t>(g)])) {
        throw InputError(items[i]->where(), f,
                         "a node group of fixed size (an autoscaled or spot group's failed instance is replaced by "
                         "the cloud: model it with spot interruptions)",
                         quote_for_message(cluster.node_groups[static_cast<std::size_t>(g)].name));
      }
      model.node_groups.push_back(g);
    }
    if (model.node_groups.empty()) {
      throw InputError(value->where(), map.field("node_groups"), "at least one node group", "an empty list");
    }
  } else {
    for (std::size_t g = 0; g < cluster.node_groups.size(); ++g) {
      if (!elastic(cluster.node_groups[g])) model.node_groups.push_back(static_cast<std::int32_t>(g));
    }
  }
  for (const std::int32_t g : model.node_groups) {
    if (modelled[static_cast<std::size_t>(g)]) {
      throw InputError(
          node.where(), field, "one failure model per node group",
          "a second model for " + quote_for_message(cluster.node_groups[static_cast<std::size_t>(g)].name));
    }
    modelled[static_cast<std::size_t>(g)] = 1;
  }
  model.mtbf =
      read_duration(map.required("mtbf", "a mean time between failures per node, e.g. 2000h"), map.field("mtbf"));
  if (model.mtbf <= Duration()) {
    throw InputError(map.optional("mtbf")->where(), map.field("mtbf"), "a positive duration", "zero");
  }
  if (const ConfigNode* value = map.optional("shape")) model.shape = read_number(*value, map.field("shape"), 0.1, 10);
  model.repair = read_duration(map.required("repair", "a mean time to repair, e.g. 4h"), map.field("repair"));
  if (const ConfigNode* value = map.optional("repair_distribution")) {
    model.repair_exponential = read_choice(*value, map.field("repair_distribution"), {"exponential", "fixed"}) == 0;
  }
  return model;
}

OutageSpec parse_outage(const ConfigNode& node, const std::string& field, const ClusterSpec& cluster) {
  MapReader map(node, field, {"at", "duration", "node", "rack", "node_group", "region"});
  OutageSpec outage;
  outage.where = node.where();
  outage.at = Time::zero() + read_duration(map.required("at", "the time the outage begins, e.g. 36h"), map.field("at"));
  outage.duration = read_duration(map.required("duration", "how long it lasts, e.g. 4h"), map.field("duration"));
  int scopes = 0;
  if (const ConfigNode* value = map.optional("node")) {
    ++scopes;
    outage.scope = OutageSpec::Scope::kNode;
    outage.index = read_int(*value, map.field("node"), 0, node_count(cluster) - 1);
  }
  if (const ConfigNode* value = map.optional("rack")) {
    ++scopes;
    outage.scope = OutageSpec::Scope::kRack;
    outage.index = read_int(*value, map.field("rack"), 0, rack_count(cluster) - 1);
  }
  if (const ConfigNode* value = map.optional("node_group")) {
    ++scopes;
    outage.scope = OutageSpec::Scope::kNodeGroup;
    outage.index = read_group(*value, map.field("node_group"), cluster);
  }
  if (const ConfigNode* value = map.optional("region")) {
    ++scopes;
    outage.scope = OutageSpec::Scope::kRegion;
    const std::string name = read_name(*value, map.field("region"));
    std::string known;
    outage.index = -1;
    for (std::size_t r = 0; r < cluster.region_count(); ++r) {
      if (cluster.region_name(r) == name) outage.index = static_cast<std::int64_t>(r);
      known += (r ? ", " : "") + cluster.region_name(r);
    }
    if (outage.index < 0) {
      throw InputError(value->where(), map.field("region"), "one of the cluster's regions (" + known + ")",
                       quote_for_message(name));
    }
  }
  if (scopes != 1) {
    throw InputError(node.where(), field, "exactly one of node, rack, node_group or region",
                     scopes == 0 ? "none" : std::to_string(scopes) + " of them");
  }
  return outage;
}

}  // namespace

std::vector<NodeId> outage_nodes(const OutageSpec& outage, const ClusterLayout& layout) {
  std::vector<NodeId> nodes;
  for (std::size_t n = 0; n < layout.node_count(); ++n) {
    const auto node = static_cast<NodeId>(n);
    const std::int32_t group = layout.group_of(node);
    bool hit = false;
    switch (outage.scope) {
      case OutageSpec::Scope::kNode:
        hit = static_cast<std::int64_t>(n) == outage.index;
        break;
      case OutageSpec::Scope::kRack:
        hit = layout.rack_of(node) == outage.index;
        break;
      case OutageSpec::Scope::kNodeGroup:
        hit = group == outage.index;
        break;
      case OutageSpec::Scope::kRegion:
        hit = layout.spec().node_groups[static_cast<std::size_t>(group)].region == outage.index;
        break;
    }
    if (hit) nodes.push_back(node);
  }
  return nodes;
}

std::vector<OutageSpec> read_failure_trace(const std::filesystem::path& path, const ClusterSpec& cluster,
                                           const SourceLocation& where, const std::string& field) {
  if (!std::filesystem::is_regular_file(path)) {
    throw InputError(where, field, "a CSV file of node failures (time_s, node, down_s)",
                     quote_for_message(path.string()) + ", which does not exist");
  }
  CsvReader csv(path.string());
  std::vector<std::string_view> fields;
  if (!csv.next(fields)) {
    throw InputError(where, field, "a CSV file with a header row (time_s, node, down_s)",
                     quote_for_message(path.string()) + ", which is empty");
  }
  const char* names[3] = {"time_s", "node", "down_s"};
  std::size_t index[3];
  for (std::size_t c = 0; c < 3; ++c) {
    const auto it = std::find(fields.begin(), fields.end(), names[c]);
    if (it == fields.end()) {
      throw InputError(csv.where(0), "header", std::string("a column named ") + names[c], "no such column");
    }
    index[c] = static_cast<std::size_t>(it - fields.begin());
  }
  const double nodes = static_cast<double>(node_count(cluster));
  std::vector<OutageSpec> outages;
  while (csv.next(fields)) {
    double value[3];
    for (std::size_t c = 0; c < 3; ++c) {
      if (index[c] >= fields.size()) {
        throw InputError(csv.where(fields.size() - 1), names[c], "a value in column " + std::to_string(index[c] + 1),
                         std::to_string(fields.size()) + " fields");
      }
      const bool is_node = c == 1;
      const double max = is_node ? nodes - 1 : 1e12;
      if (!parse_number(fields[index[c]], value[c]) || !(value[c] >= 0 && value[c] <= max) ||
          (is_node && value[c] != static_cast<double>(static_cast<std::int64_t>(value[c])))) {
        throw InputError(csv.where(index[c]), names[c],
                         is_node ? "a node id from 0 to " + std::to_string(static_cast<std::int64_t>(nodes) - 1)
                                 : std::string("a number of seconds, 0 or more"),
                         quote_for_message(std::string(fields[index[c]])));
      }
    }
    OutageSpec outage;
    outage.at = Time::zero() + Duration::from_seconds(value[0]);
    outage.scope = OutageSpec::Scope::kNode;
    outage.index = static_cast<std::int64_t>(value[1]);
    outage.duration = Duration::from_seconds(value[2]);
    outage.where = csv.where(index[0]);
    outages.push_back(outage);
  }
  return outages;
}

FailureSpec parse_failures(const ConfigNode& node, const std::string& field, const ClusterSpec& cluster,
                           const std::filesystem::path& base_dir) {
  MapReader map(node, field, {"detection", "models", "trace", "outages"});
  FailureSpec spec;
  if (const ConfigNode* value = map.optional("detection")) {
    spec.detection = read_duration(*value, map.field("detection"));
  }
  if (const ConfigNode* value = map.optional("models")) {
    const auto& items = read_list(*value, map.field("models"), "failure models, each {node_groups, mtbf, repair}");
    std::vector<std::int8_t> modelled(cluster.node_groups.size(), 0);
    for (std::size_t i = 0; i < items.size(); ++i) {
      spec.models.push_back(
          parse_model(*items[i], map.field("models") + "[" + std::to_string(i) + "]", cluster, modelled));
    }
  }
  if (const ConfigNode* value = map.optional("trace")) {
    std::filesystem::path path = read_string(*value, map.field("trace"));
    if (path.is_relative()) path = base_dir / path;
    spec.outages = read_failure_trace(path, cluster, value->where(), map.field("trace"));
  }
  if (const ConfigNode* value = map.optional("outages")) {
    const auto& items = read_list(*value, map.field("outages"), "outages, each {at, duration, and a scope}");
    for (std::size_t i = 0; i < items.size(); ++i) {
      spec.outages.push_back(parse_outage(*items[i], map.field("outages") + "[" + std::to_string(i) + "]", cluster));
    }
  }
  std::stable_sort(spec.outages.begin(), spec.outages.end(),
                   [](const OutageSpec& a, const OutageSpec& b) { return a.at < b.at; });
  return spec;
}

}  // namespace capsim
