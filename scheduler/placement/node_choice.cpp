#include "scheduler/placement/node_choice.hpp"

#include <algorithm>

namespace capsim::scheduler {

namespace {

std::int64_t proportional(std::int64_t total, std::int32_t gpus, std::int32_t job_gpus) {
  if (total == 0) return 0;
  if (job_gpus == 0) return total;  // a share of one GPU, or CPU only: one node gives it all
  // Round up so that the shares cover the whole request.
  return (total * gpus + job_gpus - 1) / job_gpus;
}

// Whether a candidate leaving `left` on node n beats the best so far, by
// `order` (ties: the lower node).
bool better_than(NodeOrder order, NodeId n, std::int64_t left, NodeId best, std::int64_t best_left) {
  if (best < 0) return true;
  switch (order) {
    case NodeOrder::kLowestId:
      return n < best;
    case NodeOrder::kTightest:
      return left < best_left || (left == best_left && n < best);
    case NodeOrder::kLoosest:
      return left > best_left || (left == best_left && n < best);
  }
  return false;
}

bool excluded(std::span<const NodeShare> exclude, NodeId node) {
  return std::any_of(exclude.begin(), exclude.end(), [&](const NodeShare& s) { return s.node == node; });
}

// The first node at or after `from` in bucket `free` of pool p that can take
// the share, or -1.
NodeId first_fitting(const ClusterState& cluster, PoolId p, std::int32_t free, const JobRequest& job, std::int32_t gpus,
                     std::span<const NodeShare> exclude) {
  const std::int64_t cpu = cpu_share(job, gpus);
  const std::int64_t memory = memory_share(job, gpus);
  for (NodeId n = cluster.next_with_free(p, free, 0); n >= 0; n = cluster.next_with_free(p, free, n + 1)) {
    if (!excluded(exclude, n) && cluster.node_fits(n, gpus, cpu, memory)) return n;
  }
  return -1;
}

bool place_gang(const JobRequest& job, const ClusterState& cluster, PoolId p, NodeOrder order,
                std::vector<NodeShare>& out) {
  if (cluster.pool_free_gpus(p) < job.gpus()) return false;
  std::int32_t remaining = job.gpus();
  // Whole free nodes first.
  for (NodeId n = cluster.next_fully_free(p, 0); n >= 0 && remaining > 0; n = cluster.next_fully_free(p, n + 1)) {
    const std::int32_t gpus = cluster.capacity_gpus(n);
    if (gpus <= remaining && cluster.node_fits(n, gpus, cpu_share(job, gpus), memory_share(job, gpus))) {
      out.push_back({n, gpus});
      remaining -= gpus;
    }
  }
  // The remainder on one node.
  if (remaining > 0 && remaining <= cluster.pool_max_node_gpus(p)) {
    const NodeId n = choose_node(cluster, p, job, remaining, order, out);
    if (n >= 0) {
      out.push_back({n, remaining});
      remaining = 0;
    }
  }
  // Otherwise spread over the nodes with the most free GPUs.
  for (std::int32_t free = cluster.pool_max_node_gpus(p); free > 0 && remaining > 0; --free) {
    for (NodeId n = cluster.next_with_free(p, free, 0); n >= 0 && remaining > 0;
         n = cluster.next_with_free(p, free, n + 1)) {
      if (excluded(out, n)) continue;
      const std::int32_t gpus = std::min(free, remaining);
      if (!cluster.node_fits(n, gpus, cpu_share(job, gpus), memory_share(job, gpus))) continue;
      out.push_back({n, gpus});
      remaining -= gpus;
    }
  }
  if (remaining > 0) {
    out.clear();
    return false;
  }
  return true;
}

// A share of one GPU. First fit: the lowest node with a shared GPU that has
// room (its lowest such GPU), else a wholly free GPU on the lowest node.
// Best fit: the shared GPU left with the least room (ties: lowest node, then
// lowest GPU), else a wholly free GPU on the node with the fewest.
bool place_share(const JobRequest& job, const ClusterState& cluster, NodeOrder order, std::vector<NodeShare>& out) {
  const auto milli = static_cast<std::int32_t>(job.request.gpu_milli);
  const std::int64_t cpu = cpu_share(job, 0);
  const std::int64_t memory = memory_share(job, 0);
  NodeId best = -1;
  std::int32_t best_gpu = -1;
  std::int64_t best_left = 0;
  // Worst fit: the emptiest GPU is a wholly free one, if there is any.
  for (PoolId p = 0; order == NodeOrder::kLoosest && p < cluster.pool_count(); ++p) {
    if (!cluster.pool_serves(p, job) || cluster.pool_free_gpus(p) == 0) continue;
    const NodeId n = choose_node(cluster, p, job, 1, order);
    if (n < 0) continue;
    const std::int64_t left = cluster.free_gpus(n) - 1;
    if (better_than(order, n, left, best, best_left)) {
      best = n;
      best_left = left;
    }
  }
  const bool found_free = best >= 0;
  if (found_free) best_gpu = cluster.gpu_for_new_share(best);
  // A shared GPU with room, through the room index (never every node):
  // first fit the lowest node with such a GPU, best fit the GPU with the
  // least room that is enough, worst fit the one with the most.
  const auto lowest_gpu_with = [&](NodeId n, auto&& room_ok) {
    for (std::int32_t gpu = 0; gpu < cluster.capacity_gpus(n); ++gpu) {
      const std::int32_t used = cluster.gpu_share_used(n, gpu);
      if (used > 0 && room_ok(kMilliPerGpu - used)) return gpu;
    }
    return -1;
  };
  for (PoolId p = 0; !found_free && p < cluster.pool_count(); ++p) {
    if (!cluster.pool_serves(p, job)) continue;
    NodeId n = -1;
    std::int64_t room = 0;
    if (order == NodeOrder::kTightest) {
      for (std::int32_t r = cluster.least_room_at_least(p, milli); r >= 0 && n < 0;
           r = cluster.least_room_at_least(p, r + 1)) {
        for (NodeId m = cluster.next_with_room_exactly(p, r, 0); m >= 0;
             m = cluster.next_with_room_exactly(p, r, m + 1)) {
          if (cluster.node_fits(m, 0, cpu, memory)) {
            n = m;
            room = r;
            break;
          }
        }
      }
      if (n >= 0) {
        const std::int32_t gpu = lowest_gpu_with(n, [&](std::int64_t left) { return left == room; });
        if (better_than(order, n, room - milli, best, best_left)) {
          best = n;
          best_gpu = gpu;
          best_left = room - milli;
        }
      }
      continue;
    }
    if (order == NodeOrder::kLoosest) {
      n = cluster.roomiest(p, milli);
      if (n >= 0 && !cluster.node_fits(n, 0, cpu, memory)) {
        // Its CPU or memory falls short: the fitting node with the most room.
        n = -1;
        for (NodeId m = cluster.next_with_room(p, milli, 0); m >= 0; m = cluster.next_with_room(p, milli, m + 1)) {
          if (!cluster.node_fits(m, 0, cpu, memory)) continue;
          std::int64_t most = 0;
          for (std::int32_t gpu = 0; gpu < cluster.capacity_gpus(m); ++gpu) {
            const std::int32_t used = cluster.gpu_share_used(m, gpu);
            if (used > 0) most = std::max<std::int64_t>(most, kMilliPerGpu - used);
          }
          if (n < 0 || most > room) {
            n = m;
            room = most;
          }
        }
      }
      if (n < 0) continue;
      std::int64_t most = 0;
      for (std::int32_t gpu = 0; gpu < cluster.capacity_gpus(n); ++gpu) {
        const std::int32_t used = cluster.gpu_share_used(n, gpu);
        if (used > 0) most = std::max<std::int64_t>(most, kMilliPerGpu - used);
      }
      const std::int32_t gpu = lowest_gpu_with(n, [&](std::int64_t left) { return left == most; });
      if (better_than(order, n, most - milli, best, best_left)) {
        best = n;
        best_gpu = gpu;
        best_left = most - milli;
      }
      continue;
    }
    for (NodeId m = cluster.next_with_room(p, milli, 0); m >= 0; m = cluster.next_with_room(p, milli, m + 1)) {
      if (best >= 0 && m > best) break;
      if (cluster.node_fits(m, 0, cpu, memory)) {
        n = m;
        break;
      }
    }
    if (n >= 0 && better_than(order, n, 0, best, best_left)) {
      best = n;
      best_gpu = lowest_gpu_with(n, [&](std::int64_t left) { return left >= milli; });
      best_left = 0;
    }
  }
  if (best < 0 && order != NodeOrder::kLoosest) {
    // A wholly free GPU, as a one-GPU job would be placed (its CPU and memory
    // in full: cpu_share gives a share job's whole request).
    std::int32_t best_free_left = 0;
    for (PoolId p = 0; p < cluster.pool_count(); ++p) {
      if (!cluster.pool_serves(p, job) || cluster.pool_free_gpus(p) == 0) continue;
      const NodeId n = choose_node(cluster, p, job, 1, order);
      if (n < 0) continue;
      const std::int32_t left = cluster.free_gpus(n) - 1;
      if (better_than(order, n, left, best, best_free_left)) {
        best = n;
        best_free_left = left;
      }
    }
    if (best < 0) return false;
    best_gpu = cluster.gpu_for_new_share(best);
  }
  if (best < 0) return false;
  NodeShare share;
  share.node = best;
  share.gpu = static_cast<std::int16_t>(best_gpu);
  share.gpu_milli = static_cast<std::int16_t>(milli);
  out.push_back(share);
  return true;
}

// A CPU-only job: a node that models CPU with enough free CPU and memory,
// using no GPU. First fit: the lowest node id; best fit: the node left with
// the least free CPU (ties: lowest id).
bool place_cpu_only(const JobRequest& job, const ClusterState& cluster, NodeOrder order, std::vector<NodeShare>& out) {
  const std::int64_t cpu = job.request.cpu_milli;
  const std::int64_t memory = job.request.memory_mib;
  NodeId best = -1;
  std::int64_t best_left = 0;
  for (PoolId p = 0; p < cluster.pool_count(); ++p) {
    if (!cluster.pool_serves(p, job)) continue;
    // The pool's CPU index, never a scan of its nodes.
    const NodeId n = order == NodeOrder::kLowestId   ? cluster.first_cpu_fit(p, cpu, memory)
                     : order == NodeOrder::kTightest ? cluster.tightest_cpu_fit(p, cpu, memory)
                                                     : cluster.loosest_cpu_fit(p, cpu, memory);
    if (n < 0) continue;
    const std::int64_t left = cluster.free_cpu_milli(n) - cpu;
    if (better_than(order, n, left, best, best_left)) {
      best = n;
      best_left = left;
    }
  }
  if (best < 0) return false;
  out.push_back(NodeShare{best, 0});
  return true;
}

}  // namespace

std::string allocation_problem(const JobRequest& job, std::span<const NodeShare> allocation,
                               const ClusterState& cluster) {
  // Messages are built only for a problem: this runs at every placement.
  const auto of_job = [&] { return "job " + std::to_string(job.id); };
  if (allocation.empty()) return "an empty allocation for " + of_job();
  for (const NodeShare& share : allocation) {
    if (share.node < 0 || static_cast<std::size_t>(share.node) >= cluster.node_count()) {
      return "node " + std::to_string(share.node) + " for " + of_job() + ": the cluster has nodes 0 to " +
             std::to_string(static_cast<std::int64_t>(cluster.node_count()) - 1);
    }
  }
  const PoolId pool = cluster.pool_of(allocation.front().node);
  if (!cluster.pool_serves(pool, job)) {
    if (!job.regions.allows(cluster.pool_region(pool))) {
      return of_job() + " placed on node " + std::to_string(allocation.front().node) + ", in region " +
             cluster.layout().spec().region_name(static_cast<std::size_t>(cluster.pool_region(pool))) +
             ", where it may not run (data residency)";
    }
    return of_job() + " placed on node " + std::to_string(allocation.front().node) +
           ", whose GPU type it may not use (or whose GPUs have too little memory)";
  }
  if (job.is_gpu_share() || job.is_cpu_only()) {
    const NodeShare& share = allocation.front();
    if (allocation.size() != 1 || share.gpus != 0) return of_job() + " needs one node's share, not whole GPUs";
    if (job.is_gpu_share()) {
      if (!share.is_gpu_share() || share.gpu_milli != job.request.gpu_milli) {
        return of_job() + " asks " + std::to_string(job.request.gpu_milli) +
               " thousandths of one GPU and was given another amount";
      }
      if (share.gpu < 0 || share.gpu >= cluster.capacity_gpus(share.node) ||
          !cluster.share_fits(share.node, share.gpu, share.gpu_milli, cpu_share(job, 0), memory_share(job, 0))) {
        return "GPU " + std::to_string(share.gpu) + " of node " + std::to_string(share.node) + " has no room for " +
               of_job() + " (its share, CPU or memory)";
      }
    } else if (share.is_gpu_share() || !cluster.models_cpu(share.node) ||
               !cluster.node_fits(share.node, 0, job.request.cpu_milli, job.request.memory_mib)) {
      return "node " + std::to_string(share.node) + " has no room for CPU-only " + of_job() +
             " (or does not model CPU)";
    }
    return "";
  }
  std::int64_t total = 0;
  for (std::size_t i = 0; i < allocation.size(); ++i) {
    const NodeShare& share = allocation[i];
    if (share.gpus <= 0 || share.is_gpu_share())
      return "node " + std::to_string(share.node) + " gives " + of_job() + " no whole GPU";
    if (cluster.pool_of(share.node) != pool)
      return of_job() + " spans GPU types or regions (node " + std::to_string(share.node) + ")";
    if (!cluster.node_fits(share.node, share.gpus, cpu_share(job, share.gpus), memory_share(job, share.gpus))) {
      return "node " + std::to_string(share.node) + " has no room for " + std::to_string(share.gpus) + " GPUs of " +
             of_job() + " (GPUs, CPU or memory)";
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (allocation[j].node == share.node) return of_job() + " given node " + std::to_string(share.node) + " twice";
    }
    total += share.gpus;
  }
  if (total != job.gpus()) {
    return of_job() + " asks " + std::to_string(job.gpus()) + " GPUs and was given " + std::to_string(total);
  }
  return "";
}

std::int64_t cpu_share(const JobRequest& job, std::int32_t gpus) {
  return proportional(job.request.cpu_milli, gpus, job.gpus());
}

std::int64_t memory_share(const JobRequest& job, std::int32_t gpus) {
  return proportional(job.request.memory_mib, gpus, job.gpus());
}

namespace {
// choose_node's body, inlined into the single-node placement of whole-GPU
// jobs, the hot path (bench/engine: out of line it cost 80 instructions a
// placement once gangs and shares called it too).
[[gnu::always_inline]] inline NodeId choose_node_inline(const ClusterState& cluster, PoolId p, const JobRequest& job,
                                                        std::int32_t gpus, NodeOrder order,
                                                        std::span<const NodeShare> exclude) {
  const std::int32_t max_free = cluster.pool_max_node_gpus(p);
  NodeId best = -1;
  if (order == NodeOrder::kLoosest) {
    for (std::int32_t free = max_free; free >= gpus; --free) {
      const NodeId n = first_fitting(cluster, p, free, job, gpus, exclude);
      if (n >= 0) return n;  // buckets are visited emptiest first
    }
    return -1;
  }
  for (std::int32_t free = gpus; free <= max_free; ++free) {
    const NodeId n = first_fitting(cluster, p, free, job, gpus, exclude);
    if (n < 0) continue;
    if (order == NodeOrder::kTightest) return n;  // buckets are visited tightest first
    if (best < 0 || n < best) best = n;
  }
  return best;
}
}  // namespace

NodeId choose_node(const ClusterState& cluster, PoolId p, const JobRequest& job, std::int32_t gpus, NodeOrder order,
                   std::span<const NodeShare> exclude) {
  return choose_node_inline(cluster, p, job, gpus, order, exclude);
}

bool place_by_order(const JobRequest& job, const ClusterState& cluster, NodeOrder order, std::vector<NodeShare>& out) {
  if (job.is_gpu_share()) return place_share(job, cluster, order, out);
  if (job.is_cpu_only()) return place_cpu_only(job, cluster, order, out);
  NodeId best = -1;
  std::int32_t best_left = 0;
  for (PoolId p = 0; p < cluster.pool_count(); ++p) {
    if (cluster.pool_free_gpus(p) < job.gpus() || !cluster.pool_serves(p, job)) continue;
    if (job.gpus() > cluster.pool_max_node_gpus(p)) {
      if (place_gang(job, cluster, p, order, out)) return true;
      continue;
    }
    const NodeId n = choose_node_inline(cluster, p, job, job.gpus(), order, {});
    if (n < 0) continue;
    const std::int32_t left = cluster.free_gpus(n) - job.gpus();
    if (better_than(order, n, left, best, best_left)) {
      best = n;
      best_left = left;
    }
  }
  if (best < 0) return false;
  out.push_back({best, job.gpus()});
  return true;
}

}  // namespace capsim::scheduler
