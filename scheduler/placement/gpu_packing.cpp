#include "scheduler/placement/gpu_packing.hpp"

namespace capsim::scheduler {

Score GpuPackingPlacement::score(const JobRequest& job, const ClusterState& cluster, const Candidate& candidate) {
  if (job.is_cpu_only()) return {0, 0};
  const NodeId n = candidate.node;
  if (job.is_gpu_share() && candidate.gpu_used > 0) {
    return {1, static_cast<double>(kMilliPerGpu - candidate.gpu_used)};  // an occupied GPU: the least room first
  }
  const bool idle = cluster.free_gpus(n) == cluster.capacity_gpus(n);
  if (!idle) return {2, 0};                                   // an occupied node
  return {3, static_cast<double>(cluster.capacity_gpus(n))};  // an idle node: the smallest first
}

bool GpuPackingPlacement::place(const JobRequest& job, const ClusterState& cluster, std::vector<NodeShare>& out) {
  return place_remembering_failures(failures_, job, cluster, out,
                                    [&] { return choice_.place(job, cluster, *this, out); });
}

}  // namespace capsim::scheduler
