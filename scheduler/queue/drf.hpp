// Dominant Resource Fairness (Ghodsi et al., "Dominant Resource Fairness:
// Fair Allocation of Multiple Resource Types", NSDI'11), the progressive
// filling of Mesos' and YARN's DRF allocators: the user (or tenant, `by:
// tenant`) with the lowest dominant share goes first, the dominant share
// being the largest, over GPUs, CPU and memory, of what the user holds over
// the cluster's capacity (a resource no node group models is left out).
//
// Progressive filling within one pass: a waiting job's key is the dominant
// share its owner would hold if the jobs ahead of it in the owner's queue
// (FIFO) had started, so that interleaving the owners' jobs by key is what
// repeatedly serving the lowest share would do, and starting an owner's head
// job changes no other key. Keys change when an owner's job ends (or starts
// out of turn): only that owner's waiting jobs are re-keyed, at the next
// pass, and not at all while it is the only owner with jobs waiting (its own
// order cannot change). Only an owner's first kExactKeys (32) waiting jobs
// carry exact keys; the rest wait parked behind every exact key, in FIFO
// order, and move up as those start, so that a job end costs at most 32
// re-keys however long the owner's queue (LCG on 1,300 slots: 2 s instead
// of 147 s). Non-preemptive; a job that does not fit lets the others try.
// Simplified: jobs of an owner go in FIFO order (Mesos lets the framework
// choose); a job that does not fit still counts in the shares of its
// owner's later jobs until the next re-key; and an owner that starts more
// than 32 jobs in one pass competes for the rest after every other owner's
// exact keys.
#pragma once

#include <array>
#include <cstdint>
#include <set>
#include <unordered_map>
#include <vector>

#include "scheduler/queue/queue_policy.hpp"

namespace capsim::scheduler {

class DrfQueue final : public QueuePolicy {
 public:
  enum class By { kUser, kTenant };
  explicit DrfQueue(By by) : by_(by) {}
  std::string_view name() const override { return "drf"; }
  void attach(const SchedulerView& view) override;
  QueueKey key(const JobView& job) override;
  bool blocks_queue() const override { return false; }

  void begin_pass(PassControl& control) override;
  void on_job_started(const JobView& job) override;
  void on_job_ended(const JobView& job) override;
  void on_job_preempted(const JobView& job) override;

  // Exact keys per owner: its first waiting jobs (FIFO); the others wait
  // parked (key kParked), behind every exact key, until they move up.
  static constexpr std::size_t kExactKeys = 32;
  static constexpr double kParked = 1e9;

  // The dominant share an owner (user or tenant id) holds now.
  double dominant_share(std::uint32_t owner) const;

 private:
  // GPU thousandths, CPU thousandths, memory MiB.
  using Vector = std::array<std::int64_t, 3>;
  static Vector demand(const JobRequest& job);
  std::uint32_t owner_of(const JobRequest& job) const { return by_ == By::kUser ? job.user : job.tenant; }
  double share_of(const Vector& usage) const;
  struct Waiting {
    std::int64_t submit_us;
    JobId id;
    friend auto operator<=>(const Waiting&, const Waiting&) = default;
  };
  struct Owner {
    Vector running{};         // what its running jobs hold
    Vector waiting{};         // what its waiting jobs ask for, together
    std::set<Waiting> queue;  // its waiting jobs, FIFO
    bool dirty = false;       // its waiting jobs' keys are stale
  };
  Owner& owner(std::uint32_t id);
  void mark_dirty(std::uint32_t id);

  By by_;
  std::array<double, 3> capacity_{};          // 0: not modelled, left out
  std::vector<Owner> owners_;                 // by user or tenant id
  std::vector<std::uint32_t> dirty_;          // owners with stale keys
  std::size_t owners_waiting_ = 0;            // owners with a non-empty queue
  std::unordered_map<JobId, double> key_of_;  // waiting job -> its share key (lookup only, never iterated)
};
static_assert(std::is_base_of_v<QueuePolicy, DrfQueue>);

}  // namespace capsim::scheduler
