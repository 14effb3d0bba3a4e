#include "scheduler/queue/gavel.hpp"

#include <algorithm>
#include <tuple>

#include "core/error.hpp"
#include "scheduler/queue/max_min_fairness.hpp"

namespace capsim::scheduler {

GavelQueue::GavelQueue(Options options, const JobClasses* classes, const GpuCatalog* catalog)
    : options_(options), classes_(classes), catalog_(catalog) {
  CAPSIM_CHECK(options_.round > Duration()) << "gavel: the round must be positive";
}

double GavelQueue::speed(const Job& job, GpuTypeId type) const {
  if (catalog_ == nullptr) return 1.0;
  if (classes_ != nullptr && job.job_class < classes_->size()) return classes_->speed(job.job_class, type, *catalog_);
  return catalog_->at(type).relative_speed;
}

bool GavelQueue::can_run(const JobView& view, PoolId pool) const {
  const ClusterState& cluster = this->view().cluster();
  const JobRequest& job = view.job();
  return cluster.pool_serves(pool, job) && job.request.gpu_milli <= cluster.pool_total_gpus(pool) * kMilliPerGpu;
}

QueueKey GavelQueue::key(const JobView& view) {
  const auto it = jobs_.find(view.job().id);
  if (it == jobs_.end()) return {0, 0};  // CPU-only: first, it takes no GPU
  // The jobs assigned at the last round first, then the others; each by
  // the largest gap.
  return {it->second.assigned == kNone ? 2.0 : 1.0, -it->second.gap};
}

void GavelQueue::credit(Job& job, Time now) {
  if (!job.running) return;
  job.received[static_cast<std::size_t>(job.running_pool)] += (now - job.since).to_seconds();
  job.since = now;
}

void GavelQueue::allocate() {
  const ClusterState& cluster = view().cluster();
  const auto pools = static_cast<std::size_t>(cluster.pool_count());
  std::vector<double> capacity(pools);
  for (std::size_t p = 0; p < pools; ++p)
    capacity[p] = static_cast<double>(cluster.pool_total_gpus(static_cast<PoolId>(p)));
  const double n = static_cast<double>(jobs_.size());
  // Identical jobs (class, GPUs, the pools they may use) form one group:
  // the program's size follows the distinct kinds of jobs, not their number.
  std::map<std::tuple<JobClassId, std::int64_t, std::vector<double>>, std::size_t> group_of;
  std::vector<FairShareGroup> groups;
  std::vector<std::size_t> job_group;
  for (const auto& [id, job] : jobs_) {
    const double gpus = static_cast<double>(job.gpu_milli) / kMilliPerGpu;
    std::vector<double> raw(pools, 0.0);
    std::vector<double> equal(pools, 0.0);
    double equal_total = 0;
    for (std::size_t p = 0; p < pools; ++p) {
      if (job.target[p] < 0) continue;  // marks a pool it cannot use (see on_job_arrived)
      raw[p] = speed(job, cluster.pool_type(static_cast<PoolId>(p)));
      equal[p] = capacity[p] / (n * gpus);
      equal_total += equal[p];
    }
    double equal_throughput = 0;
    for (std::size_t p = 0; p < pools; ++p) {
      equal_throughput += raw[p] * (equal_total > 1 ? equal[p] / equal_total : equal[p]);
    }
    std::vector<double> rate(pools, 0.0);
    if (equal_throughput > 0) {
      for (std::size_t p = 0; p < pools; ++p) rate[p] = raw[p] / equal_throughput;
    }
    const auto [it, added] = group_of.try_emplace({job.job_class, job.gpu_milli, rate}, groups.size());
    if (added) {
      groups.push_back({0, gpus, rate});
    }
    groups[it->second].jobs += 1;
    job_group.push_back(it->second);
  }
  const FairShares shares = max_min_fair_shares(groups, capacity);
  linear_programs_ += shares.linear_programs;
  std::size_t i = 0;
  for (auto& [id, job] : jobs_) {
    const std::size_t g = job_group[i++];
    for (std::size_t p = 0; p < pools; ++p) job.share[p] = shares.share[g * pools + p];
  }
}

void GavelQueue::assign(PassControl& control) {
  const ClusterState& cluster = view().cluster();
  const auto pools = static_cast<std::size_t>(cluster.pool_count());
  const double ahead = options_.round.to_seconds();
  std::vector<std::int64_t> room(pools);
  for (std::size_t p = 0; p < pools; ++p) room[p] = cluster.pool_total_gpus(static_cast<PoolId>(p)) * kMilliPerGpu;
  struct Candidate {
    double gap;
    bool already_there;
    JobId id;
    std::size_t pool;
  };
  std::vector<Candidate> candidates;
  for (auto& [id, job] : jobs_) {
    job.assigned = kNone;
    job.gap = -1e300;
    if (job.running && !job.preemptible) {  // it stays where it is
      job.assigned = job.running_pool;
      room[static_cast<std::size_t>(job.running_pool)] -= job.gpu_milli;
      continue;
    }
    for (std::size_t p = 0; p < pools; ++p) {
      const double gap = job.target[p] + job.share[p] * ahead - job.received[p];
      if (job.target[p] >= 0) job.gap = std::max(job.gap, gap);
      if (job.share[p] <= 0) continue;
      candidates.push_back({gap, job.running && job.running_pool == static_cast<int>(p), id, p});
    }
  }
  std::sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) {
    if (a.gap != b.gap) return a.gap > b.gap;
    if (a.already_there != b.already_there) return a.already_there;
    if (a.id != b.id) return a.id < b.id;
    return a.pool < b.pool;
  });
  for (const Candidate& c : candidates) {
    Job& job = jobs_.at(c.id);
    if (job.assigned != kNone || room[c.pool] < job.gpu_milli) continue;
    job.assigned = static_cast<int>(c.pool);
    job.gap = c.gap;
    room[c.pool] -= job.gpu_milli;
  }
  // GPUs left (X is fractional, rounds are whole): the jobs not assigned,
  // largest gap first, where they run already, else on their fastest type
  // with room.
  std::vector<std::pair<double, JobId>> rest;
  for (const auto& [id, job] : jobs_) {
    if (job.assigned == kNone) rest.push_back({-job.gap, id});
  }
  std::sort(rest.begin(), rest.end());
  for (const auto& [negative_gap, id] : rest) {
    Job& job = jobs_.at(id);
    int best = kNone;
    double best_speed = 0;
    for (std::size_t p = 0; p < pools; ++p) {
      if (job.target[p] < 0 || room[p] < job.gpu_milli) continue;
      const double s = speed(job, cluster.pool_type(static_cast<PoolId>(p)));
      if (job.running && job.running_pool == static_cast<int>(p)) {
        best = static_cast<int>(p);
        break;
      }
      if (best == kNone || s > best_speed) {
        best = static_cast<int>(p);
        best_speed = s;
      }
    }
    if (best == kNone) continue;
    job.assigned = best;
    room[static_cast<std::size_t>(best)] -= job.gpu_milli;
  }
  // Stop the jobs that do not run where this round puts them.
  std::vector<JobId> stop;
  for (const auto& [id, job] : jobs_) {
    if (job.running && job.preemptible && job.assigned != job.running_pool) stop.push_back(id);
  }
  for (const JobId id : stop) {
    Job& job = jobs_.at(id);
    if (job.assigned == kNone) {  // not to be restarted in this pass on what is left
      job.stopped = true;
      stopped_.push_back(id);
    }
    control.preempt(id);
  }
  for (const auto& [id, job] : jobs_) {
    if (!job.running) control.rekey(id);
  }
}

