#include "sim/simgrid_engine.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <deque>
#include <map>
#include <optional>
#include <string>

#include <simgrid/plugins/energy.h>
#include <simgrid/s4u.hpp>

#include "core/error.hpp"

namespace capsim::sim {

namespace sg = simgrid::s4u;

double ring_allreduce_s(std::int64_t gpus, double bytes, double bandwidth, double latency_s) {
  if (gpus <= 1 || bytes <= 0) return 0;
  const auto g = static_cast<double>(gpus);
  return 2 * (g - 1) * (bytes / g / bandwidth + latency_s);
}

namespace {

std::atomic<bool> simulated_once{false};

Time to_time(double seconds) {
  return Time::zero() + Duration::microseconds(std::llround(seconds * 1e6));
}
double to_seconds(Time t) {
  return static_cast<double>((t - Time::zero()).count_us()) * 1e-6;
}

sg::Link* make_link(sg::NetZone* zone, const std::string& name, const LinkSpec& spec, double bandwidth_factor = 1) {
  sg::SplitDuplexLink* link = zone->create_split_duplex_link(name, spec.bandwidth * bandwidth_factor);
  link->set_latency(spec.latency_s);
  link->seal();
  return link;
}

sg::LinkInRoute up(sg::Link* link) {
  return sg::LinkInRoute(link, sg::LinkInRoute::Direction::UP);
}
sg::LinkInRoute down(sg::Link* link) {
  return sg::LinkInRoute(link, sg::LinkInRoute::Direction::DOWN);
}

}  // namespace

class SimGridEngine::Impl {
 public:
  Impl(const ClusterLayout& layout, const GpuCatalog& catalog, scheduler::SchedulerCore& scheduler, JobSource& source,
       SimGridOptions options)
      : layout_(layout),
        catalog_(catalog),
        scheduler_(scheduler),
        source_(source),
        options_(std::move(options)),
        classes_(options_.engine.job_classes ? options_.engine.job_classes : &default_classes_) {
    if (options_.engine.poll_every == 0) options_.engine.poll_every = 1;
    if (options_.steps < 1) options_.steps = 1;
  }

  std::vector<EngineObserver*> observers;
  SimGridEnergy energy;

