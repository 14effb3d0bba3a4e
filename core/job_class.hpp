// Job classes: what a scenario says of kinds of jobs that traces do not
// record: their priority, whether a policy may preempt them and what a
// preemption costs (a checkpoint interval and a restore overhead), and how
// fast they run on each GPU type (the job class x GPU type throughput matrix
// of heterogeneity-aware schedulers; Narayanan et al., "Heterogeneity-Aware
// Cluster Scheduling Policies for Deep Learning Workloads", OSDI'20).
//
// Scenario key `workload.job_classes`, a list. A job takes the first class
// that names its user or queue; a job that none names is drawn, seeded, among
// the catch-all classes (those naming no user or queue) by their weights, or
// falls to the built-in class "default" when there are none. A job listed in
// the scenario may name its class (`class:`). An item `{gavel: PATH}` adds one
// catch-all class per job type of a Gavel throughput file, with speeds per
// GPU type from its measurements and, unless `colocation: false`, the
// throughputs Gavel measured for pairs of job types sharing one GPU (the
// engine's interference model for two shares of a GPU, sim/engine.hpp).
// A class may be held to regions (`regions:`, data residency): its jobs run
// only on nodes there, whatever the policies (scheduler/cluster_state.hpp).
#pragma once

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/cluster.hpp"
#include "core/config_tree.hpp"
#include "core/gpu_catalog.hpp"
#include "core/job.hpp"
#include "core/kernel_mix.hpp"
#include "core/random.hpp"

namespace capsim {

using JobClassId = std::uint16_t;

// How fast a class runs while it shares one GPU with a job of another class
// (Gavel's space-sharing measurements): on GPUs of type `gpu_type`, next to a
// job of class `partner`, at `fraction` of its throughput alone there.
struct ColocatedSpeed {
  std::string partner;  // a class's name
  GpuTypeId gpu_type = 0;
  double fraction = 0;
  friend bool operator==(const ColocatedSpeed&, const ColocatedSpeed&) = default;
};

struct JobClassSpec {
  std::string name;
  std::vector<std::string> users;   // jobs of these users belong here
  std::vector<std::string> queues;  // jobs of these queues (tenants, virtual clusters) belong here
  double weight = 1;                // a catch-all class's share of the jobs no class names
  std::int32_t priority = 0;        // higher is more important (strict priority policies)
  bool preemptible = true;
  // Run time between checkpoints: a preempted job loses the work done since
  // its last one. Zero: it checkpoints when preempted and loses nothing (the
  // suspend/resume of Tiresias and Gandiva).
  Duration checkpoint_interval;
  // Run time each resume after a preemption costs before work goes on
  // (restarting the process, loading the checkpoint).
  Duration restore_overhead = Duration::seconds(30);
  // How many times a node failure may restart one of its jobs; the failure
  // after that ends the job (JobEnd::kAbandoned). -1: no limit.
  std::int32_t restart_limit = -1;
  // Flexible work (issue 9's carbon-aware deferral): a job of the class may
  // wait before it starts, as long as it ends by its deadline: `deadline`
  // after its submission, or its expected run time plus `slack` after it.
  // None: the job is handed to the scheduler when it arrives.
  std::optional<Duration> deadline;
  std::optional<Duration> slack;
  // Relative training speed on each GPU type (by GpuTypeId; NaN: the
  // catalog's relative speed for the type). The job's work is in reference
  // GPU-seconds, so 1.0 is a V100's pace.
  std::vector<double> speed;
  // Measured co-located fractions; pairs not listed are not measured.
  std::vector<ColocatedSpeed> colocated;
  // One iteration of the class's jobs when they run for real (the real
  // executor, kernels/executor.hpp); empty: the executor's default mix.
  KernelMix kernels;
  // A data-parallel training iteration (the SimGrid driver): its run time on
  // one reference GPU with its all-reduce on the node's own links, and the
  // gradient it all-reduces across the job's GPUs (bytes; 0: none, the job
  // then runs as the native engine says wherever it is placed).
  Duration iteration_time = Duration::seconds(1);
  double gradient_bytes = 0;
  // Data residency: the regions of cluster.regions its jobs (and the
  // replicas of services of the class that name none of their own) may run
  // in; empty: anywhere.
  RegionSet regions;
  // The share of each job's recorded run time, at its end, in which it holds
  // its GPUs without using them (a notebook left open: the "forgotten
  // instance"), in [0, 1). Such a job computes (1 - idle_tail) of its work,
  // then holds its allocation idle for idle_tail x its recorded duration of
  // wall-clock time, whatever its GPUs' speed (forgetting does not go faster
  // on faster GPUs), unless policies.reaping stops it first. Native engine;
  // service replicas never end, so they have no tail.
  double idle_tail = 0;
  SourceLocation where;

