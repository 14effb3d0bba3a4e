// The scheduler's view of the cluster: free capacity per node, and an index
// that answers "which node of this GPU type has exactly k free GPUs" without
// scanning the nodes, so that a placement stays fast at 100,000 GPUs.
//
// Nodes are grouped into pools, one per GPU type and region present in the
// cluster (in the order the node groups first name them). Within a pool, an
// up node with k wholly free GPUs is in bucket k; a node that is down is in
// no bucket. A job's allocation lies in one pool: GPUs of one type, in one
// region. Data residency (a job held to regions) is thus a filter on pools,
// pool_serves, which every placement policy applies and the core checks.
//
// GPU sharing: a job that asks for a share of one GPU (gpu_milli below 1000)
// takes thousandths of one GPU of a node, time-sliced with other shares. A
// GPU that any share holds is no longer free for whole-GPU jobs (it leaves
// the node's free GPUs, and so its bucket) until its last share leaves. Per
// node, the state keeps the thousandths used on each GPU that shares hold,
// and per pool the set of up nodes with a shared GPU that has room left, so
// that placing a share visits only those nodes, never every node.
//
// MIG (core/cluster.hpp MigSpec): a GPU that MIG splits holds shares as
// instances rather than time slices. Its "used" thousandths are what no free
// instance can offer: 1000 minus the largest instance that could still be
// given (mig_milli of its compute slices; a dynamic GPU can create any
// profile at a free placement, a static one only its listed instances), so
// that `gpu_milli <= 1000 - used` holds exactly when an instance with enough
// compute slices is free, and the share indexes and every placement policy
// work unchanged. A dynamic GPU with no instance is wholly free; a
// partitioned static GPU is held by shares from the start and never free.
//
// Placement policies see this class through a const reference; only the
// scheduler core changes it.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "core/cluster.hpp"
#include "scheduler/free_cpu_index.hpp"
#include "scheduler/node_set.hpp"
#include "scheduler/types.hpp"

namespace capsim::scheduler {

using PoolId = std::int32_t;

// A MIG instance on one GPU: a profile of its type (an index into the type's
// mig_profiles) at a memory slice; -1 for none.
struct MigSlot {
  std::int8_t profile = -1;
  std::int8_t start = -1;
};

class ClusterState {
 public:
  // `layout` must outlive the state; `catalog` gives the pools' GPU memory.
  ClusterState(const ClusterLayout& layout, const GpuCatalog& catalog);

  // --- nodes
  std::size_t node_count() const { return nodes_.size(); }
  std::int32_t capacity_gpus(NodeId n) const { return nodes_[at(n)].capacity_gpus; }
  // Wholly free GPUs: neither given whole to a job nor held by shares.
  std::int32_t free_gpus(NodeId n) const { return nodes_[at(n)].free_gpus; }
  // Free CPU and memory; 0 where the node does not model them.
  std::int64_t free_cpu_milli(NodeId n) const { return resources_[at(n)].free_cpu_milli; }
  std::int64_t free_memory_mib(NodeId n) const { return resources_[at(n)].free_memory_mib; }
  bool is_up(NodeId n) const { return nodes_[at(n)].up; }
  PoolId pool_of(NodeId n) const { return nodes_[at(n)].pool; }
  RackId rack_of(NodeId n) const { return layout_->rack_of(n); }
  const ClusterLayout& layout() const { return *layout_; }

  // Whether node n can give `gpus` GPUs, `cpu_milli` and `memory_mib` now
  // (CPU and memory are checked only where the node group models them).
  bool node_fits(NodeId n, std::int32_t gpus, std::int64_t cpu_milli, std::int64_t memory_mib) const;
  // Whether node n models CPU (its group gives `cpus`).
  bool models_cpu(NodeId n) const { return resources_[at(n)].capacity_cpu_milli > 0; }
  // For CPU-only jobs: the lowest up node of pool p that models CPU and has
  // `cpu_milli` (> 0) and `memory_mib` free, or -1; and among those the one
  // left with the least free CPU (ties: the lowest id), or -1.
  // Both need enable_cpu_index() first.
  NodeId first_cpu_fit(PoolId p, std::int64_t cpu_milli, std::int64_t memory_mib) const;
  NodeId tightest_cpu_fit(PoolId p, std::int64_t cpu_milli, std::int64_t memory_mib) const;
  // The lowest such node with id >= from, or -1; and the one with the most
  // free CPU (ties: the lowest id), or -1.
  NodeId next_cpu_fit(PoolId p, std::int64_t cpu_milli, std::int64_t memory_mib, NodeId from) const;
  NodeId loosest_cpu_fit(PoolId p, std::int64_t cpu_milli, std::int64_t memory_mib) const;
  // Builds the free-CPU index and keeps it from then on. The scheduler core
  // calls it when the first CPU-only job arrives, so that workloads without
  // any (most) pay nothing for it on each allocation.
  void enable_cpu_index();

