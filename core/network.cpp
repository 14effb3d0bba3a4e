#include "core/network.hpp"

#include <cctype>
#include <cmath>

namespace capsim {

std::string_view to_string(NetworkTopology topology) {
  return topology == NetworkTopology::kFatTree ? "fat-tree" : "leaf-spine";
}

namespace {

// The number in front of a unit: digits with at most one '.', then spaces.
bool split_number(std::string_view text, double& value, std::string_view& unit) {
  std::size_t split = 0;
  while (split < text.size() && (std::isdigit(static_cast<unsigned char>(text[split])) || text[split] == '.')) ++split;
  if (split == 0 || !parse_number(text.substr(0, split), value)) return false;
  unit = text.substr(split);
  while (!unit.empty() && unit.front() == ' ') unit.remove_prefix(1);
  return true;
}

// Bytes per unit of a size ("GB": 1e9, "GiB": 2^30; a lower-case b: bits).
bool unit_bytes(std::string_view unit, double& bytes) {
  if (unit.empty()) return false;
  double scale = 1;
  std::size_t i = 0;
  switch (unit[0]) {
    case 'k':
    case 'K':
      scale = 1e3, i = 1;
      break;
    case 'M':
      scale = 1e6, i = 1;
      break;
    case 'G':
      scale = 1e9, i = 1;
      break;
    case 'T':
      scale = 1e12, i = 1;
      break;
    default:
      break;
  }
  if (i == 1 && i < unit.size() && unit[i] == 'i') {
    scale = std::pow(1024.0, std::round(std::log10(scale) / 3)), ++i;
  }
  const std::string_view rest = unit.substr(i);
  if (rest == "B") {
    bytes = scale;
  } else if (rest == "b" || rest == "bit") {
    bytes = scale / 8;
  } else {
    return false;
  }
  return true;
}

LinkSpec read_link(const ConfigNode& node, const std::string& field, LinkSpec link) {
  MapReader map(node, field, {"bandwidth", "latency"});
  if (const ConfigNode* v = map.optional("bandwidth")) {
    const std::string expected = "a bandwidth such as 400Gbps, 50GBps or 50 GB/s";
    if (v->kind() != ConfigNode::Kind::kScalar || !parse_bandwidth(v->scalar(), link.bandwidth) ||
        !(link.bandwidth >= 1e3 && link.bandwidth <= 1e15)) {
      throw InputError(v->where(), map.field("bandwidth"), expected + " (1 kB/s to 1 PB/s)", v->describe());
    }
  }
  if (const ConfigNode* v = map.optional("latency")) {
    const Duration latency = read_duration(*v, map.field("latency"));
    if (latency > Duration::seconds(1)) {
      throw InputError(v->where(), map.field("latency"), "a latency of at most 1s, such as 2us", v->describe());
    }
    link.latency_s = static_cast<double>(latency.count_us()) * 1e-6;
  }
  return link;
}

}  // namespace

bool parse_bandwidth(std::string_view text, double& bytes_per_second) {
  double value = 0;
  std::string_view unit;
  if (!split_number(text, value, unit)) return false;
  // "Gbps", "GBps", "Gb/s", "GB/s", "Gbit/s".
  if (unit.ends_with("/s")) {
    unit.remove_suffix(2);
  } else if (unit.ends_with("ps")) {
    unit.remove_suffix(2);
  } else {
    return false;
  }
  double bytes = 0;
  if (!unit_bytes(unit, bytes)) return false;
  bytes_per_second = value * bytes;
  return std::isfinite(bytes_per_second);
}

bool parse_bytes(std::string_view text, double& bytes) {
  double value = 0;
  std::string_view unit;
  if (!split_number(text, value, unit)) return false;
  double scale = 1;
  if (!unit.empty() && !unit_bytes(unit, scale)) return false;
  bytes = value * scale;
  return std::isfinite(bytes);
}

NetworkSpec parse_network(const ConfigNode& node, const std::string& field) {
  MapReader map(
      node, field,
      {"topology", "gpu_link", "node_link", "rack_uplink", "uplinks", "racks_per_pod", "pod_uplink", "pod_uplinks"});
  NetworkSpec spec;
  spec.where = node.where();
  if (const ConfigNode* v = map.optional("topology")) {
    const std::string name = read_string(*v, map.field("topology"));
    if (name == "leaf-spine") {
      spec.topology = NetworkTopology::kLeafSpine;
    } else if (name == "fat-tree") {
      spec.topology = NetworkTopology::kFatTree;
    } else {
      throw InputError(v->where(), map.field("topology"), "leaf-spine or fat-tree", v->describe());
    }
  }
  if (const ConfigNode* v = map.optional("gpu_link"))
    spec.gpu_link = read_link(*v, map.field("gpu_link"), spec.gpu_link);
  if (const ConfigNode* v = map.optional("node_link"))
    spec.node_link = read_link(*v, map.field("node_link"), spec.node_link);
  if (const ConfigNode* v = map.optional("rack_uplink"))
    spec.rack_uplink = read_link(*v, map.field("rack_uplink"), spec.rack_uplink);
  if (const ConfigNode* v = map.optional("uplinks"))
    spec.uplinks = static_cast<std::int32_t>(read_int(*v, map.field("uplinks"), 1, 1024));
  const bool fat_tree = spec.topology == NetworkTopology::kFatTree;
  for (const char* key : {"racks_per_pod", "pod_uplink", "pod_uplinks"}) {
    if (const ConfigNode* v = map.optional(key); v && !fat_tree) {
      throw InputError(v->where(), map.field(key), std::string(key) + " only with topology: fat-tree", v->describe());
    }
  }
  if (const ConfigNode* v = map.optional("racks_per_pod"))
    spec.racks_per_pod = static_cast<std::int32_t>(read_int(*v, map.field("racks_per_pod"), 1, 1'000'000));
  if (const ConfigNode* v = map.optional("pod_uplink"))
    spec.pod_uplink = read_link(*v, map.field("pod_uplink"), spec.pod_uplink);
  if (const ConfigNode* v = map.optional("pod_uplinks"))
    spec.pod_uplinks = static_cast<std::int32_t>(read_int(*v, map.field("pod_uplinks"), 1, 1024));
  return spec;
}

}  // namespace capsim