void GavelQueue::begin_pass(PassControl& control) {
  const Time now = view().now();
  for (const JobId id : stopped_) {
    if (const auto it = jobs_.find(id); it != jobs_.end()) it->second.stopped = false;
  }
  stopped_.clear();
  in_round_ = next_round_ && now >= *next_round_;
  if (!in_round_) return;
  const std::int64_t round = options_.round.count_us();
  next_round_ = Time::from_us((now.count_us() / round + 1) * round);
  const double elapsed = (now - last_round_).to_seconds();
  last_round_ = now;
  for (auto& [id, job] : jobs_) {
    credit(job, now);
    for (std::size_t p = 0; p < job.share.size(); ++p) {
      if (job.target[p] >= 0) job.target[p] += job.share[p] * elapsed;
    }
  }
  if (jobs_.empty()) return;
  if (changed_) {
    changed_ = false;
    allocate();
  }
  assign(control);
}

Admit GavelQueue::admit(const JobView& view) {
  if (!in_round_) return Admit::kTry;
  // At a round the assigned jobs come first (their keys); the others may
  // use what placement leaves free, except those the round just stopped.
  const auto it = jobs_.find(view.job().id);
  return it != jobs_.end() && it->second.stopped ? Admit::kSkip : Admit::kTry;
}

