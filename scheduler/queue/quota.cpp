#include "scheduler/queue/quota.hpp"

#include <algorithm>
#include <cmath>

namespace capsim::scheduler {

namespace {

// The entry for `name`, else "default", else nothing.
std::optional<double> lookup(const std::map<std::string, double, std::less<>>& map, std::string_view name) {
  if (const auto it = map.find(name); it != map.end()) return it->second;
  if (const auto it = map.find("default"); it != map.end()) return it->second;
  return std::nullopt;
}

std::int64_t to_milli(double gpus) {
  return std::llround(gpus * kMilliPerGpu);
}

}  // namespace

void QuotaQueue::attach(const SchedulerView& view) {
  QueuePolicy::attach(view);
  const ClusterState& cluster = view.cluster();
  for (PoolId p = 0; p < cluster.pool_count(); ++p) cluster_milli_ += cluster.pool_total_gpus(p) * kMilliPerGpu;
}

std::int64_t QuotaQueue::nominal_for(std::string_view name) const {
  if (!config_.quota_gpus.empty()) return to_milli(lookup(config_.quota_gpus, name).value_or(0));
  if (!config_.share.empty()) {
    return std::llround(lookup(config_.share, name).value_or(0) * static_cast<double>(cluster_milli_));
  }
  return known_tenants_ == 0 ? cluster_milli_ : cluster_milli_ / static_cast<std::int64_t>(known_tenants_);
}

std::int64_t QuotaQueue::limit_for(std::string_view name) const {
  const auto limit = lookup(config_.borrowing_limit_gpus, name);
  return limit ? to_milli(*limit) : -1;
}

QuotaQueue::Tenant& QuotaQueue::tenant(TenantId id) {
  if (tenants_.size() <= id) tenants_.resize(static_cast<std::size_t>(id) + 1);
  Tenant& t = tenants_[id];
  if (!t.known) {
    t.known = true;
    ++known_tenants_;
    const std::string_view name = view().tenant_name(id);
    t.books.limit = limit_for(name);
    if (config_.quota_gpus.empty() && config_.share.empty()) {
      // Equal shares: every tenant's quota shrinks as one more appears.
      for (TenantId other = 0; other < tenants_.size(); ++other) {
        if (!tenants_[other].known) continue;
        tenants_[other].books.nominal = nominal_for(view().tenant_name(other));
        refresh(other);
      }
    } else {
      t.books.nominal = nominal_for(name);
      refresh(id);
    }
  }
  return t;
}

void QuotaQueue::refresh(TenantId id) {
  Tenant& t = tenants_[id];
  const TenantBooks& b = t.books;
  const std::int64_t reserved = std::min(b.waiting, std::max<std::int64_t>(0, b.nominal - b.used));
  reserved_total_ += reserved - t.reserved;
  t.reserved = reserved;
  const bool borrowing = b.used > b.nominal;
  if (borrowing != t.borrowing) borrowing ? ++borrowing_ : --borrowing_;
  t.borrowing = borrowing;
  const bool hungry = reserved > 0;
  if (hungry != t.hungry) hungry ? ++hungry_ : --hungry_;
  t.hungry = hungry;
}

void QuotaQueue::change(TenantId id, std::int64_t used, std::int64_t waiting) {
  Tenant& t = tenant(id);
  t.books.used += used;
  t.books.waiting += waiting;
  used_total_ += used;
  refresh(id);
}

QuotaQueue::TenantBooks QuotaQueue::books(TenantId id) const {
  return id < tenants_.size() ? tenants_[id].books : TenantBooks{};
}

QueueKey QuotaQueue::key(const JobView& job) {
  const double submit = static_cast<double>(job.job().submit.count_us());
  if (config_.priority_order) return {-static_cast<double>(job.job().priority), submit};
  return {submit, 0};
}

void QuotaQueue::begin_pass(PassControl& /*control*/) {
  if (!config_.strict_fifo) return;
  for (Tenant& t : tenants_) t.blocked = false;
}

Admit QuotaQueue::admit(const JobView& job) {
  const ClusterState& cluster = view().cluster();
  // Nothing free and nothing to reclaim: no waiting job can start, so the
  // pass ends rather than visiting every one.
  if (cluster.total_free_gpus() == 0 && cluster.nodes_with_share_room() == 0 && waiting_cpu_only_ == 0 &&
      (!config_.reclaim || borrowing_ == 0 || hungry_ == 0)) {
    return Admit::kStop;
  }
  const JobRequest& request = job.job();
  const std::int64_t r = request.request.gpu_milli;
  if (r == 0) return Admit::kTry;  // CPU only: not under quota
  Tenant& t = tenant(request.tenant);
  if (t.blocked) return Admit::kSkip;
  const TenantBooks& b = t.books;
  if (b.used + r <= b.nominal) return Admit::kTry;
  if (b.limit >= 0 && b.used + r > b.nominal + b.limit) return Admit::kSkip;
  // Borrow only what no other tenant is waiting for within its own quota.
  const std::int64_t free = cluster_milli_ - used_total_;
  if (free - r >= reserved_total_ - t.reserved) return Admit::kTry;
  return Admit::kSkip;
}

void QuotaQueue::victims(const JobView& job, std::vector<JobId>& out) {
  if (!config_.reclaim || borrowing_ == 0) return;
  const JobRequest& request = job.job();
  const std::int64_t r = request.request.gpu_milli;
  const Tenant& own = tenant(request.tenant);
  if (r == 0 || own.books.used + r > own.books.nominal) return;  // only a job within its quota reclaims
  const ClusterState& cluster = view().cluster();
  const Time now = view().now();
  std::int64_t available = 0;
  for (PoolId p = 0; p < cluster.pool_count(); ++p) {
    if (cluster.pool_serves(p, request)) available += cluster.pool_free_gpus(p) * kMilliPerGpu;
  }
  // From each borrowing tenant, its latest jobs while it is above its quota.
  std::vector<std::pair<std::int64_t, std::int64_t>> candidates;  // (-start us, -id)
  for (TenantId id = 0; id < tenants_.size(); ++id) {
    const Tenant& t = tenants_[id];
    if (id == request.tenant || !t.borrowing) continue;
    std::int64_t above = t.books.used - t.books.nominal;
    for (auto it = t.running.begin(); it != t.running.end() && above > 0; ++it) {
      const JobView victim = view().job(static_cast<JobId>(-it->second));
      if (victim.run_start == now) continue;  // never one started at this instant
      if (!cluster.pool_serves(cluster.pool_of(victim.allocation.front().node), request)) continue;
      above -= victim.job().request.gpu_milli;
      candidates.push_back(*it);
    }
  }
  std::sort(candidates.begin(), candidates.end());  // most recently started first, then the highest id
  for (const auto& [minus_start, minus_id] : candidates) {
    const auto id = static_cast<JobId>(-minus_id);
    available += view().job(id).job().request.gpu_milli;
    out.push_back(id);
  }
  if (available < r) out.clear();  // even all of them would not do
}

bool QuotaQueue::on_unplaced(const JobView& job) {
  if (config_.strict_fifo) tenant(job.job().tenant).blocked = true;
  return true;
}

void QuotaQueue::on_job_arrived(const JobView& job) {
  const JobRequest& request = job.job();
  if (request.is_cpu_only()) ++waiting_cpu_only_;
  change(request.tenant, 0, request.request.gpu_milli);
}

void QuotaQueue::on_job_started(const JobView& job) {
  const JobRequest& request = job.job();
  const std::int64_t r = request.request.gpu_milli;
  if (request.is_cpu_only()) --waiting_cpu_only_;
  change(request.tenant, r, -r);
  if (request.preemptible && r > 0) {
    tenants_[request.tenant].running.emplace(-job.run_start.count_us(), -static_cast<std::int64_t>(request.id));
  }
}

void QuotaQueue::on_job_ended(const JobView& job) {
  const JobRequest& request = job.job();
  const std::int64_t r = request.request.gpu_milli;
  change(request.tenant, -r, 0);
  tenants_[request.tenant].running.erase({-job.run_start.count_us(), -static_cast<std::int64_t>(request.id)});
}

void QuotaQueue::on_job_preempted(const JobView& job) {
  const JobRequest& request = job.job();
  const std::int64_t r = request.request.gpu_milli;
  if (request.is_cpu_only()) ++waiting_cpu_only_;
  change(request.tenant, -r, r);
  tenants_[request.tenant].running.erase({-job.run_start.count_us(), -static_cast<std::int64_t>(request.id)});
}

}  // namespace capsim::scheduler
