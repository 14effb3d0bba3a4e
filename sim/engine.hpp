// The native discrete-event engine (DESIGN.md): a simulated clock, an event
// queue, jobs that progress at rates, and the scheduler core as the decision
// maker. A job's end is scheduled when it starts, at start + remaining work /
// rate (rate: its GPUs x its class's speed on their type; for a share of one
// GPU, the share x that speed; for a CPU-only job 1, its work being its run
// time). A preemption stops the job: the work done since its last checkpoint
// is lost (its class's checkpoint_interval; zero: none is lost), its queued
// end goes stale (a per-slot epoch), and the next start pays its class's
// restore overhead in run time. The queue policy's wake-ups are timer events.
// A job whose class has an idle tail computes the rest of its work, then
// holds its allocation idle (no rate, idle power) for its tail, or until
// EngineOptions::reaping_idle stops it (JobEnd::kReaped); preempted or
// evicted by a failure while idle, it loses nothing and resumes idle (no
// restore: nothing is left to compute) with the idle time it had left.
// Built to replay millions of jobs: per-job state in slots reused as jobs
// leave, no allocation per event, no scan over jobs or nodes.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <tuple>
#include <vector>

#include "core/chunked_vector.hpp"
#include "core/cluster.hpp"
#include "core/failures.hpp"
#include "core/gpu_catalog.hpp"
#include "core/job.hpp"
#include "core/job_class.hpp"
#include "scheduler/cluster_autoscaler.hpp"
#include "scheduler/energy/energy_policy.hpp"
#include "scheduler/scheduler_core.hpp"
#include "sim/event_queue.hpp"
#include "sim/link_contention.hpp"
#include "sim/observer.hpp"

