#include "scheduler/placement/best_fit_cpu_gpu.hpp"

namespace capsim::scheduler {

void BestFitCpuGpuPlacement::begin(const JobRequest& /*job*/, const ClusterState& cluster) {
  if (!have_largest_) {
    largest_ = LargestNode::of(cluster);
    have_largest_ = true;
  }
}

void BestFitCpuGpuPlacement::begin_node(const JobRequest& job, const ClusterState& cluster, NodeId n) {
  node_score_ = 0;
  if (largest_.cpu_milli > 0 && cluster.models_cpu(n)) {
    node_score_ += 0.5 * static_cast<double>(cluster.free_cpu_milli(n) - job.request.cpu_milli) /
                   static_cast<double>(largest_.cpu_milli);
  }
  if (largest_.gpu_milli > 0) {
    node_score_ += 0.5 * static_cast<double>(NodeGpus::free_milli(cluster, n) - job.request.gpu_milli) /
                   static_cast<double>(largest_.gpu_milli);
  }
}

Score BestFitCpuGpuPlacement::score(const JobRequest& job, const ClusterState& /*cluster*/,
                                    const Candidate& candidate) {
  // Secondary: a share's room left on its GPU (the fullest GPU it fits).
  const double room_left =
      job.is_gpu_share() ? static_cast<double>(kMilliPerGpu - candidate.gpu_used - job.request.gpu_milli) : 0.0;
  return {node_score_, room_left};
}

bool BestFitCpuGpuPlacement::place(const JobRequest& job, const ClusterState& cluster, std::vector<NodeShare>& out) {
  return place_remembering_failures(failures_, job, cluster, out,
                                    [&] { return choice_.place(job, cluster, *this, out); });
}

}  // namespace capsim::scheduler
