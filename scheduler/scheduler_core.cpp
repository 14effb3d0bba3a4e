#include "scheduler/scheduler_core.hpp"

#include <algorithm>

#include "core/error.hpp"
#include "scheduler/placement/node_choice.hpp"

namespace capsim::scheduler {

std::string_view to_string(DecisionKind kind) {
  switch (kind) {
    case DecisionKind::kStart:
      return "start";
    case DecisionKind::kReject:
      return "reject";
    case DecisionKind::kPreempt:
      return "preempt";
  }
  return "unknown";
}

std::string_view describe(RejectReason reason) {
  switch (reason) {
    case RejectReason::kTooLarge:
      return "it asks for more GPUs, CPU or memory than any pool that serves it has";
    case RejectReason::kSharedGpus:
      return "it asks for more than one GPU but not whole GPUs (only jobs of one GPU or less share a GPU)";
    case RejectReason::kCpuNotModelled:
      return "it is CPU-only, and no node group that serves it models CPU (give the groups cpus:)";
    case RejectReason::kNoRegionServes:
      return "no node group in the regions it may run in (its class's regions:, data residency) has GPUs of a "
             "type it may use";
  }
  return "unknown";
}

SchedulerCore::SchedulerCore(const ClusterLayout& layout, const GpuCatalog& catalog,
                             std::unique_ptr<QueuePolicy> queue_policy,
                             std::unique_ptr<PlacementPolicy> placement_policy)
    : layout_(layout),
      catalog_(catalog),
      cluster_(layout, catalog),
      queue_policy_(std::move(queue_policy)),
      placement_policy_(std::move(placement_policy)) {
  CAPSIM_CHECK(queue_policy_ && placement_policy_);
  queue_policy_->attach(view());
}

double JobView::attained_gpu_seconds(Time now) const {
  return previous_gpu_seconds + (running ? gpus() * (now - run_start).to_seconds() : 0.0);
}

std::uint32_t SchedulerCore::intern(std::vector<std::string>& names,
                                    std::map<std::string, std::uint32_t, std::less<>>& ids, std::string_view name) {
  if (name.empty()) return 0;
  const auto it = ids.find(name);
  if (it != ids.end()) return it->second;
  const auto id = static_cast<std::uint32_t>(names.size());
  names.emplace_back(name);
  ids.emplace(std::string(name), id);
  return id;
}

JobView SchedulerCore::view_of(const ActiveJob& job) const {
  JobView v;
  v.request = &job.request;
  v.running = job.running;
  v.queued_since = job.queued_since;
  v.run_start = job.run_start;
  v.previous_runs = job.previous_runs;
  v.previous_gpu_seconds = job.previous_gpu_seconds;
  v.last_run = job.last_run;
  v.preemptions = job.preemptions;
  if (job.running) v.allocation = shares(job);
  return v;
}

JobView SchedulerCore::job(JobId id) const {
  CAPSIM_CHECK(is_active(id)) << "job " << id << " is neither waiting nor running";
  return view_of(active(id));
}

void SchedulerCore::advance_to(Time now) {
  CAPSIM_CHECK(now >= now_) << "time went back from " << now_.count_us() << " to " << now.count_us() << " us";
  now_ = now;
}

std::optional<RejectReason> SchedulerCore::never_runs(const JobRequest& job) const {
  if (job.request.gpu_milli > kMilliPerGpu && !job.request.is_whole_gpus()) return RejectReason::kSharedGpus;
  bool cpu_modelled_somewhere = false;
  bool any_serving_pool = false;
  bool served_elsewhere = false;  // by a pool outside the job's regions
  for (PoolId p = 0; p < cluster_.pool_count(); ++p) {
    const GpuTypeId type = cluster_.pool_type(p);
    const RegionId region = cluster_.pool_region(p);
    if (!cluster_.pool_serves(p, job)) {
      served_elsewhere |= gpu_type_serves(catalog_, type, job.gpu_types, job.request.gpu_memory_mib);
      continue;
    }
    any_serving_pool = true;
    // A job that fits one node needs a node group that can hold it (a
    // CPU-only job, one that models CPU); a gang needs the pool as a whole
    // (CPU and memory where every group models them: one that does not
    // leaves them unbounded).
    const bool gang = job.gpus() > cluster_.pool_max_node_gpus(p);
    Resources pool{0, catalog_.at(type).memory_mib, 0, 0};
    bool cpu_modelled = true, memory_modelled = true;
    for (const NodeGroupSpec& group : layout_.spec().node_groups) {
      if (group.gpu_type != type || group.region != region || group.count == 0) continue;
      Resources node = node_offer(group, catalog_);
      // A share needs one GPU, or one MIG instance, large enough.
      if (job.is_gpu_share()) node.gpu_milli = group.largest_share_milli(catalog_);
      if (job.is_cpu_only()) {
        cpu_modelled_somewhere |= node.cpu_milli > 0;
        if (node.cpu_milli > 0 && job.request.fits_in(node)) return std::nullopt;
        continue;
      }
      if (!gang && job.request.fits_in(node)) return std::nullopt;
      pool.gpu_milli += node.gpu_milli * group.count;
      pool.cpu_milli += node.cpu_milli * group.count;
      pool.memory_mib += node.memory_mib * group.count;
      cpu_modelled &= node.cpu_milli > 0;
      memory_modelled &= node.memory_mib > 0;
    }
    if (!cpu_modelled) pool.cpu_milli = 0;
    if (!memory_modelled) pool.memory_mib = 0;
    if (gang && job.request.fits_in(pool)) return std::nullopt;
  }
  // No pool in its regions has GPUs of its kind at all (rather than too few).
  if (served_elsewhere && !any_serving_pool) return RejectReason::kNoRegionServes;
  if (job.is_cpu_only() && !cpu_modelled_somewhere) return RejectReason::kCpuNotModelled;
  return RejectReason::kTooLarge;
}

void SchedulerCore::enqueue(ActiveJob& job, JobId id) {
  job.key = queue_policy_->key(view_of(job));
  queue_.insert(QueueEntry{job.key, id});
  if (job.request.is_cpu_only()) ++waiting_cpu_only_;
  dirty_ = true;
}

void SchedulerCore::set_record(JobId id, std::uint32_t slot) {
  while (jobs_.size() < id) jobs_.push_back(kNotArrived);
  if (id == jobs_.size()) {
    jobs_.push_back(slot);
  } else {
    jobs_[id] = slot;
  }
}

void SchedulerCore::on_job_arrived(Time now, const JobRequest& job) {
  advance_to(now);
  CAPSIM_CHECK(job.id >= jobs_.size() || jobs_[job.id] == kNotArrived) << "job " << job.id << " arrived twice";
  CAPSIM_CHECK(job.request.gpu_milli > 0 || (job.request.gpu_milli == 0 && job.request.cpu_milli > 0))
      << "job " << job.id << " asks for " << job.request.to_string() << ": GPUs, or CPU for a CPU-only job";
  CAPSIM_CHECK(job.user < users_.size() && job.tenant < tenants_.size())
      << "job " << job.id << " names a user or tenant the core did not hand out";
  if (const auto reason = never_runs(job)) {
    set_record(job.id, kEnded);
    to_reject_.emplace_back(job.id, *reason);
    return;
  }
  std::uint32_t slot;
  if (free_active_.empty()) {
    slot = static_cast<std::uint32_t>(active_.size());
    active_.emplace_back().slot = slot;
  } else {
    slot = free_active_.back();
    free_active_.pop_back();
  }
  set_record(job.id, slot);
  ActiveJob& record = active_[slot];
  record.request = job;
  set_shares(record, {});
  record.queued_since = now;
  record.run_start = Time();
  record.previous_runs = record.last_run = Duration();
  record.previous_gpu_seconds = 0;
  record.preemptions = 0;
  record.started_in_pass = 0;
  record.running = false;
  if (job.is_cpu_only()) cluster_.enable_cpu_index();
  placement_policy_->on_job_arrived(job, cluster_);
  enqueue(record, job.id);
  queue_policy_->on_job_arrived(view_of(record));
}

void SchedulerCore::take(const JobRequest& job, std::span<NodeShare> shares) {
  for (NodeShare& share : shares) {
    const std::int64_t cpu = cpu_share(job, share.gpus);
    const std::int64_t memory = memory_share(job, share.gpus);
    if (share.is_gpu_share()) {
      // A share of a MIG GPU learns its instance here (or keeps the one it
      // held, when an undo reopens it).
      MigSlot mig{share.mig_profile, share.mig_start};
      cluster_.allocate_share(share.node, share.gpu, share.gpu_milli, cpu, memory, &mig);
      share.mig_profile = mig.profile;
      share.mig_start = mig.start;
    } else {
      cluster_.allocate(share.node, share.gpus, cpu, memory);
    }
  }
}

void SchedulerCore::give_back(const JobRequest& job, std::span<const NodeShare> shares) {
  for (const NodeShare& share : shares) {
    const std::int64_t cpu = cpu_share(job, share.gpus);
    const std::int64_t memory = memory_share(job, share.gpus);
    if (share.is_gpu_share()) {
      cluster_.release_share(share.node, share.gpu, share.gpu_milli, cpu, memory, {share.mig_profile, share.mig_start});
    } else {
      cluster_.release(share.node, share.gpus, cpu, memory);
    }
  }
}

void SchedulerCore::set_shares(ActiveJob& job, std::span<const NodeShare> allocation) {
  job.share_count = static_cast<std::uint32_t>(allocation.size());
  if (allocation.size() == 1) {
    job.first_share = allocation.front();
  } else if (allocation.size() > 1) {
    if (job.slot >= more_shares_.size()) more_shares_.resize(job.slot + 1);
    more_shares_[job.slot].assign(allocation.begin(), allocation.end());  // capacity kept across reuse
  }
}

void SchedulerCore::leave(JobId id) {
  free_active_.push_back(jobs_[id]);
  jobs_[id] = kEnded;
}

void SchedulerCore::on_job_ended(Time now, JobId id) {
  advance_to(now);
  CAPSIM_CHECK(is_active(id) && active(id).running) << "job " << id << " is not running";
  ActiveJob& job = active(id);
  give_back(job.request, shares(job));
  job.running = false;
  job.last_run = now - job.run_start;
  job.previous_runs += job.last_run;
  job.previous_gpu_seconds += view_of(job).gpus() * job.last_run.to_seconds();
  --running_;
  dirty_ = true;
  queue_policy_->on_job_ended(view_of(job));
  leave(id);
}

void SchedulerCore::requeue_preempted(JobId id) {
  ActiveJob& job = active(id);
  job.running = false;
  job.last_run = now_ - job.run_start;
  job.previous_runs += job.last_run;
  job.previous_gpu_seconds += view_of(job).gpus() * job.last_run.to_seconds();
  ++job.preemptions;
  set_shares(job, {});
  job.queued_since = now_;
  --running_;
  enqueue(job, id);
  decisions_.push_back(Decision{.kind = DecisionKind::kPreempt, .job = id, .allocation = {}});
  queue_policy_->on_job_preempted(view_of(job));
}

void SchedulerCore::on_node_down(Time now, NodeId node) {
  advance_to(now);
  cluster_.set_up(node, false);
}

void SchedulerCore::on_node_taken(Time now, NodeId node) {
  advance_to(now);
  to_evict_.push_back(node);
}

void SchedulerCore::on_node_up(Time now, NodeId node) {
  advance_to(now);
  if (std::find(to_evict_.begin(), to_evict_.end(), node) != to_evict_.end()) back_up_.push_back(node);
  cluster_.set_up(node, true);
  dirty_ = true;
}

void SchedulerCore::on_timer(Time now) {
  advance_to(now);
  dirty_ = true;
}

std::span<const NodeShare> SchedulerCore::allocation_of(JobId job) const {
  if (!is_active(job) || !active(job).running) return {};
  return shares(active(job));
}

void SchedulerCore::check_allocation(const JobRequest& job, std::span<const NodeShare> allocation) const {
  const std::string problem = allocation_problem(job, allocation, cluster_);
  CAPSIM_CHECK(problem.empty()) << "placement " << placement_policy_->name() << ": " << problem;
}

bool SchedulerCore::may_fit_now(const JobRequest& job) const {
  if (job.is_cpu_only()) return true;
  if (job.is_gpu_share()) return cluster_.total_free_gpus() > 0 || cluster_.nodes_with_share_room() > 0;
  return cluster_.total_free_gpus() > 0;
}

// What a queue policy may do at the start of a pass.
class SchedulerCore::Control final : public PassControl {
 public:
  explicit Control(SchedulerCore& core) : core_(core) {}
  const SchedulerView& view() const override { return core_.view(); }
  void rekey(JobId id) override {
    if (!core_.is_active(id)) return;
    ActiveJob& job = core_.active(id);
    if (job.running) return;
    const QueueKey key = core_.queue_policy_->key(core_.view_of(job));
    if (key == job.key) return;
    core_.queue_.erase(QueueEntry{job.key, id});
    job.key = key;
    core_.queue_.insert(QueueEntry{key, id});
  }
  void preempt(JobId id) override {
    CAPSIM_CHECK(core_.is_active(id) && core_.active(id).running && core_.active(id).request.preemptible)
        << "queue policy " << core_.queue_policy_->name() << " preempts job " << id
        << ", which is not a running preemptible job";
    ActiveJob& job = core_.active(id);
    core_.give_back(job.request, core_.shares(job));
    core_.requeue_preempted(id);
  }

