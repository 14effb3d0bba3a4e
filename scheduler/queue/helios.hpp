// Helios' quasi-shortest-service-first (QSSF): Hu et al., "Characterization
// and Prediction of Deep Learning Workloads in Large-Scale GPU Datacenters",
// SC'21 (§5-6), as its artifact's simulator runs it (S-Lab-System-Group,
// HeliosArtifact: policies/qssf.py with the history estimator). A job's
// priority is its estimated service, GPU time: the mean run time of the
// user's ended jobs of the same GPU request, else of all the user's ended
// jobs, else of everyone's, else `default_duration` (default 1 h), times its
// GPUs (a CPU-only job counts as one). Smaller estimated service runs first;
// ties in arrival order. Non-preemptive, as in the paper's QSSF evaluation;
// strict by default like the artifact's (a head that does not fit holds back
// the queue); `skip_blocked: true` lets the jobs behind it past.
//
// The history learns only from jobs that have ended (their run time as the
// core saw it), never from the trace's durations: no oracle. A job's estimate
// is made once, when it arrives (the artifact assigns a job's priority once).
// Simplifications: the artifact also matches job names (traces here give
// none) and can use a gradient-boosting model trained on earlier months; here
// the history starts empty with the replay.
#pragma once

#include <map>
#include <utility>

#include "scheduler/queue/queue_policy.hpp"

namespace capsim::scheduler {

class HeliosQueue final : public QueuePolicy {
 public:
  struct Options {
    Duration default_duration = Duration::hours(1);
    bool skip_blocked = false;
  };
  explicit HeliosQueue(Options options) : options_(options) {}
  std::string_view name() const override { return "helios"; }
  QueueKey key(const JobView& job) override;
  bool blocks_queue() const override { return !options_.skip_blocked; }
  void on_job_ended(const JobView& job) override;

  // The run time the history gives the job now, in seconds.
  double estimated_seconds(const JobRequest& job) const;

 private:
  struct Mean {
    double sum_seconds = 0;
    std::int64_t count = 0;
    void add(double seconds) {
      sum_seconds += seconds;
      ++count;
    }
  };
  Options options_;
  std::map<std::pair<UserId, std::int64_t>, Mean> by_user_request_;  // (user, GPU thousandths)
  std::map<UserId, Mean> by_user_;
  Mean everyone_;
};
static_assert(std::is_base_of_v<QueuePolicy, HeliosQueue>);

}  // namespace capsim::scheduler
