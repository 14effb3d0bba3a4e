#include "scheduler/placement/random.hpp"

#include "scheduler/placement/node_choice.hpp"

namespace capsim::scheduler {

namespace {

constexpr int kDraws = 32;

bool has_share_room(const ClusterState& cluster, NodeId n) {
  if (cluster.shared_gpus(n) == 0) return false;
  for (std::int32_t gpu = 0; gpu < cluster.capacity_gpus(n); ++gpu) {
    const std::int32_t used = cluster.gpu_share_used(n, gpu);
    if (used > 0 && used < kMilliPerGpu) return true;
  }
  return false;
}

}  // namespace

NodeId RandomPlacement::member(const ClusterState& cluster, const Set& set, std::size_t rank) const {
  return set.free >= 0 ? cluster.nth_with_free(set.pool, set.free, rank) : cluster.nth_with_share_room(set.pool, rank);
}

NodeId RandomPlacement::next_member(const ClusterState& cluster, const Set& set, NodeId from) const {
  return set.free >= 0 ? cluster.next_with_free(set.pool, set.free, from)
                       : cluster.next_with_share_room(set.pool, from);
}

bool RandomPlacement::place(const JobRequest& job, const ClusterState& cluster, std::vector<NodeShare>& out) {
  return place_remembering_failures(failures_, job, cluster, out, [&] {
    if (job.is_gpu_share()) return place_share(job, cluster, out);
    if (job.is_cpu_only()) return place_cpu_only(job, cluster, out);
    return place_whole(job, cluster, out);
  });
}

bool RandomPlacement::place_whole(const JobRequest& job, const ClusterState& cluster, std::vector<NodeShare>& out) {
  const std::int32_t gpus = job.gpus();
  const std::int64_t cpu = cpu_share(job, gpus);
  const std::int64_t memory = memory_share(job, gpus);
  sets_.clear();
  std::size_t total = 0;
  bool gang = false;
  for (PoolId p = 0; p < cluster.pool_count(); ++p) {
    if (!cluster.pool_serves(p, job)) continue;
    if (gpus > cluster.pool_max_node_gpus(p)) {
      gang = true;
      continue;
    }
    for (std::int32_t free = gpus; free <= cluster.pool_max_node_gpus(p); ++free) {
      const std::size_t size = cluster.count_with_free(p, free);
      if (size == 0) continue;
      sets_.push_back({p, free, size});
      total += size;
    }
  }
  if (total > 0) {
    NodeId chosen = -1;
    for (int draw = 0; draw < kDraws && chosen < 0; ++draw) {
      std::size_t rank = random_.uniform_below(total);
      for (const Set& set : sets_) {
        if (rank < set.size) {
          const NodeId n = member(cluster, set, rank);
          if (cluster.node_fits(n, gpus, cpu, memory)) chosen = n;
          break;
        }
        rank -= set.size;
      }
    }
    if (chosen < 0) {
      // Most candidates lack the CPU or memory: list those that fit.
      fitting_.clear();
      for (const Set& set : sets_) {
        for (NodeId n = next_member(cluster, set, 0); n >= 0; n = next_member(cluster, set, n + 1)) {
          if (cluster.node_fits(n, gpus, cpu, memory)) fitting_.push_back(n);
        }
      }
      if (!fitting_.empty()) chosen = fitting_[random_.uniform_below(fitting_.size())];
    }
    if (chosen >= 0) {
      out.push_back({chosen, gpus});
      return true;
    }
  }
  return gang && place_by_order(job, cluster, NodeOrder::kTightest, out);
}

void RandomPlacement::share_gpus(const ClusterState& cluster, NodeId n, std::int32_t milli) {
  gpus_.clear();
  if (cluster.shared_gpus(n) > 0) {
    for (std::int32_t gpu = 0; gpu < cluster.capacity_gpus(n); ++gpu) {
      const std::int32_t used = cluster.gpu_share_used(n, gpu);
      if (used > 0 && used + milli <= kMilliPerGpu) gpus_.push_back(gpu);
    }
  }
  if (cluster.free_gpus(n) > 0) gpus_.push_back(cluster.gpu_for_new_share(n));
}

bool RandomPlacement::place_share(const JobRequest& job, const ClusterState& cluster, std::vector<NodeShare>& out) {
  const auto milli = static_cast<std::int32_t>(job.request.gpu_milli);
  const std::int64_t cpu = cpu_share(job, 0);
  const std::int64_t memory = memory_share(job, 0);
  sets_.clear();
  std::size_t total = 0;
  for (PoolId p = 0; p < cluster.pool_count(); ++p) {
    if (!cluster.pool_serves(p, job)) continue;
    const std::size_t room = cluster.count_with_share_room(p);
    if (room > 0) sets_.push_back({p, -1, room});
    total += room;
    for (std::int32_t free = 1; free <= cluster.pool_max_node_gpus(p); ++free) {
      const std::size_t size = cluster.count_with_free(p, free);
      if (size == 0) continue;
      sets_.push_back({p, free, size});
      total += size;
    }
  }
  if (total == 0) return false;
  const auto can_take = [&](NodeId n) {
    if (!cluster.node_fits(n, 0, cpu, memory)) return false;
    share_gpus(cluster, n, milli);
    return !gpus_.empty();
  };
  NodeId chosen = -1;
  for (int draw = 0; draw < kDraws && chosen < 0; ++draw) {
    std::size_t rank = random_.uniform_below(total);
    for (const Set& set : sets_) {
      if (rank < set.size) {
        const NodeId n = member(cluster, set, rank);
        // A node with share room and a free GPU is in two sets: keep it half
        // the time, so that every node is drawn with the same probability.
        const bool twice = cluster.free_gpus(n) > 0 && has_share_room(cluster, n);
        if (twice && random_.uniform01() < 0.5) break;
        if (can_take(n)) chosen = n;
        break;
      }
      rank -= set.size;
    }
  }
  if (chosen < 0) {
    fitting_.clear();
    for (const Set& set : sets_) {
      for (NodeId n = next_member(cluster, set, 0); n >= 0; n = next_member(cluster, set, n + 1)) {
        // Count a node in two sets once: from its share-room set.
        if (set.free >= 0 && has_share_room(cluster, n)) continue;
        if (can_take(n)) fitting_.push_back(n);
      }
    }
    if (fitting_.empty()) return false;
    chosen = fitting_[random_.uniform_below(fitting_.size())];
    share_gpus(cluster, chosen, milli);
  }
  NodeShare share;
  share.node = chosen;
  share.gpu = static_cast<std::int16_t>(gpus_[random_.uniform_below(gpus_.size())]);
  share.gpu_milli = static_cast<std::int16_t>(milli);
  out.push_back(share);
  return true;
}

bool RandomPlacement::place_cpu_only(const JobRequest& job, const ClusterState& cluster, std::vector<NodeShare>& out) {
  fitting_.clear();
  for (PoolId p = 0; p < cluster.pool_count(); ++p) {
    if (!cluster.pool_serves(p, job)) continue;
    // Only the nodes the CPU index says fit.
    for (NodeId n = cluster.next_cpu_fit(p, job.request.cpu_milli, job.request.memory_mib, 0); n >= 0;
         n = cluster.next_cpu_fit(p, job.request.cpu_milli, job.request.memory_mib, n + 1)) {
      fitting_.push_back(n);
    }
  }
  if (fitting_.empty()) return false;
  out.push_back(NodeShare{fitting_[random_.uniform_below(fitting_.size())], 0});
  return true;
}

}  // namespace capsim::scheduler
