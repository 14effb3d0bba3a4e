// The story of a run as text, one line per thing that happened: arrivals,
// the scheduler's decisions (starts and rejections) and job ends, with their
// simulated times. tests/golden keeps such logs for small scenarios, so that
// a change of behaviour shows as a readable diff (as SimGrid's tesh files
// do); `capsim run --decision-log FILE` writes one for any run.
#pragma once

#include <ostream>

#include "core/cluster.hpp"
#include "core/gpu_catalog.hpp"
#include "sim/observer.hpp"

namespace capsim::sim {

class DecisionLog final : public EngineObserver {
 public:
  // `out`, `layout` and `catalog` must outlive the log.
  DecisionLog(std::ostream& out, const ClusterLayout& layout, const GpuCatalog& catalog)
      : out_(out), layout_(layout), catalog_(catalog) {}

  void on_job_arrived(Time now, JobId job, const JobSpec& spec) override;
  void on_job_started(Time now, JobId job, std::span<const NodeShare> allocation, GpuTypeId gpu_type,
                      double rate) override;
  void on_job_idle(Time now, JobId job) override;
  void on_job_rejected(Time now, JobId job, RejectReason reason) override;
  void on_job_ended(Time now, JobId job, JobEnd how) override;
  void on_run_end(Time end) override;

 private:
  void stamp(Time now);
  std::ostream& out_;
  const ClusterLayout& layout_;
  const GpuCatalog& catalog_;
};

}  // namespace capsim::sim
