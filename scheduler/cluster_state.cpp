#include "scheduler/cluster_state.hpp"

#include <algorithm>
#include <utility>

#include "core/error.hpp"

namespace capsim::scheduler {

ClusterState::ClusterState(const ClusterLayout& layout, const GpuCatalog& catalog) : layout_(&layout) {
  const std::size_t n = layout.node_count();
  nodes_.resize(n);
  resources_.resize(n);
  gpu_base_.resize(n);
  std::size_t gpus = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const auto id = static_cast<NodeId>(i);
    NodeState& node = nodes_[i];
    NodeResources& resources = resources_[i];
    node.capacity_gpus = node.free_gpus = layout.gpus_of(id);
    CAPSIM_CHECK(node.capacity_gpus <= INT16_MAX) << "node " << id << " has " << node.capacity_gpus << " GPUs";
    gpu_base_[i] = static_cast<std::uint32_t>(gpus);
    gpus += static_cast<std::size_t>(node.capacity_gpus);
    CAPSIM_CHECK(gpus <= UINT32_MAX) << "too many GPUs";
    resources.capacity_cpu_milli = resources.free_cpu_milli = layout.cpu_milli_of(id);
    resources.capacity_memory_mib = resources.free_memory_mib = layout.memory_mib_of(id);
    node.models_cpu_or_memory = resources.capacity_cpu_milli > 0 || resources.capacity_memory_mib > 0;
    const GpuTypeId type = layout.gpu_type_of(id);
    const RegionId region = layout.region_of(id);
    PoolId pool = find_pool(type, region);
    if (pool < 0) {
      pool = static_cast<PoolId>(pool_type_.size());
      pool_type_.push_back(type);
      pool_region_.push_back(region);
      pool_free_gpus_.push_back(0);
      pool_total_gpus_.push_back(0);
      pool_max_node_gpus_.push_back(0);
      pool_gpu_memory_mib_.push_back(catalog.at(type).memory_mib);
    }
    node.pool = pool;
    // MIG-partitioned GPUs never serve a whole-GPU job: they count neither
    // in what the pool could give one nor in its nodes' sizes.
    const std::int32_t whole =
        layout.spec().node_groups[static_cast<std::size_t>(layout.group_of(id))].whole_gpus_per_node();
    pool_total_gpus_[pat(pool)] += whole;
    pool_max_node_gpus_[pat(pool)] = std::max(pool_max_node_gpus_[pat(pool)], whole);
  }
  share_used_milli_.assign(gpus, 0);
  pool_mig_profiles_.resize(pool_type_.size());
  for (std::size_t p = 0; p < pool_type_.size(); ++p) pool_mig_profiles_[p] = catalog.at(pool_type_[p]).mig_profiles;
  const auto& groups = layout.spec().node_groups;
  if (std::any_of(groups.begin(), groups.end(), [](const NodeGroupSpec& g) { return g.mig.mode != MigMode::kOff; })) {
    mig_kind_.assign(gpus, kMigOff);
    mig_busy_.assign(gpus, 0);
    for (std::size_t i = 0; i < n; ++i) {
      const auto id = static_cast<NodeId>(i);
      const MigSpec& mig = groups[static_cast<std::size_t>(layout.group_of(id))].mig;
      if (mig.mode == MigMode::kOff) continue;
      for (std::int32_t gpu = 0; gpu < nodes_[i].capacity_gpus; ++gpu) {
        std::uint8_t& kind = mig_kind_[gpu_base_[i] + static_cast<std::size_t>(gpu)];
        if (mig.mode == MigMode::kDynamic) {
          kind = kMigDynamic;
        } else if (mig.partitioned(gpu)) {
          // Held by shares from the start: its instances wait for them.
          kind = kMigStatic;
          --nodes_[i].free_gpus;
          ++nodes_[i].shared_gpus;
          share_used(id)[gpu] = mig_used(id, gpu);
        }
      }
    }
  }
  buckets_.resize(pool_type_.size());
  fully_free_.assign(pool_type_.size(), NodeSet(n));
  share_room_.assign(pool_type_.size(), NodeSet(n));
  pool_nodes_.resize(pool_type_.size());
  cpu_slot_.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    std::vector<NodeId>& members = pool_nodes_[pat(nodes_[i].pool)];
    cpu_slot_[i] = static_cast<std::int32_t>(members.size());
    members.push_back(static_cast<NodeId>(i));
  }
  for (std::size_t p = 0; p < pool_type_.size(); ++p) {
    buckets_[p].assign(static_cast<std::size_t>(pool_max_node_gpus_[p]) + 1, NodeSet(n));
  }
  rack_free_gpus_.assign(layout.rack_count(), 0);
  rack_capacity_gpus_.assign(layout.rack_count(), 0);
  rack_begin_.assign(layout.rack_count() + 1, static_cast<NodeId>(n));
  for (std::size_t i = n; i-- > 0;) {
    const auto r = static_cast<std::size_t>(layout.rack_of(static_cast<NodeId>(i)));
    rack_begin_[r] = static_cast<NodeId>(i);
    rack_capacity_gpus_[r] += nodes_[i].capacity_gpus;
  }
  for (std::size_t i = 0; i < n; ++i) index_insert(static_cast<NodeId>(i));
  room_sets_.resize(pool_type_.size());
  rooms_present_.assign(pool_type_.size(), {});
  for (const std::vector<NodeId>& members : pool_nodes_) largest_room_.emplace_back(members.size());
  for (std::size_t i = 0; i < n; ++i) {
    if (nodes_[i].shared_gpus == 0) continue;
    room_index_add(static_cast<NodeId>(i));
    share_index_update(static_cast<NodeId>(i));
  }
}

