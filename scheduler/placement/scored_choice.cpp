#include "scheduler/placement/scored_choice.hpp"

#include <algorithm>
#include <cmath>

#include "core/error.hpp"
#include "scheduler/placement/node_choice.hpp"

namespace capsim::scheduler {

std::size_t NodesToScore::limit(std::size_t nodes) const {
  const std::size_t all = std::max<std::size_t>(nodes, 1);
  switch (mode) {
    case Mode::kAll:
      return all;
    case Mode::kCount:
      return static_cast<std::size_t>(std::max<std::int64_t>(count, 1));
    case Mode::kPercent:
      return std::max<std::size_t>(1, static_cast<std::size_t>(std::ceil(static_cast<double>(nodes) * percent / 100)));
    case Mode::kAdaptive: {
      // Kubernetes' numFeasibleNodesToFind with percentageOfNodesToScore unset.
      constexpr std::size_t kMinNodes = 100;
      if (nodes < kMinNodes) return all;
      const std::int64_t percentage = std::max<std::int64_t>(5, 50 - static_cast<std::int64_t>(nodes) / 125);
      return std::max(kMinNodes, nodes * static_cast<std::size_t>(percentage) / 100);
    }
  }
  return all;
}

NodesToScore read_nodes_to_score(const std::optional<MapReader>& params) {
  NodesToScore result;
  if (!params) return result;
  const ConfigNode* node = params->optional("nodes_to_score");
  if (!node) return result;
  const std::string field = params->field("nodes_to_score");
  const std::string expected = "all, adaptive, a number of nodes (at least 1) or a percentage such as 10%";
  if (node->kind() != ConfigNode::Kind::kScalar) throw InputError(node->where(), field, expected, node->describe());
  const std::string& text = node->scalar();
  if (text == "all") {
    result.mode = NodesToScore::Mode::kAll;
  } else if (text == "adaptive") {
    result.mode = NodesToScore::Mode::kAdaptive;
  } else if (!text.empty() && text.back() == '%') {
    double percent = 0;
    if (!parse_number(std::string_view(text).substr(0, text.size() - 1), percent) || !(percent > 0) || percent > 100) {
      throw InputError(node->where(), field, "a percentage above 0% and at most 100%", node->describe());
    }
    result.mode = NodesToScore::Mode::kPercent;
    result.percent = percent;
  } else {
    std::int64_t count = 0;
    if (node->quoted() || !parse_int(text, count) || count < 1) {
      throw InputError(node->where(), field, expected, node->describe());
    }
    result.mode = NodesToScore::Mode::kCount;
    result.count = count;
  }
  return result;
}

std::int64_t NodeGpus::total_milli() const {
  std::int64_t total = std::int64_t{free_gpus} * kMilliPerGpu;
  for (const std::int32_t r : room) total += r;
  return total;
}

void NodeGpus::read(const ClusterState& cluster, NodeId n) {
  free_gpus = cluster.free_gpus(n);
  room.clear();
  if (cluster.shared_gpus(n) == 0) return;
  for (std::int32_t gpu = 0; gpu < cluster.capacity_gpus(n); ++gpu) {
    const std::int32_t used = cluster.gpu_share_used(n, gpu);
    if (used > 0) room.push_back(static_cast<std::int32_t>(kMilliPerGpu) - used);
  }
}

NodeGpus NodeGpus::of(const ClusterState& cluster, NodeId n) {
  NodeGpus gpus;
  gpus.read(cluster, n);
  return gpus;
}

std::int64_t NodeGpus::free_milli(const ClusterState& cluster, NodeId n) {
  std::int64_t total = std::int64_t{cluster.free_gpus(n)} * kMilliPerGpu;
  if (cluster.shared_gpus(n) == 0) return total;
  for (std::int32_t gpu = 0; gpu < cluster.capacity_gpus(n); ++gpu) {
    const std::int32_t used = cluster.gpu_share_used(n, gpu);
    if (used > 0) total += kMilliPerGpu - used;
  }
  return total;
}

LargestNode LargestNode::of(const ClusterState& cluster) {
  LargestNode largest;
  for (const NodeGroupSpec& group : cluster.layout().spec().node_groups) {
    if (group.count == 0) continue;
    largest.cpu_milli = std::max(largest.cpu_milli, group.cpu_milli);
    largest.gpu_milli = std::max(largest.gpu_milli, std::int64_t{group.gpus_per_node} * kMilliPerGpu);
  }
  return largest;
}

namespace {

bool less(const Score& a, NodeId a_node, std::int32_t a_gpu, const Score& b, NodeId b_node, std::int32_t b_gpu) {
  if (a.primary != b.primary) return a.primary < b.primary;
  if (a.secondary != b.secondary) return a.secondary < b.secondary;
  if (a_node != b_node) return a_node < b_node;
  return a_gpu < b_gpu;
}

}  // namespace

NodeId ScoredChoice::next_of(const Source& s, const ClusterState& cluster, const JobRequest& job, NodeId from) {
  switch (s.kind) {
    case Source::Kind::kBucket:
      return cluster.next_with_free(s.pool, s.free, from);
    case Source::Kind::kShareRoom:
      return cluster.next_with_room(s.pool, static_cast<std::int32_t>(job.request.gpu_milli), from);
    case Source::Kind::kCpu:
      return cluster.next_cpu_fit(s.pool, job.request.cpu_milli, job.request.memory_mib, from);
  }
  return -1;
}

bool ScoredChoice::place(const JobRequest& job, const ClusterState& cluster, CandidateScorer& scorer,
                         std::vector<NodeShare>& out) {
  const bool share = job.is_gpu_share();
  const bool cpu_only = job.is_cpu_only();
  const std::int32_t gpus = job.gpus();
  const std::int64_t cpu = cpu_share(job, gpus);
  const std::int64_t memory = memory_share(job, gpus);
  const auto milli = static_cast<std::int32_t>(job.request.gpu_milli);

  // The index sets to visit. A whole-GPU job larger than a pool's nodes is
  // a gang there (below).
  std::vector<Source>& sources = sources_;
  sources.clear();
  bool gang_pool = false;
  for (PoolId p = 0; p < cluster.pool_count(); ++p) {
    if (!cluster.pool_serves(p, job)) continue;
    const std::int32_t max_free = cluster.pool_max_node_gpus(p);
    if (cpu_only) {
      sources.push_back({Source::Kind::kCpu, p, 0, -1});
    } else if (share) {
      sources.push_back({Source::Kind::kShareRoom, p, 0, -1});
      for (std::int32_t free = 1; free <= max_free; ++free) sources.push_back({Source::Kind::kBucket, p, free, -1});
    } else if (gpus > max_free) {
      gang_pool = true;
    } else if (cluster.pool_free_gpus(p) >= gpus) {
      for (std::int32_t free = gpus; free <= max_free; ++free) sources.push_back({Source::Kind::kBucket, p, free, -1});
    }
  }

  bool found_any = false;
  Score best_score;
  Candidate best;
  const std::size_t limit = nodes_to_score_.limit(cluster.node_count());
  std::size_t feasible = 0;
  NodeId last = -1;
  if (!sources.empty()) scorer.begin(job, cluster);

  // Scores node n's options; false when it has none.
  const auto evaluate = [&](NodeId n) {
    options_.clear();
    if (cpu_only) {
      options_.push_back({n, -1, 0});
    } else if (!share) {
      if (!cluster.node_fits(n, gpus, cpu, memory)) return false;
      options_.push_back({n, -1, 0});
    } else {
      if (!cluster.node_fits(n, 0, cpu, memory)) return false;
      if (cluster.shared_gpus(n) > 0) {
        for (std::int32_t gpu = 0; gpu < cluster.capacity_gpus(n); ++gpu) {
          const std::int32_t used = cluster.gpu_share_used(n, gpu);
          if (used == 0 || used + milli > kMilliPerGpu) continue;
          const bool seen =
              std::any_of(options_.begin(), options_.end(), [&](const Candidate& c) { return c.gpu_used == used; });
          if (!seen) options_.push_back({n, gpu, used});
        }
      }
      if (cluster.free_gpus(n) > 0) options_.push_back({n, cluster.gpu_for_new_share(n), 0});
      if (options_.empty()) return false;
    }
    scorer.begin_node(job, cluster, n);
    for (const Candidate& option : options_) {
      const Score s = scorer.score(job, cluster, option);
      if (!found_any || less(s, option.node, option.gpu, best_score, best.node, best.gpu)) {
        found_any = true;
        best_score = s;
        best = option;
      }
    }
    return true;
  };

  // Visits the union of the sources' members in [from, to) in id order;
  // true once `limit` feasible nodes are found.
  const auto visit = [&](NodeId from, NodeId to) {
    for (Source& s : sources) s.head = next_of(s, cluster, job, from);
    while (true) {
      NodeId n = -1;
      for (const Source& s : sources) {
        if (s.head >= 0 && (n < 0 || s.head < n)) n = s.head;
      }
      if (n < 0 || n >= to) return false;
      for (Source& s : sources) {
        if (s.head == n) s.head = next_of(s, cluster, job, n + 1);
      }
      last = n;
      if (evaluate(n) && ++feasible >= limit) return true;
    }
  };

  if (!sources.empty()) {
    const auto nodes = static_cast<NodeId>(cluster.node_count());
    const NodeId start = cursor_ < nodes ? cursor_ : 0;
    if (!visit(start, nodes) && start > 0) visit(0, start);
    if (last >= 0) cursor_ = last + 1 < nodes ? last + 1 : 0;
  }

  if (!found_any) {
    // A gang: node_choice's mechanics, best fit for the remainder.
    if (gang_pool) return place_by_order(job, cluster, NodeOrder::kTightest, out);
    return false;
  }
  if (share) {
    NodeShare s;
    s.node = best.node;
    s.gpu = static_cast<std::int16_t>(best.gpu);
    s.gpu_milli = static_cast<std::int16_t>(milli);
    out.push_back(s);
  } else {
    out.push_back(NodeShare{best.node, gpus});
  }
  return true;
}

}  // namespace capsim::scheduler