  bool catch_all() const { return users.empty() && queues.empty(); }
  // The idle tail of a job of the class recorded for `recorded`, to the
  // microsecond (zero without one).
  Duration idle_tail_of(Duration recorded) const {
    if (idle_tail <= 0) return Duration();
    return Duration::microseconds(
        static_cast<std::int64_t>(std::nearbyint(idle_tail * static_cast<double>(recorded.count_us()))));
  }
  // The work a job of the class computes before its idle tail: (1 -
  // idle_tail) of `work` (reference GPU-us; infinite work stays infinite).
  double computed_work(double work) const { return idle_tail > 0 ? work * (1 - idle_tail) : work; }
};

class JobClasses {
 public:
  // One class, "default": catalog speeds, preemptible, checkpoint on preemption.
  JobClasses();
  explicit JobClasses(std::vector<JobClassSpec> classes);

  std::size_t size() const { return classes_.size(); }
  const JobClassSpec& at(JobClassId id) const { return classes_.at(id); }
  const std::vector<JobClassSpec>& classes() const { return classes_; }
  std::optional<JobClassId> find(std::string_view name) const;
  // The relative speed of class `id` on GPU type `type`.
  double speed(JobClassId id, GpuTypeId type, const GpuCatalog& catalog) const;
  // Whether any class sets a speed of its own (the engine then looks them up).
  bool has_speeds() const { return has_speeds_; }
  // The fraction of its throughput alone that class `id` keeps while sharing
  // a GPU of type `type` with a job of class `partner`; NaN when that pair
  // was not measured on that type.
  double colocated_fraction(JobClassId id, JobClassId partner, GpuTypeId type) const;
  // Whether any pair was measured (the engine then tracks shared GPUs).
  bool has_colocation() const { return colocation_types_ > 0; }
  // Whether any class has an idle tail (JobClassSpec::idle_tail).
  bool has_idle_tails() const;

  // The class of a job that names none, from its user and queue; `stream` is
  // drawn from only when no class names the job and several catch-alls share
  // it.
  JobClassId classify(const JobSpec& job, RandomStream& stream) const;

 private:
  std::vector<JobClassSpec> classes_;
  std::vector<double> catch_all_cumulative_;
  std::vector<JobClassId> catch_all_;
  JobClassId fallback_ = 0;
  bool has_speeds_ = false;
  // colocated_[(id * size() + partner) * colocation_types_ + type]: dense,
  // NaN where not measured; empty when no class lists a pair.
  std::vector<double> colocated_;
  std::size_t colocation_types_ = 0;
};

// A job class's or a service's `regions:` (read_region_set), each region
// holding at least one node group of `cluster`. Throws InputError.
RegionSet read_resident_regions(const ConfigNode& node, const std::string& field, const ClusterSpec& cluster);

// Parses `workload.job_classes` (`node` may be null: the default class).
// Relative paths (gavel:) resolve against `base_dir`; `regions:` names
// regions of `cluster`, each holding a node group.
JobClasses parse_job_classes(const ConfigNode* node, const std::string& field, const GpuCatalog& catalog,
                             const ClusterSpec& cluster, const std::filesystem::path& base_dir);

// The classes of a Gavel throughput file (stanford-futuredata/gavel,
// scheduler/*_throughputs.json): one per job type run on one GPU (scale
// factor 1), with its speed on K80, P100 and V100 relative to the V100 (other
// types keep the catalog's speed). With `colocation`, each class also gets
// the pairs measured on those types: next to job type P, a job type K's entry
// `P: [own, other]` gives K's steps per second while the two share the GPU,
// so K keeps own / (its steps per second alone there) of its speed. Pairs
// measured as [0, 0] (Gavel's mark for a pair that did not run together) and
// types K did not run alone on are left unmeasured. Throws InputError on a
// malformed file.
std::vector<JobClassSpec> read_gavel_classes(const std::filesystem::path& path, const SourceLocation& where,
                                             const std::string& field, const GpuCatalog& catalog,
                                             bool colocation = true);

// Wraps a workload source so that every job gets its class (jobs that name
// one keep it). Draws come from RandomStream::derive(seed, "job_class").
std::unique_ptr<JobSource> assign_job_classes(std::unique_ptr<JobSource> source, const JobClasses& classes,
                                              std::uint64_t seed);

}  // namespace capsim
