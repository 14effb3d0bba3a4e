// A fake driver for the time-based queue-policy tests (policies built from
// YAML through the registry): the scheduler core with a chosen
// queue policy and best fit, driven by hand (times in seconds), its decisions
// written as text ("preempt 0; start 1 n0x4").
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "scheduler/placement/best_fit.hpp"
#include "scheduler/registry.hpp"
#include "scheduler/scheduler_core.hpp"
#include "tests/support/helpers.hpp"

namespace capsim::testing {

// `nodes` V100 nodes of `gpus` GPUs each, one rack.
inline ClusterSpec v100_nodes(std::int32_t nodes, std::int32_t gpus) {
  ClusterSpec s;
  s.node_groups.push_back({"v", 2, gpus, nodes, 0, 0, 32, {}, {}, {}, {}, {}, {}, 0, 0});
  return s;
}

// The queue policy a scenario's `policies.queue` names, given as YAML
// ("{name: srtf, by: gpu_time}"), through the registry as a run builds it.
inline std::unique_ptr<scheduler::QueuePolicy> queue_policy(const std::string& yaml) {
  const Scenario s = scenario_from(
      "cluster: {node_groups: [{gpu: V100, gpus_per_node: 4, count: 1}]}\n"
      "workload: {jobs: [{submit: 0s, gpus: 1, duration: 1s}]}\n"
      "policies: {queue: " +
      yaml + "}\n");
  return scheduler::PolicyRegistry::with_builtins().make_queue(s.queue_policy);
}

class PolicyDriver {
 public:
  explicit PolicyDriver(const std::string& policy_yaml, ClusterSpec cluster = v100_nodes(1, 4))
      : PolicyDriver(queue_policy(policy_yaml), std::move(cluster)) {}
  explicit PolicyDriver(std::unique_ptr<scheduler::QueuePolicy> policy, ClusterSpec cluster = v100_nodes(1, 4))
      : spec_(std::move(cluster)),
        layout_(spec_),
        core_(layout_, catalog_, std::move(policy), std::make_unique<scheduler::BestFitPlacement>()) {}

  struct Job {
    std::int32_t gpus = 1;
    double duration_s = 0;  // recorded_duration, the oracle
    double estimate_s = 0;  // 0: none
    std::string user = "";
    bool preemptible = true;
  };
  scheduler::JobId arrive(double t, const Job& spec) {
    scheduler::JobRequest job;
    job.id = next_id_++;
    job.submit = at(t);
    job.request = Resources::gpus(spec.gpus);
    job.recorded_duration = Duration::from_seconds(spec.duration_s);
    job.estimate = Duration::from_seconds(spec.estimate_s);
    job.user = core_.intern_user(spec.user);
    job.preemptible = spec.preemptible;
    core_.on_job_arrived(job.submit, job);
    return job.id;
  }
  scheduler::JobId arrive(double t, std::int32_t gpus, double duration_s) {
    return arrive(t, Job{.gpus = gpus, .duration_s = duration_s});
  }
  void end(double t, scheduler::JobId job) { core_.on_job_ended(at(t), job); }
  void timer(double t) { core_.on_timer(at(t)); }

  // The decisions of a pass at t.
  std::string decide(double t) { return decisions_text(core_.decide(at(t))); }
  // When the policy next wants a pass, in seconds.
  std::optional<double> wakeup() const {
    const auto t = core_.next_wakeup();
    if (!t) return std::nullopt;
    return t->to_seconds();
  }
  // A timer pass at the wake-up the core asked for.
  std::string on_wakeup() {
    const double t = *wakeup();
    timer(t);
    return decide(t);
  }

  scheduler::SchedulerCore& core() { return core_; }

  static Time at(double t) { return Time::from_us(static_cast<std::int64_t>(t * 1e6 + (t >= 0 ? 0.5 : -0.5))); }

 private:
  ClusterSpec spec_;
  GpuCatalog catalog_ = GpuCatalog::builtin();
  ClusterLayout layout_;
  scheduler::SchedulerCore core_;
  scheduler::JobId next_id_ = 0;
};

}  // namespace capsim::testing
