#include "sim/engine.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "sim/services.hpp"

namespace capsim::sim {

std::string_view to_string(JobEnd end) {
  switch (end) {
    case JobEnd::kCompleted:
      return "completed";
    case JobEnd::kFailed:
      return "failed";
    case JobEnd::kKilled:
      return "killed";
    case JobEnd::kUnfinished:
      return "unfinished";
    case JobEnd::kRejected:
      return "rejected";
    case JobEnd::kRunning:
      return "running";
    case JobEnd::kPending:
      return "pending";
    case JobEnd::kAbandoned:
      return "abandoned";
    case JobEnd::kReaped:
      return "reaped";
  }
  return "unknown";
}

NativeEngine::NativeEngine(const ClusterLayout& layout, const GpuCatalog& catalog, scheduler::SchedulerCore& scheduler,
                           JobSource& source, EngineOptions options)
    : layout_(layout),
      scheduler_(scheduler),
      source_(source),
      options_(std::move(options)),
      catalog_(catalog),
      performance_(layout.spec().performance),
      classes_(options_.job_classes ? options_.job_classes : &default_classes_) {
  if (options_.poll_every == 0) options_.poll_every = 1;
  if (performance_.link_sharing > 0) {
    links_.emplace(layout_, layout.spec().network.value_or(NetworkSpec{}), performance_.link_sharing);
  }
  for (ServiceRunner* runner : options_.services) services_.push_back({runner, {}, 0, false});
  bool autoscales = false;
  for (const NodeGroupSpec& group : layout_.spec().node_groups) {
    elastic_ |= group.autoscaling.has_value() || group.spot.has_value();
    autoscales |= group.autoscaling.has_value();
  }
  if (elastic_) {
    node_life_.resize(layout_.node_count());
    group_usage_.resize(layout_.spec().node_groups.size());
    group_provisioned_.assign(layout_.spec().node_groups.size(), 0);
    busy_milli_.assign(layout_.node_count(), 0);
    jobs_on_node_.resize(layout_.node_count());
  }
  if (autoscales) cluster_autoscaler_.emplace(catalog_);
  if (options_.energy && options_.energy->scan_interval() > Duration()) {
    energy_ = options_.energy;
    power_.resize(layout_.node_count());
    busy_milli_.assign(layout_.node_count(), 0);
    jobs_on_node_.resize(layout_.node_count());
  }
  tracks_demand_ = cluster_autoscaler_.has_value() || energy_ != nullptr;
  if (options_.energy && options_.energy->caps_power()) {
    caps_ = true;
    energy_stats_.caps = true;
    energy_stats_.power_budget_watts = options_.energy->power_budget_watts();
    for (const NodeGroupSpec& group : layout_.spec().node_groups) {
      base_watts_ += static_cast<double>(group.count) *
                     (group.node_watts + group.gpus_per_node * catalog_.at(group.gpu_type).idle_watts);
    }
  }
  if (options_.failures && !options_.failures->empty()) {
    failures_ = options_.failures;
    health_.resize(layout_.node_count());
    busy_milli_.assign(layout_.node_count(), 0);
    jobs_on_node_.resize(layout_.node_count());
    model_of_group_.assign(layout_.spec().node_groups.size(), -1);
    for (std::size_t m = 0; m < failures_->models.size(); ++m) {
      const FailureModelSpec& model = failures_->models[m];
      for (const std::int32_t g : model.node_groups)
        model_of_group_[static_cast<std::size_t>(g)] = static_cast<std::int32_t>(m);
      weibull_scale_.push_back(weibull_scale_for_mean(model.mtbf.to_seconds(), model.shape));
    }
  }
}

void NativeEngine::read_next_job() {
  has_next_job_ = source_.next(next_job_);
  CAPSIM_CHECK(slot_of_job_.size() < UINT32_MAX) << "too many jobs";
}

std::uint32_t NativeEngine::take_slot() {
  if (!free_slots_.empty()) {
    const std::uint32_t slot = free_slots_.back();
    free_slots_.pop_back();
    const std::uint32_t epoch = slots_[slot].epoch;
    slots_[slot] = JobSlot();
    slots_[slot].epoch = epoch;  // ends queued for the slot's earlier job stay stale
    return slot;
  }
  slots_.emplace_back();
  if (tracks_demand_) {
    demand_key_.emplace_back();
    counted_waiting_.push_back(0);
  }
  return static_cast<std::uint32_t>(slots_.size() - 1);
}

void NativeEngine::free_slot(std::uint32_t slot) {
  count_waiting(slot, false);
  JobSlot& job = slots_[slot];
  job.phase = JobPhase::kEnded;
  slot_of_job_[job.job] = kNoSlot;
  free_slots_.push_back(slot);
}

void check_arriving_job(JobSpec& spec, const JobClasses& classes) {
  CAPSIM_CHECK(spec.request.gpu_milli >= 0 && spec.request.gpu_milli <= INT32_MAX)
      << "job " << spec.name << " asks for " << spec.request.gpu_milli << " thousandths of a GPU";
  // Replays leave cancelled jobs out (the trace says nothing of how long they
  // would have run): one here is a bug in the workload pipeline.
  CAPSIM_CHECK(spec.outcome != JobOutcome::kCancelled) << "cancelled job " << spec.name << " replayed";
  // A source that assigns no classes (a benchmark's, a test's) is fine when
  // there is only one class to be in.
  if (spec.job_class == kUnassignedJobClass && classes.size() == 1) spec.job_class = 0;
  CAPSIM_CHECK(spec.job_class < classes.size()) << "job " << spec.name << " has class " << spec.job_class << " of "
                                                << classes.size() << " (open the workload with assign_job_classes)";
}

scheduler::JobRequest job_request(JobId id, const JobSpec& spec, const JobClasses& classes,
                                  scheduler::SchedulerCore& core) {
  scheduler::JobRequest request;
  request.id = id;
  request.submit = spec.submit;
  request.request = spec.request;
  request.gpu_types = spec.gpu_types;
  request.recorded_duration = spec.duration;
  request.estimate = spec.estimate;
  request.user = core.intern_user(spec.user);
  request.tenant = core.intern_tenant(spec.queue);
  const JobClassSpec& job_class = classes.at(spec.job_class);
  request.job_class = spec.job_class;
  request.priority = job_class.priority;
  request.preemptible = job_class.preemptible;
  request.regions = job_class.regions;
  return request;
}

void NativeEngine::handle_arrival(Time now) {
  CAPSIM_CHECK(has_next_job_);
  const auto id = static_cast<JobId>(slot_of_job_.size());
  const std::uint32_t slot = take_slot();
  slot_of_job_.push_back(slot);
  JobSlot& job = slots_[slot];
  job.job = id;
  job.report = reported_jobs_++;
  check_arriving_job(next_job_, *classes_);
  // A job with an idle tail computes the rest of its work, then holds its
  // GPUs idle for the tail (an endless job has no end, so no tail).
  const JobClassSpec& job_class = classes_->at(next_job_.job_class);
  job.work = job_class.computed_work(next_job_.work);
  if (!std::isinf(job.work)) job.idle_left = job_class.idle_tail_of(next_job_.duration);
  job.gpu_milli = static_cast<std::int32_t>(next_job_.request.gpu_milli);
  job.outcome = next_job_.outcome;
  job.job_class = next_job_.job_class;
  ++counters_.pending_jobs;
  ++jobs_arrived_;
  if (tracks_demand_) {
    demand_key_[slot] = {next_job_.gpu_types.bits(), next_job_.request.gpu_memory_mib, job_class.regions.bits()};
  }
  for (EngineObserver* observer : observers_) observer->on_job_arrived(now, job.report, next_job_);
  const scheduler::JobRequest request = job_request(id, next_job_, *classes_, scheduler_);
  if (job_class.deadline || job_class.slack) {
    const Duration run = expected_run(next_job_);
    const Time deadline = job_class.deadline ? now + *job_class.deadline : now + run + *job_class.slack;
    deadlines_.emplace(id, deadline);
    ++energy_stats_.jobs_with_deadline;
    const Time release =
        options_.energy
            ? options_.energy->release_at({now, static_cast<double>(next_job_.request.gpu_milli) / kMilliPerGpu, run,
                                           deadline, job_class.regions})
            : now;
    CAPSIM_CHECK(release >= now && release <= std::max(now, deadline - run))
        << "energy policy " << options_.energy->name() << " released job " << next_job_.name << " outside its window";
    if (release > now) {
      // Held back: the scheduler (and the cluster autoscaler) hear of it at
      // its release.
      ++energy_stats_.jobs_deferred;
      energy_stats_.deferral_seconds += (release - now).to_seconds();
      held_.emplace(slot, request);
      events_.push(release, EventClass::kJobRelease, slot, job.epoch);
    } else {
      hand_over(now, slot, request);
    }
  } else {
    hand_over(now, slot, request);
  }
  read_next_job();
  CAPSIM_CHECK(!has_next_job_ || next_job_.submit >= now) << "the workload source went back in time";
}

Duration NativeEngine::expected_run(const JobSpec& spec) const {
  const JobClassSpec& job_class = classes_->at(spec.job_class);
  double slowest = 0;
  for (const NodeGroupSpec& group : layout_.spec().node_groups) {
    if (group.count == 0 || !job_class.regions.allows(group.region)) continue;
    if (spec.request.gpu_milli > 0 &&
        !gpu_type_serves(catalog_, group.gpu_type, spec.gpu_types, spec.request.gpu_memory_mib))
      continue;
    const double rate =
        ideal_rate(*classes_, catalog_, performance_, spec.job_class, spec.request.gpu_milli, group.gpu_type);
    if (rate > 0 && (slowest == 0 || rate < slowest)) slowest = rate;
  }
  // No group serves it: the scheduler rejects it at once; nothing to wait for.
  if (slowest == 0) return Duration();
  // Its computing, then its idle tail (wall-clock time).
  return Duration::microseconds(static_cast<std::int64_t>(std::ceil(job_class.computed_work(spec.work) / slowest))) +
         job_class.idle_tail_of(spec.duration);
}

void NativeEngine::hand_over(Time now, std::uint32_t slot, const scheduler::JobRequest& request) {
  count_waiting(slot, true);
  if (cluster_autoscaler_ && !scan_queued_) {
    scan_queued_ = true;
    events_.push(now + scheduler::ClusterAutoscaler::kScanInterval, EventClass::kClusterScan, 0);
  }
  queue_energy_scan(now);
  scheduler_.on_job_arrived(now, request);
}

void NativeEngine::handle_job_release(Time now, std::uint32_t slot) {
  const auto it = held_.find(slot);
  CAPSIM_CHECK(it != held_.end()) << "job slot " << slot << " released but not held";
  const scheduler::JobRequest request = it->second;
  held_.erase(it);
  hand_over(now, slot, request);
}

void NativeEngine::check_deadline(Time now, JobId id) {
  if (deadlines_.empty()) return;
  const auto it = deadlines_.find(id);
  if (it == deadlines_.end()) return;
  if (now > it->second) ++energy_stats_.deadlines_missed;
  deadlines_.erase(it);
}

void NativeEngine::handle_job_end(Time now, std::uint32_t slot) {
  const JobSlot& job = slots_[slot];
  CAPSIM_CHECK(job.phase == JobPhase::kRunning) << "an end event for slot " << slot << ", which is not running";
  CAPSIM_CHECK(job.service < 0) << "a service replica ran out of work";
  if (!job.idle && job.idle_left > Duration()) {
    start_idle(now, slot);
    return;
  }
  JobEnd how = JobEnd::kCompleted;
  if (job.outcome == JobOutcome::kFailed) how = JobEnd::kFailed;
  if (job.outcome == JobOutcome::kKilled) how = JobEnd::kKilled;
  if (job.outcome == JobOutcome::kRunning) how = JobEnd::kUnfinished;
  // Stopped before its tail was over: the reaper's doing.
  if (job.idle && now - job.since < job.idle_left) how = JobEnd::kReaped;
  end_job(now, slot, how);
}

void NativeEngine::start_idle(Time now, std::uint32_t slot) {
  JobSlot& job = slots_[slot];
  job.idle = true;
  job.work = 0;
  job.rate = 0;
  job.since = now;
  // Idle GPUs compute nothing: the shares of its GPU, the jobs on its nodes
  // and the flows on its links go on without it (it keeps its place in
  // jobs_on_node_: its nodes are not idle, and a failure there stops it).
  if (!sharers_.empty()) share_left(now, slot);
  if (links_) network_left(now, slot);
  if (!performance_.node_contention.empty()) {
    if (const auto it = nodes_of_slot_.find(slot); it != nodes_of_slot_.end()) {
      for (auto& [node, milli] : it->second) {
        busy_milli_[static_cast<std::size_t>(node)] -= milli;
        milli = 0;  // node_left has nothing more to give back
      }
      for (const auto& [node, milli] : it->second) rerate_node(now, node);
    }
  }
  // Its GPUs draw idle watts: no longer busy for the power cap either.
  count_busy_power(slot, -1);
  job.gpu_type = kAnyGpuType;
  for (EngineObserver* observer : observers_) observer->on_gpus_idle(now, slot);
  for (EngineObserver* observer : observers_) observer->on_job_idle(now, job.report);
  const Duration hold = options_.reaping_idle ? std::min(job.idle_left, *options_.reaping_idle) : job.idle_left;
  events_.push(now + hold, EventClass::kJobEnd, slot, job.epoch);
}

void NativeEngine::end_job(Time now, std::uint32_t slot, JobEnd how) {
  JobSlot& job = slots_[slot];
  const JobId id = job.job;
  const JobId report = job.report;
  if (!sharers_.empty()) share_left(now, slot);
  if (!nodes_of_slot_.empty()) node_left(now, slot);
  if (links_) network_left(now, slot);
  gpus_released(now, slot);
  ++jobs_ended_;
  --counters_.running_jobs;
  counters_.allocated_gpu_milli -= job.gpu_milli;
  ++job.epoch;  // an end still queued (an abandoned job's) is stale
  free_slot(slot);
  check_deadline(now, id);
  scheduler_.on_job_ended(now, id);
  for (EngineObserver* observer : observers_) observer->on_job_ended(now, report, how);
}

double ideal_rate(const JobClasses& classes, const GpuCatalog& catalog, const PerformanceSpec& performance,
                  JobClassId job_class, std::int64_t gpu_milli, GpuTypeId type) {
  if (gpu_milli <= 0) return 1.0;
  const double speed = classes.speed(job_class, type, catalog);
  if (gpu_milli % kMilliPerGpu != 0) return static_cast<double>(gpu_milli) / kMilliPerGpu * speed;
  const std::int64_t gpus = gpu_milli / kMilliPerGpu;
  return static_cast<double>(gpus) * speed * PerformanceSpec::factor_at(performance.scaling, gpus);
}

void NativeEngine::start_job(Time now, std::uint32_t slot, const scheduler::Decision& decision) {
  JobSlot& job = slots_[slot];
  CAPSIM_CHECK(job.phase == JobPhase::kPending) << "job " << decision.job << " started twice";
  // The rate of a data-parallel job: its GPUs (the core has checked the
  // allocation gives exactly those) times its class's speed on their type
  // (one type), times the placement factor when it spans nodes or racks; a
  // share of one GPU, that share of the speed (slowed by the other shares of
  // its GPU, see share_joined). A CPU-only job's work is its run time.
  GpuTypeId type = kAnyGpuType;
  double rate = 1;
  double placement_factor = 1;
  if (job.gpu_milli > 0) {
    type = layout_.gpu_type_of(decision.allocation.front().node);
    rate = ideal_rate(*classes_, catalog_, performance_, job.job_class, job.gpu_milli, type);
    if (decision.allocation.size() > 1) {
      const RackId rack = layout_.rack_of(decision.allocation.front().node);
      bool one_rack = true;
      for (const NodeShare& share : decision.allocation) one_rack &= layout_.rack_of(share.node) == rack;
      const std::int64_t gpus = (job.gpu_milli + kMilliPerGpu - 1) / kMilliPerGpu;
      placement_factor = one_rack ? performance_.across_nodes.at(gpus) : performance_.across_racks.at(gpus);
      // With link sharing, the network factor carries it (network_joined).
      if (!links_) rate *= placement_factor;
    }
  }
  CAPSIM_CHECK(rate > 0) << "job " << decision.job << " has no rate";
  // Stopped in its idle tail, its work done: it resumes idle, with nothing
  // to restore, and the rates of its GPUs' neighbours leave it alone.
  const bool resumes_idle = job.work <= 0 && job.idle_left > Duration();
  // A resumed job first restores its checkpoint: run time that does no work.
  if (job.preemptions > 0 && !std::isinf(job.work) && !resumes_idle) {
    job.work += rate * static_cast<double>(classes_->at(job.job_class).restore_overhead.count_us());
  }
  job.idle = resumes_idle;
  job.phase = JobPhase::kRunning;
  job.record_hint = scheduler_.record_hint(decision.job);
  job.base_rate = rate;
  job.share_factor = job.node_factor = job.net_factor = job.cap_factor = 1;
  if (caps_ && type != kAnyGpuType) {
    const GpuType& gpu = catalog_.at(type);
    job.cap_factor = options_.energy->speed_at_cap(cap_, gpu.idle_watts, gpu.peak_watts);
  }
  job.rate = rate * job.cap_factor;
  job.run_start = job.since = now;
  job.done_in_run = 0;
  job.failed_at = Time::max();
  if (job.service < 0) {
    --counters_.pending_jobs;
    ++counters_.running_jobs;
  }
  counters_.allocated_gpu_milli += job.gpu_milli;
  gpus_taken(now, slot, decision.allocation, type);
  const NodeShare& first = decision.allocation.front();
  const std::uint32_t epoch = job.epoch;
  // A MIG instance is isolated: no interference.
  if (first.is_gpu_share() && !first.is_mig() && (performance_.share_interference > 0 || classes_->has_colocation())) {
    share_joined(now, slot, {first.node, first.gpu});
  }
  count_waiting(slot, false);
  // Elastic nodes, failures and the energy policy need to know what runs
  // where (idle nodes), CPU-only jobs included.
  if ((!performance_.node_contention.empty() && job.gpu_milli > 0) || elastic_ || failures_ || energy_) {
    node_joined(now, slot, decision.allocation);
  }
  if (links_ && job.gpu_milli > 0) network_joined(now, slot, decision.allocation, placement_factor);
  // Any of them may have set the rate (and queued the end) already.
  if (slots_[slot].epoch == epoch && !resumes_idle) queue_end(now, slot);
  if (job.service >= 0) {
    ServiceState& service = services_[static_cast<std::size_t>(job.service)];
    Replica& replica = service.replicas.at(job.job);
    replica.held_since = now;
    // The service was already up when the simulation began: its initial
    // replicas placed then are warm.
    replica.ready_at =
        now + (replica.warm && now == Time::zero() ? Duration() : service.runner->spec().cold_start.total());
    replica.type = type;
    replica.usd_per_gpu_hour =
        layout_.spec().node_groups[static_cast<std::size_t>(layout_.group_of(first.node))].price_per_gpu_hour(catalog_);
    if (replica.withdrawn) withdrawn_started_.push_back(slot);
    return;
  }
  for (EngineObserver* observer : observers_) {
    observer->on_job_started(now, job.report, decision.allocation, type, job.rate);
  }
  if (resumes_idle) start_idle(now, slot);
}

void NativeEngine::queue_end(Time now, std::uint32_t slot) {
  const JobSlot& job = slots_[slot];
  // A job of infinite work (a pod that never leaves, as in the packing
  // experiments of FGD, ATC'23) holds its allocation to the end of the
  // simulation: no end is queued.
  if (std::isinf(job.work)) return;
  // Round to the nearest microsecond: work / rate is exact up to the last
  // bit, and a job whose rate equals its recorded one must end exactly its
  // recorded duration later.
  const double run_us = std::nearbyint(std::max(0.0, job.work) / job.rate);
  CAPSIM_CHECK(run_us >= 0 && run_us < 9.0e18) << "job " << job.job << " run time " << run_us;
  events_.push(now + Duration::microseconds(static_cast<std::int64_t>(run_us)), EventClass::kJobEnd, slot, job.epoch);
}

void NativeEngine::set_rate(Time now, std::uint32_t slot, double rate) {
  JobSlot& job = slots_[slot];
  const double done = job.rate * static_cast<double>((now - job.since).count_us());
  if (!std::isinf(job.work)) job.work -= done;
  job.done_in_run += done;
  job.since = now;
  job.rate = rate;
  ++job.epoch;  // the end queued at the old rate is stale
  queue_end(now, slot);
}

void NativeEngine::share_joined(Time now, std::uint32_t slot, GpuKey gpu) {
  sharers_[gpu].push_back(slot);
  gpu_of_slot_[slot] = gpu;
  rerate_sharers(now, gpu);
}

void NativeEngine::apply_factors(Time now, std::uint32_t slot) {
  const JobSlot& job = slots_[slot];
  if (job.failed_at != Time::max()) return;  // frozen by a failure until its detection
  if (job.idle) return;                      // computing nothing, at no rate
  const double rate = job.base_rate * job.share_factor * job.node_factor * job.net_factor * job.cap_factor;
  if (job.rate != rate) set_rate(now, slot, rate);
}

void NativeEngine::node_joined(Time now, std::uint32_t slot, std::span<const NodeShare> allocation) {
  if (busy_milli_.empty()) {
    busy_milli_.assign(layout_.node_count(), 0);
    jobs_on_node_.resize(layout_.node_count());
  }
  auto& nodes = nodes_of_slot_[slot];
  for (const NodeShare& share : allocation) {
    const auto n = static_cast<std::size_t>(share.node);
    busy_milli_[n] += share.total_gpu_milli();
    jobs_on_node_[n].push_back(slot);
    nodes.emplace_back(share.node, share.total_gpu_milli());
  }
  for (const auto& [node, milli] : nodes) rerate_node(now, node);
}

void NativeEngine::node_left(Time now, std::uint32_t slot) {
  const auto it = nodes_of_slot_.find(slot);
  if (it == nodes_of_slot_.end()) return;
  const auto nodes = std::move(it->second);
  nodes_of_slot_.erase(it);
  for (const auto& [node, milli] : nodes) {
    const auto n = static_cast<std::size_t>(node);
    busy_milli_[n] -= milli;
    std::vector<std::uint32_t>& on_node = jobs_on_node_[n];
    on_node.erase(std::find(on_node.begin(), on_node.end(), slot));
    if (elastic_ && on_node.empty()) node_life_[n].idle_since = now;
    if (!power_.empty() && on_node.empty()) power_[n].idle_since = now;
  }
  for (const auto& [node, milli] : nodes) rerate_node(now, node);
}

double NativeEngine::node_factor_of(std::uint32_t slot) const {
  double factor = 1;
  for (const auto& [node, milli] : nodes_of_slot_.at(slot)) {
    const std::int64_t busy = (busy_milli_[static_cast<std::size_t>(node)] + kMilliPerGpu - 1) / kMilliPerGpu;
    factor = std::min(factor, PerformanceSpec::factor_at(performance_.node_contention, busy));
  }
  return factor;
}

void NativeEngine::rerate_node(Time now, NodeId node) {
  for (const std::uint32_t s : jobs_on_node_[static_cast<std::size_t>(node)]) {
    slots_[s].node_factor = node_factor_of(s);
    apply_factors(now, s);
  }
}

void NativeEngine::network_joined(Time now, std::uint32_t slot, std::span<const NodeShare> allocation,
                                  double isolated) {
  if (!links_->join(slot, allocation, isolated)) return;
  for (const std::uint32_t s : links_->neighbours(slot)) {
    slots_[s].net_factor = links_->factor(s);
    apply_factors(now, s);
  }
}

void NativeEngine::network_left(Time now, std::uint32_t slot) {
  if (!links_->joined(slot)) return;
  const std::vector<std::uint32_t> neighbours = links_->neighbours(slot);
  links_->leave(slot);
  for (const std::uint32_t s : neighbours) {
    if (s == slot) continue;
    slots_[s].net_factor = links_->factor(s);
    apply_factors(now, s);
  }
}

void NativeEngine::share_left(Time now, std::uint32_t slot) {
  const auto it = gpu_of_slot_.find(slot);
  if (it == gpu_of_slot_.end()) return;
  const GpuKey gpu = it->second;
  gpu_of_slot_.erase(it);
  std::vector<std::uint32_t>& on_gpu = sharers_[gpu];
  on_gpu.erase(std::find(on_gpu.begin(), on_gpu.end(), slot));
  if (on_gpu.empty()) {
    sharers_.erase(gpu);
  } else {
    rerate_sharers(now, gpu);
  }
}

void NativeEngine::rerate_sharers(Time now, GpuKey gpu) {
  const std::vector<std::uint32_t>& on_gpu = sharers_.at(gpu);
  if (on_gpu.size() == 2 && classes_->has_colocation()) {
    // Two shares whose pair was measured (Gavel): each runs at its measured
    // fraction of its speed alone, scaled by the part of the GPU the pair
    // holds; base_rate is its share x its speed alone.
    const GpuTypeId type = layout_.gpu_type_of(gpu.first);
    const JobSlot& a = slots_[on_gpu[0]];
    const JobSlot& b = slots_[on_gpu[1]];
    const double fa = classes_->colocated_fraction(a.job_class, b.job_class, type);
    const double fb = classes_->colocated_fraction(b.job_class, a.job_class, type);
    if (!std::isnan(fa) && !std::isnan(fb)) {
      const double held = static_cast<double>(a.gpu_milli + b.gpu_milli);
      slots_[on_gpu[0]].share_factor = fa * held / static_cast<double>(a.gpu_milli);
      slots_[on_gpu[1]].share_factor = fb * held / static_cast<double>(b.gpu_milli);
      apply_factors(now, on_gpu[0]);
      apply_factors(now, on_gpu[1]);
      return;
    }
  }
  // Otherwise the scalar model: every other share slows each by the factor.
  const double factor = std::pow(1.0 - performance_.share_interference, static_cast<double>(on_gpu.size()) - 1.0);
  for (const std::uint32_t s : on_gpu) {
    slots_[s].share_factor = factor;
    apply_factors(now, s);
  }
}

void NativeEngine::preempt_job(Time now, std::uint32_t slot) {
  JobSlot& job = slots_[slot];
  CAPSIM_CHECK(job.phase == JobPhase::kRunning) << "job " << job.job << " preempted while not running";
  // Taken off a spot node: it checkpointed at the notice.
  bool noticed = false;
  if (!taken_nodes_.empty()) {
    if (const auto it = nodes_of_slot_.find(slot); it != nodes_of_slot_.end()) {
      for (const auto& [node, milli] : it->second) {
        noticed |= std::find(taken_nodes_.begin(), taken_nodes_.end(), node) != taken_nodes_.end();
      }
    }
  }
  share_left(now, slot);
  if (!nodes_of_slot_.empty()) node_left(now, slot);
  if (links_) network_left(now, slot);
  gpus_released(now, slot);
  // A failure froze the job at failed_at: it did nothing since.
  const bool failed = job.failed_at != Time::max();
  Interruption what;
  what.node_failure = failed;
  if (job.idle) {
    // Its work is done: nothing is lost, and it resumes with the idle time it
    // has left (a fresh spell for the reaper).
    job.idle_left = job.idle_left - (now - job.since);
    job.idle = false;
  } else {
    interrupt_work(now, slot, noticed, what);
  }
  ++job.epoch;  // its queued end is stale now
  job.failed_at = Time::max();
  if (!failed) ++job.preemptions;
  job.phase = JobPhase::kPending;
  counters_.allocated_gpu_milli -= job.gpu_milli;
  count_waiting(slot, true);
  if (job.service >= 0) {
    replica_stopped(now, slot);
    return;
  }
  --counters_.running_jobs;
  ++counters_.pending_jobs;
  for (EngineObserver* observer : observers_) observer->on_job_interrupted(now, job.report, what);
}

void NativeEngine::interrupt_work(Time now, std::uint32_t slot, bool noticed, Interruption& what) {
  JobSlot& job = slots_[slot];
  const bool failed = what.node_failure;
  const Duration ran = (failed ? job.failed_at : now) - job.run_start;
  // Work done in this run, and what survives it: everything up to the last
  // checkpoint (all of it when the job checkpoints as it is preempted; none
  // of it when such a job's node fails). When interference changed the rate
  // during the run, the work up to the last checkpoint is taken in
  // proportion to the run time.
  const double since_change = job.rate * static_cast<double>((now - job.since).count_us());
  const double remaining_at_start = job.work + job.done_in_run;
  const double done = std::min(remaining_at_start, job.done_in_run + since_change);
  const Duration interval = classes_->at(job.job_class).checkpoint_interval;
  Duration kept_time = ran;
  if (interval > Duration() && !noticed) {
    kept_time = Duration::microseconds(ran.count_us() / interval.count_us() * interval.count_us());
  } else if (failed) {
    kept_time = Duration();
  }
  double kept = done;
  if (kept_time < ran) {
    kept = done * static_cast<double>(kept_time.count_us()) / static_cast<double>(ran.count_us());
  }
  what.lost_work = done - kept;
  what.wasted_gpu_seconds =
      static_cast<double>(job.gpu_milli) / kMilliPerGpu * (now - job.run_start - kept_time).to_seconds();
  if (failed) failure_stats_.wasted_gpu_seconds += what.wasted_gpu_seconds;
  if (!std::isinf(job.work)) job.work = remaining_at_start - kept;
}

void NativeEngine::apply_decisions(Time now) {
  for (;;) {
    for (const scheduler::Decision& decision : scheduler_.decide(now)) {
      const std::uint32_t slot = slot_of_job_[decision.job];
      CAPSIM_CHECK(slot != kNoSlot) << "decision for job " << decision.job << ", which has left";
      switch (decision.kind) {
        case scheduler::DecisionKind::kStart:
          start_job(now, slot, decision);
          break;
        case scheduler::DecisionKind::kPreempt:
          preempt_job(now, slot);
          break;
        case scheduler::DecisionKind::kReject: {
          const JobSlot& job = slots_[slot];
          if (job.service >= 0) {
            // The cluster can never hold it (the scenario's check makes this
            // rare: a node type gone): the service goes without.
            ServiceState& service = services_[static_cast<std::size_t>(job.service)];
            if (!service.replicas.at(job.job).withdrawn) --service.wanted;
            service.replicas.erase(job.job);
            free_slot(slot);
            break;
          }
          const JobId report = job.report;
          --counters_.pending_jobs;
          ++jobs_ended_;
          free_slot(slot);
          for (EngineObserver* observer : observers_) {
            observer->on_job_rejected(now, report, decision.reject_reason);
          }
          for (EngineObserver* observer : observers_) observer->on_job_ended(now, report, JobEnd::kRejected);
          break;
        }
      }
    }
    taken_nodes_.clear();
    if (withdrawn_started_.empty()) break;
    // Replicas withdrawn while they waited leave as they start; their GPUs
    // go to the next pass at this instant.
    const std::vector<std::uint32_t> leaving = std::move(withdrawn_started_);
    withdrawn_started_.clear();
    for (const std::uint32_t slot : leaving) end_replica(now, slot);
  }
  arm_timer();
}

void NativeEngine::arm_timer() {
  std::optional<Time> want = scheduler_.next_wakeup();
  // With nothing running and no arrival to come, waiting changes nothing: a
  // timer then could only wake the policy forever.
  if (counters_.running_jobs == 0 && !has_next_job_ && services_running_ == 0) want.reset();
  if (want == timer_at_) return;
  timer_at_ = want;
  ++timer_generation_;
  if (want) events_.push(*want, EventClass::kTimer, timer_generation_);
}

void NativeEngine::finish(Time end) {
  stats_.end = end;
  if (caps_) account_cap(end);
  for (std::size_t n = 0; n < health_.size(); ++n) {
    if (health_[n].down && end > health_[n].down_since) {
      failure_stats_.gpu_seconds_down +=
          (end - health_[n].down_since).to_seconds() * layout_.gpus_of(static_cast<NodeId>(n));
    }
  }
  for (const NodePower& power : power_) {
    if (power.state == NodePower::State::kOff) energy_stats_.node_seconds_off += (end - power.since).to_seconds();
  }
  if (elastic_) {
    // Nodes still provisioned are billed to the end.
    for (std::size_t n = 0; n < node_life_.size(); ++n) {
      if (node_life_[n].state != NodeLife::State::kOff) {
        release_node(end, static_cast<NodeId>(n), end, /*tell_core=*/false);
      }
    }
  }
  for (std::size_t id = 0; id < slot_of_job_.size(); ++id) {
    const std::uint32_t slot = slot_of_job_[id];
    if (slot == kNoSlot) continue;
    const JobSlot& job = slots_[slot];
    if (job.service >= 0) {
      if (job.phase == JobPhase::kRunning) replica_stopped(end, slot);
      continue;
    }
    const JobEnd how = job.phase == JobPhase::kRunning ? JobEnd::kRunning : JobEnd::kPending;
    // A job with a deadline still in the system misses it if it has passed.
    if (!deadlines_.empty()) {
      const auto deadline = deadlines_.find(job.job);
      if (deadline != deadlines_.end() && end > deadline->second) ++energy_stats_.deadlines_missed;
    }
    for (EngineObserver* observer : observers_) observer->on_job_ended(end, job.report, how);
  }
  for (EngineObserver* observer : observers_) observer->on_run_end(end);
}

void NativeEngine::handle_service_tick(Time now, std::uint32_t s) {
  ServiceState& service = services_[s];
  ServiceRunner& runner = *service.runner;
  std::int32_t desired = runner.spec().initial_replicas;
  if (now > Time::zero()) {
    // The interval that ends now is served by the replicas ready since its
    // start.
    const Time start = now - runner.interval();
    ReplicaCounts counts;
    counts.asked = service.wanted;
    for (const auto& [id, replica] : service.replicas) {
      if (replica.withdrawn) continue;
      if (slots_[replica.slot].phase != JobPhase::kRunning) {
        ++counts.waiting;
      } else if (replica.ready_at > start) {
        ++counts.starting;
      } else {
        auto group = std::find_if(counts.ready.begin(), counts.ready.end(),
                                  [&](const auto& g) { return g.first == replica.type; });
        if (group == counts.ready.end()) group = counts.ready.insert(counts.ready.end(), {replica.type, 0});
        ++group->second;
      }
    }
    desired = runner.end_interval(now, counts);
  }
  if (now >= runner.end()) {
    // The load is over: the replicas go.
    desired = 0;
    service.done = true;
    --services_running_;
  } else {
    events_.push(now + runner.interval(), EventClass::kServiceTick, s);
  }
  scale_service(now, s, desired);
}

void NativeEngine::scale_service(Time now, std::uint32_t s, std::int32_t desired) {
  ServiceState& service = services_[s];
  // Up: withdrawn replicas first (they kept their place in the queue), then
  // new ones.
  for (auto it = service.replicas.rbegin(); it != service.replicas.rend() && service.wanted < desired; ++it) {
    if (!it->second.withdrawn) continue;
    it->second.withdrawn = false;
    ++service.wanted;
    count_waiting(it->second.slot, true);
  }
  while (service.wanted < desired) add_replica(now, s);
  if (service.wanted <= desired) return;
  // Down: those still waiting for GPUs, then those in their cold start,
  // then ready ones; the newest first in each.
  std::vector<std::uint32_t> ending;
  for (int pass = 0; pass < 3 && service.wanted > desired; ++pass) {
    for (auto it = service.replicas.rbegin(); it != service.replicas.rend() && service.wanted > desired; ++it) {
      Replica& replica = it->second;
      if (replica.withdrawn) continue;
      const bool running = slots_[replica.slot].phase == JobPhase::kRunning;
      const bool ready = running && replica.ready_at <= now;
      if ((pass == 0 && running) || (pass == 1 && (!running || ready)) || (pass == 2 && !ready)) continue;
      --service.wanted;
      replica.withdrawn = true;  // a running one leaves below
      if (running) {
        ending.push_back(replica.slot);
      } else {
        count_waiting(replica.slot, false);
      }
    }
  }
  for (const std::uint32_t slot : ending) end_replica(now, slot);
}

void NativeEngine::add_replica(Time now, std::uint32_t s) {
  ServiceState& service = services_[s];
  const ServiceSpec& spec = service.runner->spec();
  const auto id = static_cast<JobId>(slot_of_job_.size());
  const std::uint32_t slot = take_slot();
  slot_of_job_.push_back(slot);
  JobSlot& job = slots_[slot];
  job.job = id;
  job.report = kNoReport;
  job.service = static_cast<std::int32_t>(s);
  job.work = std::numeric_limits<double>::infinity();  // serves until the autoscaler stops it
  job.gpu_milli = static_cast<std::int32_t>(spec.request.gpu_milli);
  job.job_class = spec.job_class;
  Replica replica;
  replica.slot = slot;
  replica.warm = now == Time::zero();
  service.replicas.emplace(id, replica);
  if (tracks_demand_) {
    demand_key_[slot] = {spec.gpu_types.bits(), spec.request.gpu_memory_mib, spec.regions.bits()};
    count_waiting(slot, true);
  }
  ++service.wanted;

  const JobClassSpec& job_class = classes_->at(spec.job_class);
  scheduler::JobRequest request;
  request.id = id;
  request.submit = now;
  request.request = spec.request;
  request.gpu_types = spec.gpu_types;
  request.regions = spec.regions;
  // What a size-based policy reads: the time left of the service's load.
  request.recorded_duration = std::max(Duration::seconds(1), service.runner->end() - now);
  request.user = scheduler_.intern_user("service:" + spec.name);
  request.tenant = scheduler_.intern_tenant("service:" + spec.name);
  request.job_class = spec.job_class;
  request.priority = job_class.priority;
  request.preemptible = job_class.preemptible;
  scheduler_.on_job_arrived(now, request);
}

void NativeEngine::replica_stopped(Time now, std::uint32_t slot) {
  const JobSlot& job = slots_[slot];
  ServiceState& service = services_[static_cast<std::size_t>(job.service)];
  Replica& replica = service.replicas.at(job.job);
  service.runner->add_held(job.gpu_milli / static_cast<double>(kMilliPerGpu), now - replica.held_since,
                           replica.usd_per_gpu_hour);
  replica.ready_at = Time::max();
}

void NativeEngine::end_replica(Time now, std::uint32_t slot) {
  JobSlot& job = slots_[slot];
  CAPSIM_CHECK(job.phase == JobPhase::kRunning && job.service >= 0) << "slot " << slot << " is no running replica";
  if (!sharers_.empty()) share_left(now, slot);
  if (!nodes_of_slot_.empty()) node_left(now, slot);
  if (links_) network_left(now, slot);
  gpus_released(now, slot);
  counters_.allocated_gpu_milli -= job.gpu_milli;
  replica_stopped(now, slot);
  const JobId id = job.job;
  services_[static_cast<std::size_t>(job.service)].replicas.erase(id);
  ++job.epoch;
  free_slot(slot);
  scheduler_.on_job_ended(now, id);
}

void NativeEngine::count_waiting(std::uint32_t slot, bool waiting) {
  if (!tracks_demand_ || slot >= counted_waiting_.size()) return;
  if (static_cast<bool>(counted_waiting_[slot]) == waiting) return;
  counted_waiting_[slot] = waiting;
  const std::int64_t milli = slots_[slot].gpu_milli;
  if (milli == 0) return;  // CPU-only work asks the cluster autoscaler for no GPU
  std::int64_t& total = waiting_milli_[demand_key_[slot]];
  total += waiting ? milli : -milli;
  if (total == 0) waiting_milli_.erase(demand_key_[slot]);
}

void NativeEngine::start_elastic() {
  std::vector<std::int64_t> rank(layout_.spec().node_groups.size(), 0);
  for (std::size_t n = 0; n < layout_.node_count(); ++n) {
    const auto node = static_cast<NodeId>(n);
    const auto g = static_cast<std::size_t>(layout_.group_of(node));
    const NodeGroupSpec& group = layout_.spec().node_groups[g];
    if (group.autoscaling && rank[g]++ >= group.autoscaling->initial) {
      node_life_[n].state = NodeLife::State::kOff;
      scheduler_.on_node_down(Time::zero(), node);
      notify_node_power(Time::zero(), node, false);
      continue;
    }
    // Provisioned from the start: ready at once.
    provision(Time::zero(), node);
    handle_node_ready(Time::zero(), node);
  }
}

void NativeEngine::provision(Time now, NodeId node) {
  NodeLife& life = node_life_[static_cast<std::size_t>(node)];
  const auto g = static_cast<std::size_t>(layout_.group_of(node));
  const NodeGroupSpec& group = layout_.spec().node_groups[g];
  life.state = NodeLife::State::kProvisioning;
  life.since = now;
  notify_node_power(now, node, true);
  NodeGroupUsage& usage = group_usage_[g];
  ++usage.provisioned;
  usage.peak_nodes = std::max(usage.peak_nodes, ++group_provisioned_[g]);
  if (now > Time::zero() && group.autoscaling) {
    events_.push(now + group.autoscaling->provisioning, EventClass::kNodeReady, static_cast<std::uint32_t>(node),
                 life.epoch);
  }
}

void NativeEngine::handle_node_ready(Time now, NodeId node) {
  NodeLife& life = node_life_[static_cast<std::size_t>(node)];
  life.state = NodeLife::State::kReady;
  life.idle_since = now;
  if (now > Time::zero()) scheduler_.on_node_up(now, node);
  const NodeGroupSpec& group = layout_.spec().node_groups[static_cast<std::size_t>(layout_.group_of(node))];
  if (!group.spot || group.spot->interruptions_per_hour <= 0) return;
  // When the cloud takes it back: exponential, from a stream of its own
  // (seed, "spot", node and draw), so that other randomness never shifts it.
  RandomStream random =
      RandomStream::derive(options_.seed, "spot", (static_cast<std::uint64_t>(node) << 24) + life.spot_draws++);
  const double mean_s = 3600.0 / group.spot->interruptions_per_hour;
  const Duration until = Duration::from_seconds(std::min(random.exponential(mean_s), 1e12));
  life.interrupt_at = now + until;
  const Time notice = until > group.spot->notice ? life.interrupt_at - group.spot->notice : now;
  events_.push(notice, EventClass::kSpotNotice, static_cast<std::uint32_t>(node), life.epoch);
}

void NativeEngine::handle_spot_notice(Time now, NodeId node) {
  // The jobs on it checkpoint and leave now; the node is billed until the
  // cloud takes it.
  const auto g = static_cast<std::size_t>(layout_.group_of(node));
  ++group_usage_[g].interruptions;
  taken_nodes_.push_back(node);
  scheduler_.on_node_taken(now, node);
  release_node(now, node, node_life_[static_cast<std::size_t>(node)].interrupt_at, /*tell_core=*/false);
  if (cluster_autoscaler_ && !scan_queued_) {
    scan_queued_ = true;
    events_.push(now + scheduler::ClusterAutoscaler::kScanInterval, EventClass::kClusterScan, 0);
  }
}

void NativeEngine::release_node(Time now, NodeId node, Time billed_until, bool tell_core) {
  NodeLife& life = node_life_[static_cast<std::size_t>(node)];
  const auto g = static_cast<std::size_t>(layout_.group_of(node));
  const NodeGroupSpec& group = layout_.spec().node_groups[g];
  const double seconds = (billed_until - life.since).to_seconds();
  const double price = group.price_per_gpu_hour(catalog_);
  NodeGroupUsage& usage = group_usage_[g];
  usage.node_seconds += seconds;
  usage.cost_usd += seconds / 3600 * group.gpus_per_node * price;
  --group_provisioned_[g];
  life.state = NodeLife::State::kOff;
  ++life.epoch;  // its queued ready or notice events are stale
  notify_node_power(now, node, false);
  if (tell_core) scheduler_.on_node_down(now, node);
}

bool NativeEngine::work_remains() const {
  if (has_next_job_ || counters_.running_jobs > 0 || services_running_ > 0) return true;
  for (const NodeLife& life : node_life_) {
    if (life.state == NodeLife::State::kProvisioning) return true;
  }
  return false;
}

void NativeEngine::handle_cluster_scan(Time now) {
  scan_queued_ = false;
  const GroupsView view = groups_view(/*autoscaled=*/true);
  const scheduler::ClusterScaling scaling = cluster_autoscaler_->decide(now, view.status, waiting_demand(), view.idle);
  for (const auto& [g, nodes] : scaling.add) {
    std::int64_t left = nodes;
    for (std::size_t n = 0; n < node_life_.size() && left > 0; ++n) {
      if (layout_.group_of(static_cast<NodeId>(n)) != g || node_life_[n].state != NodeLife::State::kOff) continue;
      provision(now, static_cast<NodeId>(n));
      --left;
    }
  }
  for (const NodeId node : scaling.release) {
    release_node(now, node, now, /*tell_core=*/true);
    ++group_usage_[static_cast<std::size_t>(layout_.group_of(node))].released;
  }
  // Scan on while work may come or go; pending work that nothing will ever
  // start (nothing runs, arrives or is on its way) stops the scans.
  if (work_remains()) {
    scan_queued_ = true;
    events_.push(now + scheduler::ClusterAutoscaler::kScanInterval, EventClass::kClusterScan, 0);
  }
}

std::vector<scheduler::WaitingDemand> NativeEngine::waiting_demand() const {
  std::vector<scheduler::WaitingDemand> waiting;
  for (const auto& [key, milli] : waiting_milli_) {
    scheduler::WaitingDemand d;
    d.types = GpuTypeSet::from_bits(key.types);
    d.gpu_memory_mib = key.gpu_memory_mib;
    d.gpu_milli = milli;
    d.regions = RegionSet::from_bits(key.regions);
    waiting.push_back(d);
  }
  return waiting;
}

NativeEngine::GroupsView NativeEngine::groups_view(bool autoscaled) const {
  const auto& groups = layout_.spec().node_groups;
  GroupsView view;
  view.index_of.assign(groups.size(), -1);
  for (std::size_t g = 0; g < groups.size(); ++g) {
    const bool elastic = groups[g].autoscaling || groups[g].spot;
    if (autoscaled ? !groups[g].autoscaling : elastic) continue;
    scheduler::NodeGroupStatus s;
    s.group = static_cast<std::int32_t>(g);
    s.gpu_type = groups[g].gpu_type;
    s.region = groups[g].region;
    s.gpus_per_node = groups[g].whole_gpus_per_node();
    s.max = groups[g].count;
    s.usd_per_gpu_hour = groups[g].price_per_gpu_hour(catalog_);
    if (autoscaled) {
      s.min = groups[g].autoscaling->min;
      s.scale_down_delay = groups[g].autoscaling->scale_down_delay;
    }
    view.index_of[g] = static_cast<std::int32_t>(view.status.size());
    view.status.push_back(s);
  }
  for (std::size_t n = 0; n < layout_.node_count(); ++n) {
    const auto node = static_cast<NodeId>(n);
    const std::int32_t i = view.index_of[static_cast<std::size_t>(layout_.group_of(node))];
    if (i < 0) continue;
    scheduler::NodeGroupStatus& s = view.status[static_cast<std::size_t>(i)];
    // The elastic groups' nodes live in node_life_, the fixed ones' in power_.
    const bool coming = autoscaled ? node_life_[n].state == NodeLife::State::kProvisioning
                                   : power_[n].state == NodePower::State::kBooting;
    const bool ready =
        autoscaled ? node_life_[n].state == NodeLife::State::kReady : power_[n].state == NodePower::State::kOn;
    if (coming) ++s.provisioning;
    if (!ready) continue;
    ++s.ready;
    s.free_gpus += scheduler_.cluster().free_gpus(node);
    if (jobs_on_node_[n].empty())
      view.idle.push_back({node, s.group, autoscaled ? node_life_[n].idle_since : power_[n].idle_since});
  }
  std::stable_sort(view.idle.begin(), view.idle.end(), [](const scheduler::IdleNode& a, const scheduler::IdleNode& b) {
    return a.idle_since < b.idle_since;
  });
  return view;
}

bool NativeEngine::handle_energy_scan(Time now) {
  const auto& groups = layout_.spec().node_groups;
  const GroupsView view = groups_view(/*autoscaled=*/false);
  const std::vector<scheduler::IdleNode>& idle = view.idle;
  const std::vector<std::int32_t>& index_of = view.index_of;
  const std::vector<scheduler::WaitingDemand> waiting = waiting_demand();
  const scheduler::EnergyActions actions = energy_->decide({now, view.status, waiting, idle});
  bool acted = false;
  for (const auto& [g, nodes] : actions.boot) {
    CAPSIM_CHECK(g >= 0 && static_cast<std::size_t>(g) < groups.size() && index_of[static_cast<std::size_t>(g)] >= 0)
        << "energy policy " << energy_->name() << " booted nodes of group " << g << ", not a fixed group";
    std::int64_t left = nodes;
    for (std::size_t n = 0; n < power_.size() && left > 0; ++n) {
      NodePower& power = power_[n];
      if (layout_.group_of(static_cast<NodeId>(n)) != g || power.state != NodePower::State::kOff) continue;
      energy_stats_.node_seconds_off += (now - power.since).to_seconds();
      power.state = NodePower::State::kBooting;
      power.since = now;
      ++power.epoch;
      ++booting_;
      ++energy_stats_.boots;
      notify_node_power(now, static_cast<NodeId>(n), true);
      events_.push(now + groups[static_cast<std::size_t>(g)].boot, EventClass::kNodeBooted,
                   static_cast<std::uint32_t>(n), power.epoch);
      --left;
      acted = true;
    }
  }
  for (const NodeId node : actions.power_off) {
    const auto n = static_cast<std::size_t>(node);
    CAPSIM_CHECK(n < power_.size() && power_[n].state == NodePower::State::kOn && jobs_on_node_[n].empty() &&
                 index_of[static_cast<std::size_t>(layout_.group_of(node))] >= 0)
        << "energy policy " << energy_->name() << " powered off node " << node << ", not an idle node of a fixed group";
    power_[n].state = NodePower::State::kOff;
    power_[n].since = now;
    ++energy_stats_.power_offs;
    scheduler_.on_node_down(now, node);
    notify_node_power(now, node, false);
    acted = true;
  }
  // Scan on while work may come or go, or nodes boot; a scan that changed
  // nothing with nothing running, arriving or booting would find the same
  // again (nothing else changes the cluster), so the scans stop.
  if (work_remains() || booting_ > 0 || acted) {
    events_.push(now + energy_->scan_interval(), EventClass::kEnergyScan, 0);
  } else {
    energy_scan_queued_ = false;
  }
  return acted;
}

void NativeEngine::handle_node_booted(Time now, NodeId node) {
  NodePower& power = power_[static_cast<std::size_t>(node)];
  power.state = NodePower::State::kOn;
  power.since = now;
  power.idle_since = now;
  --booting_;
  scheduler_.on_node_up(now, node);
}

void NativeEngine::queue_energy_scan(Time now) {
  if (energy_ == nullptr || energy_scan_queued_) return;
  energy_scan_queued_ = true;
  events_.push(now + energy_->scan_interval(), EventClass::kEnergyScan, 0);
}

void NativeEngine::notify_node_power(Time now, NodeId node, bool on) {
  if (caps_) {
    const NodeGroupSpec& group = layout_.spec().node_groups[static_cast<std::size_t>(layout_.group_of(node))];
    const double watts =
        group.node_watts - group.off_watts + group.gpus_per_node * catalog_.at(group.gpu_type).idle_watts;
    base_watts_ += on ? watts : -watts;
    power_dirty_ = true;
  }
  for (EngineObserver* observer : observers_) observer->on_node_power(now, node, on);
}

void NativeEngine::count_busy_power(std::uint32_t slot, double sign) {
  const JobSlot& job = slots_[slot];
  if (!caps_ || job.gpu_type == kAnyGpuType) return;
  const double share = static_cast<double>(job.gpu_milli) / kMilliPerGpu;
  busy_peak_watts_ += sign * share * catalog_.at(job.gpu_type).peak_watts;
  busy_idle_watts_ += sign * share * catalog_.at(job.gpu_type).idle_watts;
  power_dirty_ = true;
}

void NativeEngine::gpus_taken(Time now, std::uint32_t slot, std::span<const NodeShare> allocation, GpuTypeId type) {
  slots_[slot].gpu_type = type;
  count_busy_power(slot, +1);
  for (EngineObserver* observer : observers_) observer->on_gpus_taken(now, slot, allocation, type);
}

void NativeEngine::gpus_released(Time now, std::uint32_t slot) {
  JobSlot& job = slots_[slot];
  count_busy_power(slot, -1);
  job.gpu_type = kAnyGpuType;
  for (EngineObserver* observer : observers_) observer->on_gpus_released(now, slot);
}

void NativeEngine::account_cap(Time now) {
  const double seconds = (now - cap_since_).to_seconds();
  if (seconds <= 0) return;
  if (cap_ < 1) {
    energy_stats_.capped_seconds += seconds;
    energy_stats_.cap_seconds += cap_ * seconds;
  }
  if (over_budget_) energy_stats_.over_budget_seconds += seconds;
  cap_since_ = now;
}

void NativeEngine::update_power_cap(Time now) {
  power_dirty_ = false;
  account_cap(now);
  scheduler::PowerView view;
  view.now = now;
  view.pue = layout_.spec().pue;
  view.base_watts = base_watts_;
  view.busy_peak_watts = busy_peak_watts_;
  view.busy_idle_watts = busy_idle_watts_;
  const double cap = options_.energy->power_cap(view);
  CAPSIM_CHECK(cap > 0 && cap <= 1) << "energy policy " << options_.energy->name() << " capped at " << cap;
  const double facility = view.pue * (base_watts_ - busy_idle_watts_ + cap * busy_peak_watts_);
  // Rounding in the running sums is not a budget overrun.
  over_budget_ = facility > options_.energy->power_budget_watts() * (1 + 1e-9);
  if (cap == cap_) return;
  cap_ = cap;
  for (EngineObserver* observer : observers_) observer->on_power_cap(now, cap);
  for (std::uint32_t slot = 0; slot < slots_.size(); ++slot) {
    JobSlot& job = slots_[slot];
    if (job.phase != JobPhase::kRunning || job.gpu_type == kAnyGpuType) continue;
    const GpuType& gpu = catalog_.at(job.gpu_type);
    job.cap_factor = options_.energy->speed_at_cap(cap, gpu.idle_watts, gpu.peak_watts);
    apply_factors(now, slot);
  }
}

bool NativeEngine::failures_matter() const {
  return work_remains() || (counters_.pending_jobs > 0 && nodes_down_ > 0);
}

void NativeEngine::start_failures() {
  for (std::size_t n = 0; n < health_.size(); ++n) draw_failure(Time::zero(), static_cast<NodeId>(n));
  for (std::size_t o = 0; o < failures_->outages.size(); ++o) {
    events_.push(failures_->outages[o].at, EventClass::kOutage, static_cast<std::uint32_t>(o));
  }
}

void NativeEngine::draw_failure(Time now, NodeId node) {
  const std::int32_t m = model_of_group_[static_cast<std::size_t>(layout_.group_of(node))];
  if (m < 0) return;
  const FailureModelSpec& model = failures_->models[static_cast<std::size_t>(m)];
  NodeHealth& health = health_[static_cast<std::size_t>(node)];
  // Its time to failure from a stream of its own (seed, "failures", node and
  // draw): other randomness, and the policy, never shift it.
  RandomStream random =
      RandomStream::derive(options_.seed, "failures", (static_cast<std::uint64_t>(node) << 24) + health.draws++);
  const double seconds = random.weibull(model.shape, weibull_scale_[static_cast<std::size_t>(m)]);
  events_.push(now + Duration::from_seconds(std::min(seconds, 1e12)), EventClass::kNodeFailure,
               static_cast<std::uint32_t>(node), ++health.draw_epoch);
}

void NativeEngine::handle_node_failure(Time now, NodeId node) {
  const FailureModelSpec& model =
      failures_->models[static_cast<std::size_t>(model_of_group_[static_cast<std::size_t>(layout_.group_of(node))])];
  NodeHealth& health = health_[static_cast<std::size_t>(node)];
  Duration repair = model.repair;
  if (model.repair_exponential) {
    RandomStream random =
        RandomStream::derive(options_.seed, "repairs", (static_cast<std::uint64_t>(node) << 24) + health.draws);
    repair = Duration::from_seconds(std::min(random.exponential(model.repair.to_seconds()), 1e12));
  }
  fail_node(now, node, repair);
}

void NativeEngine::fail_node(Time now, NodeId node, Duration down) {
  const auto n = static_cast<std::size_t>(node);
  const NodeGroupSpec& group = layout_.spec().node_groups[static_cast<std::size_t>(layout_.group_of(node))];
  // An autoscaled or spot node is the cloud's to replace (core/failures.hpp).
  if (group.autoscaling || group.spot) return;
  NodeHealth& health = health_[n];
  // Back no earlier than the failure's detection: the scheduler must have
  // seen it go.
  const Time up_at = now + std::max(down, failures_->detection);
  if (health.down) {
    // Down already: a second failure can only keep it down longer.
    if (up_at > health.up_at) {
      health.up_at = up_at;
      events_.push(up_at, EventClass::kNodeRepaired, static_cast<std::uint32_t>(node), ++health.repair_epoch);
    }
    return;
  }
  health.down = true;
  health.down_since = now;
  health.up_at = up_at;
  ++nodes_down_;
  ++failure_stats_.node_failures;
  ++health.draw_epoch;  // a failure drawn for later is replaced by a draw after the repair
  events_.push(up_at, EventClass::kNodeRepaired, static_cast<std::uint32_t>(node), ++health.repair_epoch);
  scheduler_.on_node_down(now, node);
  for (const std::uint32_t slot : jobs_on_node_[n]) freeze_job(now, slot);
  events_.push(now + failures_->detection, EventClass::kFailureDetected, static_cast<std::uint32_t>(node));
}

void NativeEngine::freeze_job(Time now, std::uint32_t slot) {
  JobSlot& job = slots_[slot];
  if (job.failed_at != Time::max()) return;  // another of its nodes failed first
  job.failed_at = now;
  // Idle, it loses nothing: its end (its tail's, or the reaper's) stays
  // queued, and if it is still there at the detection it is stopped then
  // (and counted: handle_failure_detected).
  if (job.idle) return;
  const double done = job.rate * static_cast<double>((now - job.since).count_us());
  if (!std::isinf(job.work)) job.work -= done;
  job.done_in_run += done;
  job.since = now;
  job.rate = 0;
  ++job.epoch;  // its queued end will not come
  ++job.failures;
  ++failure_stats_.interruptions;
  if (job.service >= 0) {
    // It serves nothing from now on.
    services_[static_cast<std::size_t>(job.service)].replicas.at(job.job).ready_at = Time::max();
  }
}

void NativeEngine::handle_failure_detected(Time now, NodeId node) {
  // Jobs past their restart limit end here; the others are evicted at the
  // next pass and wait to restart elsewhere.
  const std::vector<std::uint32_t> on_node = jobs_on_node_[static_cast<std::size_t>(node)];
  for (const std::uint32_t slot : on_node) {
    JobSlot& job = slots_[slot];
    if (job.failed_at == Time::max() || job.service >= 0) continue;
    if (job.idle) {
      // Still holding its GPUs idle: the failure stops it now.
      ++job.failures;
      ++failure_stats_.interruptions;
    }
    const std::int32_t limit = classes_->at(job.job_class).restart_limit;
    if (limit < 0 || job.failures <= limit) continue;
    Interruption what;
    what.node_failure = true;
    if (!job.idle) {
      // Everything it did since its last checkpoint is lost, and it will not
      // be redone (an idle job's work was done: it loses nothing).
      const Duration interval = classes_->at(job.job_class).checkpoint_interval;
      const Duration ran = job.failed_at - job.run_start;
      const Duration kept_time =
          interval > Duration() ? Duration::microseconds(ran.count_us() / interval.count_us() * interval.count_us())
                                : Duration();
      what.lost_work = ran > Duration() ? job.done_in_run * static_cast<double>((ran - kept_time).count_us()) /
                                              static_cast<double>(ran.count_us())
                                        : 0.0;
      what.wasted_gpu_seconds =
          static_cast<double>(job.gpu_milli) / kMilliPerGpu * (now - job.run_start - kept_time).to_seconds();
      failure_stats_.wasted_gpu_seconds += what.wasted_gpu_seconds;
    }
    ++failure_stats_.abandoned;
    for (EngineObserver* observer : observers_) observer->on_job_interrupted(now, job.report, what);
    end_job(now, slot, JobEnd::kAbandoned);
  }
  scheduler_.on_node_taken(now, node);
}

void NativeEngine::handle_node_repaired(Time now, NodeId node) {
  const auto n = static_cast<std::size_t>(node);
  NodeHealth& health = health_[n];
  health.down = false;
  --nodes_down_;
  failure_stats_.gpu_seconds_down += (now - health.down_since).to_seconds() * layout_.gpus_of(node);
  scheduler_.on_node_up(now, node);
  if (failures_matter()) draw_failure(now, node);
}

EngineStats NativeEngine::run() {
  read_next_job();
  // Each service starts at time 0 with its initial replicas.
  for (std::uint32_t s = 0; s < services_.size(); ++s) events_.push(Time::zero(), EventClass::kServiceTick, s);
  services_running_ = services_.size();
  if (elastic_) start_elastic();
  if (failures_) start_failures();
  if (cluster_autoscaler_) {
    scan_queued_ = true;
    events_.push(Time::zero() + scheduler::ClusterAutoscaler::kScanInterval, EventClass::kClusterScan, 0);
  }
  queue_energy_scan(Time::zero());
  Time now;
  Time last_acted;
  std::uint64_t next_poll = options_.poll_every;
  while (!events_.empty() || has_next_job_) {
    Time t = Time::max();
    if (!events_.empty()) t = events_.top().time;
    if (has_next_job_ && next_job_.submit < t) t = next_job_.submit;
    if (options_.horizon && t > *options_.horizon) break;
    now = t;
    const std::uint64_t events_before = stats_.events;
    // The fixed order of an instant: queued events by class and sequence
    // (timers, then job ends), then the arrivals, in source order.
    while (!events_.empty() && events_.top().time == t) {
      const Event event = events_.top();
      events_.pop();
      // The next event's job slot is a likely cache miss (jobs end in random
      // order): ask for it now, while this event is handled.
      if (!events_.empty() && events_.top().event_class() == EventClass::kJobEnd) {
        __builtin_prefetch(&slots_[events_.top().payload]);
      }
      switch (event.event_class()) {
        case EventClass::kJobEnd:
          if (slots_[event.payload].epoch != event.epoch) continue;  // the job was preempted since
          handle_job_end(t, event.payload);
          // By now the next event's slot has arrived: have the scheduler
          // fetch that job's record too.
          if (!events_.empty() && events_.top().event_class() == EventClass::kJobEnd) {
            const JobSlot& next = slots_[events_.top().payload];
            scheduler_.prefetch(next.job, next.record_hint);
          }
          break;
        case EventClass::kTimer:
          if (event.payload != timer_generation_) continue;  // superseded
          timer_at_.reset();
          scheduler_.on_timer(t);
          break;
        case EventClass::kServiceTick:
          handle_service_tick(t, event.payload);
          break;
        case EventClass::kNodeReady:
          if (node_life_[event.payload].epoch != event.epoch) continue;  // released since
          handle_node_ready(t, static_cast<NodeId>(event.payload));
          break;
        case EventClass::kSpotNotice:
          if (node_life_[event.payload].epoch != event.epoch) continue;
          // With no work left the run is over: a notice still to come
          // neither takes the node nor stretches the run (and its bills).
          if (!work_remains()) continue;
          handle_spot_notice(t, static_cast<NodeId>(event.payload));
          break;
        case EventClass::kClusterScan:
          handle_cluster_scan(t);
          break;
        case EventClass::kNodeFailure:
          if (health_[event.payload].draw_epoch != event.epoch) continue;  // drawn before a repair
          if (!failures_matter()) continue;                                // the run is over: no more draws
          handle_node_failure(t, static_cast<NodeId>(event.payload));
          break;
        case EventClass::kOutage: {
          if (!failures_matter()) continue;
          const OutageSpec& outage = failures_->outages[event.payload];
          for (const NodeId node : outage_nodes(outage, layout_)) fail_node(t, node, outage.duration);
          break;
        }
        case EventClass::kFailureDetected:
          handle_failure_detected(t, static_cast<NodeId>(event.payload));
          break;
        case EventClass::kNodeRepaired:
          if (health_[event.payload].repair_epoch != event.epoch) continue;  // its repair was put off
          // With no work left the run is over: a repair to come does not
          // stretch it (the node counts as down to the end).
          if (!failures_matter()) continue;
          handle_node_repaired(t, static_cast<NodeId>(event.payload));
          break;
        case EventClass::kEnergyScan:
          // A scan that changed nothing is not something happening: it
          // neither stretches the run nor calls for a scheduling pass.
          if (!handle_energy_scan(t)) continue;
          break;
        case EventClass::kJobRelease:
          if (slots_[event.payload].epoch != event.epoch) continue;
          handle_job_release(t, event.payload);
          break;
        case EventClass::kNodeBooted:
          if (power_[event.payload].epoch != event.epoch) continue;
          handle_node_booted(t, static_cast<NodeId>(event.payload));
          break;
      }
      ++stats_.events;
    }
    while (has_next_job_ && next_job_.submit == t) {
      handle_arrival(t);
      ++stats_.events;
    }
    // The run ends at its last instant where something happened: events
    // gone stale (a released node's spot notice, a preempted job's end)
    // do not stretch it, nor the bills of what is paid for to the end.
    if (stats_.events == events_before) continue;
    last_acted = t;
    apply_decisions(t);
    if (caps_ && power_dirty_) update_power_cap(t);
    if (!events_.empty() && events_.top().time == t) continue;  // the instant goes on (zero-length jobs)
    ++stats_.instants;
    for (EngineObserver* observer : observers_) observer->on_instant_end(t, counters_);
    if (stats_.events >= next_poll) {
      next_poll = stats_.events + options_.poll_every;
      if (options_.on_progress) options_.on_progress({t, stats_.events, jobs_arrived_, jobs_ended_});
      if (options_.should_stop && options_.should_stop()) {
        stats_.interrupted = true;
        break;
      }
    }
  }
  // A run with a horizon covers it all, idle tail included; an interrupted
  // run ends where it stopped.
  now = options_.horizon && !stats_.interrupted ? *options_.horizon : last_acted;
  finish(now);
  return stats_;
}

}  // namespace capsim::sim
