#include "scheduler/placement/topology.hpp"

#include <algorithm>

#include "scheduler/placement/node_choice.hpp"

namespace capsim::scheduler {

namespace {

bool rack_wholly_free(const ClusterState& cluster, RackId r) {
  return cluster.rack_free_gpus(r) == cluster.rack_capacity_gpus(r);
}

bool used_by(std::span<const NodeShare> out, NodeId n) {
  return std::any_of(out.begin(), out.end(), [&](const NodeShare& s) { return s.node == n; });
}

}  // namespace

bool TopologyPlacement::place(const JobRequest& job, const ClusterState& cluster, std::vector<NodeShare>& out) {
  return place_remembering_failures(failures_, job, cluster, out, [&] {
    if (job.is_gpu_share() || job.is_cpu_only()) return place_by_order(job, cluster, NodeOrder::kTightest, out);
    if (place_single(job, cluster, out)) return true;
    for (PoolId p = 0; p < cluster.pool_count(); ++p) {
      if (!cluster.pool_serves(p, job) || job.gpus() <= cluster.pool_max_node_gpus(p)) continue;
      if (cluster.pool_free_gpus(p) >= job.gpus() && place_gang(job, cluster, p, out)) return true;
    }
    return false;
  });
}

bool TopologyPlacement::place_single(const JobRequest& job, const ClusterState& cluster, std::vector<NodeShare>& out) {
  const std::int32_t gpus = job.gpus();
  const std::int64_t cpu = cpu_share(job, gpus);
  const std::int64_t memory = memory_share(job, gpus);
  // The best node by (in a wholly free rack, free GPUs left, id).
  NodeId best = -1;
  bool best_idle = true;
  std::int32_t best_left = 0;
  const auto consider = [&](NodeId n, bool idle, std::int32_t left) {
    if (best < 0 || (!idle && best_idle) ||
        (idle == best_idle && (left < best_left || (left == best_left && n < best)))) {
      best = n;
      best_idle = idle;
      best_left = left;
    }
  };
  for (PoolId p = 0; p < cluster.pool_count(); ++p) {
    if (!cluster.pool_serves(p, job) || gpus > cluster.pool_max_node_gpus(p)) continue;
    if (cluster.pool_free_gpus(p) < gpus) continue;
    NodeId idle_candidate = -1;  // the first fitting node of a wholly free rack, tightest bucket
    std::int32_t idle_left = 0;
    for (std::int32_t free = gpus; free <= cluster.pool_max_node_gpus(p); ++free) {
      NodeId found = -1;
      for (NodeId n = cluster.next_with_free(p, free, 0); n >= 0;) {
        const RackId r = cluster.rack_of(n);
        if (rack_wholly_free(cluster, r)) {
          if (idle_candidate < 0 && cluster.node_fits(n, gpus, cpu, memory)) {
            idle_candidate = n;
            idle_left = free - gpus;
          }
          n = cluster.next_with_free(p, free, cluster.rack_end(r));  // the rest of the rack is free too
          continue;
        }
        if (cluster.node_fits(n, gpus, cpu, memory)) {
          found = n;
          break;
        }
        n = cluster.next_with_free(p, free, n + 1);
      }
      if (found >= 0) {
        consider(found, false, free - gpus);
        break;  // buckets are visited tightest first
      }
    }
    if (idle_candidate >= 0) consider(idle_candidate, true, idle_left);
  }
  if (best < 0) return false;
  out.push_back({best, gpus});
  return true;
}

std::int32_t TopologyPlacement::take_in_rack(const JobRequest& job, const ClusterState& cluster, RackId r,
                                             std::int32_t want, std::vector<NodeShare>& out) {
  const NodeId begin = cluster.rack_begin(r);
  const NodeId end = cluster.rack_end(r);
  const auto fits = [&](NodeId n, std::int32_t gpus) {
    return !used_by(out, n) && cluster.node_fits(n, gpus, cpu_share(job, gpus), memory_share(job, gpus));
  };
  std::int32_t taken = 0;
  // Whole free nodes first.
  for (NodeId n = begin; n < end && taken < want; ++n) {
    const std::int32_t capacity = cluster.capacity_gpus(n);
    if (capacity > 0 && cluster.free_gpus(n) == capacity && capacity <= want - taken && fits(n, capacity)) {
      out.push_back({n, capacity});
      taken += capacity;
    }
  }
  if (taken == want) return taken;
  // The remainder on the tightest node that holds it.
  NodeId tightest = -1;
  for (NodeId n = begin; n < end; ++n) {
    const std::int32_t free = cluster.free_gpus(n);
    if (free >= want - taken && (tightest < 0 || free < cluster.free_gpus(tightest)) && fits(n, want - taken)) {
      tightest = n;
    }
  }
  if (tightest >= 0) {
    out.push_back({tightest, want - taken});
    return want;
  }
  // Else the rack's emptiest nodes.
  nodes_.clear();
  for (NodeId n = begin; n < end; ++n) {
    if (cluster.free_gpus(n) > 0 && !used_by(out, n)) nodes_.push_back(n);
  }
  std::stable_sort(nodes_.begin(), nodes_.end(),
                   [&](NodeId a, NodeId b) { return cluster.free_gpus(a) > cluster.free_gpus(b); });
  for (const NodeId n : nodes_) {
    if (taken == want) break;
    const std::int32_t gpus = std::min(cluster.free_gpus(n), want - taken);
    if (!fits(n, gpus)) continue;
    out.push_back({n, gpus});
    taken += gpus;
  }
  return taken;
}

bool TopologyPlacement::place_gang(const JobRequest& job, const ClusterState& cluster, PoolId p,
                                   std::vector<NodeShare>& out) {
  const std::int32_t gpus = job.gpus();
  racks_.clear();
  for (RackId r = 0; r < cluster.rack_count(); ++r) {
    if (cluster.rack_end(r) > cluster.rack_begin(r) && cluster.pool_of(cluster.rack_begin(r)) == p &&
        cluster.rack_free_gpus(r) > 0) {
      racks_.push_back(r);
    }
  }
  // One rack: the one left with the least free GPUs that can hold it.
  std::stable_sort(racks_.begin(), racks_.end(),
                   [&](RackId a, RackId b) { return cluster.rack_free_gpus(a) < cluster.rack_free_gpus(b); });
  for (const RackId r : racks_) {
    if (cluster.rack_free_gpus(r) < gpus) continue;
    if (take_in_rack(job, cluster, r, gpus, out) == gpus) return true;
    out.clear();  // CPU or memory fell short there: the next rack
  }
  // Across racks, as few as possible: the fullest-free racks wholly, the
  // remainder in the tightest rack that holds it.
  std::stable_sort(racks_.begin(), racks_.end(),
                   [&](RackId a, RackId b) { return cluster.rack_free_gpus(a) > cluster.rack_free_gpus(b); });
  std::int32_t taken = 0;
  std::size_t next = 0;
  while (taken < gpus && next < racks_.size()) {
    const std::int32_t remainder = gpus - taken;
    // The tightest remaining rack that holds the remainder, if any.
    // (Sorted most free first: among equals, the lowest rack comes first.)
    std::size_t holder = racks_.size();
    for (std::size_t i = next; i < racks_.size(); ++i) {
      const std::int64_t free = cluster.rack_free_gpus(racks_[i]);
      if (free >= remainder && (holder == racks_.size() || free < cluster.rack_free_gpus(racks_[holder]))) holder = i;
    }
    if (holder < racks_.size()) {
      taken += take_in_rack(job, cluster, racks_[holder], remainder, out);
      racks_.erase(racks_.begin() + static_cast<std::ptrdiff_t>(holder));
      continue;
    }
    const RackId r = racks_[next++];
    taken += take_in_rack(job, cluster, r, static_cast<std::int32_t>(cluster.rack_free_gpus(r)), out);
  }
  if (taken == gpus) return true;
  out.clear();
  return false;
}

}  // namespace capsim::scheduler
