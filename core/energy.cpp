#include "core/energy.hpp"

#include <utility>

#include "core/csv.hpp"

namespace capsim {

namespace {

// A plausible bound: the dirtiest grids are near 1,000 g/kWh.
constexpr double kMaxIntensity = 1e5;

}  // namespace

CarbonIntensity::CarbonIntensity(std::vector<double> g_per_kwh_hourly) : values_(std::move(g_per_kwh_hourly)) {}

CarbonIntensity read_carbon_csv(const std::filesystem::path& path, const std::string& column,
                                const SourceLocation& where, const std::string& field) {
  if (!std::filesystem::is_regular_file(path)) {
    throw InputError(where, field, "a CSV file of hourly carbon intensities",
                     quote_for_message(path.string()) + ", which does not exist");
  }
  CsvReader csv(path.string());
  std::vector<std::string_view> fields;
  if (!csv.next(fields)) {
    throw InputError(where, field, "a CSV file with a header row and one row per hour",
                     quote_for_message(path.string()) + ", which is empty");
  }
  std::size_t index = fields.size() - 1;
  if (!column.empty()) {
    index = fields.size();
    for (std::size_t i = 0; i < fields.size(); ++i) {
      if (fields[i] == column) index = i;
    }
    if (index == fields.size()) {
      throw InputError(csv.where(0), "column", "a header naming the column " + quote_for_message(column),
                       "no such column");
    }
  }
  const std::string column_name(fields[index]);
  std::vector<double> values;
  while (csv.next(fields)) {
    double value = 0;
    if (index >= fields.size()) {
      throw InputError(csv.where(fields.size() - 1), column_name,
                       "a carbon intensity (g CO2e/kWh) in column " + std::to_string(index + 1),
                       std::to_string(fields.size()) + " fields");
    }
    if (!parse_number(fields[index], value) || !(value >= 0 && value <= kMaxIntensity)) {
      throw InputError(csv.where(index), column_name, "a carbon intensity in g CO2e/kWh (0 to 100000)",
                       quote_for_message(std::string(fields[index])));
    }
    values.push_back(value);
  }
  if (values.empty()) {
    throw InputError(where, field, "at least one hourly value",
                     quote_for_message(path.string()) + ", which has a header only");
  }
  return CarbonIntensity(std::move(values));
}

namespace {

CarbonIntensity read_carbon(const ConfigNode& node, const std::string& field, const std::filesystem::path& base_dir) {
  const char* expected =
      "a carbon intensity in g CO2e/kWh: a number, a list of hourly values, or {file: CSV, column: NAME}";
  switch (node.kind()) {
    case ConfigNode::Kind::kScalar:
      return CarbonIntensity({read_number(node, field, 0, kMaxIntensity)});
    case ConfigNode::Kind::kSequence: {
      const auto& items = read_list(node, field, "hourly carbon intensities (g CO2e/kWh)");
      if (items.empty()) throw InputError(node.where(), field, "at least one hourly value", "an empty list");
      std::vector<double> values;
      for (std::size_t i = 0; i < items.size(); ++i) {
        values.push_back(read_number(*items[i], field + "[" + std::to_string(i) + "]", 0, kMaxIntensity));
      }
      return CarbonIntensity(std::move(values));
    }
    case ConfigNode::Kind::kMap: {
      MapReader map(node, field, {"file", "column"});
      const ConfigNode& file = map.required("file", "a CSV file of hourly carbon intensities");
      const std::filesystem::path relative = read_string(file, map.field("file"));
      const std::filesystem::path path = (relative.is_absolute() ? relative : base_dir / relative).lexically_normal();
      std::string column;
      if (const ConfigNode* value = map.optional("column")) column = read_string(*value, map.field("column"));
      return read_carbon_csv(path, column, file.where(), map.field("file"));
    }
    default:
      throw InputError(node.where(), field, expected, "nothing");
  }
}

}  // namespace

std::vector<RegionSpec> parse_regions(const ConfigNode& node, const std::string& field,
                                      const std::filesystem::path& base_dir) {
  const auto& items = read_list(node, field, "regions, each {name, carbon}");
  if (items.empty()) throw InputError(node.where(), field, "at least one region", "an empty list");
  if (items.size() > kMaxRegions) {
    throw InputError(node.where(), field, "at most " + std::to_string(kMaxRegions) + " regions",
                     std::to_string(items.size()));
  }
  std::vector<RegionSpec> regions;
  for (std::size_t i = 0; i < items.size(); ++i) {
    const std::string f = field + "[" + std::to_string(i) + "]";
    MapReader map(*items[i], f, {"name", "carbon"});
    RegionSpec region;
    region.where = items[i]->where();
    const ConfigNode& name = map.required("name", "a region name");
    region.name = read_name(name, map.field("name"));
    for (const RegionSpec& other : regions) {
      if (other.name == region.name) {
        throw InputError(name.where(), map.field("name"), "a name not used by another region",
                         quote_for_message(region.name));
      }
    }
    if (const ConfigNode* carbon = map.optional("carbon"))
      region.carbon = read_carbon(*carbon, map.field("carbon"), base_dir);
    regions.push_back(std::move(region));
  }
  return regions;
}

RegionId read_region(const ConfigNode& node, const std::string& field, const std::vector<RegionSpec>& regions) {
  if (regions.empty()) {
    throw InputError(node.where(), field, "a region listed under cluster.regions",
                     "a region, but the cluster lists none");
  }
  const std::string name = read_string(node, field);
  std::string names;
  for (std::size_t r = 0; r < regions.size(); ++r) {
    if (regions[r].name == name) return static_cast<RegionId>(r);
    names += (r ? ", " : "") + regions[r].name;
  }
  throw InputError(node.where(), field, "one of the cluster's regions (" + names + ")", quote_for_message(name));
}

RegionSet read_region_set(const ConfigNode& node, const std::string& field, const std::vector<RegionSpec>& regions) {
  RegionSet set;
  if (node.kind() != ConfigNode::Kind::kSequence) {
    set.add(read_region(node, field, regions));
    return set;
  }
  const auto& items = read_list(node, field, "region names");
  if (items.empty()) {
    throw InputError(node.where(), field, "at least one region (leave regions: out to allow any)", "an empty list");
  }
  for (std::size_t i = 0; i < items.size(); ++i) {
    set.add(read_region(*items[i], field + "[" + std::to_string(i) + "]", regions));
  }
  return set;
}

}  // namespace capsim