namespace capsim::sim {

class ServiceRunner;  // sim/services.hpp

struct EngineProgress {
  Time now;
  std::uint64_t events = 0;
  std::uint64_t jobs_arrived = 0;
  std::uint64_t jobs_ended = 0;
};

struct EngineOptions {
  std::optional<Time> horizon;  // stop before the first event after it
  // Polled every `poll_every` events: a progress report, and whether to stop
  // (for SIGINT). Either may be empty.
  std::function<void(const EngineProgress&)> on_progress;
  std::function<bool()> should_stop;
  std::uint64_t poll_every = 1 << 16;
  // Priorities, preemption costs and speeds per job class; null: the default
  // class (catalog speeds, checkpoint on preemption, 30 s restore).
  const JobClasses* job_classes = nullptr;
  // Inference services (sim/services.hpp), owned by the caller: their
  // replicas run as jobs of the scheduler core, which observers do not see
  // (their ids count the workload's jobs only); the runners account them.
  std::vector<ServiceRunner*> services;
  // Spot interruptions and node failures are drawn from streams derived
  // from it.
  std::uint64_t seed = 1;
  // Node failures, outages and their detection (core/failures.hpp); null or
  // empty: nothing fails.
  const FailureSpec* failures = nullptr;
  // The energy policy (scheduler/energy/energy_policy.hpp), owned by the
  // caller; null: every node stays on.
  scheduler::EnergyPolicy* energy = nullptr;
  // policies.reaping: a job idle this long (in one idle spell) is stopped;
  // none: idle jobs hold their GPUs to the end of their tail.
  std::optional<Duration> reaping_idle;
};

// What the energy policy did to the fixed node groups' nodes.
struct EnergyStats {
  std::int64_t power_offs = 0;  // nodes powered off
  std::int64_t boots = 0;       // nodes booted
  double node_seconds_off = 0;  // nodes off (booting not included), to the end of the run
  // Flexible jobs (job classes with a deadline or slack).
  std::int64_t jobs_with_deadline = 0;
  std::int64_t jobs_deferred = 0;     // held back by the policy (released after their arrival)
  double deferral_seconds = 0;        // their time held back, summed
  std::int64_t deadlines_missed = 0;  // ended after their deadline, or not ended by it when the run stopped
  // Power capping (caps: the policy caps power, to power_budget_watts).
  bool caps = false;
  double power_budget_watts = 0;
  double capped_seconds = 0;       // with the GPUs capped below their peak
  double cap_seconds = 0;          // the cap x time, over the capped time
  double over_budget_seconds = 0;  // the facility above the budget even at the lowest cap
};

// What failures did over a run (with EngineOptions::failures).
struct FailureStats {
  std::int64_t node_failures = 0;  // a node going down (drawn, traced or in an outage)
  std::int64_t interruptions = 0;  // jobs and replicas a failure stopped
  std::int64_t abandoned = 0;      // jobs ended by their class's restart_limit
  double gpu_seconds_down = 0;     // GPUs x time their node was down, to the end of the run
  double wasted_gpu_seconds = 0;   // held by stopped jobs and replicas since their last checkpoint
};

// What the engine accounts of each node group when some group autoscales
// or is spot (core/cluster.hpp): time provisioned, cost, peak, interruptions.
struct NodeGroupUsage {
  double node_seconds = 0;  // provisioned (billed), provisioning included
  double cost_usd = 0;
  std::int64_t peak_nodes = 0;   // provisioned at once
  std::int64_t provisioned = 0;  // nodes asked for over the run (initial ones included)
  std::int64_t released = 0;
  std::int64_t interruptions = 0;
};

struct EngineStats {
  std::uint64_t events = 0;    // events handled (stale ones not counted)
  std::uint64_t instants = 0;  // distinct instants at which something happened
  Time end;                    // where the simulation stopped
  bool interrupted = false;    // should_stop said so
};

// Checks what a driver relies on in an arriving job (a GPU request that
// fits, not cancelled, a class), assigning the one class when the source
// assigned none. A failure is a bug in the workload pipeline (CAPSIM_CHECK).
void check_arriving_job(JobSpec& spec, const JobClasses& classes);

// The rate of a job on GPUs of `type` at the ideal placement (all on one
// node, alone, no network): reference GPU-us of work per us. Its GPUs times
// its class's speed on the type, times the scaling of that many GPUs; a
// share of one GPU, that share of the speed; a CPU-only job (no GPU), 1.
// Every driver starts from it.
double ideal_rate(const JobClasses& classes, const GpuCatalog& catalog, const PerformanceSpec& performance,
                  JobClassId job_class, std::int64_t gpu_milli, GpuTypeId type);

// What the scheduler core is told of an arriving job (its class assigned):
// shared by every driver.
scheduler::JobRequest job_request(JobId id, const JobSpec& spec, const JobClasses& classes,
                                  scheduler::SchedulerCore& core);

class NativeEngine {
 public:
  // Everything passed in must outlive the engine.
  NativeEngine(const ClusterLayout& layout, const GpuCatalog& catalog, scheduler::SchedulerCore& scheduler,
               JobSource& source, EngineOptions options);

  // Observers are told in the order they were added.
  void add_observer(EngineObserver& observer) { observers_.push_back(&observer); }

  // Runs the simulation to its end (no events left, the horizon, or an
  // interruption). Call once.
  EngineStats run();
  // By node group, after run(); empty unless some group autoscales or is spot.
  const std::vector<NodeGroupUsage>& node_group_usage() const { return group_usage_; }
  // After run(); zeros unless the scenario has failures.
  const FailureStats& failure_stats() const { return failure_stats_; }
  const EnergyStats& energy_stats() const { return energy_stats_; }

 private:
  enum class JobPhase : std::uint8_t { kPending, kRunning, kEnded };