const std::vector<MigInstance>& ClusterState::mig_layout(NodeId n, std::int32_t gpu) const {
  const auto& group = layout_->spec().node_groups[static_cast<std::size_t>(layout_->group_of(n))];
  return group.mig.layouts[static_cast<std::size_t>(gpu)];
}

std::int32_t ClusterState::mig_room(NodeId n, std::int32_t gpu) const {
  const std::size_t g = gpu_base_[at(n)] + static_cast<std::size_t>(gpu);
  const std::uint8_t busy = mig_busy_[g];
  const std::vector<MigProfile>& profiles = pool_mig_profiles_[pat(nodes_[at(n)].pool)];
  std::int32_t largest = 0;
  if (mig_kind_[g] == kMigStatic) {
    for (const MigInstance& instance : mig_layout(n, gpu)) {
      const MigProfile& profile = profiles[static_cast<std::size_t>(instance.profile)];
      if ((profile.mask_at(instance.start) & busy) == 0) largest = std::max(largest, profile.compute_slices);
    }
  } else {
    for (const MigProfile& profile : profiles) {
      for (std::int32_t start = 0; start < kMigMemorySlices; ++start) {
        if (((profile.starts >> start) & 1u) != 0 && (profile.mask_at(start) & busy) == 0) {
          largest = std::max(largest, profile.compute_slices);
        }
      }
    }
  }
  return mig_milli(largest);
}

std::int16_t ClusterState::mig_used(NodeId n, std::int32_t gpu) const {
  const std::size_t g = gpu_base_[at(n)] + static_cast<std::size_t>(gpu);
  if (mig_kind_[g] == kMigDynamic && mig_busy_[g] == 0) return 0;  // no instance: wholly free
  return static_cast<std::int16_t>(kMilliPerGpu - mig_room(n, gpu));
}

