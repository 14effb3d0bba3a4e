// What a scenario says of how its cluster breaks (`failures:`): random node
// failures per node group, drawn from a distribution of the time between
// failures (exponential, or Weibull with a shape) with a repair time; a
// failure trace (one row per failure: when, which node, how long it is
// down); and scripted outages (a node, a rack, a node group or a whole region
// down at a time for a duration). The engine-side model is the native
// engine's (sim/engine.hpp): a failed node's jobs stop at once, hold their
// GPUs until the failure is detected, then restart elsewhere from their last
// checkpoint.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/cluster.hpp"
#include "core/config_tree.hpp"
#include "core/error.hpp"
#include "core/time.hpp"

namespace capsim {

// Random failures of the nodes of some node groups. The time from a node's
// start (or its last repair) to its next failure is Weibull with the given
// shape and a scale that makes its mean `mtbf` (shape 1: exponential; below
// 1: infant mortality, failures bunch; above 1: wear-out).
struct FailureModelSpec {
  std::vector<std::int32_t> node_groups;  // indexes into ClusterSpec::node_groups
  Duration mtbf;                          // mean time between failures of one node
  double shape = 1;
  Duration repair;                 // mean time to repair (the node is down that long)
  bool repair_exponential = true;  // false: every repair takes exactly `repair`
  SourceLocation where;
  friend bool operator==(const FailureModelSpec&, const FailureModelSpec&) = default;
};

// Nodes down together from `at` for `duration`: a scripted outage, or a row
// of a failure trace.
struct OutageSpec {
  enum class Scope : std::uint8_t { kNode, kRack, kNodeGroup, kRegion };
  Time at;
  Duration duration;
  Scope scope = Scope::kNode;
  std::int64_t index = 0;  // the node, rack, node group or region
  SourceLocation where;
  friend bool operator==(const OutageSpec&, const OutageSpec&) = default;
};

struct FailureSpec {
  // From a failure to the moment the scheduler notices it (health checks,
  // a collective's timeout): the failed node's jobs hold all their GPUs
  // without progress until then.
  Duration detection = Duration::seconds(60);
  std::vector<FailureModelSpec> models;  // at most one per node group
  std::vector<OutageSpec> outages;       // scripted and traced, by time
  bool empty() const { return models.empty() && outages.empty(); }
  friend bool operator==(const FailureSpec&, const FailureSpec&) = default;
};

// The nodes an outage takes down, in increasing id.
std::vector<NodeId> outage_nodes(const OutageSpec& outage, const ClusterLayout& layout);

// Parses the scenario's `failures:` map for `cluster`: {detection, models:
// [{node_groups, mtbf, shape, repair, repair_distribution}], trace: CSV,
// outages: [{at, duration, node | rack | node_group | region}]}. Relative
// paths resolve against `base_dir`. Throws InputError naming file, line and
// field.
FailureSpec parse_failures(const ConfigNode& node, const std::string& field, const ClusterSpec& cluster,
                           const std::filesystem::path& base_dir);

// Reads a failure trace: a CSV file with a header naming the columns
// `time_s` (seconds from the start of the run), `node` (the node's id: nodes
// are numbered from 0 in node-group order) and `down_s` (seconds until it is
// repaired); other columns are ignored, lines starting with '#' are comments.
std::vector<OutageSpec> read_failure_trace(const std::filesystem::path& path, const ClusterSpec& cluster,
                                           const SourceLocation& where, const std::string& field);

}  // namespace capsim