GpuTypeSet GavelQueue::placement_types(const JobView& view) {
  const auto it = jobs_.find(view.job().id);
  if (it == jobs_.end()) return GpuTypeSet::any();
  const ClusterState& cluster = this->view().cluster();
  const Job& job = it->second;
  if (in_round_ && job.assigned != kNone) return GpuTypeSet::of(cluster.pool_type(job.assigned));
  // Otherwise the types the allocation gives it (any, before it has one).
  GpuTypeSet types;
  for (std::size_t p = 0; p < job.share.size(); ++p) {
    if (job.share[p] > 0) types.add(cluster.pool_type(static_cast<PoolId>(p)));
  }
  return types;
}

RegionSet GavelQueue::placement_regions(const JobView& view) {
  // As placement_types: the assigned pool's region, else those of the pools
  // the allocation gives it (pools are per GPU type and region).
  const auto it = jobs_.find(view.job().id);
  if (it == jobs_.end()) return RegionSet::any();
  const ClusterState& cluster = this->view().cluster();
  const Job& job = it->second;
  if (in_round_ && job.assigned != kNone) return RegionSet::of(cluster.pool_region(job.assigned));
  RegionSet regions;
  for (std::size_t p = 0; p < job.share.size(); ++p) {
    if (job.share[p] > 0) regions.add(cluster.pool_region(static_cast<PoolId>(p)));
  }
  return regions;
}

void GavelQueue::on_job_arrived(const JobView& view) {
  if (view.job().is_cpu_only()) return;
  const ClusterState& cluster = this->view().cluster();
  const auto pools = static_cast<std::size_t>(cluster.pool_count());
  Job job;
  job.job_class = view.job().job_class;
  job.gpu_milli = view.job().request.gpu_milli;
  job.preemptible = view.job().preemptible;
  job.share.assign(pools, 0.0);
  job.received.assign(pools, 0.0);
  job.target.assign(pools, 0.0);
  // A negative target marks a pool the job can never use.
  for (std::size_t p = 0; p < pools; ++p) {
    if (!can_run(view, static_cast<PoolId>(p))) job.target[p] = -1;
  }
  job.gap = options_.round.to_seconds();
  jobs_.emplace(view.job().id, std::move(job));
  changed_ = true;
  if (!next_round_) {
    const std::int64_t round = options_.round.count_us();
    next_round_ = Time::from_us((this->view().now().count_us() / round + 1) * round);
    last_round_ = this->view().now();
  }
}

void GavelQueue::on_job_started(const JobView& view) {
  const auto it = jobs_.find(view.job().id);
  if (it == jobs_.end()) return;
  Job& job = it->second;
  job.running = true;
  job.running_pool = this->view().cluster().pool_of(view.allocation.front().node);
  job.since = this->view().now();
}

void GavelQueue::on_job_ended(const JobView& view) {
  if (jobs_.erase(view.job().id) > 0) changed_ = true;
}

void GavelQueue::on_job_preempted(const JobView& view) {
  const auto it = jobs_.find(view.job().id);
  if (it == jobs_.end()) return;
  credit(it->second, this->view().now());
  it->second.running = false;
  it->second.running_pool = kNone;
}

std::optional<Time> GavelQueue::next_wakeup(Time now) {
  if (jobs_.empty() || !next_round_) return std::nullopt;
  if (*next_round_ <= now) {
    const std::int64_t round = options_.round.count_us();
    next_round_ = Time::from_us((now.count_us() / round + 1) * round);
  }
  return next_round_;
}

double GavelQueue::allocation(JobId id, GpuTypeId type) const {
  const auto it = jobs_.find(id);
  if (it == jobs_.end()) return 0;
  // Summed over the type's pools (one per region).
  const ClusterState& cluster = view().cluster();
  double share = 0;
  for (PoolId p = 0; p < cluster.pool_count(); ++p) {
    if (cluster.pool_type(p) == type) share += it->second.share[static_cast<std::size_t>(p)];
  }
  return share;
}

}  // namespace capsim::scheduler
