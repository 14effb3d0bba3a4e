#include "core/cluster.hpp"

#include <algorithm>
#include <map>

namespace capsim {

std::string_view to_string(NodePool pool) {
  switch (pool) {
    case NodePool::kOnDemand:
      return "on-demand";
    case NodePool::kReserved:
      return "reserved";
    case NodePool::kSpot:
      return "spot";
  }
  return "unknown";
}

ClusterLayout::ClusterLayout(const ClusterSpec& spec) : spec_(spec) {
  std::size_t nodes = 0;
  for (const auto& group : spec_.node_groups) nodes += static_cast<std::size_t>(group.count);
  group_.reserve(nodes);
  rack_.reserve(nodes);
  for (std::size_t g = 0; g < spec_.node_groups.size(); ++g) {
    const NodeGroupSpec& group = spec_.node_groups[g];
    CAPSIM_CHECK(group.nodes_per_rack > 0 && group.count >= 0 && group.gpus_per_node >= 0);
    for (std::int64_t i = 0; i < group.count; ++i) {
      if (i % group.nodes_per_rack == 0) ++rack_count_;
      group_.push_back(static_cast<std::int32_t>(g));
      rack_.push_back(rack_count_ - 1);
    }
    total_gpus_ += group.count * group.gpus_per_node;
  }
}

std::int64_t ClusterLayout::gpus_of_type(GpuTypeId type) const {
  std::int64_t total = 0;
  for (const auto& group : spec_.node_groups) {
    if (group.gpu_type == type) total += group.count * group.gpus_per_node;
  }
  return total;
}

double GpuCountFactors::at(std::int64_t gpus) const {
  if (points.empty()) return 1.0;
  if (gpus <= points.front().first) return points.front().second;
  for (std::size_t i = 1; i < points.size(); ++i) {
    const auto& [g1, f1] = points[i];
    if (gpus <= g1) {
      const auto& [g0, f0] = points[i - 1];
      return f0 + (f1 - f0) * static_cast<double>(gpus - g0) / static_cast<double>(g1 - g0);
    }
  }
  return points.back().second;
}

std::int32_t NodeGroupSpec::whole_gpus_per_node() const {
  std::int32_t whole = 0;
  for (std::int32_t gpu = 0; gpu < gpus_per_node; ++gpu) whole += mig.partitioned(gpu) ? 0 : 1;
  return whole;
}

std::int32_t NodeGroupSpec::largest_share_milli(const GpuCatalog& catalog) const {
  if (gpus_per_node == 0) return 0;
  if (whole_gpus_per_node() > 0) return kMilliPerGpu;
  std::int32_t largest = 0;
  const GpuType& type = catalog.at(gpu_type);
  for (const auto& layout : mig.layouts) {
    for (const MigInstance& instance : layout) {
      const MigProfile& profile = type.mig_profiles[static_cast<std::size_t>(instance.profile)];
      largest = std::max(largest, mig_milli(profile.compute_slices));
    }
  }
  return largest;
}

Resources node_offer(const NodeGroupSpec& group, const GpuCatalog& catalog) {
  return Resources{group.whole_gpus_per_node() * kMilliPerGpu, catalog.at(group.gpu_type).memory_mib, group.cpu_milli,
                   group.memory_mib};
}

bool gpu_type_serves(const GpuCatalog& catalog, GpuTypeId type, GpuTypeSet allowed, std::int64_t gpu_memory_mib) {
  return allowed.allows(type) && catalog.at(type).memory_mib >= gpu_memory_mib;
}

bool group_serves(const NodeGroupSpec& group, const GpuCatalog& catalog, GpuTypeSet allowed,
                  std::int64_t gpu_memory_mib, RegionSet regions) {
  return regions.allows(group.region) && gpu_type_serves(catalog, group.gpu_type, allowed, gpu_memory_mib);
}

std::int64_t largest_serving_pool(const ClusterLayout& layout, const GpuCatalog& catalog, GpuTypeSet allowed,
                                  std::int64_t gpu_memory_mib, RegionSet regions) {
  std::map<std::pair<GpuTypeId, RegionId>, std::int64_t> per_pool;
  for (const auto& group : layout.spec().node_groups) {
    if (group_serves(group, catalog, allowed, gpu_memory_mib, regions)) {
      per_pool[{group.gpu_type, group.region}] += group.count * group.whole_gpus_per_node();
    }
  }
  std::int64_t largest = 0;
  for (const auto& [unused, gpus] : per_pool) largest = std::max(largest, gpus);
  return largest;
}

std::int32_t largest_serving_share(const ClusterLayout& layout, const GpuCatalog& catalog, GpuTypeSet allowed,
                                   std::int64_t gpu_memory_mib, RegionSet regions) {
  std::int32_t largest = 0;
  for (const auto& group : layout.spec().node_groups) {
    if (group.count > 0 && group_serves(group, catalog, allowed, gpu_memory_mib, regions)) {
      largest = std::max(largest, group.largest_share_milli(catalog));
    }
  }
  return largest;
}

bool serving_groups_model_cpu(const ClusterLayout& layout, const GpuCatalog& catalog, GpuTypeSet allowed,
                              std::int64_t gpu_memory_mib, RegionSet regions) {
  for (const auto& group : layout.spec().node_groups) {
    if (group.count > 0 && group.cpu_milli > 0 && group_serves(group, catalog, allowed, gpu_memory_mib, regions)) {
      return true;
    }
  }
  return false;
}

}  // namespace capsim
