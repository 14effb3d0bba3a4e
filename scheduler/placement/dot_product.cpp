#include "scheduler/placement/dot_product.hpp"

namespace capsim::scheduler {

void DotProductPlacement::begin(const JobRequest& /*job*/, const ClusterState& cluster) {
  if (!have_largest_) {
    largest_ = LargestNode::of(cluster);
    have_largest_ = true;
  }
}

Score DotProductPlacement::score(const JobRequest& job, const ClusterState& cluster, const Candidate& candidate) {
  const NodeId n = candidate.node;
  double product = 0;
  if (largest_.cpu_milli > 0 && cluster.models_cpu(n)) {
    const auto scale = static_cast<double>(largest_.cpu_milli);
    product +=
        static_cast<double>(cluster.free_cpu_milli(n)) / scale * static_cast<double>(job.request.cpu_milli) / scale;
  }
  if (job.is_gpu_share()) {
    const double room = static_cast<double>(kMilliPerGpu - candidate.gpu_used) / kMilliPerGpu;
    product += room * static_cast<double>(job.request.gpu_milli) / kMilliPerGpu;
  } else if (!job.is_cpu_only()) {
    const auto scale = static_cast<double>(largest_.gpu_milli);
    product += static_cast<double>(NodeGpus::free_milli(cluster, n)) / scale *
               static_cast<double>(job.request.gpu_milli) / scale;
  }
  return {product, 0};
}

bool DotProductPlacement::place(const JobRequest& job, const ClusterState& cluster, std::vector<NodeShare>& out) {
  return place_remembering_failures(failures_, job, cluster, out,
                                    [&] { return choice_.place(job, cluster, *this, out); });
}

}  // namespace capsim::scheduler
