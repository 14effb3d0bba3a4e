#include "scheduler/cluster_state.hpp"

#include <algorithm>

#include "core/error.hpp"

namespace capsim::scheduler {

ClusterState::ClusterState(const ClusterLayout& layout, const GpuCatalog& catalog) : layout_(&layout) {
  const std::size_t n = layout.node_count();
  nodes_.resize(n);
  resources_.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    const auto id = static_cast<NodeId>(i);
    NodeState& node = nodes_[i];
    NodeResources& resources = resources_[i];
    node.capacity_gpus = node.free_gpus = layout.gpus_of(id);
    resources.capacity_cpu_milli = resources.free_cpu_milli = layout.cpu_milli_of(id);
    resources.capacity_memory_mib = resources.free_memory_mib = layout.memory_mib_of(id);
    node.models_cpu_or_memory = resources.capacity_cpu_milli > 0 || resources.capacity_memory_mib > 0;
    const GpuTypeId type = layout.gpu_type_of(id);
    PoolId pool = pool_of_type(type);
    if (pool < 0) {
      pool = static_cast<PoolId>(pool_type_.size());
      pool_type_.push_back(type);
      pool_free_gpus_.push_back(0);
      pool_total_gpus_.push_back(0);
      pool_max_node_gpus_.push_back(0);
      pool_gpu_memory_mib_.push_back(catalog.at(type).memory_mib);
    }
    node.pool = pool;
    pool_total_gpus_[pat(pool)] += node.capacity_gpus;
    pool_max_node_gpus_[pat(pool)] = std::max(pool_max_node_gpus_[pat(pool)], node.capacity_gpus);
  }
  buckets_.resize(pool_type_.size());
  fully_free_.assign(pool_type_.size(), NodeSet(n));
  for (std::size_t p = 0; p < pool_type_.size(); ++p) {
    buckets_[p].assign(static_cast<std::size_t>(pool_max_node_gpus_[p]) + 1, NodeSet(n));
  }
  for (std::size_t i = 0; i < n; ++i) index_insert(static_cast<NodeId>(i));
}

PoolId ClusterState::pool_of_type(GpuTypeId type) const {
  for (std::size_t p = 0; p < pool_type_.size(); ++p) {
    if (pool_type_[p] == type) return static_cast<PoolId>(p);
  }
  return -1;
}

bool ClusterState::node_fits(NodeId n, std::int32_t gpus, std::int64_t cpu_milli, std::int64_t memory_mib) const {
  const NodeState& node = nodes_[at(n)];
  if (!node.up || node.free_gpus < gpus) return false;
  if (!node.models_cpu_or_memory) return true;
  const NodeResources& r = resources_[at(n)];
  return (r.capacity_cpu_milli == 0 || r.free_cpu_milli >= cpu_milli) &&
         (r.capacity_memory_mib == 0 || r.free_memory_mib >= memory_mib);
}

NodeId ClusterState::next_with_free(PoolId p, std::int32_t free, NodeId from) const {
  if (free < 0 || free > pool_max_node_gpus_[pat(p)]) return -1;
  return buckets_[pat(p)][static_cast<std::size_t>(free)].next(from);
}

NodeId ClusterState::next_fully_free(PoolId p, NodeId from) const {
  return fully_free_[pat(p)].next(from);
}

void ClusterState::index_insert(NodeId n) {
  const NodeState& node = nodes_[at(n)];
  if (!node.up) return;
  bucket(node.pool, node.free_gpus).insert(n);
  if (node.free_gpus == node.capacity_gpus && node.capacity_gpus > 0) fully_free_[pat(node.pool)].insert(n);
  pool_free_gpus_[pat(node.pool)] += node.free_gpus;
  total_free_gpus_ += node.free_gpus;
}

void ClusterState::index_erase(NodeId n) {
  const NodeState& node = nodes_[at(n)];
  if (!node.up) return;
  bucket(node.pool, node.free_gpus).erase(n);
  if (node.free_gpus == node.capacity_gpus) fully_free_[pat(node.pool)].erase(n);
  pool_free_gpus_[pat(node.pool)] -= node.free_gpus;
  total_free_gpus_ -= node.free_gpus;
}

void ClusterState::change_resources(NodeId n, std::int64_t cpu_milli, std::int64_t memory_mib) {
  NodeResources& r = resources_[at(n)];
  if (r.capacity_cpu_milli > 0) r.free_cpu_milli += cpu_milli;
  if (r.capacity_memory_mib > 0) r.free_memory_mib += memory_mib;
  CAPSIM_CHECK(r.free_cpu_milli >= 0 && r.free_cpu_milli <= r.capacity_cpu_milli && r.free_memory_mib >= 0 &&
               r.free_memory_mib <= r.capacity_memory_mib)
      << "node " << n << " would have " << r.free_cpu_milli << " mCPU and " << r.free_memory_mib << " MiB free";
}

void ClusterState::allocate(NodeId n, std::int32_t gpus, std::int64_t cpu_milli, std::int64_t memory_mib) {
  NodeState& node = nodes_[at(n)];
  CAPSIM_CHECK(gpus > 0 && node_fits(n, gpus, cpu_milli, memory_mib))
      << "node " << n << " has " << node.free_gpus << " free GPUs; asked " << gpus;
  index_erase(n);
  node.free_gpus -= gpus;
  if (node.models_cpu_or_memory) change_resources(n, -cpu_milli, -memory_mib);
  index_insert(n);
}

void ClusterState::release(NodeId n, std::int32_t gpus, std::int64_t cpu_milli, std::int64_t memory_mib) {
  NodeState& node = nodes_[at(n)];
  CAPSIM_CHECK(gpus > 0 && node.free_gpus + gpus <= node.capacity_gpus)
      << "node " << n << " would have " << node.free_gpus + gpus << " free GPUs of " << node.capacity_gpus;
  index_erase(n);
  node.free_gpus += gpus;
  if (node.models_cpu_or_memory) change_resources(n, cpu_milli, memory_mib);
  index_insert(n);
}

void ClusterState::set_up(NodeId n, bool up) {
  NodeState& node = nodes_[at(n)];
  if (node.up == up) return;
  if (!up) index_erase(n);
  node.up = up;
  if (up) index_insert(n);
}

}  // namespace capsim::scheduler
