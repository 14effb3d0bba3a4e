#include "core/sweep.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/text.hpp"

namespace capsim {

namespace {

constexpr std::size_t kMaxAxisValues = 100'000;

// A number as the scenario would write it: integers without a point.
std::string number_text(double value, bool integral) {
  char text[64];
  if (integral) {
    std::snprintf(text, sizeof text, "%lld", static_cast<long long>(std::llround(value)));
  } else {
    std::snprintf(text, sizeof text, "%.12g", value);
  }
  return text;
}

// An axis's values: a list, or {from, to, step} (numbers, to inclusive).
std::vector<ConfigNodePtr> axis_values(const ConfigNodePtr& node, const std::string& field) {
  if (node->kind() == ConfigNode::Kind::kSequence) {
    const auto& items = read_list(*node, field, "values for the field");
    if (items.empty()) throw InputError(node->where(), field, "at least one value", "an empty list");
    if (items.size() > kMaxAxisValues) {
      throw InputError(node->where(), field, "at most " + std::to_string(kMaxAxisValues) + " values",
                       std::to_string(items.size()));
    }
    return items;
  }
  if (node->kind() != ConfigNode::Kind::kMap) {
    throw InputError(node->where(), field, "a list of values, or {from: A, to: B, step: S}", node->describe());
  }
  MapReader map(*node, field, {"from", "to", "step"});
  const double from = read_number(map.required("from", "the first value"), map.field("from"), -1e15, 1e15);
  const double to = read_number(map.required("to", "the last value (inclusive)"), map.field("to"), -1e15, 1e15);
  const double step = read_number(map.required("step", "the step between values"), map.field("step"), 0, 1e15);
  if (step <= 0) throw InputError(map.required("step", "").where(), map.field("step"), "a positive step", "0");
  if (to < from) {
    throw InputError(map.required("to", "").where(), map.field("to"), "a value no smaller than from",
                     number_text(to, false));
  }
  const double count = std::floor((to - from) / step + 1e-9) + 1;
  if (count > static_cast<double>(kMaxAxisValues)) {
    throw InputError(node->where(), field, "at most " + std::to_string(kMaxAxisValues) + " values",
                     number_text(count, true));
  }
  const auto integral = [](double x) { return std::floor(x) == x; };
  const bool integers = integral(from) && integral(step);
  std::vector<ConfigNodePtr> values;
  for (std::size_t i = 0; i < static_cast<std::size_t>(count); ++i) {
    // from + i x step, not a running sum: no drift over many steps.
    values.push_back(make_config_scalar(number_text(from + static_cast<double>(i) * step, integers), node->where()));
  }
  return values;
}

}  // namespace

std::size_t SweepSpec::size() const {
  std::size_t n = points.empty() ? 1 : points.size();
  for (const SweepAxis& axis : grid) n *= axis.values.size();
  return n;
}

std::vector<std::string> SweepSpec::fields() const {
  std::vector<std::string> out;
  const auto add = [&](const std::string& field) {
    if (std::find(out.begin(), out.end(), field) == out.end()) out.push_back(field);
  };
  for (const auto& point : points) {
    for (const FieldSetting& s : point) add(s.field);
  }
  for (const SweepAxis& axis : grid) add(axis.field);
  return out;
}

std::vector<FieldSetting> SweepSpec::settings(std::size_t index) const {
  std::vector<FieldSetting> out;
  std::size_t grid_size = 1;
  for (const SweepAxis& axis : grid) grid_size *= axis.values.size();
  if (!points.empty()) out = points[index / grid_size];
  std::size_t rest = index % grid_size;
  std::vector<FieldSetting> from_grid(grid.size());
  for (std::size_t a = grid.size(); a-- > 0;) {
    const std::size_t n = grid[a].values.size();
    from_grid[a] = {grid[a].field, grid[a].values[rest % n]};
    rest /= n;
  }
  out.insert(out.end(), from_grid.begin(), from_grid.end());
  return out;
}

std::optional<SweepSpec> parse_sweep(const Scenario& scenario) {
  if (!scenario.document || scenario.document->kind() != ConfigNode::Kind::kMap) return std::nullopt;
  const ConfigNode::Entry* entry = scenario.document->find("sweep");
  if (!entry || entry->value->kind() == ConfigNode::Kind::kNull) return std::nullopt;
  const ConfigNode& node = *entry->value;
  const std::string expected = "a map with grid: (field: values) and/or points: (a list of {field: value})";
  if (node.kind() != ConfigNode::Kind::kMap) throw InputError(node.where(), "sweep", expected, node.describe());
  MapReader map(node, "sweep", {"grid", "points"});
  SweepSpec spec;
  spec.where = node.where();
  if (const ConfigNode* grid = map.optional("grid")) {
    if (grid->kind() != ConfigNode::Kind::kMap || grid->entries().empty()) {
      throw InputError(grid->where(), "sweep.grid", "a map of field: values (a list or {from, to, step})",
                       grid->describe());
    }
    for (const ConfigNode::Entry& axis : grid->entries()) {
      spec.grid.push_back({axis.key, axis_values(axis.value, "sweep.grid." + axis.key)});
    }
  }
  if (const ConfigNode* points = map.optional("points")) {
    const auto& items = read_list(*points, "sweep.points", "points: maps of field: value");
    if (items.empty()) throw InputError(points->where(), "sweep.points", "at least one point", "an empty list");
    for (std::size_t i = 0; i < items.size(); ++i) {
      const std::string field = "sweep.points[" + std::to_string(i) + "]";
      if (items[i]->kind() != ConfigNode::Kind::kMap || items[i]->entries().empty()) {
        throw InputError(items[i]->where(), field, "a map of field: value", items[i]->describe());
      }
      std::vector<FieldSetting> point;
      for (const ConfigNode::Entry& e : items[i]->entries()) point.push_back({e.key, e.value});
      spec.points.push_back(std::move(point));
    }
  }
  if (spec.grid.empty() && spec.points.empty()) throw InputError(node.where(), "sweep", expected, "an empty map");
  // The product, checked step by step so that it cannot overflow.
  std::size_t n = spec.points.empty() ? 1 : spec.points.size();
  for (const SweepAxis& axis : spec.grid) {
    if (n > kMaxSweepPoints / axis.values.size()) {
      throw InputError(node.where(), "sweep", "at most " + std::to_string(kMaxSweepPoints) + " points", "more");
    }
    n *= axis.values.size();
  }
  if (const ConfigNode::Entry* compare = scenario.document->find("compare")) {
    throw InputError(compare->value->where(), "compare",
                     "no compare: block beside sweep: (a sweep runs one simulation per point; vary policies.queue, "
                     "policies.placement or run.seed in the sweep instead)",
                     "a compare block");
  }
  return spec;
}

Scenario scenario_with(const Scenario& base, const std::vector<FieldSetting>& settings, const std::string& note) {
  CAPSIM_CHECK(base.document != nullptr) << "scenario_with needs a scenario read from YAML";
  ConfigNodePtr document = base.document;
  std::string comment = "\n# capsim " + note + ":";
  for (const FieldSetting& s : settings) {
    document = replace_config_value(document, s.field, s.value, s.value->where(), s.field);
    comment += " " + s.field + " = " + config_flow_text(*s.value) + ";";
  }
  comment.back() = '\n';
  const std::string file = base.file.empty() ? std::string("scenario") : base.file.string();
  Scenario scenario = parse_scenario_tree(document, base.text + comment, file, base.base_dir, base.overrides);
  scenario.file = base.file;
  scenario.name = base.name;
  return scenario;
}

std::vector<SweepPoint> expand_sweep(const Scenario& base, const SweepSpec& sweep) {
  const std::size_t n = sweep.size();
  const std::size_t width = std::max<std::size_t>(4, std::to_string(n - 1).size());
  std::vector<SweepPoint> points;
  points.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    SweepPoint point;
    point.index = i;
    const std::string number = std::to_string(i);
    point.label = "point-" + std::string(width - number.size(), '0') + number;
    const std::vector<FieldSetting> settings = sweep.settings(i);
    for (const FieldSetting& s : settings) point.settings.emplace_back(s.field, config_flow_text(*s.value));
    point.scenario = scenario_with(base, settings, "sweep " + point.label);
    points.push_back(std::move(point));
  }
  return points;
}

}  // namespace capsim
