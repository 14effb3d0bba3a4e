#include "scheduler/placement/gpu_clustering.hpp"

#include <algorithm>

namespace capsim::scheduler {

bool GpuClusteringPlacement::idle(const ClusterState& cluster, NodeId n) const {
  return cluster.free_gpus(n) == cluster.capacity_gpus(n) && cluster.shared_gpus(n) == 0;
}

Score GpuClusteringPlacement::score(const JobRequest& job, const ClusterState& cluster, const Candidate& candidate) {
  if (job.is_cpu_only()) return {0, 0};
  const NodeId n = candidate.node;
  const auto& here = requests_[static_cast<std::size_t>(n)];
  const bool empty = here.empty() || idle(cluster, n);
  const bool same =
      !empty && std::any_of(here.begin(), here.end(), [&](const auto& r) { return r.first == job.request.gpu_milli; });
  double tier = 4;
  if (same) {
    tier = here.size() == 1 ? 1 : 2;
  } else if (empty) {
    tier = 3;
  }
  // Within a tier: the fewest free thousandths, and a share's fullest GPU.
  const double room = job.is_gpu_share() ? static_cast<double>(kMilliPerGpu - candidate.gpu_used) : 0.0;
  return {tier * 1e12 + static_cast<double>(NodeGpus::free_milli(cluster, n)), room};
}

bool GpuClusteringPlacement::place(const JobRequest& job, const ClusterState& cluster, std::vector<NodeShare>& out) {
  if (requests_.size() != cluster.node_count()) requests_.assign(cluster.node_count(), {});
  const bool placed =
      place_remembering_failures(failures_, job, cluster, out, [&] { return choice_.place(job, cluster, *this, out); });
  if (!placed || job.is_cpu_only()) return placed;
  for (const NodeShare& share : out) {
    auto& here = requests_[static_cast<std::size_t>(share.node)];
    if (idle(cluster, share.node)) here.clear();  // what was here has left
    const auto it =
        std::find_if(here.begin(), here.end(), [&](const auto& r) { return r.first == job.request.gpu_milli; });
    if (it != here.end()) {
      ++it->second;
    } else {
      here.emplace_back(job.request.gpu_milli, 1);
    }
  }
  return true;
}

}  // namespace capsim::scheduler