  // --- GPU shares
  // GPUs of node n that shares hold (each with some thousandths used).
  std::int32_t shared_gpus(NodeId n) const { return nodes_[at(n)].shared_gpus; }
  // Thousandths of GPU `gpu` of node n that shares use: 0 when no share
  // holds it (it is then wholly free or given whole to a job), up to 1000.
  std::int32_t gpu_share_used(NodeId n, std::int32_t gpu) const;
  // The number a share takes when it opens one of node n's wholly free GPUs:
  // the lowest that no share holds; -1 when no GPU is wholly free.
  std::int32_t gpu_for_new_share(NodeId n) const;
  // Whether node n can give `gpu_milli` thousandths of GPU `gpu` (one that
  // shares hold with that much room, or one that no share holds while the
  // node has a wholly free GPU; policies open the one gpu_for_new_share
  // names), with `cpu_milli` and `memory_mib`.
  bool share_fits(NodeId n, std::int32_t gpu, std::int32_t gpu_milli, std::int64_t cpu_milli,
                  std::int64_t memory_mib) const;
  // The smallest up node id >= from in pool p with a GPU that shares hold
  // and that has room left, or -1.
  NodeId next_with_share_room(PoolId p, NodeId from) const;
  // How many up nodes of pool p have a shared GPU with room, and the
  // `rank`-th of them in id order.
  std::size_t count_with_share_room(PoolId p) const { return share_room_[pat(p)].size(); }
  NodeId nth_with_share_room(PoolId p, std::size_t rank) const { return share_room_[pat(p)].nth(rank); }
  // Up nodes with a shared GPU that has room, over all pools.
  std::size_t nodes_with_share_room() const { return nodes_with_share_room_; }
  // The room index (shares only ever touch it): per pool, the up nodes by
  // the room (1000 - used, 1 to 999) left on their shared GPUs.
  // The lowest up node id >= from of pool p with a shared GPU that has at
  // least `milli` of room, or -1.
  NodeId next_with_room(PoolId p, std::int32_t milli, NodeId from) const;
  // Among those, the one with the most room on one GPU (ties: the lowest
  // id), or -1.
  NodeId roomiest(PoolId p, std::int32_t milli) const;
  // The least room of at least `milli` that a shared GPU of an up node of
  // pool p has, or -1; and the lowest node id >= from with a shared GPU of
  // exactly `room`, or -1.
  std::int32_t least_room_at_least(PoolId p, std::int32_t milli) const;
  NodeId next_with_room_exactly(PoolId p, std::int32_t room, NodeId from) const;

  // --- pools
  std::int32_t pool_count() const { return static_cast<std::int32_t>(pool_type_.size()); }
  GpuTypeId pool_type(PoolId p) const { return pool_type_[pat(p)]; }
  RegionId pool_region(PoolId p) const { return pool_region_[pat(p)]; }
  // The pool of a GPU type in a region, or -1 when the cluster has none.
  PoolId find_pool(GpuTypeId type, RegionId region) const;
  // Whether pool p may serve the job: GPUs of a type it may use, with the
  // GPU memory it asks for, in a region it may run in. The one test of a
  // pool that every placement policy makes (a CPU-only job too: its GPU
  // types and regions still bind it), and that the core checks again on
  // every allocation (scheduler/placement/node_choice.hpp allocation_problem).
  bool pool_serves(PoolId p, const JobRequest& job) const {
    const auto i = pat(p);
    return job.gpu_types.allows(pool_type_[i]) && pool_gpu_memory_mib_[i] >= job.request.gpu_memory_mib &&
           job.regions.allows(pool_region_[i]);
  }
  // Free GPUs on the pool's up nodes.
  std::int64_t pool_free_gpus(PoolId p) const { return pool_free_gpus_[pat(p)]; }
  // Every GPU of the pool, up or down: what it could ever give one job.
  std::int64_t pool_total_gpus(PoolId p) const { return pool_total_gpus_[pat(p)]; }
  // The most GPUs a node of the pool has.
  std::int32_t pool_max_node_gpus(PoolId p) const { return pool_max_node_gpus_[pat(p)]; }
  // The memory of each GPU of the pool.
  std::int64_t pool_gpu_memory_mib(PoolId p) const { return pool_gpu_memory_mib_[pat(p)]; }
  std::int64_t total_free_gpus() const { return total_free_gpus_; }