MigSlot ClusterState::mig_choice(NodeId n, std::int32_t gpu, std::int32_t gpu_milli) const {
  MigSlot best;
  if (!is_mig(n, gpu)) return best;
  const std::size_t g = gpu_base_[at(n)] + static_cast<std::size_t>(gpu);
  const std::uint8_t busy = mig_busy_[g];
  const std::vector<MigProfile>& profiles = pool_mig_profiles_[pat(nodes_[at(n)].pool)];
  const std::int32_t slices = mig_slices_for(gpu_milli);
  if (mig_kind_[g] == kMigStatic) {
    // Profiles are listed smallest first: the lowest profile index wins,
    // then the lowest start.
    for (const MigInstance& instance : mig_layout(n, gpu)) {
      const MigProfile& profile = profiles[static_cast<std::size_t>(instance.profile)];
      if (profile.compute_slices < slices || (profile.mask_at(instance.start) & busy) != 0) continue;
      if (best.profile < 0 || instance.profile < best.profile ||
          (instance.profile == best.profile && instance.start < best.start)) {
        best = MigSlot{instance.profile, instance.start};
      }
    }
    return best;
  }
  // What memory slices `mask` leave: the largest profile still placeable
  // (compute slices), then how many placements of every profile are free.
  const auto left_over = [&](std::uint8_t mask) {
    std::int32_t largest = 0, count = 0;
    for (const MigProfile& profile : profiles) {
      for (std::int32_t start = 0; start < kMigMemorySlices; ++start) {
        if (((profile.starts >> start) & 1u) == 0 || (profile.mask_at(start) & mask) != 0) continue;
        largest = std::max(largest, profile.compute_slices);
        ++count;
      }
    }
    return std::pair{largest, count};
  };
  for (std::size_t p = 0; p < profiles.size() && best.profile < 0; ++p) {
    const MigProfile& profile = profiles[p];
    if (profile.compute_slices < slices) continue;
    std::pair<std::int32_t, std::int32_t> best_left{-1, -1};
    for (std::int32_t start = 0; start < kMigMemorySlices; ++start) {
      if (((profile.starts >> start) & 1u) == 0 || (profile.mask_at(start) & busy) != 0) continue;
      const auto left = left_over(static_cast<std::uint8_t>(busy | profile.mask_at(start)));
      if (left >= best_left) {
        best_left = left;
        best = MigSlot{static_cast<std::int8_t>(p), static_cast<std::int8_t>(start)};
      }
    }
  }
  return best;
}

