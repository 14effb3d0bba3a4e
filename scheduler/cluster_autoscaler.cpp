#include "scheduler/cluster_autoscaler.hpp"

#include <algorithm>
#include <map>

namespace capsim::scheduler {

namespace {
// Whether the group's nodes could run the waiting work.
bool serves(const GpuCatalog& catalog, const NodeGroupStatus& g, const WaitingDemand& d) {
  return d.regions.allows(g.region) && gpu_type_serves(catalog, g.gpu_type, d.types, d.gpu_memory_mib);
}
}  // namespace

ClusterScaling ClusterAutoscaler::decide(Time now, std::span<const NodeGroupStatus> groups,
                                         std::span<const WaitingDemand> waiting, std::span<const IdleNode> idle) const {
  // The price expander: the cheapest GPU-hour first, then the group's order.
  std::vector<const NodeGroupStatus*> by_price;
  for (const NodeGroupStatus& g : groups) by_price.push_back(&g);
  std::sort(by_price.begin(), by_price.end(), [](const NodeGroupStatus* a, const NodeGroupStatus* b) {
    return a->usd_per_gpu_hour < b->usd_per_gpu_hour ||
           (a->usd_per_gpu_hour == b->usd_per_gpu_hour && a->group < b->group);
  });
  // GPUs each group has or will have for waiting work: free on ready nodes,
  // and every GPU of the nodes on their way.
  std::map<std::int32_t, std::int64_t> room, added;
  for (const NodeGroupStatus& g : groups) room[g.group] = g.free_gpus + g.provisioning * g.gpus_per_node;
  std::map<std::int32_t, bool> wanted;  // a group some waiting work could use
  for (const WaitingDemand& d : waiting) {
    std::int64_t need = (d.gpu_milli + kMilliPerGpu - 1) / kMilliPerGpu;
    for (const NodeGroupStatus* g : by_price) {
      if (!serves(catalog_, *g, d)) continue;
      wanted[g->group] = true;
      const std::int64_t take = std::min(need, room[g->group]);
      room[g->group] -= take;
      need -= take;
    }
    for (const NodeGroupStatus* g : by_price) {
      if (need <= 0) break;
      if (g->gpus_per_node <= 0 || !serves(catalog_, *g, d)) continue;
      const std::int64_t headroom = g->max - g->ready - g->provisioning - added[g->group];
      const std::int64_t nodes = std::min(headroom, (need + g->gpus_per_node - 1) / g->gpus_per_node);
      if (nodes <= 0) continue;
      added[g->group] += nodes;
      const std::int64_t gpus = nodes * g->gpus_per_node;
      room[g->group] += gpus - std::min(need, gpus);
      need -= std::min(need, gpus);
    }
  }
  ClusterScaling out;
  for (const NodeGroupStatus& g : groups) {
    if (added[g.group] > 0) out.add.emplace_back(g.group, added[g.group]);
  }
  // Scale down: idle long enough, above the group's minimum, and in a group
  // no waiting work could use.
  std::map<std::int32_t, std::int64_t> left;
  std::map<std::int32_t, const NodeGroupStatus*> status;
  for (const NodeGroupStatus& g : groups) {
    left[g.group] = g.ready;
    status[g.group] = &g;
  }
  for (const IdleNode& n : idle) {
    const auto it = status.find(n.group);
    if (it == status.end()) continue;  // a group that does not autoscale
    const NodeGroupStatus& g = *it->second;
    if (wanted[g.group] || added[g.group] > 0) continue;
    if (now - n.idle_since < g.scale_down_delay || left[g.group] <= g.min) continue;
    --left[g.group];
    out.release.push_back(n.node);
  }
  return out;
}

}  // namespace capsim::scheduler
