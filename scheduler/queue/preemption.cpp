#include "scheduler/queue/preemption.hpp"

#include <limits>
#include <string>

#include "core/error.hpp"

namespace capsim::scheduler {

double DurationChoice::seconds(const JobRequest& job) const {
  if (source == Source::kEstimate) {
    if (job.estimate > Duration()) return job.estimate.to_seconds();
    if (missing == Missing::kInfinite) return std::numeric_limits<double>::infinity();
  }
  return job.recorded_duration.to_seconds();
}

std::size_t read_choice(const std::optional<MapReader>& map, std::string_view key,
                        std::initializer_list<std::string_view> words, std::size_t fallback) {
  if (!map) return fallback;
  const ConfigNode* value = map->optional(key);
  if (value == nullptr) return fallback;
  const std::string field = map->field(key);
  const std::string text = read_name(*value, field);
  std::string expected;
  std::size_t index = 0;
  for (const std::string_view word : words) {
    if (text == word) return index;
    expected += (index == 0 ? "" : index + 1 == words.size() ? " or " : ", ") + std::string(word);
    ++index;
  }
  throw InputError(value->where(), field, expected, quote_for_message(text));
}

DurationChoice read_duration_choice(const std::optional<MapReader>& map, bool with_missing) {
  DurationChoice choice;
  choice.source = read_choice(map, "duration", {"oracle", "estimate"}, 0) == 0 ? DurationChoice::Source::kOracle
                                                                               : DurationChoice::Source::kEstimate;
  if (!with_missing) return choice;
  choice.missing = read_choice(map, "missing_estimate", {"oracle", "infinite"}, 0) == 0
                       ? DurationChoice::Missing::kOracle
                       : DurationChoice::Missing::kInfinite;
  return choice;
}

bool may_fit_by_totals(const ClusterState& cluster, const JobRequest& job) {
  if (job.is_cpu_only()) return true;
  if (job.is_gpu_share()) return cluster.total_free_gpus() > 0 || cluster.nodes_with_share_room() > 0;
  return job.gpus() <= cluster.total_free_gpus();
}

Admit admit_preemptive(const ClusterState& cluster, const JobRequest& job, bool can_preempt,
                       std::size_t waiting_cpu_only) {
  if (can_preempt || may_fit_by_totals(cluster, job)) return Admit::kTry;
  if (cluster.total_free_gpus() == 0 && cluster.nodes_with_share_room() == 0 && waiting_cpu_only == 0) {
    return Admit::kStop;
  }
  return Admit::kSkip;
}

Admit admit_preemptive(const ClusterState& cluster, const JobRequest& job, bool can_preempt,
                       std::size_t waiting_cpu_only, const VictimChooser& chooser) {
  if (can_preempt && chooser.known_to_fail(job)) {
    return may_fit_by_totals(cluster, job) ? Admit::kTry : Admit::kSkip;
  }
  return admit_preemptive(cluster, job, can_preempt, waiting_cpu_only);
}

bool VictimChooser::known_to_fail(const JobRequest& job) const {
  if (job.is_gpu_share() || job.is_cpu_only()) return false;
  for (const Failed& f : failed_) {
    if (f.gpus <= job.gpus() && f.gpu_types == job.gpu_types.bits() && f.gpu_memory_mib == job.request.gpu_memory_mib &&
        f.regions == job.regions.bits()) {
      return true;
    }
  }
  return false;
}

void VictimChooser::begin(const SchedulerView& view, const JobView& job) {
  const ClusterState& cluster = view.cluster();
  job_ = &job.job();
  need_ = job_->gpus();
  used_groups_ = 0;
  group_of_.clear();
  chosen_ = -1;
  in_order_.clear();
  mode_ = Mode::kInOrder;
  if (job_->is_gpu_share() || job_->is_cpu_only()) return;
  // A gang unless some pool that serves it has a node large enough.
  mode_ = Mode::kPool;
  for (PoolId p = 0; p < cluster.pool_count(); ++p) {
    if (cluster.pool_serves(p, *job_) && cluster.pool_max_node_gpus(p) >= need_) mode_ = Mode::kNode;
  }
}

VictimChooser::Group& VictimChooser::group(std::int32_t where, std::int64_t free) {
  const auto [it, inserted] = group_of_.emplace(where, used_groups_);
  if (inserted) {
    if (used_groups_ == groups_.size()) groups_.emplace_back();
    Group& g = groups_[used_groups_++];
    g.where = where;
    g.gpus = free;
    g.members.clear();
  }
  return groups_[it->second];
}

bool VictimChooser::offer(const SchedulerView& view, JobId candidate) {
  const ClusterState& cluster = view.cluster();
  const JobView victim = view.job(candidate);
  if (mode_ == Mode::kInOrder) {
    // Stopping a job in a pool that cannot serve this one (another GPU type,
    // another region) frees nothing it could use.
    if (!victim.allocation.empty() && cluster.pool_serves(cluster.pool_of(victim.allocation.front().node), *job_))
      in_order_.push_back(candidate);
    return false;
  }
  for (const NodeShare& share : victim.allocation) {
    if (share.is_gpu_share() || share.gpus == 0) continue;  // frees no whole GPU by itself
    const PoolId pool = cluster.pool_of(share.node);
    if (!cluster.pool_serves(pool, *job_) || !cluster.is_up(share.node)) continue;
    if (mode_ == Mode::kNode && cluster.capacity_gpus(share.node) < need_) continue;
    const std::int32_t where = mode_ == Mode::kNode ? share.node : pool;
    const std::int64_t free = mode_ == Mode::kNode ? cluster.free_gpus(share.node) : cluster.pool_free_gpus(pool);
    Group& g = group(where, free);
    // A gang's share on several nodes of one pool joins the pool's group once.
    if (g.members.empty() || g.members.back().first != candidate) g.members.emplace_back(candidate, 0);
    g.members.back().second += share.gpus;
    g.gpus += share.gpus;
    if (g.gpus >= need_) {
      chosen_ = static_cast<std::int64_t>(&g - groups_.data());
      return true;
    }
  }
  return false;
}

void VictimChooser::finish(std::vector<JobId>& out) {
  if (mode_ == Mode::kInOrder) {
    out.insert(out.end(), in_order_.begin(), in_order_.end());
    return;
  }
  if (chosen_ < 0) {
    failed_.push_back({need_, job_->gpu_types.bits(), job_->request.gpu_memory_mib, job_->regions.bits()});
    return;
  }
  // The last member completed the set: it is needed. Of the others, drop
  // those the rest can do without, from the least expendable back.
  Group& g = groups_[static_cast<std::size_t>(chosen_)];
  std::int64_t total = g.gpus;
  for (std::size_t i = g.members.size() - 1; i-- > 0;) {
    if (total - g.members[i].second >= need_) {
      total -= g.members[i].second;
      g.members[i].second = -1;  // dropped
    }
  }
  for (const auto& [id, gpus] : g.members) {
    if (gpus >= 0) out.push_back(id);
  }
}

}  // namespace capsim::scheduler