  EngineStats run() {
    CAPSIM_CHECK(!simulated_once.exchange(true))
        << "a second SimGrid simulation in one process (its clock does not reset): run each in a process of its own";
    // CM02: max-min sharing with no TCP corrections, so that closed forms
    // hold exactly; no cross traffic (acknowledgements) on the reverse way.
    std::vector<std::string> args{"capsim", "--cfg=network/model:CM02", "--cfg=network/crosstraffic:0",
                                  "--log=root.thres:critical"};
#if defined(__SANITIZE_ADDRESS__)
    // AddressSanitizer does not follow SimGrid's default context switching
    // (its own assembly): actors run as threads under the sanitizers.
    args.emplace_back("--cfg=contexts/factory:thread");
#endif
    std::vector<char*> argv;
    for (std::string& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    int argc = static_cast<int>(args.size());
    sg_host_energy_plugin_init();
    sg::Engine engine(&argc, argv.data());
    sg::Engine::set_config("network/TCP-gamma:0");
    build_platform();
    mutex_ = sg::Mutex::create();
    wake_ = sg::ConditionVariable::create();
    sg::Actor::create("controller", controller_host_, [this] { controller(); });
    engine.run();
    sg_host_energy_update_all();
    energy.joules_by_type.assign(catalog_.size(), 0.0);
    for (std::size_t n = 0; n < gpus_.size(); ++n) {
      const auto type = static_cast<std::size_t>(layout_.gpu_type_of(static_cast<NodeId>(n)));
      for (sg::Host* host : gpus_[n]) energy.joules_by_type[type] += sg_host_get_consumed_energy(host);
    }
    for (double joules : energy.joules_by_type) energy.total_joules += joules;
    CAPSIM_CHECK(finished_) << "the SimGrid simulation stopped before its controller finished (a deadlock)";
    return stats_;
  }

 private:
  // --- the platform ----------------------------------------------------------
  // Two levels of zones (SimGrid 3.32 routes star zones nested three deep
  // wrongly): the root links racks with one route per pair of racks (its
  // uplinks, and in a fat tree its pod's links to the core between pods);
  // each rack is a graph of its GPUs, its nodes' switches and its own
  // switch, routed by Dijkstra (cached).
  void build_platform() {
    const NetworkSpec& net = options_.network;
    sg::NetZone* root = sg::create_full_zone("cluster");
    const bool fat_tree = net.topology == NetworkTopology::kFatTree;
    const auto racks = static_cast<std::int32_t>(layout_.rack_count());
    std::vector<sg::Link*> pod_links;
    if (fat_tree) {
      for (std::int32_t p = 0; p * net.racks_per_pod < racks; ++p) {
        pod_links.push_back(make_link(root, "podlink-" + std::to_string(p), net.pod_uplink, net.pod_uplinks));
      }
    }
    std::vector<sg::NetZone*> rack_zones;
    std::vector<simgrid::kernel::routing::NetPoint*> tors;
    std::vector<sg::Link*> uplinks;
    for (std::int32_t r = 0; r < racks; ++r) {
      sg::NetZone* rack = sg::create_dijkstra_zone("rack-" + std::to_string(r), true);
      rack->set_parent(root);
      rack_zones.push_back(rack);
      tors.push_back(rack->create_router("tor-" + std::to_string(r)));
      uplinks.push_back(make_link(root, "uplink-" + std::to_string(r), net.rack_uplink, net.uplinks));
    }
    gpus_.resize(layout_.node_count());
    busy_.resize(layout_.node_count());
    for (std::size_t n = 0; n < layout_.node_count(); ++n) {
      const auto node = static_cast<NodeId>(n);
      const std::string name = std::to_string(n);
      const auto r = static_cast<std::size_t>(layout_.rack_of(node));
      sg::NetZone* rack = rack_zones[r];
      simgrid::kernel::routing::NetPoint* node_switch = rack->create_router("switch-" + name);
      rack->add_route(node_switch, tors[r], nullptr, nullptr, {up(make_link(rack, "nodelink-" + name, net.node_link))},
                      true);
      const GpuType& type = catalog_.at(layout_.gpu_type_of(node));
      const double speed = host_speed(type);
      const std::string watts = std::to_string(type.idle_watts) + ":" + std::to_string(type.peak_watts) + ":" +
                                std::to_string(type.peak_watts);
      for (std::int32_t g = 0; g < layout_.gpus_of(node); ++g) {
        const std::string gpu = name + "-" + std::to_string(g);
        sg::Host* host = rack->create_host("gpu-" + gpu, speed);
        host->set_property("wattage_per_state", watts);
        host->set_property("wattage_off", "0:0");
        host->seal();
        rack->add_route(host->get_netpoint(), node_switch, nullptr, nullptr,
                        {up(make_link(rack, "gpulink-" + gpu, net.gpu_link))}, true);
        gpus_[n].push_back(host);
      }
      busy_[n].assign(static_cast<std::size_t>(layout_.gpus_of(node)), kFreeGpu);
    }
    // The controller (which computes nothing) runs on a host of its own.
    controller_host_ = rack_zones.front()->create_host("controller", 1e9);
    controller_host_->set_property("wattage_per_state", "0:0:0");
    controller_host_->set_property("wattage_off", "0:0");
    controller_host_->seal();
    for (sg::NetZone* rack : rack_zones) rack->seal();
    for (std::int32_t a = 0; a < racks; ++a) {
      for (std::int32_t b = a + 1; b < racks; ++b) {
        std::vector<sg::LinkInRoute> links{up(uplinks[static_cast<std::size_t>(a)])};
        const std::int32_t pa = a / net.racks_per_pod, pb = b / net.racks_per_pod;
        if (fat_tree && pa != pb) {
          links.push_back(up(pod_links[static_cast<std::size_t>(pa)]));
          links.push_back(down(pod_links[static_cast<std::size_t>(pb)]));
        }
        links.push_back(down(uplinks[static_cast<std::size_t>(b)]));
        root->add_route(rack_zones[static_cast<std::size_t>(a)]->get_netpoint(),
                        rack_zones[static_cast<std::size_t>(b)]->get_netpoint(), tors[static_cast<std::size_t>(a)],
                        tors[static_cast<std::size_t>(b)], links, true);
      }
    }
    root->seal();
    ideal_hop_latency_s_ = 2 * net.gpu_link.latency_s;
  }

  static double host_speed(const GpuType& type) {
    return type.relative_speed * kFlopsPerReferenceSecond;
  }

  // --- jobs ------------------------------------------------------------------
  struct Job {
    JobId id = 0;
    double work = 0;  // reference GPU-us still to do
    std::int32_t gpu_milli = 0;
    std::int32_t preemptions = 0;
    JobClassId job_class = 0;
    JobOutcome outcome = JobOutcome::kCompleted;
    bool running = false;
    // Running:
    std::vector<std::pair<std::size_t, std::size_t>> gpus;  // (node, GPU) in ring order
    double work_per_step = 0;
    double step_s = 0;  // a step's run time at the ideal placement
    std::int32_t steps_done = 0;
    double step_started_s = NAN;  // SimGrid clock when the current step began (NaN: none yet)
    Time run_start;
    sg::ActorPtr actor;
    std::optional<std::pair<std::size_t, std::int32_t>> share_key;  // a share: its node and shared GPU number
  };

  void controller() {
    read_next_job();
    std::uint64_t next_poll = options_.engine.poll_every;
    while (true) {
      // What comes next without any job ending: an arrival or the timer.
      std::optional<Time> deadline;
      if (has_next_job_) deadline = next_job_.submit;
      if (timer_at_ && (!deadline || *timer_at_ < *deadline)) deadline = timer_at_;
      if (options_.engine.horizon && (!deadline || *deadline > *options_.engine.horizon)) {
        deadline = *options_.engine.horizon + Duration::microseconds(1);
      }
      if (ended_.empty()) {
        if (!deadline && finite_running_ == 0) break;
        std::unique_lock lock(*mutex_);
        if (deadline) {
          while (ended_.empty() && sg::Engine::get_clock() < to_seconds(*deadline)) {
            wake_->wait_until(lock, to_seconds(*deadline));
          }
        } else {
          while (ended_.empty()) wake_->wait(lock);
        }
      }
      // Jobs that end at this instant but whose actors have not run yet.
      sg::this_actor::yield();
      const Time now = to_time(sg::Engine::get_clock());
      if (options_.engine.horizon && now > *options_.engine.horizon) break;
      now_ = now;
      while (!ended_.empty()) {
        const std::uint32_t slot = ended_.front();
        ended_.pop_front();
        handle_job_end(now, slot);
        ++stats_.events;
      }
      if (timer_at_ && *timer_at_ <= now) {
        timer_at_.reset();
        scheduler_.on_timer(now);
        ++stats_.events;
      }
      while (has_next_job_ && next_job_.submit <= now) {
        handle_arrival(now);
        ++stats_.events;
      }
      apply_decisions(now);
      ++stats_.instants;
      for (EngineObserver* observer : observers) observer->on_instant_end(now, counters_);
      if (stats_.events >= next_poll) {
        next_poll = stats_.events + options_.engine.poll_every;
        if (options_.engine.on_progress) options_.engine.on_progress({now, stats_.events, jobs_arrived_, jobs_ended_});
        if (options_.engine.should_stop && options_.engine.should_stop()) {
          stats_.interrupted = true;
          break;
        }
      }
    }
    Time end = now_;
    if (options_.engine.horizon && !stats_.interrupted) end = *options_.engine.horizon;
    stats_.end = end;
    for (std::size_t id = 0; id < slot_of_job_.size(); ++id) {
      const std::uint32_t slot = slot_of_job_[id];
      if (slot == kNoSlot) continue;
      const JobEnd how = jobs_[slot].running ? JobEnd::kRunning : JobEnd::kPending;
      for (EngineObserver* observer : observers) observer->on_job_ended(end, static_cast<JobId>(id), how);
    }
    for (EngineObserver* observer : observers) observer->on_run_end(end);
    finished_ = true;
    // Jobs still running (past the horizon, or that never end) stop here;
    // the clock stays where the controller stopped.
    sg::Actor::kill_all();
  }

  void read_next_job() {
    has_next_job_ = source_.next(next_job_);
  }

  void handle_arrival(Time now) {
    const auto id = static_cast<JobId>(slot_of_job_.size());
    std::uint32_t slot;
    if (!free_slots_.empty()) {
      slot = free_slots_.back();
      free_slots_.pop_back();
      jobs_[slot] = Job();
    } else {
      slot = static_cast<std::uint32_t>(jobs_.size());
      jobs_.emplace_back();
    }
    slot_of_job_.push_back(slot);
    Job& job = jobs_[slot];
    job.id = id;
    check_arriving_job(next_job_, *classes_);
    job.work = next_job_.work;
    job.gpu_milli = static_cast<std::int32_t>(next_job_.request.gpu_milli);
    job.outcome = next_job_.outcome;
    job.job_class = next_job_.job_class;
    ++counters_.pending_jobs;
    ++jobs_arrived_;
    for (EngineObserver* observer : observers) observer->on_job_arrived(now, id, next_job_);
    scheduler_.on_job_arrived(now, job_request(id, next_job_, *classes_, scheduler_));
    read_next_job();
    CAPSIM_CHECK(!has_next_job_ || next_job_.submit >= now) << "the workload source went back in time";
  }

  void handle_job_end(Time now, std::uint32_t slot) {
    Job& job = jobs_[slot];
    CAPSIM_CHECK(job.running) << "job " << job.id << " ended while not running";
    const JobId id = job.id;
    release_gpus(job);
    job.running = false;
    job.actor = nullptr;
    --finite_running_;
    ++jobs_ended_;
    --counters_.running_jobs;
    counters_.allocated_gpu_milli -= job.gpu_milli;
    for (EngineObserver* observer : observers) observer->on_gpus_released(now, id);
    JobEnd how = JobEnd::kCompleted;
    if (job.outcome == JobOutcome::kFailed) how = JobEnd::kFailed;
    if (job.outcome == JobOutcome::kKilled) how = JobEnd::kKilled;
    if (job.outcome == JobOutcome::kRunning) how = JobEnd::kUnfinished;
    slot_of_job_[id] = kNoSlot;
    free_slots_.push_back(slot);
    scheduler_.on_job_ended(now, id);
    for (EngineObserver* observer : observers) observer->on_job_ended(now, id, how);
  }

  // The GPUs of an allocation, in ring order: node by node, the lowest free
  // GPUs of each. The scheduler core counts a node's whole GPUs and numbers
  // only the GPUs that shares split; that number is mapped here to a GPU
  // (host) free of whole-GPU jobs when its first share arrives, and freed
  // with its last.
  void take_gpus(Job& job, std::span<const NodeShare> allocation) {
    for (const NodeShare& share : allocation) {
      const auto node = static_cast<std::size_t>(share.node);
      if (share.is_gpu_share()) {
        const std::pair<std::size_t, std::int32_t> key{node, share.gpu};
        auto it = shared_gpu_.find(key);
        if (it == shared_gpu_.end()) it = shared_gpu_.emplace(key, SharedGpu{free_gpu(node, job.id), 0}).first;
        ++it->second.shares;
        busy_[node][it->second.host] = kSharedGpu;
        job.gpus.emplace_back(node, it->second.host);
        job.share_key = key;
        continue;
      }
      for (std::int32_t k = 0; k < share.gpus; ++k) {
        const std::size_t g = free_gpu(node, job.id);
        busy_[node][g] = kWholeGpu;
        job.gpus.emplace_back(node, g);
      }
    }
  }

  std::size_t free_gpu(std::size_t node, JobId job) const {
    for (std::size_t g = 0; g < busy_[node].size(); ++g) {
      if (busy_[node][g] == kFreeGpu) return g;
    }
    CAPSIM_CHECK(false) << "node " << node << " has fewer free GPUs than the scheduler gave job " << job;
    return 0;
  }

  void release_gpus(Job& job) {
    if (job.share_key) {
      const auto it = shared_gpu_.find(*job.share_key);
      CAPSIM_CHECK(it != shared_gpu_.end()) << "job " << job.id << " left a GPU share that was not taken";
      if (--it->second.shares == 0) {
        busy_[it->first.first][it->second.host] = kFreeGpu;
        shared_gpu_.erase(it);
      }
      job.share_key.reset();
    } else {
      for (const auto& [node, gpu] : job.gpus) busy_[node][gpu] = kFreeGpu;
    }
    job.gpus.clear();
  }

  void start_job(Time now, std::uint32_t slot, const scheduler::Decision& decision) {
    Job& job = jobs_[slot];
    CAPSIM_CHECK(!job.running) << "job " << job.id << " started twice";
    const JobClassSpec& job_class = classes_->at(job.job_class);
    GpuTypeId type = kAnyGpuType;
    double rate = 1;
    const std::int64_t whole = job.gpu_milli % kMilliPerGpu == 0 ? job.gpu_milli / kMilliPerGpu : 0;
    if (job.gpu_milli > 0) {
      type = layout_.gpu_type_of(decision.allocation.front().node);
      rate = ideal_rate(*classes_, catalog_, layout_.spec().performance, job.job_class, job.gpu_milli, type);
      take_gpus(job, decision.allocation);
    }
    job.running = true;
    job.run_start = now;
    job.steps_done = 0;
    job.step_started_s = NAN;
    --counters_.pending_jobs;
    ++counters_.running_jobs;
    counters_.allocated_gpu_milli += job.gpu_milli;
    for (EngineObserver* observer : observers) observer->on_gpus_taken(now, job.id, decision.allocation, type);
    for (EngineObserver* observer : observers) observer->on_job_started(now, job.id, decision.allocation, type, rate);

    // The plan of this run: its ideal run time, cut into iterations and
    // those into steps.
    const double restore_s =
        job.preemptions > 0 ? static_cast<double>(job_class.restore_overhead.count_us()) * 1e-6 : 0.0;
    if (std::isinf(job.work)) return;  // holds its GPUs to the end of the simulation
    ++finite_running_;
    const double ideal_s = std::max(0.0, job.work) / rate * 1e-6;
    std::vector<sg::Host*> hosts;
    for (const auto& [node, gpu] : job.gpus) hosts.push_back(gpus_[node][gpu]);
    const auto g = static_cast<std::int64_t>(hosts.size());
    double iteration_s = static_cast<double>(job_class.iteration_time.count_us()) * 1e-6;
    if (job.gpu_milli > 0) iteration_s /= rate / std::max<double>(1, static_cast<double>(whole));
    const bool communicates = whole > 1 && job_class.gradient_bytes > 0;
    const double comm_ideal_s =
        communicates
            ? ring_allreduce_s(g, job_class.gradient_bytes, options_.network.gpu_link.bandwidth, ideal_hop_latency_s_)
            : 0.0;
    const double compute_s = std::max(0.0, iteration_s - comm_ideal_s);
    const double iterations = ideal_s / iteration_s;
    const auto steps =
        static_cast<std::int32_t>(std::clamp<double>(std::ceil(iterations), 1.0, static_cast<double>(options_.steps)));
    const double per_step = iterations / steps;  // iterations in a step
    job.work_per_step = job.work / steps;
    job.step_s = ideal_s / steps;
    StepPlan plan;
    plan.slot = slot;
    plan.steps = steps;
    plan.restore_s = restore_s;
    plan.hosts = std::move(hosts);
    plan.gpu_fraction = whole > 0 ? 1.0 : job.gpu_milli / double{kMilliPerGpu};
    if (job.gpu_milli == 0) {
      plan.sleep_s = ideal_s / steps;  // a CPU-only job: its run time
    } else {
      // Seconds of compute on a GPU of the type (a share: bounded to its
      // fraction of the GPU, so its flops are that fraction too).
      plan.flops = per_step * compute_s * host_speed(catalog_.at(type)) * plan.gpu_fraction;
    }
    if (communicates) {
      const double hops = 2.0 * static_cast<double>(g - 1);
      plan.flow_bytes = per_step * hops / static_cast<double>(g) * job_class.gradient_bytes;
      // Each iteration's ring pays its hops' latency one after the other;
      // the step's flows pay their route's latency once.
      double path_latency = 0;
      for (std::size_t i = 0; i < plan.hosts.size(); ++i) {
        std::vector<sg::Link*> links;
        double latency = 0;
        plan.hosts[i]->route_to(plan.hosts[(i + 1) % plan.hosts.size()], links, &latency);
        path_latency = std::max(path_latency, latency);
      }
      plan.extra_latency_s = std::max(0.0, per_step * hops * path_latency - path_latency);
    }
    if (job.gpu_milli > 0 && plan.gpu_fraction < 1) plan.bound = plan.gpu_fraction * host_speed(catalog_.at(type));
    job.actor =
        sg::Actor::create("job-" + std::to_string(job.id), plan.hosts.empty() ? controller_host_ : plan.hosts[0],
                          [this, plan] { run_steps(plan); });
  }

  struct StepPlan {
    std::uint32_t slot = 0;
    std::int32_t steps = 1;
    std::vector<sg::Host*> hosts;
    double gpu_fraction = 1;
    double flops = 0;       // per GPU per step
    double bound = -1;      // a share's exec speed bound (flop/s), or -1
    double flow_bytes = 0;  // per ring hop per step
    double extra_latency_s = 0;
    double sleep_s = 0;  // CPU-only: per step
    double restore_s = 0;
  };

  void run_steps(const StepPlan& plan) {
    if (plan.restore_s > 0) sg::this_actor::sleep_for(plan.restore_s);
    std::vector<sg::ExecPtr> execs;
    std::vector<sg::CommPtr> comms;
    for (std::int32_t step = 0; step < plan.steps; ++step) {
      jobs_[plan.slot].step_started_s = sg::Engine::get_clock();
      if (plan.sleep_s > 0) sg::this_actor::sleep_for(plan.sleep_s);
      if (plan.flops > 0) {
        execs.clear();
        for (sg::Host* host : plan.hosts) {
          sg::ExecPtr exec = sg::this_actor::exec_init(plan.flops)->set_host(host);
          if (plan.bound > 0) exec->set_bound(plan.bound);
          exec->start();
          execs.push_back(exec);
        }
        for (const sg::ExecPtr& exec : execs) exec->wait();
      }
      if (plan.flow_bytes > 0) {
        comms.clear();
        const std::size_t n = plan.hosts.size();
        for (std::size_t i = 0; i < n; ++i) {
          comms.push_back(sg::Comm::sendto_async(plan.hosts[i], plan.hosts[(i + 1) % n],
                                                 static_cast<std::uint64_t>(std::llround(plan.flow_bytes))));
        }
        sg::Comm::wait_all(comms);
        if (plan.extra_latency_s > 0) sg::this_actor::sleep_for(plan.extra_latency_s);
      }
      ++jobs_[plan.slot].steps_done;
    }
    std::unique_lock lock(*mutex_);
    ended_.push_back(plan.slot);
    wake_->notify_all();
  }

  void preempt_job(Time now, std::uint32_t slot) {
    Job& job = jobs_[slot];
    CAPSIM_CHECK(job.running) << "job " << job.id << " preempted while not running";
    if (job.actor) {
      job.actor->kill();
      job.actor = nullptr;
    }
    if (!std::isinf(job.work)) --finite_running_;
    release_gpus(job);
    const Duration ran = now - job.run_start;
    // Work done: whole steps, and of the step cut short the part its time
    // would do at the ideal placement (capped at the step); what survives:
    // up to the last checkpoint, as for the native engine.
    double steps_done = job.steps_done;
    if (!std::isnan(job.step_started_s) && job.step_s > 0) {
      steps_done += std::min(1.0, (sg::Engine::get_clock() - job.step_started_s) / job.step_s);
    }
    const double done = std::isinf(job.work) ? 0.0 : job.work_per_step * steps_done;
    const Duration interval = classes_->at(job.job_class).checkpoint_interval;
    double kept = done;
    Duration kept_time = ran;
    if (interval > Duration() && ran > Duration()) {
      const std::int64_t checkpoints = ran.count_us() / interval.count_us();
      kept_time = Duration::microseconds(checkpoints * interval.count_us());
      kept = std::min(done, done * static_cast<double>(kept_time.count_us()) / static_cast<double>(ran.count_us()));
    }
    if (!std::isinf(job.work)) job.work -= kept;
    ++job.preemptions;
    job.running = false;
    --counters_.running_jobs;
    ++counters_.pending_jobs;
    counters_.allocated_gpu_milli -= job.gpu_milli;
    for (EngineObserver* observer : observers) observer->on_gpus_released(now, job.id);
    Interruption what;
    what.lost_work = done - kept;
    what.wasted_gpu_seconds = static_cast<double>(job.gpu_milli) / kMilliPerGpu * (ran - kept_time).to_seconds();
    for (EngineObserver* observer : observers) observer->on_job_interrupted(now, job.id, what);
  }

  void apply_decisions(Time now) {
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
        case scheduler::DecisionKind::kReject:
          --counters_.pending_jobs;
          ++jobs_ended_;
          slot_of_job_[decision.job] = kNoSlot;
          free_slots_.push_back(slot);
          for (EngineObserver* observer : observers)
            observer->on_job_rejected(now, decision.job, decision.reject_reason);
          for (EngineObserver* observer : observers) observer->on_job_ended(now, decision.job, JobEnd::kRejected);
          break;
      }
    }
    std::optional<Time> want = scheduler_.next_wakeup();
    if (counters_.running_jobs == 0 && !has_next_job_) want.reset();
    timer_at_ = want;
  }