  // --- racks (ClusterLayout numbers them: each holds consecutive nodes of one
  // group, so of one pool)
  // Wholly free GPUs on the rack's up nodes, and all the rack's GPUs.
  std::int64_t rack_free_gpus(RackId r) const { return rack_free_gpus_[static_cast<std::size_t>(r)]; }
  std::int64_t rack_capacity_gpus(RackId r) const { return rack_capacity_gpus_[static_cast<std::size_t>(r)]; }
  // The rack's nodes are [rack_begin(r), rack_end(r)).
  NodeId rack_begin(RackId r) const { return rack_begin_[static_cast<std::size_t>(r)]; }
  NodeId rack_end(RackId r) const { return rack_begin_[static_cast<std::size_t>(r) + 1]; }
  std::int32_t rack_count() const { return static_cast<std::int32_t>(rack_free_gpus_.size()); }

  // Grows whenever capacity comes back (a release, a share's release, a node
  // up) and never otherwise: a placement that failed stays impossible until
  // it changes, since allocations only take capacity away. Policies use it
  // to answer a retried request at once (scheduler/placement/failure_memo.hpp).
  std::uint64_t release_epoch() const { return release_epoch_; }

  // The smallest up node id >= from in pool p with exactly `free` free GPUs,
  // or -1.
  NodeId next_with_free(PoolId p, std::int32_t free, NodeId from) const;
  // How many up nodes of pool p have exactly `free` free GPUs, and the
  // `rank`-th of them in id order (from 0; rank < that count).
  std::size_t count_with_free(PoolId p, std::int32_t free) const;
  NodeId nth_with_free(PoolId p, std::int32_t free, std::size_t rank) const;
  // The smallest up node id >= from in pool p with all its GPUs free, or -1.
  NodeId next_fully_free(PoolId p, NodeId from) const;

  // --- changes (the scheduler core's)
  // Whole GPUs (none for a CPU-only job) with CPU and memory.
  void allocate(NodeId n, std::int32_t gpus, std::int64_t cpu_milli, std::int64_t memory_mib);
  void release(NodeId n, std::int32_t gpus, std::int64_t cpu_milli, std::int64_t memory_mib);
  // A share of GPU `gpu` (share_fits must hold), and its return. On a GPU
  // that MIG splits, `mig` names the instance to take (the one the share
  // held, when an undo reopens it) or, left at -1, the state chooses one
  // (mig_choice); either way the instance is written back to `mig`, and
  // release_share needs it.
  void allocate_share(NodeId n, std::int32_t gpu, std::int32_t gpu_milli, std::int64_t cpu_milli,
                      std::int64_t memory_mib, MigSlot* mig = nullptr);
  void release_share(NodeId n, std::int32_t gpu, std::int32_t gpu_milli, std::int64_t cpu_milli,
                     std::int64_t memory_mib, MigSlot mig = {});

  // --- MIG
  // Whether GPU `gpu` of node n is split by MIG (dynamic, or a partitioned
  // static GPU).
  bool is_mig(NodeId n, std::int32_t gpu) const {
    return !mig_kind_.empty() && mig_kind_[gpu_base_[at(n)] + static_cast<std::size_t>(gpu)] != kMigOff;
  }
  // The memory slices that instances in use take on that GPU (bit s: slice s).
  std::uint8_t mig_busy(NodeId n, std::int32_t gpu) const {
    return mig_kind_.empty() ? 0 : mig_busy_[gpu_base_[at(n)] + static_cast<std::size_t>(gpu)];
  }
  // The instance a share of `gpu_milli` would get there now: the smallest
  // profile (compute slices, then memory slices) with enough compute slices
  // that is free (a static GPU: the lowest such instance); on a dynamic GPU,
  // at the allowed start that leaves the largest profile placeable, then the
  // most placements of every profile (ties: the highest start, so small
  // instances pack from the top and the large ones, which start at 0, stay
  // possible). Profile -1 when none fits.
  MigSlot mig_choice(NodeId n, std::int32_t gpu, std::int32_t gpu_milli) const;
  const std::vector<MigProfile>& mig_profiles(PoolId p) const { return pool_mig_profiles_[pat(p)]; }
  void set_up(NodeId n, bool up);

 private:
  static std::size_t at(NodeId n) { return static_cast<std::size_t>(n); }
  static std::size_t pat(PoolId p) { return static_cast<std::size_t>(p); }
  NodeSet& bucket(PoolId p, std::int32_t free) { return buckets_[pat(p)][static_cast<std::size_t>(free)]; }
  void index_insert(NodeId n);
  void index_erase(NodeId n);
  // Tells the pool's CPU index node n's free CPU and memory.
  void cpu_index_update(NodeId n);
  // Puts node n in or out of its pool's share-room set, as its state says.
  void share_index_update(NodeId n);
  bool has_share_room(NodeId n) const;
  // Takes node n out of the room index / puts it back as its state says.
  void room_index_remove(NodeId n);
  void room_index_add(NodeId n);
  std::int16_t* share_used(NodeId n) { return &share_used_milli_[gpu_base_[at(n)]]; }
  const std::int16_t* share_used(NodeId n) const { return &share_used_milli_[gpu_base_[at(n)]]; }

