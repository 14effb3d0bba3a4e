#include "scheduler/placement/spread.hpp"

#include <algorithm>

#include "core/error.hpp"
#include "scheduler/placement/node_choice.hpp"

namespace capsim::scheduler {

SpreadPlacement::SpreadPlacement(std::int32_t per_node) : per_node_(per_node) {
  CAPSIM_CHECK(per_node >= 1) << "spread: per_node " << per_node;
}

bool SpreadPlacement::place(const JobRequest& job, const ClusterState& cluster, std::vector<NodeShare>& out) {
  return place_remembering_failures(failures_, job, cluster, out, [&] {
    if (job.is_gpu_share() || job.is_cpu_only()) return place_by_order(job, cluster, NodeOrder::kLoosest, out);
    return place_whole_gpus(job, cluster, out);
  });
}

bool SpreadPlacement::place_whole_gpus(const JobRequest& job, const ClusterState& cluster,
                                       std::vector<NodeShare>& out) {
  PoolId best = -1;
  std::int32_t best_cap = 0;
  PoolId gathered = -1;  // whose nodes the buffers hold
  for (PoolId p = 0; p < cluster.pool_count(); ++p) {
    if (!cluster.pool_serves(p, job)) continue;
    const std::int32_t cap = gather(job, cluster, p);
    gathered = p;
    if (cap > 0 && (best < 0 || cap < best_cap)) {
      best = p;
      best_cap = cap;
    }
    if (best >= 0 && best_cap <= per_node_) break;  // no later pool spreads it wider
  }
  if (best < 0) return false;
  if (gathered != best) gather(job, cluster, best);
  deal(job, best_cap, out);
  return true;
}

std::int32_t SpreadPlacement::gather(const JobRequest& job, const ClusterState& cluster, PoolId p) {
  candidates_.clear();
  racks_.clear();
  const std::int32_t gpus = job.gpus();
  if (cluster.pool_free_gpus(p) < gpus) return 0;
  const std::int32_t max_node_gpus = cluster.pool_max_node_gpus(p);
  most_count_.assign(static_cast<std::size_t>(max_node_gpus) + 1, 0);
  // Racks hold consecutive nodes of one group, so of one pool.
  for (RackId r = 0; r < cluster.rack_count(); ++r) {
    const NodeId begin = cluster.rack_begin(r);
    const NodeId end = cluster.rack_end(r);
    if (end <= begin || cluster.pool_of(begin) != p || cluster.rack_free_gpus(r) == 0) continue;
    const std::size_t first = candidates_.size();
    for (NodeId n = begin; n < end; ++n) {
      if (!cluster.is_up(n)) continue;
      const std::int32_t free = cluster.free_gpus(n);
      // The most GPUs its CPU and memory allow: a node that fits k GPUs fits
      // fewer, since a node's CPU and memory share grow with its GPUs.
      std::int32_t most = free;
      while (most > 0 && !cluster.node_fits(n, most, cpu_share(job, most), memory_share(job, most))) --most;
      if (most == 0) continue;
      candidates_.push_back({n, free, most, 0});
      ++most_count_[static_cast<std::size_t>(most)];
    }
    if (candidates_.size() == first) continue;
    std::sort(candidates_.begin() + static_cast<std::ptrdiff_t>(first), candidates_.end(),
              [](const Candidate& a, const Candidate& b) {
                return a.free > b.free || (a.free == b.free && a.node < b.node);
              });
    racks_.push_back({r, cluster.rack_free_gpus(r), first, candidates_.size()});
  }
  // Under cap c the nodes give sum(min(c, most)) GPUs, which grows by the
  // number of nodes with most >= c from c - 1 to c.
  std::int64_t given = 0;
  std::int64_t with_at_least = static_cast<std::int64_t>(candidates_.size());
  for (std::int32_t cap = 1; cap <= max_node_gpus; ++cap) {
    given += with_at_least;
    with_at_least -= most_count_[static_cast<std::size_t>(cap)];
    if (cap >= per_node_ && given >= gpus) return cap;
  }
  return given >= gpus ? per_node_ : 0;  // per_node_ above every node: no cap binds
}

void SpreadPlacement::deal(const JobRequest& job, std::int32_t cap, std::vector<NodeShare>& out) {
  std::sort(racks_.begin(), racks_.end(), [](const RackSpan& a, const RackSpan& b) {
    return a.free > b.free || (a.free == b.free && a.rack < b.rack);
  });
  // Dealing order: the first node of each rack, then the second of each, ...
  // skipping racks that have run out.
  order_.clear();
  for (std::size_t rank = 0; !racks_.empty(); ++rank) {
    for (const RackSpan& r : racks_) order_.push_back(r.begin + rank);
    racks_.erase(
        std::remove_if(racks_.begin(), racks_.end(), [&](const RackSpan& r) { return r.begin + rank + 1 >= r.end; }),
        racks_.end());
  }
  std::int32_t remaining = job.gpus();
  while (remaining > 0) {
    bool dealt = false;
    for (const std::size_t i : order_) {
      Candidate& c = candidates_[i];
      const std::int32_t take = std::min({per_node_, cap - c.given, c.most - c.given, remaining});
      if (take <= 0) continue;
      c.given += take;
      remaining -= take;
      dealt = true;
      if (remaining == 0) break;
    }
    // gather() found that the nodes give the job's GPUs under the cap.
    CAPSIM_CHECK(dealt) << "spread: " << remaining << " GPUs of job " << job.id << " left under cap " << cap;
  }
  for (const std::size_t i : order_) {
    if (candidates_[i].given > 0) out.push_back({candidates_[i].node, candidates_[i].given});
  }
}

}  // namespace capsim::scheduler
