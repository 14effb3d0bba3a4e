#include "scheduler/queue/drf.hpp"

#include <algorithm>

namespace capsim::scheduler {

void DrfQueue::attach(const SchedulerView& view) {
  QueuePolicy::attach(view);
  const ClusterState& cluster = view.cluster();
  double gpus = 0, cpu = 0, memory = 0;
  for (PoolId p = 0; p < cluster.pool_count(); ++p) gpus += static_cast<double>(cluster.pool_total_gpus(p));
  for (const NodeGroupSpec& group : cluster.layout().spec().node_groups) {
    cpu += static_cast<double>(group.count) * static_cast<double>(group.cpu_milli);
    memory += static_cast<double>(group.count) * static_cast<double>(group.memory_mib);
  }
  capacity_ = {gpus * kMilliPerGpu, cpu, memory};
}

DrfQueue::Vector DrfQueue::demand(const JobRequest& job) {
  return {job.request.gpu_milli, job.request.cpu_milli, job.request.memory_mib};
}

double DrfQueue::share_of(const Vector& usage) const {
  double share = 0;
  for (std::size_t r = 0; r < usage.size(); ++r) {
    if (capacity_[r] > 0) share = std::max(share, static_cast<double>(usage[r]) / capacity_[r]);
  }
  return share;
}

DrfQueue::Owner& DrfQueue::owner(std::uint32_t id) {
  if (owners_.size() <= id) owners_.resize(static_cast<std::size_t>(id) + 1);
  return owners_[id];
}

double DrfQueue::dominant_share(std::uint32_t id) const {
  return id < owners_.size() ? share_of(owners_[id].running) : 0.0;
}

void DrfQueue::mark_dirty(std::uint32_t id) {
  Owner& o = owner(id);
  if (o.dirty) return;
  o.dirty = true;
  dirty_.push_back(id);
}

QueueKey DrfQueue::key(const JobView& job) {
  const JobRequest& request = job.job();
  const double submit = static_cast<double>(request.submit.count_us());
  if (const auto it = key_of_.find(request.id); it != key_of_.end()) return {it->second, submit};
  // A job entering the queue joins the end of its owner's queue: its key is
  // the share the owner would hold with all its waiting jobs running.
  const std::uint32_t id = owner_of(request);
  Owner& o = owner(id);
  Vector ahead = o.running;
  for (std::size_t r = 0; r < ahead.size(); ++r) ahead[r] += o.waiting[r];
  // Beyond its owner's first kExactKeys waiting jobs, a job waits parked,
  // behind every exact key, in FIFO order.
  double share = o.queue.size() >= kExactKeys ? kParked : share_of(ahead);
  // Stale keys (an owner alone in the queue is not re-keyed) may lie above
  // the fresh one: never put the job ahead of its owner's earlier jobs.
  if (o.dirty && !o.queue.empty()) share = std::max(share, key_of_.at(o.queue.rbegin()->id));
  const Vector d = demand(request);
  for (std::size_t r = 0; r < d.size(); ++r) o.waiting[r] += d[r];
  if (o.queue.empty()) ++owners_waiting_;
  const auto [pos, inserted] = o.queue.insert(Waiting{request.submit.count_us(), request.id});
  if (std::next(pos) != o.queue.end()) mark_dirty(id);  // back from a preemption: not last in its owner's FIFO
  key_of_[request.id] = share;
  return {share, submit};
}

void DrfQueue::begin_pass(PassControl& control) {
  // An owner alone in the queue keeps stale keys: only the order between
  // owners depends on them. They are recomputed once another owner waits.
  if (owners_waiting_ < 2 || dirty_.empty()) return;
  std::sort(dirty_.begin(), dirty_.end());
  for (const std::uint32_t id : dirty_) {
    Owner& o = owners_[id];
    o.dirty = false;
    Vector ahead = o.running;
    std::size_t position = 0;
    for (const Waiting& w : o.queue) {
      double& stored = key_of_.at(w.id);
      // The first kExactKeys get exact keys; the rest stay (or become) parked.
      if (position++ >= kExactKeys && stored == kParked) break;
      const double share = position > kExactKeys ? kParked : share_of(ahead);
      if (stored != share) {
        stored = share;
        control.rekey(w.id);
      }
      const Vector d = demand(control.view().job(w.id).job());
      for (std::size_t r = 0; r < d.size(); ++r) ahead[r] += d[r];
    }
  }
  dirty_.clear();
}

void DrfQueue::on_job_started(const JobView& job) {
  const JobRequest& request = job.job();
  const std::uint32_t id = owner_of(request);
  Owner& o = owner(id);
  const Vector d = demand(request);
  for (std::size_t r = 0; r < d.size(); ++r) {
    o.running[r] += d[r];
    o.waiting[r] -= d[r];
  }
  const auto it = o.queue.find(Waiting{request.submit.count_us(), request.id});
  // Its owner's head: the keys behind it already counted it. Out of turn:
  // the jobs ahead of it did not.
  // A parked job moves up into the exact keys.
  if (it != o.queue.begin() || o.queue.size() > kExactKeys) mark_dirty(id);
  o.queue.erase(it);
  if (o.queue.empty()) --owners_waiting_;
  key_of_.erase(request.id);
}

void DrfQueue::on_job_ended(const JobView& job) {
  const JobRequest& request = job.job();
  const std::uint32_t id = owner_of(request);
  Owner& o = owner(id);
  const Vector d = demand(request);
  for (std::size_t r = 0; r < d.size(); ++r) o.running[r] -= d[r];
  if (!o.queue.empty()) mark_dirty(id);
}

void DrfQueue::on_job_preempted(const JobView& job) {
  // Not this policy's doing (it never preempts), but keep the books: the job
  // gave back what it held and has re-entered the queue through key().
  const JobRequest& request = job.job();
  const std::uint32_t id = owner_of(request);
  Owner& o = owner(id);
  const Vector d = demand(request);
  for (std::size_t r = 0; r < d.size(); ++r) o.running[r] -= d[r];
  mark_dirty(id);
}

}  // namespace capsim::scheduler
