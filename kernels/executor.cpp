#include "kernels/executor.hpp"

#include <algorithm>
#include <atomic>
#include <barrier>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>

#include "core/error.hpp"
#include "core/statistics.hpp"
#include "scheduler/scheduler_core.hpp"
#include "sim/decision_log.hpp"
#include "sim/engine.hpp"
#include "sim/job_recorder.hpp"
#include "sim/summary.hpp"
#include "sim/timeseries_recorder.hpp"

namespace capsim::kernels {

RealWorkload prepare_real_workload(const Scenario& scenario,
                                   const std::function<double(const KernelMix&, std::size_t)>& estimate_us) {
  CAPSIM_CHECK(scenario.executor) << "prepare_real_workload needs run.engine: real";
  const ExecutorSpec& executor = *scenario.executor;
  RealWorkload workload;
  // One mix per class: the class's own, or the executor's default.
  const JobClasses& classes = scenario.workload.job_classes;
  std::vector<std::size_t> mix_of_class(classes.size());
  std::vector<double> estimate;
  for (JobClassId c = 0; c < classes.size(); ++c) {
    const KernelMix& mix = classes.at(c).kernels.empty() ? executor.kernels : classes.at(c).kernels;
    const auto found = std::find(workload.mixes.begin(), workload.mixes.end(), mix);
    mix_of_class[c] = static_cast<std::size_t>(found - workload.mixes.begin());
    if (found == workload.mixes.end()) {
      workload.mixes.push_back(mix);
      workload.mix_fields.push_back(classes.at(c).kernels.empty()
                                        ? std::string("executor.kernels")
                                        : "workload.job_classes[" + std::to_string(c) + "].kernels");
      estimate.push_back(estimate_us(mix, workload.mixes.size() - 1));
      CAPSIM_CHECK(estimate.back() > 0) << "a mix's iteration estimate is " << estimate.back() << " us";
    }
  }
  const std::unique_ptr<JobSource> source = open_workload(scenario);
  JobSpec spec;
  while (source->next(spec)) {
    if (std::isinf(spec.work)) {
      throw InputError(spec.origin, "work", "jobs that end (the real executor runs every job to its end)",
                       "job " + quote_for_message(spec.name) + " of endless work");
    }
    RealJob job;
    job.slots = static_cast<std::int32_t>(
        std::max<std::int64_t>(1, (spec.request.gpu_milli + kMilliPerGpu - 1) / kMilliPerGpu));
    job.mix = mix_of_class[spec.job_class];
    job.iteration_us = estimate[job.mix];
    const double per_slot_us = spec.work / job.slots * executor.time_scale;
    job.iterations = std::max<std::int64_t>(1, std::llround(per_slot_us / job.iteration_us));
    spec.submit = Time::zero() + Duration::microseconds(
                                     std::llround(static_cast<double>(spec.submit.count_us()) * executor.time_scale));
    spec.request = Resources::gpus(job.slots);
    spec.gpu_types = GpuTypeSet::any();
    spec.duration = Duration::microseconds(std::llround(static_cast<double>(job.iterations) * job.iteration_us));
    spec.estimate =
        Duration::microseconds(std::llround(static_cast<double>(spec.estimate.count_us()) * executor.time_scale));
    spec.work = static_cast<double>(spec.duration.count_us()) * job.slots;
    spec.outcome = JobOutcome::kCompleted;
    job.spec = spec;
    workload.jobs.push_back(std::move(job));
  }
  return workload;
}

double measure_mix_us(Lane& lane, const KernelMix& mix, int warmup, int repeats) {
  using Clock = std::chrono::steady_clock;
  for (int i = 0; i < warmup; ++i) {
    for (const KernelCall& call : mix) lane.run(call);
    lane.synchronize();
  }
  std::vector<double> times;
  for (int i = 0; i < repeats; ++i) {
    const auto begin = Clock::now();
    for (const KernelCall& call : mix) lane.run(call);
    lane.synchronize();
    times.push_back(std::chrono::duration<double, std::micro>(Clock::now() - begin).count());
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

namespace {

using Clock = std::chrono::steady_clock;
using scheduler::JobId;
using scheduler::NodeShare;

// What a worker tells the controller: a job's run ended (all its
// iterations done, or stopped as asked) at `at`.
struct Message {
  JobId job = 0;
  std::uint64_t run = 0;  // which run of the job (it starts again after a preemption)
  Time at;
  bool finished = false;  // all iterations done (else: stopped)
  std::string error;      // a device failure
};

class Controller;

// One run of a job on its slots: every slot runs the mix once, then all
// meet at the barrier, whose completion counts the iteration and decides
// whether they go on.
struct JobRun {
  struct Step {
    JobRun* run;
    void operator()() noexcept;
  };
  JobRun(Controller& c, JobId j, std::uint64_t n, const KernelMix& m, std::int64_t done_before, std::int64_t target_,
         std::ptrdiff_t slots)
      : controller(c), job(j), number(n), mix(m), done(done_before), target(target_), barrier(slots, Step{this}) {}

  Controller& controller;
  JobId job;
  std::uint64_t number;
  const KernelMix& mix;
  std::int64_t done;  // iterations done, over all runs (touched only in the completion step)
  std::int64_t target;
  std::atomic<bool> stop{false};
  std::atomic<bool> failed{false};
  bool over = false;  // set in the completion step, read after the barrier
  std::mutex error_mutex;
  std::string error;
  std::barrier<Step> barrier;
};

// A slot: a lane and the thread that drives it.
struct Slot {
  std::unique_ptr<Lane> lane;
  std::mutex mutex;
  std::condition_variable wake;
  std::shared_ptr<JobRun> assigned;  // guarded by mutex
  bool quit = false;                 // guarded by mutex
  std::thread thread;
};

class Controller {
 public:
  Controller(const Scenario& scenario, RealWorkload workload, Backend& backend, const ExecutorOptions& options);
  ~Controller();
  RealRun run();
  void post(Message message);
  Time now() const {
    return Time::zero() +
           Duration::microseconds(std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start_).count());
  }

 private:
  void slot_main(std::size_t index);
  void start(Time now, const scheduler::Decision& decision);
  void stop_and_wait(JobId job);
  void end_job(Time at, JobId job, sim::JobEnd how);
  void notify_instant(Time at);
  // Waits for a message until `deadline` (none: no deadline).
  void wait_for_message(std::optional<Time> deadline);

  const Scenario& scenario_;
  RealWorkload workload_;
  Backend& backend_;
  ExecutorOptions options_;
  ClusterLayout layout_;
  scheduler::PolicyRegistry builtins_;
  std::unique_ptr<scheduler::SchedulerCore> core_;
  std::vector<std::unique_ptr<Slot>> slots_;
  std::vector<std::vector<std::size_t>> free_slots_;  // per device
  std::vector<std::shared_ptr<JobRun>> running_;      // per job (null: not running)
  std::vector<std::vector<std::size_t>> slots_of_;    // per job: its slots while running
  std::vector<std::int64_t> done_;                    // per job: iterations done
  std::vector<std::uint64_t> runs_;                   // per job: runs started
  std::vector<bool> left_;                            // per job: ended or rejected
  std::vector<sim::EngineObserver*> observers_;
  sim::EngineCounters counters_;
  std::uint64_t events_ = 0, instants_ = 0;
  Clock::time_point start_;
  std::mutex mutex_;
  std::condition_variable messages_ready_;
  std::deque<Message> messages_;  // guarded by mutex_
};

void JobRun::Step::operator()() noexcept {
  ++run->done;
  run->over = run->done >= run->target || run->stop.load() || run->failed.load();
  if (!run->over) return;
  Message message;
  message.job = run->job;
  message.run = run->number;
  message.at = run->controller.now();
  message.finished = run->done >= run->target && !run->failed.load();
  if (run->failed.load()) {
    std::lock_guard lock(run->error_mutex);
    message.error = run->error;
  }
  try {
    run->controller.post(std::move(message));
  } catch (...) {
    std::terminate();  // cannot happen short of memory exhaustion
  }
}

Controller::Controller(const Scenario& scenario, RealWorkload workload, Backend& backend,
                       const ExecutorOptions& options)
    : scenario_(scenario),
      workload_(std::move(workload)),
      backend_(backend),
      options_(options),
      layout_(scenario.cluster),
      builtins_(options.registry ? scheduler::PolicyRegistry() : scheduler::PolicyRegistry::with_builtins()) {
  const scheduler::PolicyRegistry& registry = options.registry ? *options.registry : builtins_;
  const JobClasses* classes = &scenario.workload.job_classes;
  core_ = std::make_unique<scheduler::SchedulerCore>(
      layout_, scenario.catalog,
      registry.make_queue(scenario.queue_policy, scenario.run.seed, classes, &scenario.catalog),
      registry.make_placement(scenario.placement_policy, scenario.run.seed, classes, &scenario.catalog));
  const ExecutorSpec& executor = *scenario.executor;
  if (backend.device_count() < executor.devices) {
    throw InputError(executor.where, "executor.devices",
                     "at most the " + std::to_string(backend.device_count()) + " device(s) the " +
                         std::string(backend.name()) + " backend has",
                     std::to_string(executor.devices));
  }
  // Every lane gets buffers for every mix of the workload, filled once with
  // seeded random values: a job's start costs no allocation.
  KernelMix all_calls;
  for (const KernelMix& mix : workload_.mixes) all_calls.insert(all_calls.end(), mix.begin(), mix.end());
  free_slots_.resize(static_cast<std::size_t>(executor.devices));
  for (std::int32_t d = 0; d < executor.devices; ++d) {
    for (std::int32_t s = 0; s < executor.slots_per_device; ++s) {
      auto slot = std::make_unique<Slot>();
      slot->lane = backend.make_lane(d);
      slot->lane->reserve(all_calls, RandomStream::derive(scenario.run.seed, "lane", slots_.size()).next_u64());
      free_slots_[static_cast<std::size_t>(d)].push_back(slots_.size());
      slots_.push_back(std::move(slot));
    }
  }
  for (std::size_t i = 0; i < slots_.size(); ++i) slots_[i]->thread = std::thread([this, i] { slot_main(i); });
  const std::size_t jobs = workload_.jobs.size();
  running_.resize(jobs);
  slots_of_.resize(jobs);
  done_.assign(jobs, 0);
  runs_.assign(jobs, 0);
  left_.assign(jobs, false);
}

Controller::~Controller() {
  for (const auto& slot : slots_) {
    {
      std::lock_guard lock(slot->mutex);
      slot->quit = true;
    }
    slot->wake.notify_one();
  }
  for (const auto& slot : slots_) {
    if (slot->thread.joinable()) slot->thread.join();
  }
}

void Controller::post(Message message) {
  {
    std::lock_guard lock(mutex_);
    messages_.push_back(std::move(message));
  }
  messages_ready_.notify_one();
}

void Controller::slot_main(std::size_t index) {
  Slot& slot = *slots_[index];
  while (true) {
    std::shared_ptr<JobRun> run;
    {
      std::unique_lock lock(slot.mutex);
      slot.wake.wait(lock, [&] { return slot.quit || slot.assigned; });
      if (slot.quit) return;
      run = std::move(slot.assigned);
    }
    do {
      if (!run->failed.load()) {
        try {
          for (const KernelCall& call : run->mix) slot.lane->run(call);
          slot.lane->synchronize();
        } catch (const std::exception& e) {
          std::lock_guard lock(run->error_mutex);
          run->error = e.what();
          run->failed = true;
        }
      }
      run->barrier.arrive_and_wait();
    } while (!run->over);
  }
}

void Controller::start(Time now, const scheduler::Decision& decision) {
  const JobId job = decision.job;
  const RealJob& real = workload_.jobs[job];
  auto run = std::make_shared<JobRun>(*this, job, ++runs_[job], workload_.mixes[real.mix], done_[job], real.iterations,
                                      real.slots);
  std::vector<std::size_t>& taken = slots_of_[job];
  taken.clear();
  for (const NodeShare& share : decision.allocation) {
    std::vector<std::size_t>& free = free_slots_[static_cast<std::size_t>(share.node)];
    const std::int32_t count = share.is_gpu_share() ? 1 : share.gpus;
    CAPSIM_CHECK(static_cast<std::int32_t>(free.size()) >= count)
        << "job " << job << " given " << count << " slots of device " << share.node << ", which has " << free.size()
        << " free";
    for (std::int32_t i = 0; i < count; ++i) {
      taken.push_back(free.back());
      free.pop_back();
    }
  }
  CAPSIM_CHECK(static_cast<std::int32_t>(taken.size()) == real.slots) << "job " << job << " given the wrong slots";
  running_[job] = run;
  ++counters_.running_jobs;
  --counters_.pending_jobs;
  counters_.allocated_gpu_milli += std::int64_t{real.slots} * kMilliPerGpu;
  for (sim::EngineObserver* observer : observers_) {
    observer->on_job_started(now, job, decision.allocation, layout_.gpu_type_of(decision.allocation.front().node),
                             real.slots);
  }
  // A job preempted just as its last iteration ended has nothing left to do.
  if (done_[job] >= real.iterations) {
    post(Message{job, run->number, now, true, {}});
    return;
  }
  for (const std::size_t s : taken) {
    {
      std::lock_guard lock(slots_[s]->mutex);
      slots_[s]->assigned = run;
    }
    slots_[s]->wake.notify_one();
  }
}

void Controller::stop_and_wait(JobId job) {
  running_[job]->stop = true;
  std::unique_lock lock(mutex_);
  messages_ready_.wait(lock, [&] {
    return std::any_of(messages_.begin(), messages_.end(),
                       [&](const Message& m) { return m.job == job && m.run == runs_[job]; });
  });
}

void Controller::notify_instant(Time at) {
  ++instants_;
  for (sim::EngineObserver* observer : observers_) observer->on_instant_end(at, counters_);
}

void Controller::wait_for_message(std::optional<Time> deadline) {
  std::unique_lock lock(mutex_);
  if (!messages_.empty()) return;
  if (!deadline) {
    messages_ready_.wait_for(lock, std::chrono::milliseconds(100), [&] { return !messages_.empty(); });
    return;
  }
  const auto until = start_ + std::chrono::microseconds(deadline->count_us());
  messages_ready_.wait_until(lock, std::min(until, Clock::now() + std::chrono::milliseconds(100)),
                             [&] { return !messages_.empty(); });
}

RealRun Controller::run() {
  sim::JobRecorder jobs(scenario_.catalog);
  sim::TimeSeriesRecorder series(scenario_.run.metrics_interval, layout_.total_gpus());
  observers_ = {&jobs, &series};
  std::optional<sim::DecisionLog> log;
  if (options_.decision_log) observers_.push_back(&log.emplace(*options_.decision_log, layout_, scenario_.catalog));

  const JobClasses& classes = scenario_.workload.job_classes;
  std::size_t next_arrival = 0, ended = 0;
  const std::size_t total = workload_.jobs.size();
  std::optional<std::string> failure;
  bool interrupted = false;
  Time last = Time::zero();
  start_ = Clock::now();
  while (ended < total) {
    if (options_.should_stop && options_.should_stop()) {
      interrupted = true;
      break;
    }
    bool changed = false;
    // Job runs that ended, in the order they ended.
    std::deque<Message> arrived_messages;
    {
      std::lock_guard lock(mutex_);
      arrived_messages.swap(messages_);
    }
    for (Message& m : arrived_messages) {
      if (!running_[m.job] || m.run != runs_[m.job]) continue;  // a preempted run's end, handled already
      const Time at = std::max(m.at, last);
      last = at;
      done_[m.job] = running_[m.job]->done;
      if (!m.error.empty()) failure = "job " + workload_.jobs[m.job].spec.name + ": " + m.error;
      CAPSIM_CHECK(m.finished || !m.error.empty()) << "job " << m.job << " stopped unasked";
      end_job(at, m.job, m.finished ? sim::JobEnd::kCompleted : sim::JobEnd::kFailed);
      ++ended;
      changed = true;
    }
    if (failure) break;
    const Time now = std::max(this->now(), last);
    while (next_arrival < total && workload_.jobs[next_arrival].spec.submit <= now) {
      const JobSpec& spec = workload_.jobs[next_arrival].spec;
      const Time at = std::max(spec.submit, last);
      last = at;
      const auto id = static_cast<JobId>(next_arrival++);
      ++counters_.pending_jobs;
      ++events_;
      for (sim::EngineObserver* observer : observers_) observer->on_job_arrived(at, id, spec);
      core_->on_job_arrived(at, sim::job_request(id, spec, classes, *core_));
      changed = true;
    }
    if (core_->next_wakeup() && *core_->next_wakeup() <= now) {
      core_->on_timer(now);
      changed = true;
    }
    if (changed) {
      last = now;
      for (const scheduler::Decision& decision : core_->decide(now)) {
        ++events_;
        switch (decision.kind) {
          case scheduler::DecisionKind::kStart:
            start(now, decision);
            break;
          case scheduler::DecisionKind::kPreempt: {
            stop_and_wait(decision.job);
            done_[decision.job] = running_[decision.job]->done;
            for (const std::size_t s : slots_of_[decision.job]) {
              const std::size_t device = s / static_cast<std::size_t>(scenario_.executor->slots_per_device);
              free_slots_[device].push_back(s);
            }
            slots_of_[decision.job].clear();
            running_[decision.job].reset();
            --counters_.running_jobs;
            ++counters_.pending_jobs;
            counters_.allocated_gpu_milli -= std::int64_t{workload_.jobs[decision.job].slots} * kMilliPerGpu;
            // Stopped between iterations: nothing is lost.
            for (sim::EngineObserver* observer : observers_) observer->on_job_interrupted(now, decision.job, {});
            break;
          }
          case scheduler::DecisionKind::kReject:
            left_[decision.job] = true;
            --counters_.pending_jobs;
            ++ended;
            for (sim::EngineObserver* observer : observers_) {
              observer->on_job_rejected(now, decision.job, decision.reject_reason);
            }
            for (sim::EngineObserver* observer : observers_) {
              observer->on_job_ended(now, decision.job, sim::JobEnd::kRejected);
            }
            break;
        }
      }
      notify_instant(now);
    }
    if (ended == total) break;
    std::optional<Time> deadline;
    if (next_arrival < total) deadline = workload_.jobs[next_arrival].spec.submit;
    if (core_->next_wakeup()) deadline = deadline ? std::min(*deadline, *core_->next_wakeup()) : *core_->next_wakeup();
    wait_for_message(deadline);
  }
  // Stop what still runs (an interruption or a failure).
  const Time end = std::max(now(), last);
  for (JobId job = 0; job < running_.size(); ++job) {
    if (!running_[job]) continue;
    stop_and_wait(job);
    done_[job] = running_[job]->done;
    running_[job].reset();
    left_[job] = true;
    for (sim::EngineObserver* observer : observers_) observer->on_job_ended(end, job, sim::JobEnd::kRunning);
  }
  if (failure) throw std::runtime_error("the real executor stopped: " + *failure);
  for (JobId job = 0; job < next_arrival; ++job) {
    if (left_[job]) continue;
    for (sim::EngineObserver* observer : observers_) observer->on_job_ended(end, job, sim::JobEnd::kPending);
  }
  for (sim::EngineObserver* observer : observers_) observer->on_run_end(end);

  RealRun result;
  result.results.stats.events = events_;
  result.results.stats.instants = instants_;
  result.results.stats.end = end;
  result.results.stats.interrupted = interrupted;
  result.results.jobs = jobs.take();
  result.results.timeseries = series.result();
  result.results.summary = sim::summarise(scenario_, layout_, result.results.jobs, result.results.stats);
  result.results.scenario_text = scenario_.text;
  result.iterations_done = done_;
  result.workload = std::move(workload_);
  result.backend = std::string(backend_.name());
  result.device = backend_.device_name(0);
  return result;
}

void Controller::end_job(Time at, JobId job, sim::JobEnd how) {
  for (const std::size_t s : slots_of_[job]) {
    const std::size_t device = s / static_cast<std::size_t>(scenario_.executor->slots_per_device);
    free_slots_[device].push_back(s);
  }
  slots_of_[job].clear();
  running_[job].reset();
  left_[job] = true;
  --counters_.running_jobs;
  counters_.allocated_gpu_milli -= std::int64_t{workload_.jobs[job].slots} * kMilliPerGpu;
  ++events_;
  core_->on_job_ended(at, job);
  for (sim::EngineObserver* observer : observers_) observer->on_job_ended(at, job, how);
}

}  // namespace

RealRun execute_workload(const Scenario& scenario, RealWorkload workload, Backend& backend,
                         const ExecutorOptions& options) {
  Controller controller(scenario, std::move(workload), backend, options);
  return controller.run();
}

RealRun execute_scenario(const Scenario& scenario, const ExecutorOptions& options) {
  if (!scenario.executor) {
    throw InputError(SourceLocation{scenario.file.string(), 0, 0}, "run.engine",
                     "real (the scenario runs in the simulator)", scenario.run.engine);
  }
  const std::unique_ptr<Backend> backend = open_backend(scenario.executor->backend, options.notice, "executor.backend");
  std::unique_ptr<Lane> probe;
  RealWorkload workload = prepare_real_workload(scenario, [&](const KernelMix& mix, std::size_t) {
    if (scenario.calibration) {
      return scenario.calibration->predict_mix_us(mix, scenario.calibration_where, scenario.calibration_field) *
             scenario.calibration->time_factor;
    }
    // No profile: the mix measured alone on one slot before the run.
    if (!probe) probe = backend->make_lane(0);
    probe->reserve(mix, scenario.run.seed);
    return measure_mix_us(*probe, mix, 3, 7);
  });
  probe.reset();
  return execute_workload(scenario, std::move(workload), *backend, options);
}

}  // namespace capsim::kernels
