#include "scheduler/queue/easy.hpp"

#include <algorithm>

namespace capsim::scheduler {

QueueKey EasyBackfillQueue::key(const JobView& job) {
  return {static_cast<double>(job.job().submit.count_us()), 0};
}

Duration EasyBackfillQueue::estimate_of(const JobRequest& job) const {
  if (job.estimate > Duration()) return job.estimate;
  return default_estimate_ ? *default_estimate_ : job.recorded_duration;
}

void EasyBackfillQueue::begin_pass(PassControl& /*control*/) {
  reservation_.reset();
}

Admit EasyBackfillQueue::admit(const JobView& job) {
  if (!reservation_ || job.job().is_cpu_only()) return Admit::kTry;
  const Reservation& r = *reservation_;
  const JobRequest& request = job.job();
  if (!view().cluster().pool_serves(r.pool, request)) return Admit::kTry;   // it cannot touch the reserved GPUs
  if (view().now() + estimate_of(request) <= r.shadow) return Admit::kTry;  // gone by the shadow time
  if (request.request.gpu_milli <= r.extra_milli) return Admit::kTry;       // fits in what the head leaves
  return Admit::kSkip;
}

bool EasyBackfillQueue::on_unplaced(const JobView& job) {
  if (reservation_ || job.job().is_cpu_only()) return true;  // one reservation, for the first blocked job
  const JobRequest& request = job.job();
  const ClusterState& cluster = view().cluster();
  const Time now = view().now();
  const std::int64_t need = request.request.gpu_milli;
  for (PoolId p = 0; p < cluster.pool_count(); ++p) {
    if (!cluster.pool_serves(p, request) || cluster.pool_total_gpus(p) * kMilliPerGpu < need) continue;
    // Walk the pool's running jobs by expected end until enough is free;
    // every job ending at that same time counts towards the extra GPUs.
    std::int64_t free = cluster.pool_free_gpus(p) * kMilliPerGpu;
    Time shadow = now;
    if (static_cast<std::size_t>(p) < running_.size()) {
      const std::set<Running>& ends = running_[static_cast<std::size_t>(p)];
      auto it = ends.begin();
      while (it != ends.end() && (free < need || std::max(it->end, now) <= shadow)) {
        shadow = std::max(it->end, now);
        free += view().job(it->id).job().request.gpu_milli;
        ++it;
      }
    }
    if (free < need) continue;  // GPUs down: this pool cannot hold it now
    if (!reservation_ || shadow < reservation_->shadow) {
      reservation_ = Reservation{request.id, p, shadow, free - need};
    }
  }
  return true;
}

void EasyBackfillQueue::on_job_started(const JobView& job) {
  const JobRequest& request = job.job();
  if (request.is_cpu_only() || job.allocation.empty()) return;
  const PoolId pool = view().cluster().pool_of(job.allocation.front().node);
  const Time end = job.run_start + estimate_of(request);
  if (reservation_ && reservation_->pool == pool && end > reservation_->shadow) {
    // Backfilled beside the reservation: it takes from the extra GPUs.
    reservation_->extra_milli -= request.request.gpu_milli;
  }
  if (running_.size() <= static_cast<std::size_t>(pool)) running_.resize(static_cast<std::size_t>(pool) + 1);
  running_[static_cast<std::size_t>(pool)].insert(Running{end, request.id});
  held_[request.id] = Held{end, pool};
}

void EasyBackfillQueue::on_job_ended(const JobView& job) {
  const auto it = held_.find(job.job().id);
  if (it == held_.end()) return;
  running_[static_cast<std::size_t>(it->second.pool)].erase(Running{it->second.end, job.job().id});
  held_.erase(it);
}

}  // namespace capsim::scheduler
