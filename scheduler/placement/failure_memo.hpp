// Requests a placement policy found no room for since capacity last came
// back. Allocations only take capacity away, so a request that did not fit
// still does not fit until ClusterState::release_epoch() moves: a retried
// request of the same shape is answered at once instead of searched again.
// This matters where nothing leaves (the FGD packing experiment, where every
// arrival makes the core retry every waiting pod) and costs one comparison
// where jobs end often (the epoch moves and the memo is never consulted).
// Like every placement policy that learns, a memo serves one cluster (one
// run): the registry makes a policy per run.
#pragma once

#include <cstdint>
#include <set>
#include <tuple>

#include "scheduler/cluster_state.hpp"
#include "scheduler/types.hpp"

namespace capsim::scheduler {

class FailureMemo {
 public:
  // Whether a request of this shape failed at the cluster's current epoch.
  bool known_to_fail(const JobRequest& job, const ClusterState& cluster) const {
    return epoch_ == cluster.release_epoch() && !shapes_.empty() && shapes_.count(shape_of(job)) > 0;
  }
  void record_failure(const JobRequest& job, const ClusterState& cluster) {
    if (epoch_ != cluster.release_epoch()) {
      shapes_.clear();
      epoch_ = cluster.release_epoch();
    }
    shapes_.insert(shape_of(job));
  }

 private:
  // Everything feasibility depends on: GPUs, GPU memory, CPU, memory, types,
  // regions.
  using Shape = std::tuple<std::int64_t, std::int64_t, std::int64_t, std::int64_t, std::uint64_t, std::uint64_t>;
  static Shape shape_of(const JobRequest& job) {
    const Resources& r = job.request;
    return {r.gpu_milli, r.gpu_memory_mib, r.cpu_milli, r.memory_mib, job.gpu_types.bits(), job.regions.bits()};
  }
  std::uint64_t epoch_ = ~std::uint64_t{0};
  std::set<Shape> shapes_;
};

// `place` (a callable filling `out`) behind the memo.
template <typename Place>
bool place_remembering_failures(FailureMemo& memo, const JobRequest& job, const ClusterState& cluster,
                                std::vector<NodeShare>& out, Place&& place) {
  if (memo.known_to_fail(job, cluster)) return false;
  if (place()) return true;
  out.clear();
  memo.record_failure(job, cluster);
  return false;
}

}  // namespace capsim::scheduler
