// Shared mechanics of the time-based queue policies (not a policy): where a
// policy reads a job's run time (the trace's, or the user's estimate), when a
// pass of a preemptive policy can end early, and which running jobs to stop
// for a job that does not fit, chosen so that the core stops only jobs whose
// GPUs let it in.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "core/config_tree.hpp"
#include "scheduler/queue/queue_policy.hpp"

namespace capsim::scheduler {

// A job's run time as a policy sees it: the trace's recorded run time (the
// known-duration oracle) or the user's estimate; a job without an estimate
// then gets the oracle or +infinity (it sorts after every job that has one).
struct DurationChoice {
  enum class Source : std::uint8_t { kOracle, kEstimate };
  enum class Missing : std::uint8_t { kOracle, kInfinite };
  Source source = Source::kOracle;
  Missing missing = Missing::kOracle;

  // In seconds; +infinity for a job without an estimate under kInfinite.
  double seconds(const JobRequest& job) const;
};

// The GPUs a job counts for in GPU-time: its GPUs, a share as its fraction,
// and a CPU-only job as one (so that it is ordered by its run time).
inline double gpu_weight(const JobView& job) {
  return job.job().is_cpu_only() ? 1.0 : job.gpus();
}

// Reads the keys `duration` (oracle | estimate) and, when `with_missing`,
// `missing_estimate` (oracle | infinite) of a policy's map; the defaults
// without them.
DurationChoice read_duration_choice(const std::optional<MapReader>& map, bool with_missing = true);
// Reads a key whose value is one of `words`; the index of the word, or
// `fallback` when the key is absent. Throws InputError naming the field.
std::size_t read_choice(const std::optional<MapReader>& map, std::string_view key,
                        std::initializer_list<std::string_view> words, std::size_t fallback);

// Whether the cluster's totals leave room for the job now, no one stopped (a
// quick test: the placement policy has the last word).
bool may_fit_by_totals(const ClusterState& cluster, const JobRequest& job);

// What a preemptive policy answers in admit(): try the job when it may fit or
// when it may stop someone (`can_preempt`); end the pass when nothing fits
// and no job behind it can preempt either (the policy's queue order must
// make `can_preempt` false for every job behind one it is false for); skip it
// otherwise. `waiting_cpu_only`: CPU-only jobs waiting (they need no GPU).
Admit admit_preemptive(const ClusterState& cluster, const JobRequest& job, bool can_preempt,
                       std::size_t waiting_cpu_only);
class VictimChooser;
// The same, for a job that `chooser` already knows finds no victims in this
// pass: it is skipped (not a reason to end the pass: smaller jobs behind may
// still find some).
Admit admit_preemptive(const ClusterState& cluster, const JobRequest& job, bool can_preempt,
                       std::size_t waiting_cpu_only, const VictimChooser& chooser);

// Chooses victims for `job` among running jobs offered by `next` (a callable
// `bool next(JobId&)` giving the candidates in the order the policy would
// stop them, most expendable first), so that the core stops only jobs whose
// GPUs let the job in:
// - a job that fits one node: the candidates on the first node (in the
//   candidates' order) where the node's free GPUs and its candidates' GPUs
//   reach the job's; a node of a pool that does not serve the job (another
//   GPU type, a region it may not run in) counts for nothing;
// - a gang (larger than any node of a pool that serves it): the candidates in
//   the first pool where the free GPUs and theirs reach the job's;
//   in both cases, candidates of that set that turn out not to be needed
//   (the others reach the job's GPUs without them) are left running, the
//   least expendable dropped first;
// - a share of one GPU or a CPU-only job: the candidates in order that run
//   in a pool that serves it (the core stops them until it fits).
// At most kMaxScan candidates are looked at, so that a job that cannot be
// made to fit costs a bounded amount; `out` is empty when none is found
// within them. And once a whole-GPU job found none in a pass, the pass does
// not search again for jobs as large or larger with the same GPU types,
// memory and regions (in the policies' queue orders the jobs behind may stop no more
// jobs than it: they try again at the next pass). Without these bounds a
// pass would rescan the running jobs for every large waiting job (Tiresias
// on a loaded Philly cluster: 200 million failed searches). CPU and memory
// are left to the placement policy (the core undoes it all when the job
// still does not fit).
class VictimChooser {
 public:
  static constexpr std::size_t kMaxScan = 256;

  // Call at the start of each pass.
  void new_pass() { failed_.clear(); }
  // Whether a job as large as this one (or smaller) found no victims in this pass.
  bool known_to_fail(const JobRequest& job) const;

  template <typename Next>
  void choose(const SchedulerView& view, const JobView& job, Next&& next, std::vector<JobId>& out) {
    if (known_to_fail(job.job())) return;
    begin(view, job);
    JobId candidate;
    for (std::size_t scanned = 0; scanned < kMaxScan && next(candidate); ++scanned) {
      if (offer(view, candidate)) break;
    }
    finish(out);
  }

 private:
  struct Failed {
    std::int64_t gpus;
    std::uint64_t gpu_types;
    std::int64_t gpu_memory_mib;
    std::uint64_t regions;
  };
  std::vector<Failed> failed_;  // whole-GPU jobs that found no victims in this pass

  enum class Mode : std::uint8_t { kNode, kPool, kInOrder };
  struct Group {
    std::int32_t where = 0;                               // a node or a pool
    std::int64_t gpus = 0;                                // free, plus the candidates'
    std::vector<std::pair<JobId, std::int64_t>> members;  // with the GPUs each frees here
  };
  void begin(const SchedulerView& view, const JobView& job);
  // Takes one candidate; true once the chosen set is complete.
  bool offer(const SchedulerView& view, JobId candidate);
  void finish(std::vector<JobId>& out);
  Group& group(std::int32_t where, std::int64_t free);

  Mode mode_ = Mode::kInOrder;
  std::int64_t need_ = 0;
  const JobRequest* job_ = nullptr;
  std::vector<Group> groups_;  // the nodes or pools the candidates touch (capacity kept)
  std::size_t used_groups_ = 0;
  std::map<std::int32_t, std::size_t> group_of_;  // node or pool -> index into groups_
  std::int64_t chosen_ = -1;                      // index into groups_, or -1
  std::vector<JobId> in_order_;
};

}  // namespace capsim::scheduler