PoolId ClusterState::find_pool(GpuTypeId type, RegionId region) const {
  for (std::size_t p = 0; p < pool_type_.size(); ++p) {
    if (pool_type_[p] == type && pool_region_[p] == region) return static_cast<PoolId>(p);
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

std::size_t ClusterState::count_with_free(PoolId p, std::int32_t free) const {
  if (free < 0 || free > pool_max_node_gpus_[pat(p)]) return 0;
  return buckets_[pat(p)][static_cast<std::size_t>(free)].size();
}

NodeId ClusterState::nth_with_free(PoolId p, std::int32_t free, std::size_t rank) const {
  if (free < 0 || free > pool_max_node_gpus_[pat(p)]) return -1;
  return buckets_[pat(p)][static_cast<std::size_t>(free)].nth(rank);
}

NodeId ClusterState::next_fully_free(PoolId p, NodeId from) const {
  return fully_free_[pat(p)].next(from);
}

std::int32_t ClusterState::gpu_share_used(NodeId n, std::int32_t gpu) const {
  CAPSIM_CHECK(gpu >= 0 && gpu < nodes_[at(n)].capacity_gpus) << "node " << n << " has no GPU " << gpu;
  return share_used(n)[gpu];
}

std::int32_t ClusterState::gpu_for_new_share(NodeId n) const {
  const NodeState& node = nodes_[at(n)];
  if (node.free_gpus == 0) return -1;
  const std::int16_t* used = share_used(n);
  for (std::int32_t gpu = 0; gpu < node.capacity_gpus; ++gpu) {
    if (used[gpu] == 0) return gpu;
  }
  return -1;
}

bool ClusterState::share_fits(NodeId n, std::int32_t gpu, std::int32_t gpu_milli, std::int64_t cpu_milli,
                              std::int64_t memory_mib) const {
  const NodeState& node = nodes_[at(n)];
  if (gpu < 0 || gpu >= node.capacity_gpus || gpu_milli <= 0 || gpu_milli >= kMilliPerGpu) return false;
  const std::int32_t used = share_used(n)[gpu];
  // A share may open any GPU that no share holds (one is wholly free when the
  // node has a free GPU: whole-GPU jobs hold counts, not numbers); policies
  // open the one gpu_for_new_share names, and the core's undo of a tentative
  // preemption reopens the very GPU a share held.
  if (used + gpu_milli > kMilliPerGpu) return false;
  // A share opening a free GPU needs that GPU; node_fits checks the rest.
  return node_fits(n, used == 0 ? 1 : 0, cpu_milli, memory_mib);
}

void ClusterState::enable_cpu_index() {
  if (cpu_index_enabled_) return;
  cpu_index_enabled_ = true;
  for (const std::vector<NodeId>& members : pool_nodes_) cpu_index_.emplace_back(members.size());
  for (std::size_t i = 0; i < nodes_.size(); ++i) cpu_index_update(static_cast<NodeId>(i));
}

void ClusterState::cpu_index_update(NodeId n) {
  if (!cpu_index_enabled_) return;  // no CPU-only job yet: nothing reads it
  const NodeResources& r = resources_[at(n)];
  if (r.capacity_cpu_milli == 0) return;  // not modelled: no CPU-only job runs there
  cpu_index_[pat(nodes_[at(n)].pool)].set(static_cast<std::size_t>(cpu_slot_[at(n)]),
                                          nodes_[at(n)].up ? r.free_cpu_milli : -1,
                                          r.capacity_memory_mib == 0 ? FreeCpuIndex::kUnbounded : r.free_memory_mib);
}

NodeId ClusterState::first_cpu_fit(PoolId p, std::int64_t cpu_milli, std::int64_t memory_mib) const {
  CAPSIM_CHECK(cpu_index_enabled_) << "the CPU index is built when the first CPU-only job arrives";
  const std::int64_t slot = cpu_index_[pat(p)].first_fit(std::max<std::int64_t>(cpu_milli, 1), memory_mib);
  return slot < 0 ? -1 : pool_nodes_[pat(p)][static_cast<std::size_t>(slot)];
}

NodeId ClusterState::tightest_cpu_fit(PoolId p, std::int64_t cpu_milli, std::int64_t memory_mib) const {
  CAPSIM_CHECK(cpu_index_enabled_) << "the CPU index is built when the first CPU-only job arrives";
  const std::int64_t slot = cpu_index_[pat(p)].tightest_fit(std::max<std::int64_t>(cpu_milli, 1), memory_mib);
  return slot < 0 ? -1 : pool_nodes_[pat(p)][static_cast<std::size_t>(slot)];
}

NodeId ClusterState::next_cpu_fit(PoolId p, std::int64_t cpu_milli, std::int64_t memory_mib, NodeId from) const {
  CAPSIM_CHECK(cpu_index_enabled_) << "the CPU index is built when the first CPU-only job arrives";
  const std::vector<NodeId>& members = pool_nodes_[pat(p)];
  const auto first = static_cast<std::size_t>(std::lower_bound(members.begin(), members.end(), from) - members.begin());
  if (first == members.size()) return -1;
  const std::int64_t slot = cpu_index_[pat(p)].next_fit(first, std::max<std::int64_t>(cpu_milli, 1), memory_mib);
  return slot < 0 ? -1 : members[static_cast<std::size_t>(slot)];
}

NodeId ClusterState::loosest_cpu_fit(PoolId p, std::int64_t cpu_milli, std::int64_t memory_mib) const {
  CAPSIM_CHECK(cpu_index_enabled_) << "the CPU index is built when the first CPU-only job arrives";
  const std::int64_t slot = cpu_index_[pat(p)].loosest_fit(std::max<std::int64_t>(cpu_milli, 1), memory_mib);
  return slot < 0 ? -1 : pool_nodes_[pat(p)][static_cast<std::size_t>(slot)];
}

void ClusterState::room_index_remove(NodeId n) {
  const NodeState& node = nodes_[at(n)];
  if (!node.up || node.shared_gpus == 0) return;
  const std::int16_t* used = share_used(n);
  std::vector<NodeSet>& sets = room_sets_[pat(node.pool)];
  for (std::int32_t gpu = 0; gpu < node.capacity_gpus; ++gpu) {
    if (used[gpu] <= 0 || used[gpu] >= kMilliPerGpu) continue;
    const auto room = static_cast<std::size_t>(kMilliPerGpu - used[gpu]);
    NodeSet& set = sets[room];
    set.erase(n);  // a no-op for a room seen twice
    if (set.empty()) rooms_present_[pat(node.pool)][room >> 6] &= ~(std::uint64_t{1} << (room & 63));
  }
  largest_room_[pat(node.pool)].set(static_cast<std::size_t>(cpu_slot_[at(n)]), -1, 0);
}

void ClusterState::room_index_add(NodeId n) {
  const NodeState& node = nodes_[at(n)];
  if (!node.up || node.shared_gpus == 0) return;
  const std::int16_t* used = share_used(n);
  std::vector<NodeSet>& sets = room_sets_[pat(node.pool)];
  if (sets.empty()) sets.assign(static_cast<std::size_t>(kMilliPerGpu), NodeSet());
  std::int64_t largest = -1;
  for (std::int32_t gpu = 0; gpu < node.capacity_gpus; ++gpu) {
    if (used[gpu] <= 0 || used[gpu] >= kMilliPerGpu) continue;
    const auto room = static_cast<std::size_t>(kMilliPerGpu - used[gpu]);
    NodeSet& set = sets[room];
    if (set.capacity() == 0) set = NodeSet(nodes_.size());
    set.insert(n);
    rooms_present_[pat(node.pool)][room >> 6] |= std::uint64_t{1} << (room & 63);
    largest = std::max<std::int64_t>(largest, static_cast<std::int64_t>(room));
  }
  largest_room_[pat(node.pool)].set(static_cast<std::size_t>(cpu_slot_[at(n)]), largest, FreeCpuIndex::kUnbounded);
}

NodeId ClusterState::next_with_room(PoolId p, std::int32_t milli, NodeId from) const {
  const std::vector<NodeId>& members = pool_nodes_[pat(p)];
  const auto first = static_cast<std::size_t>(std::lower_bound(members.begin(), members.end(), from) - members.begin());
  if (first == members.size()) return -1;
  const std::int64_t slot = largest_room_[pat(p)].next_fit(first, std::max(milli, 1), 0);
  return slot < 0 ? -1 : members[static_cast<std::size_t>(slot)];
}

NodeId ClusterState::roomiest(PoolId p, std::int32_t milli) const {
  const std::int64_t slot = largest_room_[pat(p)].loosest_fit(std::max(milli, 1), 0);
  return slot < 0 ? -1 : pool_nodes_[pat(p)][static_cast<std::size_t>(slot)];
}

std::int32_t ClusterState::least_room_at_least(PoolId p, std::int32_t milli) const {
  const auto& present = rooms_present_[pat(p)];
  auto room = static_cast<std::size_t>(std::max(milli, 1));
  while (room < kMilliPerGpu) {
    const std::uint64_t bits = present[room >> 6] & (~std::uint64_t{0} << (room & 63));
    if (bits)
      return static_cast<std::int32_t>((room & ~std::size_t{63}) | static_cast<std::size_t>(__builtin_ctzll(bits)));
    room = (room | 63) + 1;
  }
  return -1;
}

NodeId ClusterState::next_with_room_exactly(PoolId p, std::int32_t room, NodeId from) const {
  const std::vector<NodeSet>& sets = room_sets_[pat(p)];
  if (room <= 0 || room >= kMilliPerGpu || sets.empty()) return -1;
  return sets[static_cast<std::size_t>(room)].next(from);
}

NodeId ClusterState::next_with_share_room(PoolId p, NodeId from) const {
  return share_room_[pat(p)].next(from);
}

bool ClusterState::has_share_room(NodeId n) const {
  const NodeState& node = nodes_[at(n)];
  if (node.shared_gpus == 0) return false;
  const std::int16_t* used = share_used(n);
  for (std::int32_t gpu = 0; gpu < node.capacity_gpus; ++gpu) {
    if (used[gpu] > 0 && used[gpu] < kMilliPerGpu) return true;
  }
  return false;
}

void ClusterState::share_index_update(NodeId n) {
  NodeSet& set = share_room_[pat(nodes_[at(n)].pool)];
  const bool member = nodes_[at(n)].up && has_share_room(n);
  if (member == set.contains(n)) return;
  if (member) {
    set.insert(n);
    ++nodes_with_share_room_;
  } else {
    set.erase(n);
    --nodes_with_share_room_;
  }
}

// Inlined where GPUs change hands, the hot path (bench/engine: out of line
// they cost about 30 instructions an allocation).
[[gnu::always_inline]] inline void ClusterState::index_insert(NodeId n) {
  const NodeState& node = nodes_[at(n)];
  if (!node.up) return;
  bucket(node.pool, node.free_gpus).insert(n);
  if (node.free_gpus == node.capacity_gpus && node.capacity_gpus > 0) fully_free_[pat(node.pool)].insert(n);
  pool_free_gpus_[pat(node.pool)] += node.free_gpus;
  total_free_gpus_ += node.free_gpus;
  rack_free_gpus_[static_cast<std::size_t>(layout_->rack_of(n))] += node.free_gpus;
}

[[gnu::always_inline]] inline void ClusterState::index_erase(NodeId n) {
  const NodeState& node = nodes_[at(n)];
  if (!node.up) return;
  bucket(node.pool, node.free_gpus).erase(n);
  if (node.free_gpus == node.capacity_gpus) fully_free_[pat(node.pool)].erase(n);
  pool_free_gpus_[pat(node.pool)] -= node.free_gpus;
  total_free_gpus_ -= node.free_gpus;
  rack_free_gpus_[static_cast<std::size_t>(layout_->rack_of(n))] -= node.free_gpus;
}

void ClusterState::change_resources(NodeId n, std::int64_t cpu_milli, std::int64_t memory_mib) {
  NodeResources& r = resources_[at(n)];
  if (r.capacity_cpu_milli > 0) r.free_cpu_milli += cpu_milli;
  if (r.capacity_memory_mib > 0) r.free_memory_mib += memory_mib;
  CAPSIM_CHECK(r.free_cpu_milli >= 0 && r.free_cpu_milli <= r.capacity_cpu_milli && r.free_memory_mib >= 0 &&
               r.free_memory_mib <= r.capacity_memory_mib)
      << "node " << n << " would have " << r.free_cpu_milli << " mCPU and " << r.free_memory_mib << " MiB free";
  cpu_index_update(n);
}

void ClusterState::allocate(NodeId n, std::int32_t gpus, std::int64_t cpu_milli, std::int64_t memory_mib) {
  NodeState& node = nodes_[at(n)];
  CAPSIM_CHECK(gpus >= 0 && node_fits(n, gpus, cpu_milli, memory_mib))
      << "node " << n << " has " << node.free_gpus << " free GPUs; asked " << gpus;
  if (gpus > 0) {
    index_erase(n);
    node.free_gpus -= gpus;
    index_insert(n);
  }
  if (node.models_cpu_or_memory) change_resources(n, -cpu_milli, -memory_mib);
}

void ClusterState::release(NodeId n, std::int32_t gpus, std::int64_t cpu_milli, std::int64_t memory_mib) {
  NodeState& node = nodes_[at(n)];
  CAPSIM_CHECK(gpus >= 0 && node.free_gpus + node.shared_gpus + gpus <= node.capacity_gpus)
      << "node " << n << " would have " << node.free_gpus + gpus << " free GPUs of " << node.capacity_gpus;
  if (gpus > 0) {
    index_erase(n);
    node.free_gpus += gpus;
    index_insert(n);
  }
  if (node.models_cpu_or_memory) change_resources(n, cpu_milli, memory_mib);
  ++release_epoch_;
}

void ClusterState::allocate_share(NodeId n, std::int32_t gpu, std::int32_t gpu_milli, std::int64_t cpu_milli,
                                  std::int64_t memory_mib, MigSlot* mig) {
  NodeState& node = nodes_[at(n)];
  CAPSIM_CHECK(share_fits(n, gpu, gpu_milli, cpu_milli, memory_mib))
      << "node " << n << " cannot give " << gpu_milli << " thousandths of GPU " << gpu;
  const bool split = is_mig(n, gpu);
  MigSlot slot;
  if (split) {
    slot = mig != nullptr && mig->profile >= 0 ? *mig : mig_choice(n, gpu, gpu_milli);
    CAPSIM_CHECK(slot.profile >= 0) << "node " << n << " GPU " << gpu << " has no MIG instance for " << gpu_milli
                                    << " thousandths";
    const std::uint8_t mask =
        pool_mig_profiles_[pat(node.pool)][static_cast<std::size_t>(slot.profile)].mask_at(slot.start);
    std::uint8_t& busy = mig_busy_[gpu_base_[at(n)] + static_cast<std::size_t>(gpu)];
    CAPSIM_CHECK((busy & mask) == 0) << "node " << n << " GPU " << gpu << ": MIG instance at slice " << int{slot.start}
                                     << " is taken";
    busy = static_cast<std::uint8_t>(busy | mask);
  }
  if (mig != nullptr) *mig = slot;
  room_index_remove(n);
  std::int16_t& used = share_used(n)[gpu];
  if (used == 0) {  // the share opens a wholly free GPU
    index_erase(n);
    --node.free_gpus;
    ++node.shared_gpus;
    index_insert(n);
  }
  used = split ? mig_used(n, gpu) : static_cast<std::int16_t>(used + gpu_milli);
  if (node.models_cpu_or_memory) change_resources(n, -cpu_milli, -memory_mib);
  room_index_add(n);
  share_index_update(n);
}

void ClusterState::release_share(NodeId n, std::int32_t gpu, std::int32_t gpu_milli, std::int64_t cpu_milli,
                                 std::int64_t memory_mib, MigSlot mig) {
  NodeState& node = nodes_[at(n)];
  CAPSIM_CHECK(gpu >= 0 && gpu < node.capacity_gpus && gpu_milli > 0) << "node " << n << " has no GPU " << gpu;
  const bool split = is_mig(n, gpu);
  if (split) {
    CAPSIM_CHECK(mig.profile >= 0) << "node " << n << " GPU " << gpu << " is MIG: a release names its instance";
    const std::uint8_t mask =
        pool_mig_profiles_[pat(node.pool)][static_cast<std::size_t>(mig.profile)].mask_at(mig.start);
    std::uint8_t& busy = mig_busy_[gpu_base_[at(n)] + static_cast<std::size_t>(gpu)];
    CAPSIM_CHECK((busy & mask) == mask) << "node " << n << " GPU " << gpu << " has no MIG instance at slice "
                                        << int{mig.start} << " to give back";
    busy = static_cast<std::uint8_t>(busy & ~mask);
  } else {
    CAPSIM_CHECK(share_used(n)[gpu] >= gpu_milli)
        << "node " << n << " GPU " << gpu << " has no share of " << gpu_milli << " thousandths to give back";
  }
  room_index_remove(n);
  std::int16_t& used = share_used(n)[gpu];
  used = split ? mig_used(n, gpu) : static_cast<std::int16_t>(used - gpu_milli);
  if (used == 0) {  // the last share left: the GPU is wholly free again
    index_erase(n);
    ++node.free_gpus;
    --node.shared_gpus;
    index_insert(n);
  }
  if (node.models_cpu_or_memory) change_resources(n, cpu_milli, memory_mib);
  room_index_add(n);
  share_index_update(n);
  ++release_epoch_;
}

void ClusterState::set_up(NodeId n, bool up) {
  NodeState& node = nodes_[at(n)];
  if (node.up == up) return;
  if (!up) index_erase(n);
  room_index_remove(n);
  node.up = up;
  room_index_add(n);
  if (up) index_insert(n);
  if (up) ++release_epoch_;
  share_index_update(n);
  cpu_index_update(n);
}

}  // namespace capsim::scheduler
