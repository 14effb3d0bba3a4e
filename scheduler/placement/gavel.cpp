#include "scheduler/placement/gavel.hpp"

#include <algorithm>

#include "scheduler/placement/node_choice.hpp"

namespace capsim::scheduler {

double GavelPlacement::speed(JobClassId job_class, GpuTypeId type) const {
  if (catalog_ == nullptr) return 1.0;
  if (classes_ != nullptr && job_class < classes_->size()) return classes_->speed(job_class, type, *catalog_);
  return catalog_->at(type).relative_speed;
}

double GavelPlacement::score(JobClassId job_class, GpuTypeId type) const {
  const double own = speed(job_class, type);
  if (rank_ == Rank::kSpeed) return own;
  const auto t = static_cast<std::size_t>(type);
  if (jobs_seen_ == 0 || t >= speed_sum_.size() || speed_sum_[t] <= 0) return own;
  return own / (speed_sum_[t] / jobs_seen_);
}

void GavelPlacement::on_job_arrived(const JobRequest& job, const ClusterState& cluster) {
  if (job.is_cpu_only()) return;
  GpuTypeSet counted;  // a type of several pools (regions) counts once
  for (PoolId p = 0; p < cluster.pool_count(); ++p) {
    const GpuTypeId type = cluster.pool_type(p);
    if (!counted.is_any() && counted.allows(type)) continue;
    counted.add(type);
    const auto t = static_cast<std::size_t>(type);
    if (speed_sum_.size() <= t) speed_sum_.resize(t + 1, 0.0);
    speed_sum_[t] += speed(job.job_class, type);
  }
  jobs_seen_ += 1;
}

bool GavelPlacement::place(const JobRequest& job, const ClusterState& cluster, std::vector<NodeShare>& out) {
  if (job.is_gpu_share() || job.is_cpu_only()) return place_by_order(job, cluster, NodeOrder::kTightest, out);
  candidates_.clear();
  double best_speed = 0;
  for (PoolId p = 0; p < cluster.pool_count(); ++p) {
    if (!cluster.pool_serves(p, job)) continue;
    const GpuTypeId type = cluster.pool_type(p);
    const double own = speed(job.job_class, type);
    best_speed = std::max(best_speed, own);
    candidates_.push_back({score(job.job_class, type), own, p});
  }
  // Best score first; ties: the faster type, then the pool order.
  std::sort(candidates_.begin(), candidates_.end(), [](const Candidate& a, const Candidate& b) {
    if (a.score != b.score) return a.score > b.score;
    if (a.speed != b.speed) return a.speed > b.speed;
    return a.pool < b.pool;
  });
  JobRequest in_pool = job;
  for (const Candidate& c : candidates_) {
    if (c.speed < fallback_min_speed_ * best_speed) continue;
    if (cluster.pool_free_gpus(c.pool) < job.gpus()) continue;
    in_pool.gpu_types = GpuTypeSet::of(cluster.pool_type(c.pool));
    in_pool.regions = RegionSet::of(cluster.pool_region(c.pool));  // c.pool serves the job: within its regions
    if (place_by_order(in_pool, cluster, NodeOrder::kTightest, out)) return true;
  }
  return false;
}

}  // namespace capsim::scheduler
