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

// Whether pool p's GPUs can serve the job (its types, its GPU memory).
bool pool_serves(const JobRequest& job, const ClusterState& cluster, PoolId p) {
  return job.gpu_types.allows(cluster.pool_type(p)) && cluster.pool_gpu_memory_mib(p) >= job.request.gpu_memory_mib;
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
  for (PoolId p = 0; p < cluster.pool_count(); ++p) {
    if (!pool_serves(job, cluster, p)) continue;
    // Only nodes with a shared GPU that has room: never every node.
    for (NodeId n = cluster.next_with_share_room(p, 0); n >= 0; n = cluster.next_with_share_room(p, n + 1)) {
      if (order == NodeOrder::kLowestId && best >= 0 && n > best) break;
      if (!cluster.node_fits(n, 0, cpu, memory)) continue;
      for (std::int32_t gpu = 0; gpu < cluster.capacity_gpus(n); ++gpu) {
        const std::int32_t used = cluster.gpu_share_used(n, gpu);
        if (used == 0 || used + milli > kMilliPerGpu) continue;
        const std::int64_t left = kMilliPerGpu - used - milli;
        // Nodes come in id order within a pool, GPUs in number order: a
        // candidate replaces the best only when strictly better.
        const bool better =
            best < 0 ||
            (order == NodeOrder::kTightest ? left < best_left || (left == best_left && n < best) : n < best);
        if (better) {
          best = n;
          best_gpu = gpu;
          best_left = left;
        }
        if (order == NodeOrder::kLowestId) break;  // the node's lowest GPU with room
      }
      if (order == NodeOrder::kLowestId && best == n) break;
      if (order == NodeOrder::kTightest && best >= 0 && best_left == 0) break;  // nothing in this pool beats it
    }
  }
  if (best < 0) {
    // A wholly free GPU, as a one-GPU job would be placed (its CPU and memory
    // in full: cpu_share gives a share job's whole request).
    std::int32_t best_free_left = 0;
    for (PoolId p = 0; p < cluster.pool_count(); ++p) {
      if (!pool_serves(job, cluster, p) || cluster.pool_free_gpus(p) == 0) continue;
      const NodeId n = choose_node(cluster, p, job, 1, order);
      if (n < 0) continue;
      const std::int32_t left = cluster.free_gpus(n) - 1;
      const bool better =
          best < 0 ||
          (order == NodeOrder::kTightest ? left < best_free_left || (left == best_free_left && n < best) : n < best);
      if (better) {
        best = n;
        best_free_left = left;
      }
    }
    if (best < 0) return false;
    best_gpu = cluster.gpu_for_new_share(best);
  }
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
    if (!pool_serves(job, cluster, p)) continue;
    // The pool's CPU index, never a scan of its nodes.
    const NodeId n = order == NodeOrder::kLowestId ? cluster.first_cpu_fit(p, cpu, memory)
                                                   : cluster.tightest_cpu_fit(p, cpu, memory);
    if (n < 0) continue;
    const std::int64_t left = cluster.free_cpu_milli(n) - cpu;
    const bool better =
        best < 0 || (order == NodeOrder::kTightest ? left < best_left || (left == best_left && n < best) : n < best);
    if (better) {
      best = n;
      best_left = left;
    }
  }
  if (best < 0) return false;
  out.push_back(NodeShare{best, 0});
  return true;
}

}  // namespace

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
    if (!job.gpu_types.allows(cluster.pool_type(p))) continue;
    if (cluster.pool_free_gpus(p) < job.gpus()) continue;
    if (cluster.pool_gpu_memory_mib(p) < job.request.gpu_memory_mib) continue;
    if (job.gpus() > cluster.pool_max_node_gpus(p)) {
      if (place_gang(job, cluster, p, order, out)) return true;
      continue;
    }
    const NodeId n = choose_node_inline(cluster, p, job, job.gpus(), order, {});
    if (n < 0) continue;
    const std::int32_t left = cluster.free_gpus(n) - job.gpus();
    const bool better =
        best < 0 || (order == NodeOrder::kTightest ? (left < best_left || (left == best_left && n < best)) : n < best);
    if (better) {
      best = n;
      best_left = left;
    }
  }
  if (best < 0) return false;
  out.push_back({best, job.gpus()});
  return true;
}

}  // namespace capsim::scheduler