  void read_next_job();
  void handle_arrival(Time now);
  // Inference services: an interval's end (or, at time 0, the start) of
  // service `s`; the replicas it wants; a replica's exit.
  void handle_service_tick(Time now, std::uint32_t s);
  void scale_service(Time now, std::uint32_t s, std::int32_t desired);
  void add_replica(Time now, std::uint32_t s);
  void end_replica(Time now, std::uint32_t slot);
  void replica_stopped(Time now, std::uint32_t slot);  // its GPUs given back: account the time held
  // Elastic node groups (cluster autoscaler, spot): see node_life_.
  void start_elastic();
  void handle_cluster_scan(Time now);
  // The node groups as the cluster autoscaler (`autoscaled`: the autoscaled
  // groups) or the energy policy (the fixed groups) sees them, with their
  // idle nodes, longest idle first; index_of: a group's index in status, or -1.
  struct GroupsView {
    std::vector<scheduler::NodeGroupStatus> status;
    std::vector<scheduler::IdleNode> idle;
    std::vector<std::int32_t> index_of;
  };
  GroupsView groups_view(bool autoscaled) const;
  // What waits for GPUs, by the GPU types, memory and regions it may use
  // (for the cluster autoscaler and the energy policy).
  std::vector<scheduler::WaitingDemand> waiting_demand() const;
  // The energy policy's scan: returns whether it booted or powered off a node.
  bool handle_energy_scan(Time now);
  void handle_node_booted(Time now, NodeId node);
  // A flexible job's expected run time (on the slowest GPU type of the
  // cluster that may serve it, alone at the ideal placement) and deadline.
  Duration expected_run(const JobSpec& spec) const;
  // A job handed to the scheduler (at its arrival, or its release when the
  // energy policy held it back): counted as waiting, the scans queued.
  void hand_over(Time now, std::uint32_t slot, const scheduler::JobRequest& request);
  void handle_job_release(Time now, std::uint32_t slot);
  // Counts a job with a deadline that ends (or is left) at `now`.
  void check_deadline(Time now, JobId id);
  // Tell the observers (and the power-cap accounting) of a node powered on
  // or off, of GPUs taken and given back.
  void notify_node_power(Time now, NodeId node, bool on);
  void gpus_taken(Time now, std::uint32_t slot, std::span<const NodeShare> allocation, GpuTypeId type);
  void gpus_released(Time now, std::uint32_t slot);
  // Adds (sign +1) or takes away (-1) the slot's GPUs from the power cap's
  // busy sums.
  void count_busy_power(std::uint32_t slot, double sign);
  // Asks the energy policy for the power cap and applies it.
  void update_power_cap(Time now);
  // Accounts the cap's time from cap_since_ to `now`.
  void account_cap(Time now);
  // Queues the energy policy's next scan unless one is queued.
  void queue_energy_scan(Time now);
  void handle_node_ready(Time now, NodeId node);
  void handle_spot_notice(Time now, NodeId node);
  void provision(Time now, NodeId node);
  void release_node(Time now, NodeId node, Time billed_until, bool tell_core);
  void node_became_idle(Time now, NodeId node);
  bool work_remains() const;
  // Failures (core/failures.hpp). A failed node leaves placement at once;
  // its jobs stop progressing (frozen: rate 0, their end stale) but hold
  // their GPUs until the failure is detected, when those within their
  // restart limit are evicted (they restart elsewhere from their last
  // checkpoint) and the others abandoned. The node comes back at its
  // repair, never before the detection.
  void start_failures();
  void draw_failure(Time now, NodeId node);
  void handle_node_failure(Time now, NodeId node);
  void fail_node(Time now, NodeId node, Duration down);
  void freeze_job(Time now, std::uint32_t slot);
  void handle_failure_detected(Time now, NodeId node);
  void handle_node_repaired(Time now, NodeId node);
  // Whether a failure still changes anything: work remains, or pending work
  // waits for a node to come back.
  bool failures_matter() const;
  // A job that leaves running: its GPUs given back, the core and observers told.
  void end_job(Time now, std::uint32_t slot, JobEnd how);
  // Waiting GPU demand by GPU types and memory, for the cluster autoscaler.
  void count_waiting(std::uint32_t slot, bool waiting);
  void handle_job_end(Time now, std::uint32_t slot);
  // A job whose work is done begins its idle tail: it keeps its allocation,
  // no longer slows its neighbours, and ends at the tail's end or when the
  // reaper stops it, whichever comes first.
  void start_idle(Time now, std::uint32_t slot);
  void start_job(Time now, std::uint32_t slot, const scheduler::Decision& decision);
  void preempt_job(Time now, std::uint32_t slot);
  // A computing job's part of an interruption: keeps the work up to its last
  // checkpoint and fills in `what` (whose node_failure is set) with the work
  // lost and the GPU time wasted.
  void interrupt_work(Time now, std::uint32_t slot, bool noticed, Interruption& what);
  // Queues a timer for the scheduler's next wake-up, if it changed.
  void arm_timer();
  // Sets a running job's rate from now on; its queued end is replaced.
  void set_rate(Time now, std::uint32_t slot, double rate);
  void queue_end(Time now, std::uint32_t slot);
  // Shares of one GPU interfere: the running share jobs on each shared GPU,
  // and their rates after a change. Two shares of classes whose pair was
  // measured on the GPU's type (JobClasses::colocated_fraction, Gavel's
  // co-location throughputs) run at rate = speed alone x measured fraction x
  // (the pair's thousandths / 1000), i.e. exactly Gavel's measurement when
  // they hold the whole GPU between them; any other sharing (an unmeasured
  // pair, three or more shares) uses PerformanceSpec::share_interference.
  using GpuKey = std::pair<NodeId, std::int32_t>;
  void share_joined(Time now, std::uint32_t slot, GpuKey gpu);
  void share_left(Time now, std::uint32_t slot);
  void rerate_sharers(Time now, GpuKey gpu);
  std::map<GpuKey, std::vector<std::uint32_t>> sharers_;
  std::map<std::uint32_t, GpuKey> gpu_of_slot_;
  // Contention among the GPUs of a node (PerformanceSpec::node_contention):
  // each running job's nodes, the GPU thousandths busy per node and the
  // jobs there; a start or an end re-rates every job on the nodes it
  // touches. Kept only when the scenario (or its calibration) sets it.
  void node_joined(Time now, std::uint32_t slot, std::span<const NodeShare> allocation);
  void node_left(Time now, std::uint32_t slot);
  void rerate_node(Time now, NodeId node);
  double node_factor_of(std::uint32_t slot) const;
  std::map<std::uint32_t, std::vector<std::pair<NodeId, std::int64_t>>> nodes_of_slot_;  // node, GPU thousandths
  std::vector<std::int64_t> busy_milli_;
  std::vector<std::vector<std::uint32_t>> jobs_on_node_;
  // Flows sharing the network's links (PerformanceSpec::link_sharing):
  // kept only when the scenario (or its calibration) sets it.
  void network_joined(Time now, std::uint32_t slot, std::span<const NodeShare> allocation, double isolated);
  void network_left(Time now, std::uint32_t slot);
  std::optional<LinkContention> links_;
  // Sets a running job's rate to base x share x node x network factor.
  void apply_factors(Time now, std::uint32_t slot);
  void apply_decisions(Time now);
  void finish(Time end);