  // What every allocation and release touches, 16 bytes per node, so that
  // the nodes of a 100,000-GPU cluster fit in a core's cache (measured on
  // bench/engine); CPU and memory sit apart, read only where modelled, and
  // so do the shares of GPUs, read only where shares hold GPUs.
  struct NodeState {
    std::int32_t capacity_gpus = 0;
    std::int32_t free_gpus = 0;  // wholly free
    PoolId pool = 0;
    bool up = true;
    bool models_cpu_or_memory = false;
    std::int16_t shared_gpus = 0;  // GPUs that shares hold
  };
  static_assert(sizeof(NodeState) == 16);
  struct NodeResources {
    std::int64_t capacity_cpu_milli = 0;  // 0: not modelled
    std::int64_t free_cpu_milli = 0;
    std::int64_t capacity_memory_mib = 0;  // 0: not modelled
    std::int64_t free_memory_mib = 0;
  };
  void change_resources(NodeId n, std::int64_t cpu_milli, std::int64_t memory_mib);

  const ClusterLayout* layout_;
  std::vector<NodeState> nodes_;
  std::vector<NodeResources> resources_;
  // Per pool.
  std::vector<GpuTypeId> pool_type_;
  std::vector<RegionId> pool_region_;
  std::vector<std::int64_t> pool_free_gpus_;
  std::vector<std::int64_t> pool_total_gpus_;
  std::vector<std::int32_t> pool_max_node_gpus_;
  std::vector<std::int64_t> pool_gpu_memory_mib_;
  std::vector<std::vector<NodeSet>> buckets_;  // [pool][free GPUs]
  std::vector<NodeSet> fully_free_;            // [pool]
  std::vector<NodeSet> share_room_;            // [pool]: up nodes with a shared GPU that has room
  // Free CPU and memory of the nodes that model CPU, per pool; a node's slot
  // in its pool's index is its rank among the pool's nodes (id order).
  std::vector<FreeCpuIndex> cpu_index_;  // [pool], once enabled
  bool cpu_index_enabled_ = false;
  std::vector<std::vector<NodeId>> pool_nodes_;  // [pool][slot]
  std::vector<std::int32_t> cpu_slot_;           // [node]
  std::int64_t total_free_gpus_ = 0;
  std::size_t nodes_with_share_room_ = 0;
  std::uint64_t release_epoch_ = 0;
  // The room index: per pool, a set of nodes per room value (made when
  // first used) with a bitmap of the values present, and a tree of each
  // node's largest room (its slot: cpu_slot_).
  static constexpr std::size_t kRoomWords = (kMilliPerGpu + 63) / 64;
  std::vector<std::vector<NodeSet>> room_sets_;                       // [pool][room]
  std::vector<std::array<std::uint64_t, kRoomWords>> rooms_present_;  // [pool]
  std::vector<FreeCpuIndex> largest_room_;                            // [pool]
  // Per rack: wholly free GPUs on up nodes, all GPUs, first node (one more
  // entry: the node count).
  std::vector<std::int64_t> rack_free_gpus_;
  std::vector<std::int64_t> rack_capacity_gpus_;
  std::vector<NodeId> rack_begin_;
  // Thousandths used by shares on each GPU: node n's GPUs are
  // share_used_milli_[gpu_base_[n] ...], one per GPU of the node.
  std::vector<std::uint32_t> gpu_base_;
  std::vector<std::int16_t> share_used_milli_;
  // MIG, per GPU like share_used_milli_ (empty when no group uses MIG).
  static constexpr std::uint8_t kMigOff = 0, kMigDynamic = 1, kMigStatic = 2;
  std::vector<std::uint8_t> mig_kind_;
  std::vector<std::uint8_t> mig_busy_;
  std::vector<std::vector<MigProfile>> pool_mig_profiles_;  // [pool]
  // A static GPU's listed instances.
  const std::vector<MigInstance>& mig_layout(NodeId n, std::int32_t gpu) const;
  // The largest instance's thousandths that the GPU could still give (0:
  // none), and the "used" thousandths that follow (see the class comment).
  std::int32_t mig_room(NodeId n, std::int32_t gpu) const;
  std::int16_t mig_used(NodeId n, std::int32_t gpu) const;
};

}  // namespace capsim::scheduler
