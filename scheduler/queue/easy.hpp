// EASY backfilling (Lifka, "The ANL/IBM SP scheduling system", JSSPP 1995;
// Mu'alem and Feitelson, "Utilization, predictability, workloads, and user
// runtime estimates in scheduling the IBM SP2 with backfilling", IEEE TPDS
// 2001): jobs in submit order; when the first job that does not fit (the
// head) is blocked, it gets a reservation at the shadow time, the earliest
// time at which the running jobs' expected ends free enough GPUs for it; a
// later job may start now only if it does not delay that reservation: it is
// expected to end by the shadow time, or it uses only the GPUs the head leaves
// spare at the shadow time (the "extra" GPUs).
//
// Expected ends come from the user's estimate (JobRequest::estimate); a job
// without one counts as `no_estimate: recorded` (the trace's run time, an
// oracle) or a fixed duration. A job that outlives its estimate is expected
// to end now. EASY counts processors; here GPUs (thousandths for shares) of
// the head's pool: on a cluster of several GPU types the reservation is made
// in the pool, among those that serve the head, that frees enough GPUs the
// soonest, and a job that cannot use that pool never delays it. Simplified:
// the count ignores node boundaries (a head that needs one node may find its
// GPUs spread at the shadow time and wait longer, as with any
// processor-count EASY), a job that could use the reserved pool and would
// delay the reservation waits even if another pool could take it, and
// CPU-only jobs always pass (they hold no GPU).
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <unordered_map>
#include <vector>

#include "scheduler/queue/queue_policy.hpp"

namespace capsim::scheduler {

class EasyBackfillQueue final : public QueuePolicy {
 public:
  // `default_estimate`: the run time of a job without an estimate; nothing
  // means its recorded duration (the oracle).
  explicit EasyBackfillQueue(std::optional<Duration> default_estimate) : default_estimate_(default_estimate) {}
  std::string_view name() const override { return "easy"; }
  QueueKey key(const JobView& job) override;
  bool blocks_queue() const override { return false; }

  void begin_pass(PassControl& control) override;
  Admit admit(const JobView& job) override;
  bool on_unplaced(const JobView& job) override;
  void on_job_started(const JobView& job) override;
  void on_job_ended(const JobView& job) override;

  // The reservation of this pass, for tests: the head, its pool, the shadow
  // time and the extra GPU thousandths left at it.
  struct Reservation {
    JobId head = 0;
    PoolId pool = 0;
    Time shadow;
    std::int64_t extra_milli = 0;
  };
  const std::optional<Reservation>& reservation() const { return reservation_; }

 private:
  Duration estimate_of(const JobRequest& job) const;
  // When a running job is expected to end (never before now).
  Time expected_end(const JobView& job, Time now) const;

  std::optional<Duration> default_estimate_;
  // Running jobs that hold GPUs, by expected end (ignoring now), then id.
  struct Running {
    Time end;
    JobId id;
    friend auto operator<=>(const Running&, const Running&) = default;
  };
  std::vector<std::set<Running>> running_;  // [pool]
  struct Held {
    Time end;
    PoolId pool;
  };
  std::unordered_map<JobId, Held> held_;  // running job -> its entry (lookup only, never iterated)
  std::optional<Reservation> reservation_;
};
static_assert(std::is_base_of_v<QueuePolicy, EasyBackfillQueue>);

}  // namespace capsim::scheduler