 private:
  SchedulerCore& core_;
};

bool SchedulerCore::may_be_victim(JobId id) const {
  return is_active(id) && active(id).running && active(id).request.preemptible && active(id).started_in_pass != pass_;
}

const JobRequest* SchedulerCore::narrowed(const ActiveJob& record) {
  const JobRequest& job = record.request;
  const GpuTypeSet types = queue_policy_->placement_types(view_of(record));
  const RegionSet regions = queue_policy_->placement_regions(view_of(record));
  if (types.is_any() && regions.is_any()) return &job;
  narrowed_ = job;
  if (!types.is_any()) {
    // The types both the job and the policy allow (none: no placement).
    narrowed_.gpu_types = GpuTypeSet();
    for (std::uint64_t bits = types.bits(); bits != 0; bits &= bits - 1) {
      const auto type = static_cast<GpuTypeId>(__builtin_ctzll(bits));
      if (job.gpu_types.allows(type)) narrowed_.gpu_types.add(type);
    }
    if (narrowed_.gpu_types.is_any()) return nullptr;
  }
  if (!regions.is_any()) {
    // Likewise the regions: never one the job may not run in.
    const std::uint64_t both = job.regions.is_any() ? regions.bits() : regions.bits() & job.regions.bits();
    if (both == 0) return nullptr;
    narrowed_.regions = RegionSet::from_bits(both);
  }
  return &narrowed_;
}

bool SchedulerCore::place_with_victims(const JobRequest& job) {
  std::size_t released = 0;
  bool placed = false;
  for (; released < victims_.size() && !placed; ++released) {
    const JobId v = victims_[released];
    CAPSIM_CHECK(is_active(v) && active(v).running && active(v).request.preemptible &&
                 active(v).started_in_pass != pass_)
        << "queue policy " << queue_policy_->name() << " names job " << v << " as a victim for job " << job.id
        << ", but it is not a running preemptible job started before this pass";
    for (std::size_t i = 0; i < released; ++i) CAPSIM_CHECK(victims_[i] != v) << "victim " << v << " named twice";
    give_back(active(v).request, shares(active(v)));
    scratch_.clear();
    placed = placement_policy_->place(job, cluster_, scratch_);
  }
  if (!placed) {
    // Undo, last released first, so that every share reopens the very GPU it held.
    for (std::size_t i = released; i-- > 0;) take(active(victims_[i]).request, shares_to_retake(active(victims_[i])));
    scratch_.clear();
    return false;
  }
  for (std::size_t i = 0; i < released; ++i) requeue_preempted(victims_[i]);
  return true;
}

std::span<const Decision> SchedulerCore::decide(Time now) {
  advance_to(now);
  decisions_.clear();
  decision_shares_.clear();
  decision_share_counts_.clear();
  for (const auto& [id, reason] : to_reject_)
    decisions_.push_back(Decision{.kind = DecisionKind::kReject, .job = id, .reject_reason = reason, .allocation = {}});
  to_reject_.clear();
  // Nodes taken away (a spot interruption): their jobs wait again, whatever
  // their class, and the node takes no more work.
  for (const NodeId node : to_evict_) {
    for (std::size_t slot = 0; slot < active_.size(); ++slot) {
      ActiveJob& job = active_[slot];
      if (!job.running) continue;
      const JobId id = job.request.id;
      if (!is_active(id) || jobs_[id] != slot) continue;
      const std::span<const NodeShare> held = shares(job);
      if (std::none_of(held.begin(), held.end(), [&](const NodeShare& share) { return share.node == node; })) continue;
      give_back(job.request, held);
      requeue_preempted(id);
    }
    // A node back at the instant it was taken (a failure repaired as it is
    // detected) stays up, emptied.
    if (std::find(back_up_.begin(), back_up_.end(), node) == back_up_.end()) cluster_.set_up(node, false);
    dirty_ = true;
  }
  to_evict_.clear();
  back_up_.clear();
  if (dirty_) {
    dirty_ = false;
    ++pass_;
    Control control(*this);
    queue_policy_->begin_pass(control);
    const bool preempts = queue_policy_->preempts();
    for (auto it = queue_.begin(); it != queue_.end();) {
      // Nothing can start: no free GPU, no shared GPU with room, no CPU-only
      // job, and no policy that would make room.
      if (!preempts && cluster_.total_free_gpus() == 0 && cluster_.nodes_with_share_room() == 0 &&
          waiting_cpu_only_ == 0)
        break;
      const JobId id = it->job;
      ActiveJob& record = active(id);
      const JobRequest& job = record.request;
      const Admit admit = queue_policy_->admit(view_of(record));
      if (admit == Admit::kStop) break;
      if (admit == Admit::kSkip) {
        ++it;
        continue;
      }
      scratch_.clear();
      const JobRequest* to_place = narrowed(record);
      bool placed = to_place && may_fit_now(job) && placement_policy_->place(*to_place, cluster_, scratch_);
      if (!placed && preempts && to_place) {
        victims_.clear();
        queue_policy_->victims(view_of(record), victims_);
        if (!victims_.empty()) placed = place_with_victims(*to_place);
      }
      if (!placed) {
        if (!queue_policy_->on_unplaced(view_of(record))) break;
        ++it;
        continue;
      }
      check_allocation(job, scratch_);
      take(job, scratch_);
      if (job.is_cpu_only()) --waiting_cpu_only_;
      it = queue_.erase(it);
      set_shares(record, scratch_);
      record.running = true;
      record.run_start = now;
      record.started_in_pass = pass_;
      ++running_;
      // The decision's allocation points into decision_shares_, set below
      // once it stops growing.
      decisions_.push_back(Decision{.kind = DecisionKind::kStart, .job = id, .allocation = {}});
      decision_share_counts_.push_back(scratch_.size());
      decision_shares_.insert(decision_shares_.end(), scratch_.begin(), scratch_.end());
      queue_policy_->on_job_started(view_of(record));
    }
    std::size_t offset = 0;
    std::size_t started = 0;
    for (Decision& decision : decisions_) {
      if (decision.kind != DecisionKind::kStart) continue;
      const std::size_t count = decision_share_counts_[started++];
      decision.allocation = std::span<const NodeShare>(decision_shares_.data() + offset, count);
      offset += count;
    }
  }
  next_wakeup_ = queue_policy_->next_wakeup(now);
  CAPSIM_CHECK(!next_wakeup_ || *next_wakeup_ > now)
      << "queue policy " << queue_policy_->name() << " asks for a pass at " << next_wakeup_->count_us()
      << " us, not after now (" << now.count_us() << " us)";
  return decisions_;
}

}  // namespace capsim::scheduler