  const ClusterLayout& layout_;
  scheduler::SchedulerCore& scheduler_;
  JobSource& source_;
  EngineOptions options_;
  std::vector<EngineObserver*> observers_;
  const GpuCatalog& catalog_;
  PerformanceSpec performance_;
  JobClasses default_classes_;
  const JobClasses* classes_;
  std::optional<Time> timer_at_;  // the wake-up a timer is queued for
  std::uint32_t timer_generation_ = 0;

  // Job ends (and, later, other timed events). Arrivals do not go through
  // the queue: the source is already in submit order, so the next arrival is
  // compared with the queue's top instead, which halves the heap traffic.
  EventQueue events_;
  JobSpec next_job_;  // read from the source, its arrival not yet handled
  bool has_next_job_ = false;

  // The jobs in the system (pending or running), in slots that are reused
  // once a job ends: memory follows the active jobs, and a job end touches a
  // slot among those few (cache-resident) rather than a random one among all
  // jobs ever seen. A queued job end carries its slot: each running job has
  // exactly one, and the slot is freed only when that end is handled.
  struct JobSlot {
    double work = 0;          // reference GPU-us still to do as of `since` (a CPU-only job: us)
    double rate = 0;          // running: reference GPU-us per us since `since`
    double base_rate = 0;     // running: the rate before interference between shares and node contention
    double share_factor = 1;  // running: interference from the other shares of its GPU
    double node_factor = 1;   // running: contention among the busy GPUs of its nodes
    double net_factor = 1;    // running: its placement factor, with contention on its links (link_sharing)
    double done_in_run = 0;   // running: work done in this run before `since`
    Time run_start;           // running: when the current run began
    Time since;               // running: when the rate last changed (idle: when its idle spell began)
    Duration idle_left;       // its idle tail still to hold once its work is done (JobClassSpec::idle_tail)
    JobId job = 0;
    JobId report = 0;               // the job's id for observers (kNoReport: a service replica)
    std::int32_t service = -1;      // a replica's service; -1 for a job of the workload
    std::uint32_t epoch = 0;        // bumped when a queued end goes stale; kept across reuse
    std::uint32_t record_hint = 0;  // running: the scheduler core's cache hint for the job
    std::int32_t gpu_milli = 0;     // thousandths of a GPU asked for
    std::int32_t preemptions = 0;
    std::int32_t failures = 0;         // node failures that stopped it
    Time failed_at = Time::max();      // running: when a failure froze it (max: not frozen)
    double cap_factor = 1;             // running: its speed under the power cap
    GpuTypeId gpu_type = kAnyGpuType;  // running: the type of its GPUs
    JobClassId job_class = 0;
    JobOutcome outcome = JobOutcome::kCompleted;
    JobPhase phase = JobPhase::kPending;
    bool idle = false;  // running, its work done: holding its allocation through its idle tail
  };
  static constexpr std::uint32_t kNoSlot = 0xffffffffu;
  static constexpr JobId kNoReport = 0xffffffffu;
  std::uint32_t take_slot();
  void free_slot(std::uint32_t slot);

