#include "core/scenario.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace capsim {

namespace {

constexpr std::int64_t kMaxInt = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t kMaxNodesPerGroup = 10'000'000;
constexpr std::int64_t kMaxClusterGpus = std::numeric_limits<std::int32_t>::max();
constexpr std::int32_t kMaxGpusPerNode = 1024;

std::string item_field(const std::string& list_field, std::size_t index) {
  return list_field + "[" + std::to_string(index) + "]";
}

GpuTypeId read_gpu_type(const ConfigNode& node, const std::string& field, const GpuCatalog& catalog) {
  const std::string name = read_string(node, field);
  if (auto id = catalog.find(name)) return *id;
  throw InputError(node.where(), field, "a GPU type of the catalog (" + catalog.names() + ")", node.describe());
}

// --- gpu_catalog ------------------------------------------------------------

void parse_catalog(const ConfigNode& node, const std::string& field, GpuCatalog& catalog) {
  const auto& items = read_list(node, field, "GPU types");
  for (std::size_t i = 0; i < items.size(); ++i) {
    const std::string f = item_field(field, i);
    MapReader map(*items[i], f,
                  {"name", "base", "memory", "relative_speed", "idle_watts", "peak_watts", "usd_per_hour", "source"});
    const std::string name = read_name(map.required("name", "a GPU type name"), map.field("name"));
    GpuType type;
    type.name = name;
    bool known = false;
    if (auto existing = catalog.find(name)) {
      type = catalog.at(*existing);
      known = true;
    }
    if (const ConfigNode* base = map.optional("base")) {
      type = catalog.at(read_gpu_type(*base, map.field("base"), catalog));
      type.name = name;
      known = true;
    }
    const auto figure = [&](std::string_view key, double min, double max, double& out) {
      if (const ConfigNode* value = map.optional(key)) {
        out = read_number(*value, map.field(key), min, max);
      } else if (!known) {
        throw InputError(map.node().where(), map.field(key),
                         "a value for a new GPU type (or `base:` naming a type to start from)", "a missing key");
      }
    };
    if (const ConfigNode* memory = map.optional("memory")) {
      type.memory_mib = read_memory_mib(*memory, map.field("memory"));
    } else if (!known) {
      throw InputError(map.node().where(), map.field("memory"),
                       "a value for a new GPU type (or `base:` naming a type to start from)", "a missing key");
    }
    figure("relative_speed", 1e-6, 1e6, type.relative_speed);
    figure("idle_watts", 0, 1e6, type.idle_watts);
    figure("peak_watts", 0, 1e6, type.peak_watts);
    figure("usd_per_hour", 0, 1e6, type.usd_per_hour);
    if (type.idle_watts > type.peak_watts) {
      const ConfigNode* idle = map.optional("idle_watts");
      throw InputError(idle ? idle->where() : map.node().where(), map.field("idle_watts"),
                       "idle power at most the peak power (" + std::to_string(type.peak_watts) + " W)",
                       std::to_string(type.idle_watts) + " W");
    }
    if (const ConfigNode* source = map.optional("source"))
      type.source = read_string(*source, map.field("source"));
    else if (!known || map.has("base"))
      type.source = "scenario " + map.node().where().to_string();
    catalog.upsert(std::move(type));
  }
}

// --- cluster ----------------------------------------------------------------

// Places a static MIG layout's profiles on one GPU: each instance at one of
// its profile's starts, none overlapping (a backtracking search, largest
// first: at most seven instances of eight starts). False when they cannot
// all fit.
bool place_mig_layout(const GpuType& type, std::vector<MigInstance>& layout, std::size_t next = 0,
                      std::uint8_t used = 0) {
  if (next == layout.size()) return true;
  const MigProfile& profile = type.mig_profiles[static_cast<std::size_t>(layout[next].profile)];
  for (std::int32_t start = 0; start < kMigMemorySlices; ++start) {
    if (((profile.starts >> start) & 1u) == 0 || (profile.mask_at(start) & used) != 0) continue;
    layout[next].start = static_cast<std::int8_t>(start);
    if (place_mig_layout(type, layout, next + 1, static_cast<std::uint8_t>(used | profile.mask_at(start)))) return true;
  }
  return false;
}

// One GPU's static layout: a list of the type's profile names.
std::vector<MigInstance> read_mig_layout(const ConfigNode& node, const std::string& field, const GpuType& type) {
  std::vector<MigInstance> layout;
  std::int32_t compute = 0;
  const auto& items = read_list(node, field, "MIG profile names");
  for (std::size_t i = 0; i < items.size(); ++i) {
    const std::string name = read_string(*items[i], item_field(field, i));
    const std::int32_t profile = type.find_mig_profile(name);
    if (profile < 0) {
      throw InputError(items[i]->where(), item_field(field, i),
                       "a MIG profile of the " + type.name + " (" + type.mig_profile_names() + ")",
                       items[i]->describe());
    }
    compute += type.mig_profiles[static_cast<std::size_t>(profile)].compute_slices;
    layout.push_back(MigInstance{static_cast<std::int8_t>(profile), 0});
  }
  std::stable_sort(layout.begin(), layout.end(), [&](const MigInstance& a, const MigInstance& b) {
    return type.mig_profiles[static_cast<std::size_t>(a.profile)].memory_slices >
           type.mig_profiles[static_cast<std::size_t>(b.profile)].memory_slices;
  });
  if (compute > kMigComputeSlices || !place_mig_layout(type, layout)) {
    throw InputError(node.where(), field,
                     "MIG profiles that fit one GPU together (7 compute slices, 8 memory slices, each profile at "
                     "its allowed starts)",
                     node.describe());
  }
  // One full-size instance is the whole GPU: not partitioned.
  if (layout.size() == 1 &&
      type.mig_profiles[static_cast<std::size_t>(layout[0].profile)].compute_slices == kMigComputeSlices) {
    layout.clear();
  }
  std::sort(layout.begin(), layout.end(), [](const MigInstance& a, const MigInstance& b) { return a.start < b.start; });
  return layout;
}

// A node group's `mig:`: `dynamic`, `off`, one layout for every GPU (a list
// of profile names), or one per GPU (a list of such lists).
MigSpec read_mig(const ConfigNode& node, const std::string& field, const GpuType& type, std::int32_t gpus) {
  MigSpec spec;
  const char* expected = "`dynamic`, `off`, a list of MIG profiles for every GPU, or one such list per GPU";
  if (node.kind() == ConfigNode::Kind::kScalar && read_string(node, field) == "off") return spec;
  if (type.mig_profiles.empty()) {
    throw InputError(node.where(), field, "a node group of a MIG-capable GPU type (one with MIG profiles)",
                     "MIG on the " + type.name);
  }
  if (node.kind() == ConfigNode::Kind::kScalar) {
    if (read_string(node, field) != "dynamic") throw InputError(node.where(), field, expected, node.describe());
    spec.mode = MigMode::kDynamic;
  } else {
    const auto& items = read_list(node, field, expected);
    spec.mode = MigMode::kStatic;
    const bool per_gpu = !items.empty() && items[0]->kind() == ConfigNode::Kind::kSequence;
    if (per_gpu) {
      if (items.size() != static_cast<std::size_t>(gpus)) {
        throw InputError(node.where(), field, "one layout per GPU (" + std::to_string(gpus) + ")",
                         std::to_string(items.size()) + " layouts");
      }
      for (std::size_t i = 0; i < items.size(); ++i) {
        spec.layouts.push_back(read_mig_layout(*items[i], item_field(field, i), type));
      }
    } else {
      spec.layouts.assign(static_cast<std::size_t>(gpus), read_mig_layout(node, field, type));
    }
  }
  return spec;
}

// A list of rate factors (PerformanceSpec::scaling, ::node_contention).
std::vector<double> read_rate_factors(const ConfigNode& node, const std::string& field) {
  std::vector<double> factors;
  const auto& items = read_list(node, field, "rate factors, e.g. [1, 0.95, 0.9]");
  if (items.empty()) throw InputError(node.where(), field, "at least one factor", "an empty list");
  for (std::size_t i = 0; i < items.size(); ++i) {
    factors.push_back(read_number(*items[i], item_field(field, i), 1e-3, 2));
  }
  return factors;
}

// A node group's pool, price, autoscaling and spot keys.
void parse_group_pool(const MapReader& group, NodeGroupSpec& g) {
  if (const ConfigNode* value = group.optional("pool")) {
    const std::size_t pool = read_choice(*value, group.field("pool"), {"on-demand", "reserved", "spot"});
    g.pool = static_cast<NodePool>(pool);
  }
  if (const ConfigNode* value = group.optional("usd_per_gpu_hour")) {
    g.usd_per_gpu_hour = read_number(*value, group.field("usd_per_gpu_hour"), 0, 1e6);
  }
  if (const ConfigNode* value = group.optional("autoscaling")) {
    if (g.pool == NodePool::kReserved) {
      throw InputError(value->where(), group.field("autoscaling"),
                       "no autoscaling for a reserved pool (its nodes are paid for whether used or not)",
                       "autoscaling");
    }
    MapReader a(*value, group.field("autoscaling"), {"min", "initial", "provisioning", "scale_down_delay"});
    NodeAutoscalingSpec spec;
    if (const ConfigNode* v = a.optional("min")) spec.min = read_int(*v, a.field("min"), 0, g.count);
    spec.initial = spec.min;
    if (const ConfigNode* v = a.optional("initial")) spec.initial = read_int(*v, a.field("initial"), spec.min, g.count);
    if (const ConfigNode* v = a.optional("provisioning"))
      spec.provisioning = read_duration(*v, a.field("provisioning"));
    if (const ConfigNode* v = a.optional("scale_down_delay")) {
      spec.scale_down_delay = read_duration(*v, a.field("scale_down_delay"));
    }
    g.autoscaling = spec;
  }
  if (const ConfigNode* value = group.optional("spot")) {
    if (g.pool != NodePool::kSpot) {
      throw InputError(value->where(), group.field("spot"), "spot: only with pool: spot",
                       "pool: " + std::string(to_string(g.pool)));
    }
    MapReader sp(*value, group.field("spot"), {"interruptions_per_hour", "notice"});
    SpotSpec spec;
    spec.interruptions_per_hour =
        read_number(sp.required("interruptions_per_hour", "the rate at which a node is taken back, per hour"),
                    sp.field("interruptions_per_hour"), 0, 1000);
    if (const ConfigNode* v = sp.optional("notice")) spec.notice = read_duration(*v, sp.field("notice"));
    g.spot = spec;
  }
}

// A node group's region (an index into `regions`), node watts, and its
// power-off state (off watts, boot time).
void parse_group_energy(const MapReader& group, const std::vector<RegionSpec>& regions, NodeGroupSpec& g) {
  if (const ConfigNode* value = group.optional("node_watts")) {
    g.node_watts = read_number(*value, group.field("node_watts"), 0, 1e6);
  }
  for (const char* key : {"off_watts", "boot"}) {
    const ConfigNode* value = group.optional(key);
    if (value == nullptr) continue;
    if (g.autoscaling || g.spot) {
      throw InputError(value->where(), group.field(key),
                       "no off_watts or boot for an autoscaled or spot group (a node it releases is the cloud's and "
                       "draws nothing; autoscaling.provisioning is its boot)",
                       key);
    }
    if (std::string_view(key) == "off_watts") {
      g.off_watts = read_number(*value, group.field(key), 0, 1e6);
    } else {
      g.boot = read_duration(*value, group.field(key));
      if (g.boot > Duration::hours(24)) {
        throw InputError(value->where(), group.field(key), "a boot time of at most 24h", format_duration(g.boot));
      }
    }
  }
  const ConfigNode* value = group.optional("region");
  if (!value) {
    if (regions.size() > 1) {
      throw InputError(g.where, group.field("region"), "a region (the cluster lists several)", "none");
    }
    return;
  }
  g.region = read_region(*value, group.field("region"), regions);
}

ClusterSpec parse_cluster(const ConfigNode& node, const GpuCatalog& catalog, const std::filesystem::path& base_dir) {
  MapReader map(node, "cluster",
                {"nodes_per_rack", "node_groups", "performance", "calibration", "network", "pue", "regions"});
  std::int32_t default_per_rack = 32;
  if (const ConfigNode* value = map.optional("nodes_per_rack")) {
    default_per_rack = static_cast<std::int32_t>(read_int(*value, map.field("nodes_per_rack"), 1, 1'000'000));
  }
  const std::string groups_field = map.field("node_groups");
  const ConfigNode& groups_node = map.required("node_groups", "a list of node groups");
  const auto& groups = read_list(groups_node, groups_field, "node groups");
  if (groups.empty()) throw InputError(groups_node.where(), groups_field, "at least one node group", "an empty list");

  ClusterSpec spec;
  if (const ConfigNode* value = map.optional("network")) spec.network = parse_network(*value, map.field("network"));
  if (const ConfigNode* value = map.optional("pue")) spec.pue = read_number(*value, map.field("pue"), 1, 10);
  if (const ConfigNode* value = map.optional("regions"))
    spec.regions = parse_regions(*value, map.field("regions"), base_dir);
  if (const ConfigNode* value = map.optional("performance")) {
    MapReader perf(
        *value, map.field("performance"),
        {"across_nodes", "across_racks", "share_interference", "scaling", "node_contention", "link_sharing"});
    PerformanceSpec& p = spec.performance;
    if (const ConfigNode* v = perf.optional("across_nodes"))
      p.across_nodes = read_gpu_count_factors(*v, perf.field("across_nodes"));
    if (const ConfigNode* v = perf.optional("across_racks"))
      p.across_racks = read_gpu_count_factors(*v, perf.field("across_racks"));
    if (const ConfigNode* v = perf.optional("share_interference")) {
      p.share_interference = read_number(*v, perf.field("share_interference"), 0, 0.999);
    }
    if (const ConfigNode* v = perf.optional("scaling")) p.scaling = read_rate_factors(*v, perf.field("scaling"));
    if (const ConfigNode* v = perf.optional("node_contention")) {
      p.node_contention = read_rate_factors(*v, perf.field("node_contention"));
    }
    if (const ConfigNode* v = perf.optional("link_sharing")) {
      p.link_sharing = read_number(*v, perf.field("link_sharing"), 0, 1);
    }
  }
  std::int64_t total_gpus = 0;
  for (std::size_t i = 0; i < groups.size(); ++i) {
    const std::string f = item_field(groups_field, i);
    MapReader group(*groups[i], f,
                    {"name", "gpu", "gpus_per_node", "count", "cpus", "memory", "nodes_per_rack", "mig", "pool",
                     "usd_per_gpu_hour", "autoscaling", "spot", "region", "node_watts", "off_watts", "boot"});
    NodeGroupSpec g;
    g.where = groups[i]->where();
    g.gpu_type = read_gpu_type(group.required("gpu", "a GPU type of the catalog"), group.field("gpu"), catalog);
    g.name = group.has("name") ? read_name(*group.optional("name"), group.field("name"))
                               : catalog.at(g.gpu_type).name + "-" + std::to_string(i);
    for (const auto& other : spec.node_groups) {
      if (other.name == g.name) {
        throw InputError(group.has("name") ? group.optional("name")->where() : g.where, group.field("name"),
                         "a name not used by another node group", quote_for_message(g.name));
      }
    }
    g.gpus_per_node = static_cast<std::int32_t>(read_int(group.required("gpus_per_node", "a number of GPUs per node"),
                                                         group.field("gpus_per_node"), 0, kMaxGpusPerNode));
    g.count = read_int(group.required("count", "a number of nodes"), group.field("count"), 0, kMaxNodesPerGroup);
    if (const ConfigNode* cpus = group.optional("cpus")) {
      g.cpu_milli = std::llround(read_number(*cpus, group.field("cpus"), 0.001, 1e7) * 1000);
    }
    if (const ConfigNode* memory = group.optional("memory"))
      g.memory_mib = read_memory_mib(*memory, group.field("memory"));
    g.nodes_per_rack = default_per_rack;
    if (const ConfigNode* per_rack = group.optional("nodes_per_rack")) {
      g.nodes_per_rack = static_cast<std::int32_t>(read_int(*per_rack, group.field("nodes_per_rack"), 1, 1'000'000));
    }
    if (const ConfigNode* mig = group.optional("mig")) {
      g.mig = read_mig(*mig, group.field("mig"), catalog.at(g.gpu_type), g.gpus_per_node);
    }
    parse_group_pool(group, g);
    parse_group_energy(group, spec.regions, g);
    total_gpus += g.count * g.gpus_per_node;
    if (total_gpus > kMaxClusterGpus) {
      throw InputError(group.required("count", "").where(), group.field("count"),
                       "a cluster of at most " + std::to_string(kMaxClusterGpus) + " GPUs", "more");
    }
    spec.node_groups.push_back(std::move(g));
  }
  if (total_gpus == 0) {
    throw InputError(groups_node.where(), groups_field, "a cluster with at least one GPU", "no GPUs");
  }
  return spec;
}

// --- workload ---------------------------------------------------------------

std::vector<double> read_profile(const ConfigNode& node, const std::string& field, std::size_t size) {
  const std::string expected = std::to_string(size) + " non-negative numbers, not all zero";
  const auto& items = read_list(node, field, expected);
  if (items.size() != size) {
    throw InputError(node.where(), field, "a list of " + expected, "a list of " + std::to_string(items.size()));
  }
  std::vector<double> values;
  double sum = 0;
  for (std::size_t i = 0; i < size; ++i) {
    values.push_back(read_number(*items[i], item_field(field, i), 0, 1e12));
    sum += values.back();
  }
  if (sum <= 0) throw InputError(node.where(), field, "a list of " + expected, "all zeros");
  return values;
}

// The names of the regions of a set, joined by ", ".
std::string region_names(const ClusterSpec& cluster, RegionSet set) {
  std::string names;
  for (std::size_t r = 0; r < cluster.region_count(); ++r) {
    if (set.allows(static_cast<RegionId>(r))) names += (names.empty() ? "" : ", ") + cluster.region_name(r);
  }
  return names;
}

// The limit on GPUs one job may ask for on this cluster, for messages.
std::string pool_description(const ClusterLayout& layout, const GpuCatalog& catalog, GpuTypeSet types,
                             std::int64_t gpu_memory_mib, RegionSet regions = RegionSet::any()) {
  const std::int64_t gpus = largest_serving_pool(layout, catalog, types, gpu_memory_mib, regions);
  std::string text = "at most " + std::to_string(gpus) + " GPUs, ";
  if (!types.is_any())
    text += "the cluster's " + catalog.names_of(types) + " GPUs";
  else
    text += "the largest pool of one GPU type in the cluster";
  if (gpu_memory_mib > 0) text += " with " + std::to_string(gpu_memory_mib) + " MiB or more";
  if (!regions.is_any()) text += " in " + region_names(layout.spec(), regions);
  return text;
}

SyntheticWorkloadSpec parse_synthetic(const MapReader& parent, const ConfigNode& node, const GpuCatalog& catalog,
                                      const ClusterSpec& cluster) {
  const std::string field = parent.field("synthetic");
  MapReader map(node, field,
                {"preset", "jobs_per_hour", "span", "jobs", "daily_profile", "weekly_profile", "gpus", "max_gpus",
                 "durations", "duration_scale", "min_duration", "max_duration", "gpu_type", "recorded_on", "users"});
  SyntheticWorkloadSpec spec;
  spec.daily_profile.assign(24, 1.0);
  spec.weekly_profile.assign(7, 1.0);
  bool preset = false;
  if (const ConfigNode* value = map.optional("preset")) {
    const std::string name = read_string(*value, map.field("preset"));
    if (name != "philly-2017") throw InputError(value->where(), map.field("preset"), "philly-2017", value->describe());
    spec = SyntheticWorkloadSpec::philly_2017();
    preset = true;
  }
  const auto required_without_preset = [&](std::string_view key, std::string_view expected) -> const ConfigNode* {
    const ConfigNode* value = map.optional(key);
    if (!value && !preset) {
      throw InputError(node.where(), map.field(key), std::string(expected) + " (or `preset: philly-2017`)",
                       "a missing key");
    }
    return value;
  };

  if (const ConfigNode* value = required_without_preset("jobs_per_hour", "a mean arrival rate")) {
    spec.jobs_per_hour = read_number(*value, map.field("jobs_per_hour"), 1e-6, 1e9);
  }
  if (const ConfigNode* value = map.optional("span")) spec.span = read_duration(*value, map.field("span"));
  if (const ConfigNode* value = map.optional("jobs")) spec.max_jobs = read_int(*value, map.field("jobs"), 1, kMaxInt);
  if (!map.has("span") && !map.has("jobs") && !preset) {
    throw InputError(node.where(), map.field("span"), "how long jobs arrive (span) or how many (jobs)", "neither");
  }
  if (map.has("jobs") && !map.has("span")) spec.span = Duration::days(365 * 100);
  if (spec.span <= Duration()) {
    throw InputError(map.optional("span")->where(), map.field("span"), "a positive duration", "0");
  }
  if (const ConfigNode* value = map.optional("daily_profile")) {
    spec.daily_profile = read_profile(*value, map.field("daily_profile"), 24);
  }
  if (const ConfigNode* value = map.optional("weekly_profile")) {
    spec.weekly_profile = read_profile(*value, map.field("weekly_profile"), 7);
  }
  if (const ConfigNode* value = required_without_preset("gpus", "a map from GPU count to weight")) {
    const std::string f = map.field("gpus");
    if (value->kind() != ConfigNode::Kind::kMap || value->entries().empty()) {
      throw InputError(value->where(), f, "a map from GPU count to weight, such as {1: 0.9, 8: 0.1}",
                       value->describe());
    }
    spec.gpu_weights.clear();
    for (const auto& entry : value->entries()) {
      std::int64_t gpus = 0;
      if (!parse_int(entry.key, gpus) || gpus < 1 || gpus > 1'000'000) {
        throw InputError(entry.key_where, f, "GPU counts from 1 to 1000000 as keys", quote_for_message(entry.key));
      }
      const double weight = read_number(*entry.value, f + "." + entry.key, 0, 1e12);
      if (weight > 0) spec.gpu_weights.emplace_back(static_cast<std::int32_t>(gpus), weight);
    }
    std::sort(spec.gpu_weights.begin(), spec.gpu_weights.end());
    if (spec.gpu_weights.empty()) throw InputError(value->where(), f, "at least one positive weight", "none");
  }
  if (const ConfigNode* value = map.optional("max_gpus")) {
    const auto max_gpus = read_int(*value, map.field("max_gpus"), 1, 1'000'000);
    std::erase_if(spec.gpu_weights, [&](const auto& w) { return w.first > max_gpus; });
    if (spec.gpu_weights.empty()) {
      throw InputError(value->where(), map.field("max_gpus"), "a limit that keeps some GPU counts", value->describe());
    }
  }
  if (const ConfigNode* value = required_without_preset("durations", "a list of duration classes")) {
    const std::string f = map.field("durations");
    const auto& items = read_list(*value, f, "duration classes {max_gpus, median, sigma}");
    if (items.empty()) throw InputError(value->where(), f, "at least one duration class", "an empty list");
    spec.duration_classes.clear();
    for (std::size_t i = 0; i < items.size(); ++i) {
      const std::string cf = item_field(f, i);
      MapReader cls(*items[i], cf, {"max_gpus", "median", "sigma"});
      DurationClass c;
      c.max_gpus = static_cast<std::int32_t>(
          read_int(cls.required("max_gpus", "the largest GPU count of the class"), cls.field("max_gpus"), 1, 1 << 30));
      const Duration median = read_duration(cls.required("median", "the median run time"), cls.field("median"));
      if (median <= Duration()) {
        throw InputError(cls.optional("median")->where(), cls.field("median"), "a positive duration", "0");
      }
      c.log_mean = std::log(median.to_seconds());
      c.log_sigma =
          read_number(cls.required("sigma", "the standard deviation of ln(run time)"), cls.field("sigma"), 0, 20);
      if (!spec.duration_classes.empty() && c.max_gpus <= spec.duration_classes.back().max_gpus) {
        throw InputError(items[i]->where(), cls.field("max_gpus"), "classes in increasing max_gpus order",
                         std::to_string(c.max_gpus));
      }
      spec.duration_classes.push_back(c);
    }
    if (spec.gpu_weights.back().first > spec.duration_classes.back().max_gpus) {
      throw InputError(
          value->where(), f,
          "a class for every GPU count drawn (up to " + std::to_string(spec.gpu_weights.back().first) + ")",
          "classes up to " + std::to_string(spec.duration_classes.back().max_gpus));
    }
  }
  if (const ConfigNode* value = map.optional("duration_scale")) {
    spec.duration_scale = read_number(*value, map.field("duration_scale"), 1e-6, 1e6);
  }
  if (const ConfigNode* value = map.optional("min_duration")) {
    spec.min_duration = read_duration(*value, map.field("min_duration"));
  }
  if (const ConfigNode* value = map.optional("max_duration")) {
    spec.max_duration = read_duration(*value, map.field("max_duration"));
    if (spec.max_duration < spec.min_duration || spec.max_duration <= Duration()) {
      throw InputError(value->where(), map.field("max_duration"),
                       "a positive duration not below min_duration (" + format_duration(spec.min_duration) + ")",
                       value->describe());
    }
  }
  if (const ConfigNode* value = map.optional("gpu_type")) {
    spec.gpu_type = read_gpu_type(*value, map.field("gpu_type"), catalog);
  }
  GpuTypeId recorded_on = *catalog.find("V100");
  if (const ConfigNode* value = map.optional("recorded_on")) {
    recorded_on = read_gpu_type(*value, map.field("recorded_on"), catalog);
  }
  spec.recorded_speed = catalog.at(recorded_on).relative_speed;
  if (const ConfigNode* value = map.optional("users")) {
    spec.users = static_cast<std::int32_t>(read_int(*value, map.field("users"), 0, 10'000'000));
  }

  // A job asking for more GPUs than the cluster can ever give is an error in
  // the scenario, not a job that waits forever.
  const ClusterLayout layout(cluster);
  const GpuTypeSet types = spec.gpu_type == kAnyGpuType ? GpuTypeSet::any() : GpuTypeSet::of(spec.gpu_type);
  const std::int64_t largest = largest_serving_pool(layout, catalog, types, 0);
  if (spec.gpu_weights.back().first > largest) {
    const ConfigNode* where = map.optional("max_gpus");
    if (!where) where = map.optional("gpus");
    throw InputError(where ? where->where() : node.where(), map.field(map.has("max_gpus") ? "max_gpus" : "gpus"),
                     pool_description(layout, catalog, types, 0) + " (set max_gpus to leave larger jobs out)",
                     "jobs of up to " + std::to_string(spec.gpu_weights.back().first) + " GPUs");
  }
  return spec;
}

// A listed job's `gpus:` in thousandths of a GPU: a whole number from 1, a
// share of one GPU to the thousandth (0.25), a MIG instance's compute slices
// (`3g`, or a profile name such as `3g.40gb`: 3/7 of a GPU, see mig_milli),
// or 0 for a CPU-only job.
std::int64_t read_job_gpu_milli(const ConfigNode& node, const std::string& field) {
  constexpr double kMaxJobGpus = 1'000'000;
  const char* expected =
      "a whole number of GPUs from 1 to 1000000, a share of one GPU in thousandths (such as 0.25), a MIG instance "
      "size from 1g to 7g, or 0 for a CPU-only job (with cpus:)";
  const std::string& text = node.scalar();
  if (node.kind() == ConfigNode::Kind::kScalar && text.size() >= 2 && text[0] >= '1' &&
      text[0] <= '0' + kMigComputeSlices && (text[1] == 'g' || text[1] == 'G') &&
      (text.size() == 2 || text[2] == '.')) {
    return mig_milli(text[0] - '0');
  }
  double gpus = 0;
  if (node.kind() != ConfigNode::Kind::kScalar || node.quoted() || !parse_number(node.scalar(), gpus) || !(gpus >= 0) ||
      gpus > kMaxJobGpus) {
    throw InputError(node.where(), field, expected, node.describe());
  }
  if (gpus == std::floor(gpus)) return static_cast<std::int64_t>(gpus) * kMilliPerGpu;
  const double milli = gpus * kMilliPerGpu;
  const std::int64_t rounded = std::llround(milli);
  if (gpus > 1 || rounded < 1 || std::fabs(milli - static_cast<double>(rounded)) > 1e-6) {
    throw InputError(node.where(), field, expected, node.describe());
  }
  return rounded;
}

// A class of workload.job_classes, by name.
JobClassId read_job_class(const ConfigNode& node, const std::string& field, const JobClasses& classes) {
  const std::string name = read_name(node, field);
  if (const auto id = classes.find(name)) return *id;
  std::string known;
  for (const JobClassSpec& c : classes.classes()) known += (known.empty() ? "" : ", ") + c.name;
  throw InputError(node.where(), field, "a class of workload.job_classes: " + known, quote_for_message(name));
}

// Throws when no pool of the cluster can ever serve `gpu_milli` (> 0) GPU
// thousandths of the allowed types with that much memory per GPU, in the
// regions allowed (data residency; any when empty): naming
// `gpu_memory` when memory is what rules it out, else `gpus` (`gpus_node`
// where the map has no `gpus` key). `what`: "a job", "a replica".
void check_gpu_request_fits(const MapReader& map, const ConfigNode& gpus_node, std::int64_t gpu_milli, GpuTypeSet types,
                            std::int64_t gpu_memory_mib, RegionSet regions, const ClusterLayout& layout,
                            const GpuCatalog& catalog, const std::string& what) {
  const auto where_of = [&](const char* key) { return map.has(key) ? map.optional(key) : &gpus_node; };
  if (gpu_milli < kMilliPerGpu) {
    const std::int64_t largest = largest_serving_share(layout, catalog, types, gpu_memory_mib, regions);
    if (largest >= gpu_milli) return;
    const bool memory = gpu_memory_mib > 0 && largest_serving_share(layout, catalog, types, 0, regions) >= gpu_milli;
    const char* key = memory ? "gpu_memory" : "gpus";
    throw InputError(where_of(key)->where(), map.field(key),
                     largest == 0 ? pool_description(layout, catalog, types, gpu_memory_mib, regions) + " for " + what +
                                        " of a share of one GPU"
                                  : "a share of one GPU of at most " + std::to_string(largest) +
                                        " thousandths, the largest GPU or MIG instance that serves it",
                     where_of(key)->describe());
  }
  const std::int64_t gpus = gpu_milli / kMilliPerGpu;
  if (gpus <= largest_serving_pool(layout, catalog, types, gpu_memory_mib, regions)) return;
  const bool memory = gpu_memory_mib > 0 && gpus <= largest_serving_pool(layout, catalog, types, 0, regions);
  const char* key = memory ? "gpu_memory" : "gpus";
  throw InputError(where_of(key)->where(), map.field(key),
                   pool_description(layout, catalog, types, gpu_memory_mib, regions) + " for " + what + " of " +
                       std::to_string(gpus) + " GPUs",
                   memory ? where_of(key)->describe() : std::to_string(gpus));
}

std::vector<JobSpec> parse_jobs(const ConfigNode& node, const std::string& field, const GpuCatalog& catalog,
                                const ClusterSpec& cluster, const JobClasses& classes) {
  const auto& items = read_list(node, field, "jobs");
  const ClusterLayout layout(cluster);
  const double reference_speed = catalog.at(*catalog.find("V100")).relative_speed;
  std::vector<JobSpec> jobs;
  for (std::size_t i = 0; i < items.size(); ++i) {
    const std::string f = item_field(field, i);
    MapReader map(*items[i], f,
                  {"id", "submit", "gpus", "duration", "gpu_type", "gpu_memory", "user", "state", "cpus", "memory",
                   "recorded_on", "queue", "estimate", "class"});
    JobSpec job;
    job.origin = items[i]->where();
    job.name = map.has("id") ? read_name(*map.optional("id"), map.field("id")) : "job-" + std::to_string(i);
    job.submit = Time::zero() + read_duration(map.required("submit", "a submit time"), map.field("submit"));
    const ConfigNode& gpus_node = map.required("gpus", "a number of GPUs");
    const std::int64_t gpu_milli = read_job_gpu_milli(gpus_node, map.field("gpus"));
    const auto gpus = static_cast<std::int32_t>(gpu_milli / kMilliPerGpu);  // whole GPUs (0 for less than one)
    job.request = Resources{gpu_milli, 0, 0, 0};
    job.duration = read_duration(map.required("duration", "a run time"), map.field("duration"));
    if (const ConfigNode* value = map.optional("gpu_type")) {
      job.gpu_types = GpuTypeSet::of(read_gpu_type(*value, map.field("gpu_type"), catalog));
    }
    double speed = reference_speed;
    if (const ConfigNode* value = map.optional("recorded_on")) {
      speed = catalog.at(read_gpu_type(*value, map.field("recorded_on"), catalog)).relative_speed;
    }
    // Work as the trace readers set it (core/traces/common.cpp): GPU-us on
    // the recorded type, a share of a GPU as that fraction; a CPU-only job's
    // work is its run time in us.
    if (gpu_milli == 0) {
      job.work = static_cast<double>(job.duration.count_us());
    } else if (gpus > 0) {
      job.work = static_cast<double>(job.duration.count_us()) * gpus * speed;
    } else {
      job.work = static_cast<double>(job.duration.count_us()) * static_cast<double>(gpu_milli) /
                 static_cast<double>(kMilliPerGpu) * speed;
    }
    if (const ConfigNode* value = map.optional("user")) job.user = read_name(*value, map.field("user"));
    if (const ConfigNode* value = map.optional("queue")) job.queue = read_name(*value, map.field("queue"));
    if (const ConfigNode* value = map.optional("estimate")) {
      job.estimate = read_duration(*value, map.field("estimate"));
    }
    // A job naming its class is held to the class's regions; one classified
    // later (by user or queue) meets them in the scheduler core, which
    // rejects it if they hold no pool for it.
    RegionSet regions;
    if (const ConfigNode* value = map.optional("class")) {
      job.job_class = read_job_class(*value, map.field("class"), classes);
      regions = classes.at(job.job_class).regions;
    }
    if (const ConfigNode* value = map.optional("state")) {
      const auto outcome = parse_job_outcome(read_string(*value, map.field("state")));
      // A cancelled job never ran: the scenario cannot say how long it would.
      if (!outcome || *outcome == JobOutcome::kCancelled) {
        throw InputError(value->where(), map.field("state"),
                         "completed, failed, killed or running (still running when the trace ended)",
                         value->describe());
      }
      job.outcome = *outcome;
    }
    if (const ConfigNode* value = map.optional("cpus")) {
      job.request.cpu_milli = std::llround(read_number(*value, map.field("cpus"), 0, 1e9) * 1000);
    }
    if (const ConfigNode* value = map.optional("memory")) {
      job.request.memory_mib = read_memory_mib(*value, map.field("memory"));
    }
    if (const ConfigNode* value = map.optional("gpu_memory")) {
      job.request.gpu_memory_mib = read_memory_mib(*value, map.field("gpu_memory"));
    }
    if (gpu_milli == 0) {
      if (job.request.cpu_milli == 0) {
        throw InputError(gpus_node.where(), map.field("gpus"), "cpus: for a CPU-only job (gpus: 0)",
                         "a job that asks for neither GPUs nor CPU");
      }
      if (!serving_groups_model_cpu(layout, catalog, job.gpu_types, job.request.gpu_memory_mib, regions)) {
        throw InputError(map.optional("cpus")->where(), map.field("cpus"),
                         "a node group that models CPU (cpus:) for a CPU-only job",
                         regions.is_any() ? "a cluster without one" : "none in its class's regions");
      }
    } else {
      check_gpu_request_fits(map, gpus_node, gpu_milli, job.gpu_types, job.request.gpu_memory_mib, regions, layout,
                             catalog, "a job");
    }
    jobs.push_back(std::move(job));
  }
  std::stable_sort(jobs.begin(), jobs.end(), [](const JobSpec& a, const JobSpec& b) { return a.submit < b.submit; });
  return jobs;
}

// A wall-clock instant or an offset from the trace's first job, for windows.
void read_window_point(const ConfigNode& node, const std::string& field, std::optional<Duration>& offset,
                       std::optional<std::int64_t>& at_us) {
  const std::string text = read_string(node, field);
  if (auto instant = parse_datetime_us(text)) {
    at_us = *instant;
  } else if (auto d = parse_duration(text)) {
    offset = *d;
  } else {
    throw InputError(node.where(), field,
                     "an offset from the trace's first job (such as 14d) or " + std::string(kDatetimeExpected),
                     node.describe());
  }
}

// `sample: {with_replacement: true, until_requested_gpus: 130%, interval: 1s}`
// (TraceSample); a percentage is of the cluster's GPUs.
TraceSample parse_trace_sample(const ConfigNode& node, const std::string& field, const ClusterSpec& cluster) {
  MapReader map(node, field, {"with_replacement", "until_requested_gpus", "interval"});
  TraceSample sample;
  if (const ConfigNode* v = map.optional("with_replacement"))
    sample.with_replacement = read_bool(*v, map.field("with_replacement"));
  const ConfigNode& until = map.required("until_requested_gpus",
                                         "the GPUs the drawn jobs request before the sample stops: a percentage of the "
                                         "cluster's GPUs (130%) or a number of GPUs");
  const std::string until_field = map.field("until_requested_gpus");
  std::int64_t cluster_gpus = 0;
  for (const NodeGroupSpec& group : cluster.node_groups) cluster_gpus += group.count * group.gpus_per_node;
  const std::string expected = "a positive percentage of the cluster's GPUs (such as 130%) or number of GPUs";
  if (until.kind() != ConfigNode::Kind::kScalar)
    throw InputError(until.where(), until_field, expected, until.describe());
  const std::string& text = until.scalar();
  double value = 0;
  if (!text.empty() && text.back() == '%') {
    if (!parse_number(std::string_view(text).substr(0, text.size() - 1), value) || !(value > 0) || value > 1e6) {
      throw InputError(until.where(), until_field, expected, until.describe());
    }
    if (cluster_gpus == 0) {
      throw InputError(until.where(), until_field, "a number of GPUs (the cluster has no GPUs to take a share of)",
                       until.describe());
    }
    sample.until_requested_percent = value;
    sample.until_requested_gpu_milli =
        static_cast<std::int64_t>(std::ceil(value / 100.0 * static_cast<double>(cluster_gpus) * kMilliPerGpu));
  } else {
    value = read_number(until, until_field, 1e-3, 1e9);
    sample.until_requested_gpu_milli = static_cast<std::int64_t>(std::ceil(value * kMilliPerGpu));
    if (cluster_gpus > 0) sample.until_requested_percent = 100.0 * value / static_cast<double>(cluster_gpus);
  }
  if (const ConfigNode* v = map.optional("interval")) {
    sample.interval = read_duration(*v, map.field("interval"));
    if (sample.interval <= Duration()) {
      throw InputError(v->where(), map.field("interval"), "a positive duration between arrivals", v->describe());
    }
  }
  return sample;
}

TraceSpec parse_trace(const ConfigNode& node, const std::string& field, const GpuCatalog& catalog,
                      const std::filesystem::path& base_dir, const ScenarioOverrides& overrides,
                      const ClusterSpec& cluster) {
  MapReader trace(
      node, field,
      {"format", "path", "recorded_on", "gpu_types", "window", "filters", "scale", "jitter", "skip_bad_rows",
       "processors_per_gpu", "request_gpus", "prefill_tokens_per_s", "decode_tokens_per_s", "sample"});
  TraceSpec spec;
  spec.where = node.where();
  const ConfigNode& format = trace.required("format", "a trace format (" + trace_format_names() + ")");
  const std::string format_name = read_string(format, trace.field("format"));
  const auto parsed = parse_trace_format(format_name);
  if (!parsed) {
    throw InputError(format.where(), trace.field("format"), "a trace format: " + trace_format_names(),
                     format.describe());
  }
  spec.format = *parsed;
  const auto only_for = [&](std::string_view key, TraceFormat f) {
    if (trace.has(key) && spec.format != f) {
      throw InputError(trace.optional(key)->where(), trace.field(key),
                       "a key of the " + std::string(to_string(f)) + " format only",
                       "it with format " + std::string(to_string(spec.format)));
    }
  };
  only_for("processors_per_gpu", TraceFormat::kSwf);
  for (const char* key : {"request_gpus", "prefill_tokens_per_s", "decode_tokens_per_s"})
    only_for(key, TraceFormat::kAzureLlm);

  if (overrides.trace_path) {
    spec.path = *overrides.trace_path;
    std::error_code ec;
    if (!std::filesystem::is_regular_file(spec.path, ec)) {
      throw InputError({"command line", 0, 0}, "--trace", "an existing trace file",
                       quote_for_message(spec.path.string()));
    }
  } else {
    const ConfigNode& path = trace.required("path", "the path of the trace file (or --trace on the command line)");
    const std::filesystem::path relative = read_string(path, trace.field("path"));
    spec.path = (relative.is_absolute() ? relative : base_dir / relative).lexically_normal();
    std::error_code ec;
    if (!std::filesystem::is_regular_file(spec.path, ec)) {
      throw InputError(path.where(), trace.field("path"),
                       "an existing trace file (relative to the scenario's folder), or --trace PATH",
                       quote_for_message(spec.path.string()));
    }
  }
  spec.recorded_on = *catalog.find("V100");
  if (const ConfigNode* recorded = trace.optional("recorded_on")) {
    spec.recorded_on = read_gpu_type(*recorded, trace.field("recorded_on"), catalog);
  }
  if (const ConfigNode* types = trace.optional("gpu_types")) {
    const std::string f = trace.field("gpu_types");
    if (types->kind() != ConfigNode::Kind::kMap) {
      throw InputError(types->where(), f, "a map from the trace's GPU model names to catalog types, such as {G2: T4}",
                       types->describe());
    }
    for (const auto& entry : types->entries()) {
      spec.gpu_types[entry.key] = read_gpu_type(*entry.value, f + "." + entry.key, catalog);
    }
  }
  if (const ConfigNode* window = trace.optional("window")) {
    MapReader w(*window, trace.field("window"), {"start", "end", "length"});
    if (const ConfigNode* start = w.optional("start")) {
      read_window_point(*start, w.field("start"), spec.window.start_offset, spec.window.start_at_us);
    }
    if (w.has("end") && w.has("length")) {
      throw InputError(w.optional("length")->where(), w.field("length"), "either end or length", "both");
    }
    if (const ConfigNode* end = w.optional("end")) {
      std::optional<Duration> offset;
      read_window_point(*end, w.field("end"), offset, spec.window.end_at_us);
      if (offset) {
        // An end given as an offset is the window's length past its start.
        spec.window.length = *offset - spec.window.start_offset.value_or(Duration());
        if (spec.window.start_at_us || *spec.window.length <= Duration()) {
          throw InputError(end->where(), w.field("end"), "an end after the start, of the same kind (offset or date)",
                           end->describe());
        }
      } else if (spec.window.start_offset ||
                 (spec.window.start_at_us && *spec.window.end_at_us <= *spec.window.start_at_us)) {
        throw InputError(end->where(), w.field("end"), "an end after the start, of the same kind (offset or date)",
                         end->describe());
      }
    }
    if (const ConfigNode* length = w.optional("length")) {
      spec.window.length = read_duration(*length, w.field("length"));
      if (*spec.window.length <= Duration()) {
        throw InputError(length->where(), w.field("length"), "a positive duration", length->describe());
      }
    }
  }
  if (const ConfigNode* filters = trace.optional("filters")) {
    MapReader f(*filters, trace.field("filters"), {"gpus", "states", "users", "queues"});
    if (const ConfigNode* gpus = f.optional("gpus")) {
      MapReader g(*gpus, f.field("gpus"), {"min", "max"});
      if (const ConfigNode* v = g.optional("min")) spec.filters.min_gpus = read_number(*v, g.field("min"), 0, 1e7);
      if (const ConfigNode* v = g.optional("max")) spec.filters.max_gpus = read_number(*v, g.field("max"), 0, 1e7);
      if (spec.filters.min_gpus && spec.filters.max_gpus && *spec.filters.max_gpus < *spec.filters.min_gpus) {
        throw InputError(g.optional("max")->where(), g.field("max"),
                         "at least min (" + std::to_string(*spec.filters.min_gpus) + ")",
                         g.optional("max")->describe());
      }
    }
    if (const ConfigNode* states = f.optional("states")) {
      const auto& items = read_list(*states, f.field("states"), "job states");
      for (std::size_t i = 0; i < items.size(); ++i) {
        const std::string sf = item_field(f.field("states"), i);
        const auto outcome = parse_job_outcome(read_string(*items[i], sf));
        if (!outcome || *outcome == JobOutcome::kCancelled) {
          throw InputError(items[i]->where(), sf, "completed, failed, killed or running (cancelled jobs never replay)",
                           items[i]->describe());
        }
        spec.filters.states.push_back(*outcome);
      }
    }
    for (const char* key : {"users", "queues"}) {
      if (const ConfigNode* names = f.optional(key)) {
        auto& out = std::string_view(key) == "users" ? spec.filters.users : spec.filters.queues;
        const auto& items = read_list(*names, f.field(key), "names");
        for (std::size_t i = 0; i < items.size(); ++i) {
          out.push_back(read_string(*items[i], item_field(f.field(key), i)));
        }
      }
    }
  }
  if (const ConfigNode* v = trace.optional("scale")) spec.scale = read_number(*v, trace.field("scale"), 1e-6, 1000);
  if (const ConfigNode* v = trace.optional("jitter")) spec.jitter = read_duration(*v, trace.field("jitter"));
  if (const ConfigNode* v = trace.optional("skip_bad_rows"))
    spec.skip_bad_rows = read_bool(*v, trace.field("skip_bad_rows"));
  if (const ConfigNode* v = trace.optional("processors_per_gpu")) {
    spec.processors_per_gpu = read_number(*v, trace.field("processors_per_gpu"), 1e-3, 1e6);
  }
  if (const ConfigNode* v = trace.optional("request_gpus")) {
    spec.azure.gpus = read_number(*v, trace.field("request_gpus"), 0.001, 1024);
  }
  if (const ConfigNode* v = trace.optional("prefill_tokens_per_s")) {
    spec.azure.prefill_tokens_per_s = read_number(*v, trace.field("prefill_tokens_per_s"), 1e-3, 1e12);
  }
  if (const ConfigNode* v = trace.optional("decode_tokens_per_s")) {
    spec.azure.decode_tokens_per_s = read_number(*v, trace.field("decode_tokens_per_s"), 1e-3, 1e12);
  }
  if (const ConfigNode* v = trace.optional("sample")) {
    // A sample is drawn, not replayed in time: what shapes a replay does not apply.
    for (const char* key : {"window", "scale", "jitter"}) {
      if (trace.has(key)) {
        throw InputError(trace.optional(key)->where(), trace.field(key),
                         "no " + std::string(key) + " with sample:", "both");
      }
    }
    spec.sample = parse_trace_sample(*v, trace.field("sample"), cluster);
  }
  return spec;
}

// --- services ---------------------------------------------------------------

// A positive duration, in seconds.
double read_positive_seconds(const ConfigNode& node, const std::string& field) {
  const Duration d = read_duration(node, field);
  if (d <= Duration()) throw InputError(node.where(), field, "a positive duration", node.describe());
  return d.to_seconds();
}

ServiceModelSpec parse_service_model(const ConfigNode& node, const std::string& field, const GpuCatalog& catalog) {
  MapReader map(node, field,
                {"work", "step", "step_per_request", "max_batch", "queue_limit", "measured_on", "prefill"});
  ServiceModelSpec model;
  model.work_s =
      read_positive_seconds(map.required("work", "a request's mean run time alone, such as 500ms"), map.field("work"));
  if (const ConfigNode* value = map.optional("step")) model.step_s = read_positive_seconds(*value, map.field("step"));
  model.step_per_request_s = model.step_s / 10;
  if (const ConfigNode* value = map.optional("step_per_request")) {
    model.step_per_request_s = read_duration(*value, map.field("step_per_request")).to_seconds();
  }
  if (const ConfigNode* value = map.optional("max_batch")) {
    model.max_batch = static_cast<std::int32_t>(read_int(*value, map.field("max_batch"), 1, 100'000));
  }
  if (const ConfigNode* value = map.optional("queue_limit")) {
    model.queue_limit = read_number(*value, map.field("queue_limit"), 0, 1e12);
  }
  if (const ConfigNode* value = map.optional("measured_on")) {
    model.measured_speed = catalog.at(read_gpu_type(*value, map.field("measured_on"), catalog)).relative_speed;
  }
  if (const ConfigNode* value = map.optional("prefill")) {
    model.prefill_s = read_duration(*value, map.field("prefill")).to_seconds();
    if (model.prefill_s > model.work_s) {
      throw InputError(value->where(), map.field("prefill"), "at most the request's work (a part of it)",
                       value->describe());
    }
  }
  if (model.work_s < model.step_s) {
    throw InputError(map.optional("work")->where(), map.field("work"),
                     "at least one step (" + format_duration(Duration::from_seconds(model.step_s)) + ")",
                     map.optional("work")->describe());
  }
  return model;
}

std::vector<ServiceSpec> parse_services(const ConfigNode& node, const std::string& field, const GpuCatalog& catalog,
                                        const ClusterSpec& cluster, const JobClasses& classes,
                                        const std::filesystem::path& base_dir) {
  const auto& items = read_list(node, field, "services");
  const ClusterLayout layout(cluster);
  std::vector<ServiceSpec> services;
  for (std::size_t i = 0; i < items.size(); ++i) {
    const std::string f = item_field(field, i);
    MapReader map(*items[i], f,
                  {"name", "gpus", "gpu_memory", "gpu_type", "class", "regions", "model", "cold_start", "slo",
                   "replicas", "load", "autoscaling"});
    ServiceSpec service;
    service.where = items[i]->where();
    const ConfigNode& name_node = map.required("name", "the service's name");
    service.name = read_name(name_node, map.field("name"));
    for (const ServiceSpec& other : services) {
      if (other.name == service.name) {
        throw InputError(name_node.where(), map.field("name"), "a name no other service has",
                         quote_for_message(service.name) + ", the name of another");
      }
    }
    service.request.gpu_milli = kMilliPerGpu;
    if (const ConfigNode* value = map.optional("gpus")) {
      service.request.gpu_milli = read_job_gpu_milli(*value, map.field("gpus"));
      if (service.request.gpu_milli == 0) {
        throw InputError(value->where(), map.field("gpus"), "GPUs per replica (a replica without GPUs serves nothing)",
                         "0");
      }
    }
    if (const ConfigNode* value = map.optional("gpu_memory")) {
      service.request.gpu_memory_mib = read_memory_mib(*value, map.field("gpu_memory"));
    }
    if (const ConfigNode* value = map.optional("gpu_type")) {
      if (value->kind() == ConfigNode::Kind::kSequence) {
        const auto& types = read_list(*value, map.field("gpu_type"), "GPU types");
        for (std::size_t t = 0; t < types.size(); ++t) {
          service.gpu_types.add(read_gpu_type(*types[t], item_field(map.field("gpu_type"), t), catalog));
        }
      } else {
        service.gpu_types = GpuTypeSet::of(read_gpu_type(*value, map.field("gpu_type"), catalog));
      }
    }
    if (const ConfigNode* value = map.optional("class")) {
      service.job_class = read_job_class(*value, map.field("class"), classes);
    } else if (const auto id = classes.find("default")) {
      service.job_class = *id;
    } else {
      throw InputError(service.where, map.field("class"),
                       "the job class of the replicas (workload.job_classes has no class \"default\")",
                       "a missing key");
    }
    const JobClassSpec& job_class = classes.at(service.job_class);
    service.regions = job_class.regions;
    if (const ConfigNode* value = map.optional("regions")) {
      service.regions = read_resident_regions(*value, map.field("regions"), cluster);
      if (!service.regions.within(job_class.regions)) {
        throw InputError(value->where(), map.field("regions"),
                         "regions within its class " + quote_for_message(job_class.name) + "'s (" +
                             region_names(cluster, job_class.regions) + ")",
                         value->describe());
      }
    }
    check_gpu_request_fits(map, name_node, service.request.gpu_milli, service.gpu_types, service.request.gpu_memory_mib,
                           service.regions, layout, catalog, "a replica");
    service.model = parse_service_model(map.required("model", "the replica's batching model: a map with work:"),
                                        map.field("model"), catalog);
    if (const ConfigNode* value = map.optional("cold_start")) {
      MapReader cold(*value, map.field("cold_start"), {"provision", "image_pull", "model_load"});
      for (const auto& [key, out] : {std::pair{"provision", &service.cold_start.provision},
                                     {"image_pull", &service.cold_start.image_pull},
                                     {"model_load", &service.cold_start.model_load}}) {
        if (const ConfigNode* d = cold.optional(key)) *out = read_duration(*d, cold.field(key));
      }
    }
    {
      const ConfigNode& value =
          map.required("slo", "the service's objectives: {latency: 500ms, percentile: 99} or {ttft: 1s, tpot: 50ms}");
      MapReader slo(value, map.field("slo"), {"latency", "ttft", "tpot", "percentile"});
      for (const auto& [key, out] :
           {std::pair{"latency", &service.slo_latency}, {"ttft", &service.slo_ttft}, {"tpot", &service.slo_tpot}}) {
        if (const ConfigNode* d = slo.optional(key))
          *out = Duration::from_seconds(read_positive_seconds(*d, slo.field(key)));
      }
      if (!service.slo_latency && !service.slo_ttft && !service.slo_tpot) {
        throw InputError(value.where(), slo.field("latency"),
                         "an objective: latency (a request answered within it), or ttft and/or tpot (LLMs)", "none");
      }
      if (const ConfigNode* p = slo.optional("percentile")) {
        service.slo_percentile = read_number(*p, slo.field("percentile"), 1, 99.9999);
      }
    }
    service.load = parse_load_spec(map.required("load", "the request rate: a load map (base or trace)"),
                                   map.field("load"), base_dir);
    if (const ConfigNode::Entry* entry = items[i]->find("autoscaling");
        entry && entry->value->kind() != ConfigNode::Kind::kNull) {
      service.autoscaling = parse_policy_node(entry->value, map.field("autoscaling"));
    }
    if (const ConfigNode* value = map.optional("replicas")) {
      service.initial_replicas = static_cast<std::int32_t>(read_int(*value, map.field("replicas"), 0, 10'000'000));
    }
    services.push_back(std::move(service));
  }
  return services;
}

WorkloadSpec parse_workload(const ConfigNode& node, const GpuCatalog& catalog, const ClusterSpec& cluster,
                            const std::filesystem::path& base_dir, const ScenarioOverrides& overrides) {
  MapReader map(node, "workload", {"synthetic", "trace", "jobs", "job_classes", "services"});
  WorkloadSpec workload;
  workload.job_classes =
      parse_job_classes(map.optional("job_classes"), map.field("job_classes"), catalog, cluster, base_dir);
  if (const ConfigNode* value = map.optional("synthetic")) {
    workload.synthetic = parse_synthetic(map, *value, catalog, cluster);
  }
  if (const ConfigNode* value = map.optional("trace")) {
    workload.trace = parse_trace(*value, map.field("trace"), catalog, base_dir, overrides, cluster);
  } else if (overrides.trace_path) {
    throw InputError(node.where(), map.field("trace"), "a trace to replace (--trace needs a scenario with one)",
                     "a workload without a trace");
  }
  if (const ConfigNode* value = map.optional("jobs")) {
    workload.jobs = parse_jobs(*value, map.field("jobs"), catalog, cluster, workload.job_classes);
  }
  if (const ConfigNode* value = map.optional("services")) {
    workload.services = parse_services(*value, map.field("services"), catalog, cluster, workload.job_classes, base_dir);
  }
  if (!workload.synthetic && !workload.trace && workload.jobs.empty() && workload.services.empty()) {
    throw InputError(node.where(), "workload", "at least one of synthetic, trace, jobs or services", "none");
  }
  return workload;
}

// --- policies and run -------------------------------------------------------

PolicySpec parse_policy(const MapReader& parent, std::string_view key, std::string default_name) {
  for (const auto& entry : parent.node().entries()) {
    if (entry.key == key && entry.value && entry.value->kind() != ConfigNode::Kind::kNull) {
      return parse_policy_node(entry.value, parent.field(key));
    }
  }
  PolicySpec spec;
  spec.field = parent.field(key);
  spec.name = std::move(default_name);
  spec.where = parent.node().where();
  return spec;
}

CompareSpec parse_compare(const ConfigNode& node) {
  MapReader map(node, "compare", {"queue", "placement", "autoscaling", "energy", "reaping", "seeds"});
  CompareSpec spec;
  spec.where = node.where();
  for (const auto& [key, out] : {std::pair{"queue", &spec.queue},
                                 {"placement", &spec.placement},
                                 {"autoscaling", &spec.autoscaling},
                                 {"energy", &spec.energy}}) {
    if (!map.has(key)) continue;
    const auto& items = read_list(*map.optional(key), map.field(key), "policies");
    for (std::size_t i = 0; i < items.size(); ++i) {
      const std::string item = map.field(key) + "[" + std::to_string(i) + "]";
      out->push_back(out == &spec.energy ? parse_energy_policy_node(items[i], item)
                                         : parse_policy_node(items[i], item));
    }
  }
  if (const ConfigNode* value = map.optional("reaping")) {
    const auto& items = read_list(*value, map.field("reaping"), "reaping settings");
    for (std::size_t i = 0; i < items.size(); ++i) {
      spec.reaping.push_back(parse_reaping(*items[i], map.field("reaping") + "[" + std::to_string(i) + "]"));
    }
  }
  if (const ConfigNode* value = map.optional("seeds")) {
    const auto& items = read_list(*value, map.field("seeds"), "seeds");
    for (std::size_t i = 0; i < items.size(); ++i) {
      spec.seeds.push_back(static_cast<std::uint64_t>(
          read_int(*items[i], map.field("seeds") + "[" + std::to_string(i) + "]", 0, kMaxInt)));
    }
  }
  if (spec.empty()) {
    throw InputError(node.where(), "compare",
                     "queue, placement, autoscaling, energy, reaping or seeds: lists of what to compare", "none");
  }
  return spec;
}

RunSpec parse_run(const ConfigNode* node) {
  RunSpec run;
  if (!node) return run;
  MapReader map(*node, "run", {"seed", "horizon", "metrics_interval", "engine", "output_dir", "simgrid_steps"});
  if (const ConfigNode* value = map.optional("seed")) {
    run.seed = static_cast<std::uint64_t>(read_int(*value, map.field("seed"), 0, kMaxInt));
  }
  if (const ConfigNode* value = map.optional("horizon")) {
    run.horizon = read_duration(*value, map.field("horizon"));
    if (*run.horizon <= Duration()) throw InputError(value->where(), map.field("horizon"), "a positive duration", "0");
  }
  if (const ConfigNode* value = map.optional("metrics_interval")) {
    run.metrics_interval = read_duration(*value, map.field("metrics_interval"));
    if (run.metrics_interval < Duration::seconds(1)) {
      throw InputError(value->where(), map.field("metrics_interval"), "a duration of at least 1s", value->describe());
    }
  }
  if (const ConfigNode* value = map.optional("engine")) {
    run.engine = read_string(*value, map.field("engine"));
    if (run.engine != "native" && run.engine != "real" && run.engine != "simgrid") {
      throw InputError(value->where(), map.field("engine"),
                       "native (the simulator), simgrid (the network-level simulator) or real (the real executor "
                       "on this machine's devices)",
                       value->describe());
    }
  }
  if (const ConfigNode* value = map.optional("simgrid_steps")) {
    if (run.engine != "simgrid") {
      throw InputError(value->where(), map.field("simgrid_steps"), "simgrid_steps only with engine: simgrid",
                       value->describe());
    }
    run.simgrid_steps = static_cast<std::int32_t>(read_int(*value, map.field("simgrid_steps"), 1, 1'000'000));
  }
  if (const ConfigNode* value = map.optional("output_dir"))
    run.output_dir = read_string(*value, map.field("output_dir"));
  // A real run lasts seconds to minutes: its time series default to seconds.
  if (run.engine == "real" && !map.has("metrics_interval")) run.metrics_interval = Duration::seconds(1);
  return run;
}

// --- merging sources --------------------------------------------------------

class ListedJobSource : public JobSource {
 public:
  explicit ListedJobSource(const std::vector<JobSpec>& jobs) : jobs_(jobs) {}
  bool next(JobSpec& job) override {
    if (next_ == jobs_.size()) return false;
    job = jobs_[next_++];
    return true;
  }

 private:
  const std::vector<JobSpec>& jobs_;
  std::size_t next_ = 0;
};

// Merges sources by submit time; ties go to the source listed first.
class MergedJobSource : public JobSource {
 public:
  explicit MergedJobSource(std::vector<std::unique_ptr<JobSource>> sources) : sources_(std::move(sources)) {
    heads_.resize(sources_.size());
    has_head_.resize(sources_.size());
    for (std::size_t i = 0; i < sources_.size(); ++i) has_head_[i] = sources_[i]->next(heads_[i]);
  }
  bool next(JobSpec& job) override {
    std::size_t best = sources_.size();
    for (std::size_t i = 0; i < sources_.size(); ++i) {
      if (has_head_[i] && (best == sources_.size() || heads_[i].submit < heads_[best].submit)) best = i;
    }
    if (best == sources_.size()) return false;
    job = std::move(heads_[best]);
    has_head_[best] = sources_[best]->next(heads_[best]);
    return true;
  }

 private:
  std::vector<std::unique_ptr<JobSource>> sources_;
  std::vector<JobSpec> heads_;
  std::vector<bool> has_head_;
};

void load_calibration(const ConfigNode& node, const std::string& field, const std::filesystem::path& base_dir,
                      Scenario& scenario) {
  std::filesystem::path path = read_string(node, field);
  if (path.is_relative()) path = base_dir / path;
  if (!std::filesystem::is_regular_file(path)) {
    throw InputError(node.where(), field, "a calibration profile written by `capsim calibrate`",
                     quote_for_message(path.string()) + ", which does not exist");
  }
  scenario.calibration = read_calibration_profile(path);
  scenario.calibration_where = node.where();
  scenario.calibration_field = field;
}

ExecutorSpec parse_executor(const ConfigNode* node, const SourceLocation& root, const std::filesystem::path& base_dir,
                            Scenario& scenario) {
  ExecutorSpec spec;
  spec.where = node ? node->where() : root;
  GpuType slot;
  slot.name = "slot";
  slot.relative_speed = 1.0;
  slot.source = "a slot of a device of this machine (the real executor)";
  scenario.catalog.upsert(slot);
  if (!node) return spec;
  MapReader map(*node, "executor", {"backend", "devices", "slots_per_device", "time_scale", "kernels", "calibration"});
  if (const ConfigNode* v = map.optional("backend")) {
    spec.backend = read_string(*v, map.field("backend"));
    if (spec.backend != "auto" && spec.backend != "cpu" && spec.backend != "cuda") {
      throw InputError(v->where(), map.field("backend"), "auto, cpu or cuda", v->describe());
    }
  }
  if (const ConfigNode* v = map.optional("devices")) {
    spec.devices = static_cast<std::int32_t>(read_int(*v, map.field("devices"), 1, 64));
  }
  if (const ConfigNode* v = map.optional("slots_per_device")) {
    spec.slots_per_device = static_cast<std::int32_t>(read_int(*v, map.field("slots_per_device"), 1, 64));
  }
  if (const ConfigNode* v = map.optional("time_scale")) {
    spec.time_scale = read_number(*v, map.field("time_scale"), 1e-9, 1e3);
  }
  if (const ConfigNode* v = map.optional("kernels")) spec.kernels = parse_kernel_mix(*v, map.field("kernels"));
  if (const ConfigNode* v = map.optional("calibration")) {
    load_calibration(*v, map.field("calibration"), base_dir, scenario);
  }
  return spec;
}

ClusterSpec executor_cluster(const ExecutorSpec& executor, const GpuCatalog& catalog) {
  ClusterSpec cluster;
  NodeGroupSpec group;
  group.name = "device";
  group.gpu_type = *catalog.find("slot");
  group.gpus_per_node = executor.slots_per_device;
  group.count = executor.devices;
  group.nodes_per_rack = executor.devices;
  group.where = executor.where;
  cluster.node_groups.push_back(group);
  return cluster;
}

}  // namespace

Scenario parse_scenario(std::string_view text, const std::string& file_name, const std::filesystem::path& base_dir,
                        const ScenarioOverrides& overrides) {
  return parse_scenario_tree(parse_config_text(text, file_name), std::string(text), file_name, base_dir, overrides);
}

Scenario parse_scenario_tree(const ConfigNodePtr& root, std::string text, const std::string& file_name,
                             const std::filesystem::path& base_dir, const ScenarioOverrides& overrides) {
  // `sweep` and `plan` are read by core/sweep.cpp and sim/plan.cpp from the
  // document kept here.
  MapReader map(*root, "",
                {"name", "description", "gpu_catalog", "cluster", "workload", "policies", "run", "compare", "executor",
                 "failures", "sweep", "plan"});
  Scenario scenario;
  scenario.text = std::move(text);
  scenario.document = root;
  scenario.base_dir = base_dir;
  scenario.overrides = overrides;
  scenario.name =
      map.has("name") ? read_name(*map.optional("name"), "name") : std::filesystem::path(file_name).stem().string();
  if (const ConfigNode* value = map.optional("description")) scenario.description = read_string(*value, "description");
  scenario.catalog = GpuCatalog::builtin();
  if (const ConfigNode* value = map.optional("gpu_catalog")) parse_catalog(*value, "gpu_catalog", scenario.catalog);
  scenario.run = parse_run(map.optional("run"));
  if (overrides.engine && *overrides.engine != scenario.run.engine) {
    // Between the simulators only: a real run has no cluster to simulate.
    if (scenario.run.engine == "real" || (*overrides.engine != "native" && *overrides.engine != "simgrid")) {
      throw InputError({"command line", 0, 0}, "--engine",
                       "native or simgrid, for a scenario of run.engine native or simgrid",
                       *overrides.engine + " for a scenario of run.engine " + scenario.run.engine);
    }
    scenario.run.engine = *overrides.engine;
  }
  if (scenario.run.engine == "real") {
    // The cluster is this machine's devices, split into slots.
    if (const ConfigNode* value = map.optional("cluster")) {
      throw InputError(value->where(), "cluster",
                       "no cluster with run.engine: real (the executor runs on this machine's devices; "
                       "describe them under executor:)",
                       "a cluster");
    }
    scenario.executor = parse_executor(map.optional("executor"), root->where(), base_dir, scenario);
    scenario.cluster = executor_cluster(*scenario.executor, scenario.catalog);
  } else {
    if (const ConfigNode* value = map.optional("executor")) {
      throw InputError(value->where(), "executor", "executor: only with run.engine: real", "an executor block");
    }
    const ConfigNode& cluster = map.required("cluster", "the cluster: a map with node_groups");
    scenario.cluster = parse_cluster(cluster, scenario.catalog, base_dir);
    if (cluster.kind() == ConfigNode::Kind::kMap) {
      if (const ConfigNode::Entry* entry = cluster.find("calibration"); entry && !overrides.calibration_path) {
        load_calibration(*entry->value, "cluster.calibration", base_dir, scenario);
      }
    }
    if (overrides.calibration_path) {
      if (!std::filesystem::is_regular_file(*overrides.calibration_path)) {
        throw InputError({"command line", 0, 0}, "--calibration", "a calibration profile written by `capsim calibrate`",
                         quote_for_message(overrides.calibration_path->string()) + ", which does not exist");
      }
      scenario.calibration = read_calibration_profile(*overrides.calibration_path);
      scenario.calibration_where = {"command line", 0, 0};
      scenario.calibration_field = "--calibration";
    }
  }
  if (scenario.calibration) {
    // The profile's measurements fill what the scenario leaves unsaid.
    PerformanceSpec& performance = scenario.cluster.performance;
    if (performance.node_contention.empty()) performance.node_contention = scenario.calibration->node_contention;
    if (performance.scaling.empty()) performance.scaling = scenario.calibration->scaling;
    if (performance.across_nodes.empty()) performance.across_nodes = scenario.calibration->across_nodes;
    if (performance.across_racks.empty()) performance.across_racks = scenario.calibration->across_racks;
    if (performance.link_sharing == 0) performance.link_sharing = scenario.calibration->link_sharing;
  }
  scenario.workload = parse_workload(map.required("workload", "the workload: synthetic, trace or jobs"),
                                     scenario.catalog, scenario.cluster, base_dir, overrides);
  if (const ConfigNode* value = map.optional("policies")) {
    MapReader policies(*value, "policies", {"queue", "placement", "energy", "reaping"});
    scenario.queue_policy = parse_policy(policies, "queue", "fifo");
    scenario.placement_policy = parse_policy(policies, "placement", "best_fit");
    if (const ConfigNode::Entry* entry = value->find("energy")) {
      scenario.energy_policy = parse_energy_policy_node(entry->value, "policies.energy");
      if (scenario.run.engine != "native") {
        throw InputError(
            entry->value->where(), "policies.energy",
            "an energy policy with run.engine: native (the " + scenario.run.engine + " engine powers no node off)",
            "run.engine " + scenario.run.engine);
      }
    }
    if (const ConfigNode* reaping = policies.optional("reaping")) {
      scenario.reaping = parse_reaping(*reaping, "policies.reaping");
      if (scenario.reaping && scenario.run.engine != "native") {
        throw InputError(reaping->where(), "policies.reaping",
                         "reaping with run.engine: native (the " + scenario.run.engine + " engine has no idle jobs)",
                         "run.engine " + scenario.run.engine);
      }
    }
  } else {
    scenario.queue_policy = {"fifo", nullptr, root->where(), "policies.queue"};
    scenario.placement_policy = {"best_fit", nullptr, root->where(), "policies.placement"};
  }
  if (const ConfigNode* value = map.optional("compare")) scenario.compare = parse_compare(*value);
  if (const ConfigNode* value = map.optional("failures")) {
    if (scenario.run.engine != "native") {
      throw InputError(value->where(), "failures",
                       "failures with run.engine: native (the " + scenario.run.engine + " engine models none)",
                       "failures under run.engine " + scenario.run.engine);
    }
    scenario.failures = parse_failures(*value, "failures", scenario.cluster, base_dir);
  }
  if (!scenario.workload.services.empty() && scenario.run.engine != "native") {
    throw InputError(scenario.workload.services.front().where, "workload.services",
                     "services with run.engine: native (the " + scenario.run.engine + " engine runs jobs only)",
                     "services under run.engine " + scenario.run.engine);
  }
  for (std::size_t g = 0; g < scenario.cluster.node_groups.size(); ++g) {
    const NodeGroupSpec& group = scenario.cluster.node_groups[g];
    if ((group.autoscaling || group.spot) && scenario.run.engine != "native") {
      throw InputError(group.where, "cluster.node_groups[" + std::to_string(g) + "]",
                       "autoscaling and spot node groups with run.engine: native", "run.engine " + scenario.run.engine);
    }
  }
  if (!scenario.compare.energy.empty() && scenario.run.engine != "native") {
    throw InputError(
        scenario.compare.where, "compare.energy",
        "energy policies with run.engine: native (the " + scenario.run.engine + " engine powers no node off)",
        "run.engine " + scenario.run.engine);
  }
  if (!scenario.compare.reaping.empty() && scenario.run.engine != "native") {
    throw InputError(scenario.compare.where, "compare.reaping",
                     "reaping with run.engine: native (the " + scenario.run.engine + " engine has no idle jobs)",
                     "run.engine " + scenario.run.engine);
  }
  // Idle tails are the native engine's: another driver would run the whole
  // job at its rate, silently.
  if (scenario.run.engine != "native") {
    const std::vector<JobClassSpec>& classes = scenario.workload.job_classes.classes();
    for (std::size_t i = 0; i < classes.size(); ++i) {
      if (classes[i].idle_tail <= 0) continue;
      throw InputError(classes[i].where, "workload.job_classes[" + std::to_string(i) + "].idle_tail",
                       "idle tails with run.engine: native (the " + scenario.run.engine + " engine has no idle jobs)",
                       "run.engine " + scenario.run.engine);
    }
  }
  if (!scenario.compare.autoscaling.empty() && scenario.workload.services.empty()) {
    throw InputError(scenario.compare.where, "compare.autoscaling", "services to scale (workload.services)",
                     "a workload without services");
  }
  return scenario;
}

Scenario load_scenario(const std::filesystem::path& path, const ScenarioOverrides& overrides) {
  const ConfigLimits limits;
  const std::string text = read_text_file(path, limits.max_file_bytes);
  std::filesystem::path base = path.parent_path();
  if (base.empty()) base = ".";
  Scenario scenario = parse_scenario(text, path.string(), base, overrides);
  scenario.file = path;
  return scenario;
}

std::unique_ptr<JobSource> open_workload(const Scenario& scenario, std::shared_ptr<TraceReport> report) {
  std::vector<std::unique_ptr<JobSource>> sources;
  // A workload of services alone has no jobs: an empty list.
  if (!scenario.workload.jobs.empty() || (!scenario.workload.trace && !scenario.workload.synthetic)) {
    sources.push_back(std::make_unique<ListedJobSource>(scenario.workload.jobs));
  }
  if (scenario.workload.trace) {
    sources.push_back(open_trace(*scenario.workload.trace, scenario.catalog, scenario.run.seed, report));
  }
  if (scenario.workload.synthetic) {
    sources.push_back(std::make_unique<SyntheticJobSource>(*scenario.workload.synthetic, scenario.run.seed));
  }
  std::unique_ptr<JobSource> merged =
      sources.size() == 1 ? std::move(sources.front()) : std::make_unique<MergedJobSource>(std::move(sources));
  return assign_job_classes(std::move(merged), scenario.workload.job_classes, scenario.run.seed);
}

PolicySpec parse_energy_policy_node(const ConfigNodePtr& value, std::string field) {
  if (value->kind() != ConfigNode::Kind::kSequence) return parse_policy_node(value, std::move(field));
  PolicySpec spec;
  spec.where = value->where();
  const auto& items = value->items();
  if (items.empty()) throw InputError(value->where(), field, "at least one energy policy", "an empty list");
  for (std::size_t i = 0; i < items.size(); ++i) {
    const PolicySpec part = parse_policy_node(items[i], field + "[" + std::to_string(i) + "]");
    spec.name += (i ? "+" : "") + part.name;
  }
  spec.params = value;
  spec.field = std::move(field);
  return spec;
}

std::optional<ReapingSpec> parse_reaping(const ConfigNode& node, const std::string& field) {
  const std::string expected = "none, or {idle: DURATION}: stop a job whose GPUs have been idle that long";
  if (node.kind() == ConfigNode::Kind::kScalar && !node.quoted() && node.scalar() == "none") return std::nullopt;
  if (node.kind() != ConfigNode::Kind::kMap) throw InputError(node.where(), field, expected, node.describe());
  MapReader map(node, field, {"idle"});
  const ConfigNode& idle = map.required("idle", "how long a job may hold its GPUs idle before it is stopped");
  ReapingSpec spec;
  spec.where = node.where();
  spec.idle = read_duration(idle, map.field("idle"));
  if (spec.idle <= Duration())
    throw InputError(idle.where(), map.field("idle"), "a positive duration", idle.describe());
  return spec;
}

PolicySpec parse_policy_node(const ConfigNodePtr& value, std::string field) {
  PolicySpec spec;
  spec.field = std::move(field);
  spec.where = value->where();
  if (value->kind() == ConfigNode::Kind::kScalar) {
    spec.name = read_name(*value, spec.field);
    return spec;
  }
  if (value->kind() != ConfigNode::Kind::kMap) {
    throw InputError(value->where(), spec.field, "a policy name, or a map with `name:` and the policy's parameters",
                     value->describe());
  }
  const ConfigNode::Entry* name = value->find("name");
  if (!name) throw InputError(value->where(), spec.field + ".name", "the policy's name", "a missing key");
  spec.name = read_name(*name->value, spec.field + ".name");
  spec.params = value;
  return spec;
}

}  // namespace capsim
