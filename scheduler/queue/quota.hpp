// Multi-tenant quotas with borrowing and reclaim, as Kubernetes Kueue's
// ClusterQueues in one cohort (nominalQuota, borrowingLimit, preemption
// reclaimWithinCohort: Any) and YARN's capacity scheduler (capacity,
// maximum-capacity, preemption to restore guarantees) do, over GPUs.
//
// Each tenant (JobRequest::tenant: the trace's queue or virtual cluster) has
// a nominal quota of GPUs: `quota` gives GPUs by tenant name, `share`
// fractions of the cluster's GPUs, each with a `default` for tenants not
// named; with neither, every tenant seen so far has an equal share. A job
// that keeps its tenant within its nominal quota may run; one that takes the
// tenant beyond it borrows, up to `borrowing_limit` GPUs beyond (default: no
// limit), and only from capacity that no other tenant needs: GPUs free now
// less the part of the other tenants' waiting demand that their unused
// quota covers (Kueue admits workloads that fit the nominal quota before
// those that borrow; here a borrower simply never takes what an owner is
// waiting for). When a job within its tenant's nominal quota does not fit,
// the jobs that other tenants run on borrowed GPUs are reclaimed (`reclaim`,
// default true): preempted, the most recently started first, from tenants
// that are still above their nominal quota (Kueue's candidates). Inside a
// tenant: `order: fifo` (default) or `priority` (higher first, then FIFO).
// `queueing: best_effort_fifo` (default) lets a tenant's later jobs try when
// one does not fit; `strict_fifo` holds the tenant's queue behind it (Kueue's
// two queueing strategies). Simplified: one cohort holding every tenant; GPUs
// only (CPU and memory are not under quota); no preemption within a tenant;
// shares of a GPU count as their fraction.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "scheduler/queue/queue_policy.hpp"

namespace capsim::scheduler {

struct QuotaConfig {
  // Nominal quota by tenant name, "default" for the others: GPUs
  // (`quota`) or fractions of the cluster's GPUs (`share`). Both empty:
  // equal shares among the tenants seen so far.
  std::map<std::string, double, std::less<>> quota_gpus;
  std::map<std::string, double, std::less<>> share;
  // GPUs a tenant may borrow beyond its nominal quota, by name with
  // "default"; a tenant with no entry (and no default) has no limit.
  std::map<std::string, double, std::less<>> borrowing_limit_gpus;
  bool reclaim = true;
  bool priority_order = false;  // inside a tenant: priority, then FIFO
  bool strict_fifo = false;
};

class QuotaQueue final : public QueuePolicy {
 public:
  explicit QuotaQueue(QuotaConfig config) : config_(std::move(config)) {}
  std::string_view name() const override { return "quota"; }
  void attach(const SchedulerView& view) override;
  QueueKey key(const JobView& job) override;
  bool blocks_queue() const override { return false; }
  bool preempts() const override { return config_.reclaim; }

  void begin_pass(PassControl& control) override;
  Admit admit(const JobView& job) override;
  void victims(const JobView& job, std::vector<JobId>& out) override;
  bool on_unplaced(const JobView& job) override;

  void on_job_arrived(const JobView& job) override;
  void on_job_started(const JobView& job) override;
  void on_job_ended(const JobView& job) override;
  void on_job_preempted(const JobView& job) override;

  // A tenant's books, in GPU thousandths (tests, reports).
  struct TenantBooks {
    std::int64_t nominal = 0;
    std::int64_t limit = -1;   // borrowing limit; -1: none
    std::int64_t used = 0;     // held by its running jobs
    std::int64_t waiting = 0;  // asked for by its waiting jobs
  };
  TenantBooks books(TenantId tenant) const;

 private:
  struct Tenant {
    TenantBooks books;
    std::int64_t reserved = 0;  // min(waiting, unused nominal): what borrowers must leave it
    bool known = false;
    bool borrowing = false;  // used > nominal
    bool hungry = false;     // reserved > 0
    bool blocked = false;    // strict_fifo: a job of it did not fit in this pass
    // Its running preemptible GPU jobs, most recently started first.
    std::set<std::pair<std::int64_t, std::int64_t>> running;  // (-start us, -id)
  };
  Tenant& tenant(TenantId id);
  // Applies a change of the tenant's used and waiting GPU thousandths,
  // keeping the cohort's totals.
  void change(TenantId id, std::int64_t used, std::int64_t waiting);
  void refresh(TenantId id);  // recomputes the derived figures of one tenant
  std::int64_t nominal_for(std::string_view name) const;
  std::int64_t limit_for(std::string_view name) const;

  QuotaConfig config_;
  std::int64_t cluster_milli_ = 0;
  std::vector<Tenant> tenants_;  // by tenant id
  std::size_t known_tenants_ = 0;
  std::int64_t used_total_ = 0;
  std::int64_t reserved_total_ = 0;
  std::size_t borrowing_ = 0;  // tenants above their nominal quota
  std::size_t hungry_ = 0;     // tenants with reserved > 0
  std::int64_t waiting_cpu_only_ = 0;
};
static_assert(std::is_base_of_v<QueuePolicy, QuotaQueue>);

}  // namespace capsim::scheduler