  std::vector<JobSlot> slots_;
  std::vector<std::uint32_t> free_slots_;
  ChunkedVector<std::uint32_t> slot_of_job_;  // per job ever seen; kNoSlot once it left

  // A service's replicas by job id (creation order). A replica the
  // autoscaler no longer wants while it waits for GPUs is withdrawn: it
  // stays in the scheduler's queue (the core has no withdrawal of a waiting
  // job) and leaves the moment it starts, unless wanted again before.
  struct Replica {
    std::uint32_t slot = 0;
    Time ready_at = Time::max();  // placed: the end of its cold start
    Time held_since;              // placed: when
    GpuTypeId type = kAnyGpuType;
    double usd_per_gpu_hour = 0;  // placed: its node group's price
    bool withdrawn = false;
    bool warm = false;  // one of the initial replicas: placed at time 0, it serves at once
  };
  struct ServiceState {
    ServiceRunner* runner = nullptr;
    std::map<JobId, Replica> replicas;
    std::int32_t wanted = 0;  // replicas not withdrawn
    bool done = false;        // its load is over and its replicas gone
  };
  std::vector<ServiceState> services_;
  std::size_t services_running_ = 0;
  std::vector<std::uint32_t> withdrawn_started_;  // slots of withdrawn replicas the last pass started