  static constexpr double kFlopsPerReferenceSecond = 1e9;
  static constexpr std::uint32_t kNoSlot = 0xffffffffu;

  const ClusterLayout& layout_;
  const GpuCatalog& catalog_;
  scheduler::SchedulerCore& scheduler_;
  JobSource& source_;
  SimGridOptions options_;
  JobClasses default_classes_;
  const JobClasses* classes_;

  std::vector<std::vector<sg::Host*>> gpus_;  // per node
  // Per node and GPU (host): free, a whole-GPU job's, or split by shares.
  static constexpr std::uint8_t kFreeGpu = 0, kWholeGpu = 1, kSharedGpu = 2;
  std::vector<std::vector<std::uint8_t>> busy_;
  struct SharedGpu {
    std::size_t host = 0;     // the GPU (index in its node) the shares run on
    std::int32_t shares = 0;  // running shares on it
  };
  std::map<std::pair<std::size_t, std::int32_t>, SharedGpu> shared_gpu_;  // by node and the core's GPU number
  sg::Host* controller_host_ = nullptr;
  double ideal_hop_latency_s_ = 0;

  sg::MutexPtr mutex_;  // created with the simulation
  sg::ConditionVariablePtr wake_;
  std::deque<std::uint32_t> ended_;  // slots whose actors finished, in the order they did

  std::vector<Job> jobs_;
  std::vector<std::uint32_t> free_slots_;
  std::vector<std::uint32_t> slot_of_job_;
  JobSpec next_job_;
  bool has_next_job_ = false;
  std::optional<Time> timer_at_;
  Time now_;
  std::int64_t finite_running_ = 0;
  EngineCounters counters_;
  EngineStats stats_;
  std::uint64_t jobs_arrived_ = 0;
  std::uint64_t jobs_ended_ = 0;
  bool finished_ = false;
};

SimGridEngine::SimGridEngine(const ClusterLayout& layout, const GpuCatalog& catalog,
                             scheduler::SchedulerCore& scheduler, JobSource& source, SimGridOptions options)
    : impl_(new Impl(layout, catalog, scheduler, source, std::move(options))) {}

SimGridEngine::~SimGridEngine() {
  delete impl_;
}

void SimGridEngine::add_observer(EngineObserver& observer) {
  impl_->observers.push_back(&observer);
}

EngineStats SimGridEngine::run() {
  return impl_->run();
}

const SimGridEnergy& SimGridEngine::energy() const {
  return impl_->energy;
}

}  // namespace capsim::sim
