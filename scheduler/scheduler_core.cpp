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
}

void SchedulerCore::advance_to(Time now) {
  CAPSIM_CHECK(now >= now_) << "time went back from " << now_.count_us() << " to " << now.count_us() << " us";
  now_ = now;
}

std::optional<RejectReason> SchedulerCore::never_runs(const JobRequest& job) const {
  if (job.request.gpu_milli > kMilliPerGpu && !job.request.is_whole_gpus()) return RejectReason::kSharedGpus;
  bool cpu_modelled_somewhere = false;
  for (PoolId p = 0; p < cluster_.pool_count(); ++p) {
    const GpuTypeId type = cluster_.pool_type(p);
    if (!gpu_type_serves(catalog_, type, job.gpu_types, job.request.gpu_memory_mib)) continue;
    // A job that fits one node needs a node group that can hold it (a
    // CPU-only job, one that models CPU); a gang needs the pool as a whole
    // (CPU and memory where every group models them: one that does not
    // leaves them unbounded).
    const bool gang = job.gpus() > cluster_.pool_max_node_gpus(p);
    Resources pool{0, catalog_.at(type).memory_mib, 0, 0};
    bool cpu_modelled = true, memory_modelled = true;
    for (const NodeGroupSpec& group : layout_.spec().node_groups) {
      if (group.gpu_type != type || group.count == 0) continue;
      const Resources node = node_offer(group, catalog_);
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
  if (job.is_cpu_only() && !cpu_modelled_somewhere) return RejectReason::kCpuNotModelled;
  return RejectReason::kTooLarge;
}

void SchedulerCore::on_job_arrived(Time now, const JobRequest& job) {
  advance_to(now);
  CAPSIM_CHECK(job.id == jobs_.size()) << "job ids must be dense in arrival order: got " << job.id << ", expected "
                                       << jobs_.size();
  CAPSIM_CHECK(job.request.gpu_milli > 0 || (job.request.gpu_milli == 0 && job.request.cpu_milli > 0))
      << "job " << job.id << " asks for " << job.request.to_string() << ": GPUs, or CPU for a CPU-only job";
  JobRecord& record = jobs_.emplace_back();
  if (const auto reason = never_runs(job)) {
    record.extra = kEnded;
    to_reject_.emplace_back(job.id, *reason);
    return;
  }
  placement_policy_->on_job_arrived(job, cluster_);
  queue_.insert(QueueEntry{queue_policy_->key(job), job.id, job});
  if (job.is_cpu_only()) {
    cluster_.enable_cpu_index();
    ++waiting_cpu_only_;
  }
  dirty_ = true;
}

void SchedulerCore::start(const JobRequest& job, std::span<const NodeShare> shares) {
  JobRecord& record = jobs_[job.id];
  if (shares.size() == 1 && job.request.cpu_milli == 0 && job.request.memory_mib == 0) {
    record.first_share = shares.front();
    record.extra = kNoExtra;
  } else {
    if (free_extras_.empty()) {
      record.extra = static_cast<std::uint32_t>(extras_.size());
      extras_.emplace_back();
    } else {
      record.extra = free_extras_.back();
      free_extras_.pop_back();
    }
    ExtraRecord& extra = extras_[record.extra];
    extra.shares.assign(shares.begin(), shares.end());
    extra.request = job;
  }
  ++running_;
}

void SchedulerCore::on_job_ended(Time now, JobId id) {
  advance_to(now);
  CAPSIM_CHECK(id < jobs_.size() && jobs_[id].running()) << "job " << id << " is not running";
  JobRecord& job = jobs_[id];
  if (job.extra == kNoExtra) {
    const NodeShare& share = job.first_share;
    if (share.is_gpu_share()) {
      cluster_.release_share(share.node, share.gpu, share.gpu_milli, 0, 0);
    } else {
      cluster_.release(share.node, share.gpus, 0, 0);
    }
  } else {
    ExtraRecord& extra = extras_[job.extra];
    for (const NodeShare& share : extra.shares) {
      const std::int64_t cpu = cpu_share(extra.request, share.gpus);
      const std::int64_t memory = memory_share(extra.request, share.gpus);
      if (share.is_gpu_share()) {
        cluster_.release_share(share.node, share.gpu, share.gpu_milli, cpu, memory);
      } else {
        cluster_.release(share.node, share.gpus, cpu, memory);
      }
    }
    extra.shares.clear();
    free_extras_.push_back(job.extra);
  }
  job.extra = kEnded;
  --running_;
  dirty_ = true;
}

void SchedulerCore::on_node_down(Time now, NodeId node) {
  advance_to(now);
  cluster_.set_up(node, false);
}

void SchedulerCore::on_node_up(Time now, NodeId node) {
  advance_to(now);
  cluster_.set_up(node, true);
  dirty_ = true;
}

std::span<const NodeShare> SchedulerCore::allocation_of(JobId job) const {
  if (job >= jobs_.size() || !jobs_[job].running()) return {};
  return allocation(jobs_[job]);
}

void SchedulerCore::check_allocation(const JobRequest& job, std::span<const NodeShare> allocation) const {
  std::int64_t total = 0;
  CAPSIM_CHECK(!allocation.empty()) << "placement " << placement_policy_->name() << " gave job " << job.id
                                    << " an empty allocation";
  const PoolId pool = cluster_.pool_of(allocation.front().node);
  CAPSIM_CHECK(gpu_type_serves(catalog_, cluster_.pool_type(pool), job.gpu_types, job.request.gpu_memory_mib))
      << "job " << job.id << " placed on a node whose GPU type does not serve it";
  if (job.is_gpu_share() || job.is_cpu_only()) {
    const NodeShare& share = allocation.front();
    CAPSIM_CHECK(allocation.size() == 1 && share.node >= 0 &&
                 static_cast<std::size_t>(share.node) < cluster_.node_count() && share.gpus == 0)
        << "placement " << placement_policy_->name() << " gave job " << job.id << " more than one node's share";
    if (job.is_gpu_share()) {
      CAPSIM_CHECK(share.is_gpu_share() && share.gpu_milli == job.request.gpu_milli &&
                   cluster_.share_fits(share.node, share.gpu, share.gpu_milli, cpu_share(job, 0), memory_share(job, 0)))
          << "placement " << placement_policy_->name() << " over-allocates GPU " << share.gpu << " of node "
          << share.node << " for job " << job.id;
    } else {
      CAPSIM_CHECK(!share.is_gpu_share() && cluster_.models_cpu(share.node) &&
                   cluster_.node_fits(share.node, 0, job.request.cpu_milli, job.request.memory_mib))
          << "placement " << placement_policy_->name() << " over-allocates CPU of node " << share.node
          << " for CPU-only job " << job.id;
    }
    return;
  }
  for (std::size_t i = 0; i < allocation.size(); ++i) {
    const NodeShare& share = allocation[i];
    CAPSIM_CHECK(share.node >= 0 && static_cast<std::size_t>(share.node) < cluster_.node_count() && share.gpus > 0 &&
                 !share.is_gpu_share())
        << "placement " << placement_policy_->name() << " gave job " << job.id << " node " << share.node;
    CAPSIM_CHECK(cluster_.pool_of(share.node) == pool) << "job " << job.id << " spans GPU types";
    CAPSIM_CHECK(cluster_.node_fits(share.node, share.gpus, cpu_share(job, share.gpus), memory_share(job, share.gpus)))
        << "placement " << placement_policy_->name() << " over-allocates node " << share.node << " for job " << job.id;
    for (std::size_t j = 0; j < i; ++j) {
      CAPSIM_CHECK(allocation[j].node != share.node) << "job " << job.id << " given node " << share.node << " twice";
    }
    total += share.gpus;
  }
  CAPSIM_CHECK(total == job.gpus()) << "job " << job.id << " asked " << job.gpus() << " GPUs and was given " << total;
}

bool SchedulerCore::may_fit_now(const JobRequest& job) const {
  if (job.is_cpu_only()) return true;
  if (job.is_gpu_share()) return cluster_.total_free_gpus() > 0 || cluster_.nodes_with_share_room() > 0;
  return cluster_.total_free_gpus() > 0;
}

std::span<const Decision> SchedulerCore::decide(Time now) {
  advance_to(now);
  decisions_.clear();
  decision_shares_.clear();
  decision_share_counts_.clear();
  for (const auto& [id, reason] : to_reject_)
    decisions_.push_back(Decision{.kind = DecisionKind::kReject, .job = id, .reject_reason = reason, .allocation = {}});
  to_reject_.clear();
  if (!dirty_) return decisions_;
  dirty_ = false;

  const bool blocks = queue_policy_->blocks_queue();
  for (auto it = queue_.begin(); it != queue_.end();) {
    // Nothing can start: no free GPU, no shared GPU with room, no CPU-only job.
    if (cluster_.total_free_gpus() == 0 && cluster_.nodes_with_share_room() == 0 && waiting_cpu_only_ == 0) break;
    const JobRequest& job = it->request;
    scratch_.clear();
    if (!may_fit_now(job) || !placement_policy_->place(job, cluster_, scratch_)) {
      if (blocks) break;
      ++it;
      continue;
    }
    check_allocation(job, scratch_);
    for (const NodeShare& share : scratch_) {
      const std::int64_t cpu = cpu_share(job, share.gpus);
      const std::int64_t memory = memory_share(job, share.gpus);
      if (share.is_gpu_share()) {
        cluster_.allocate_share(share.node, share.gpu, share.gpu_milli, cpu, memory);
      } else {
        cluster_.allocate(share.node, share.gpus, cpu, memory);
      }
    }
    if (job.is_cpu_only()) --waiting_cpu_only_;
    start(job, scratch_);
    // The decision's allocation points into decision_shares_, set below once
    // it stops growing.
    decisions_.push_back(Decision{.kind = DecisionKind::kStart, .job = job.id, .allocation = {}});
    decision_share_counts_.push_back(scratch_.size());
    decision_shares_.insert(decision_shares_.end(), scratch_.begin(), scratch_.end());
    it = queue_.erase(it);
  }
  std::size_t offset = 0;
  std::size_t started = 0;
  for (Decision& decision : decisions_) {
    if (decision.kind != DecisionKind::kStart) continue;
    const std::size_t count = decision_share_counts_[started++];
    decision.allocation = std::span<const NodeShare>(decision_shares_.data() + offset, count);
    offset += count;
  }
  return decisions_;
}

}  // namespace capsim::scheduler