  // Elastic node groups: each node off, provisioning or ready; its billing
  // starts when it is asked for; `epoch` makes its queued ready or notice
  // events stale when it is released.
  struct NodeLife {
    enum class State : std::uint8_t { kOff, kProvisioning, kReady } state = State::kReady;
    Time since;         // billed from
    Time idle_since;    // ready with nothing on it since
    Time interrupt_at;  // spot: when the cloud takes it back
    std::uint32_t epoch = 0;
    std::uint32_t spot_draws = 0;  // interruption times drawn for it so far
  };
  bool elastic_ = false;
  std::vector<NodeLife> node_life_;
  std::vector<NodeGroupUsage> group_usage_;
  std::vector<std::int64_t> group_provisioned_;  // nodes provisioning or ready now
  std::optional<scheduler::ClusterAutoscaler> cluster_autoscaler_;
  bool scan_queued_ = false;
  std::vector<NodeId> taken_nodes_;  // nodes whose jobs the next pass evicts (they checkpointed at the notice)
  struct DemandKey {
    std::uint64_t types = 0;
    std::int64_t gpu_memory_mib = 0;
    std::uint64_t regions = 0;  // data residency: nodes are bought for it only there
    friend bool operator<(const DemandKey& a, const DemandKey& b) {
      return std::tie(a.types, a.gpu_memory_mib, a.regions) < std::tie(b.types, b.gpu_memory_mib, b.regions);
    }
  };
  std::vector<DemandKey> demand_key_;          // by slot
  std::vector<std::uint8_t> counted_waiting_;  // by slot
  std::map<DemandKey, std::int64_t> waiting_milli_;
  JobId reported_jobs_ = 0;  // ids handed to observers so far

  // Failures: per node, whether it is down and until when; `repair_epoch`
  // makes superseded repair events stale, `draw_epoch` drawn failures, and
  // `detections` counts failures whose detection is queued.
  struct NodeHealth {
    Time down_since;
    Time up_at;
    std::uint32_t repair_epoch = 0;
    std::uint32_t draw_epoch = 0;
    std::uint32_t draws = 0;
    bool down = false;
  };
  const FailureSpec* failures_ = nullptr;  // null: nothing fails
  std::vector<NodeHealth> health_;
  std::vector<std::int32_t> model_of_group_;  // index into failures_->models, or -1
  std::vector<double> weibull_scale_;         // by model
  std::int64_t nodes_down_ = 0;
  FailureStats failure_stats_;
  // Energy policy: the power state of each node of a fixed node group (an
  // elastic group's nodes stay kOn here; node_life_ keeps them).
  struct NodePower {
    enum class State : std::uint8_t { kOn, kOff, kBooting } state = State::kOn;
    Time since;       // in this state since
    Time idle_since;  // on with nothing on it since
    std::uint32_t epoch = 0;
  };
  scheduler::EnergyPolicy* energy_ = nullptr;
  std::vector<NodePower> power_;
  std::int64_t booting_ = 0;
  bool energy_scan_queued_ = false;
  // Jobs held back by the energy policy, by slot, with their request; the
  // deadlines of flexible jobs, by job.
  std::map<std::uint32_t, scheduler::JobRequest> held_;
  std::map<JobId, Time> deadlines_;
  // Power capping (energy policies that caps_power()): the power the engine
  // accounts (PowerView), the cap in force since cap_since_.
  bool caps_ = false;
  bool power_dirty_ = false;
  double base_watts_ = 0;
  double busy_peak_watts_ = 0;
  double busy_idle_watts_ = 0;
  double cap_ = 1;
  bool over_budget_ = false;
  Time cap_since_;
  EnergyStats energy_stats_;
  // The waiting work is counted (demand_key_, counted_waiting_,
  // waiting_milli_): the cluster autoscaler or the energy policy reads it.
  bool tracks_demand_ = false;

  EngineCounters counters_;
  EngineStats stats_;
  std::uint64_t jobs_ended_ = 0;
  std::uint64_t jobs_arrived_ = 0;
};

}  // namespace capsim::sim
