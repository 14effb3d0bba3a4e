#include "scheduler/queue/priority.hpp"

namespace capsim::scheduler {

QueueKey PriorityQueue::key(const JobView& job) {
  return {-static_cast<double>(job.job().priority), static_cast<double>(job.job().submit.count_us())};
}

PriorityQueue::Running PriorityQueue::running_entry(const JobView& job) {
  return {job.job().priority, -job.run_start.count_us(), -static_cast<std::int64_t>(job.job().id)};
}

Admit PriorityQueue::admit(const JobView& job) {
  // Nothing is free and no running job ranks below this one: no job behind
  // it (of this priority or lower) can start either, so the pass ends here
  // rather than visiting every waiting job.
  const ClusterState& cluster = view().cluster();
  if (cluster.total_free_gpus() > 0 || cluster.nodes_with_share_room() > 0 || waiting_cpu_only_ > 0) {
    return Admit::kTry;
  }
  if (preemption_ && !running_.empty() && running_.begin()->priority < job.job().priority) return Admit::kTry;
  return Admit::kStop;
}

void PriorityQueue::victims(const JobView& job, std::vector<JobId>& out) {
  if (!preemption_) return;
  const JobRequest& request = job.job();
  const ClusterState& cluster = view().cluster();
  const Time now = view().now();
  // GPU thousandths the job could have in the pools that serve it: free now,
  // plus what the candidates hold. If even all of them would not do, stop none.
  std::int64_t available = 0;
  for (PoolId p = 0; p < cluster.pool_count(); ++p) {
    if (cluster.pool_serves(p, request)) available += cluster.pool_free_gpus(p) * kMilliPerGpu;
  }
  for (const Running& r : running_) {
    if (r.priority >= request.priority) break;
    const auto id = static_cast<JobId>(-r.minus_id);
    const JobView victim = view().job(id);
    if (victim.run_start == now || victim.allocation.empty()) continue;  // never one started at this instant
    if (!request.is_cpu_only() && !victim.job().is_cpu_only() &&
        !cluster.pool_serves(cluster.pool_of(victim.allocation.front().node), request)) {
      continue;  // its GPUs are of no use to this job
    }
    available += victim.job().request.gpu_milli;
    out.push_back(id);
  }
  if (!request.is_cpu_only() && available < request.request.gpu_milli) out.clear();
}

void PriorityQueue::on_job_arrived(const JobView& job) {
  if (job.job().is_cpu_only()) ++waiting_cpu_only_;
}

void PriorityQueue::on_job_started(const JobView& job) {
  if (job.job().is_cpu_only()) --waiting_cpu_only_;
  if (job.job().preemptible) running_.insert(running_entry(job));
}

void PriorityQueue::forget_running(const JobView& job) {
  running_.erase(running_entry(job));
}

void PriorityQueue::on_job_ended(const JobView& job) {
  forget_running(job);
}

void PriorityQueue::on_job_preempted(const JobView& job) {
  forget_running(job);
  if (job.job().is_cpu_only()) ++waiting_cpu_only_;
}

}  // namespace capsim::scheduler
