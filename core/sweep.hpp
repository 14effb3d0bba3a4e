// A scenario's `sweep:` block: the fields to vary and their values, as a
// grid (every combination) and/or a list of points (each a set of fields
// changed together; crossed with the grid). Any field of the scenario can
// vary, by its dotted path: cluster size per node group, policies, load,
// seeds. Each point is the scenario's own document with those fields
// replaced, read again, so every check and error of a scenario applies to it
// and names the line of the sweep value that caused it.
//
//   sweep:
//     grid:
//       cluster.node_groups[v100].count: {from: 8, to: 16, step: 4}
//       run.seed: [1, 2, 3]
//     points:
//       - {policies.queue: fifo}
//       - {policies.queue: srtf, policies.placement: worst_fit}
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/config_tree.hpp"
#include "core/scenario.hpp"

namespace capsim {

// One field set to one value: `field` a dotted path (config_tree.hpp's
// replace_config_value), `value` the YAML node to put there.
struct FieldSetting {
  std::string field;
  ConfigNodePtr value;
};

struct SweepAxis {
  std::string field;
  std::vector<ConfigNodePtr> values;
};

struct SweepSpec {
  std::vector<SweepAxis> grid;                    // in the order written; the last varies fastest
  std::vector<std::vector<FieldSetting>> points;  // empty: the grid alone
  SourceLocation where;
  // Points in all: points (or 1) x the product of the grid's value counts.
  std::size_t size() const;
  // The fields that vary, in table order: the points' (first seen first), then the grid's.
  std::vector<std::string> fields() const;
  // The settings of point `index` (0 <= index < size()): its listed point's, then the grid's.
  std::vector<FieldSetting> settings(std::size_t index) const;
};

// At most this many points in one sweep.
inline constexpr std::size_t kMaxSweepPoints = 1'000'000;

// The scenario's `sweep:` block, or nothing when it has none. Throws
// InputError (a field path that does not fit is found when points are built).
std::optional<SweepSpec> parse_sweep(const Scenario& scenario);

// `base` with the fields set, read again from its edited document (so the
// result is checked like any scenario); its text gains a comment naming the
// settings (`note` first, e.g. "sweep point 7"). Throws InputError.
Scenario scenario_with(const Scenario& base, const std::vector<FieldSetting>& settings, const std::string& note);

// One point of a sweep, ready to run.
struct SweepPoint {
  std::size_t index = 0;
  std::string label;                                          // "point-0007": its results folder
  std::vector<std::pair<std::string, std::string>> settings;  // field -> value as flow text
  Scenario scenario;
};

// Every point of the sweep, in order, each read and checked. Throws
// InputError for the first point that is not a valid scenario.
std::vector<SweepPoint> expand_sweep(const Scenario& base, const SweepSpec& sweep);

}  // namespace capsim
