// A fake driver for the queue-policy tests: a scheduler core with the policy
// under test and best fit, a clock kept by the test, and the decisions of
// each pass as text ("preempt 2; start 3 n0x4").
#pragma once

#include <memory>
#include <string>

#include "scheduler/placement/best_fit.hpp"
#include "scheduler/scheduler_core.hpp"
#include "tests/support/helpers.hpp"

namespace capsim::testing {

// What a test job may say beyond its GPUs (seconds as plain numbers).
struct TestJob {
  std::int32_t gpus = 1;
  std::int32_t priority = 0;
  bool preemptible = true;
  std::string user = "";
  std::string tenant = "";
  std::int64_t estimate_s = 0;  // 0: none
  std::int64_t recorded_s = 0;
  std::int64_t cpu_milli = 0;
  std::int64_t memory_mib = 0;
};

class QueueDriver {
 public:
  // `nodes` V100 nodes of `gpus_per_node` GPUs (and `cpus` cores each, 0:
  // not modelled).
  QueueDriver(std::unique_ptr<scheduler::QueuePolicy> policy, std::int64_t nodes, std::int32_t gpus_per_node,
              std::int64_t cpus = 0, std::int64_t memory_mib = 0)
      : spec_(make_spec(nodes, gpus_per_node, cpus, memory_mib)),
        layout_(spec_),
        policy_(policy.get()),
        core_(layout_, catalog_, std::move(policy), std::make_unique<scheduler::BestFitPlacement>()) {}

  scheduler::JobId arrive(std::int64_t t_s, const TestJob& spec) {
    scheduler::JobRequest job;
    job.id = next_id_++;
    job.submit = Time::zero() + Duration::seconds(t_s);
    job.request = Resources::gpus(spec.gpus);
    job.request.cpu_milli = spec.cpu_milli;
    job.request.memory_mib = spec.memory_mib;
    job.priority = spec.priority;
    job.preemptible = spec.preemptible;
    job.user = core_.intern_user(spec.user);
    job.tenant = core_.intern_tenant(spec.tenant);
    job.estimate = Duration::seconds(spec.estimate_s);
    job.recorded_duration = Duration::seconds(spec.recorded_s);
    core_.on_job_arrived(job.submit, job);
    return job.id;
  }
  scheduler::JobId arrive(std::int64_t t_s, std::int32_t gpus) { return arrive(t_s, TestJob{.gpus = gpus}); }
  void end(std::int64_t t_s, scheduler::JobId job) { core_.on_job_ended(Time::zero() + Duration::seconds(t_s), job); }

  // The decisions of a pass at t, as "preempt 1; start 2 n0x4".
  std::string decide(std::int64_t t_s) { return decisions_text(core_.decide(Time::zero() + Duration::seconds(t_s))); }

  scheduler::SchedulerCore& core() { return core_; }
  // The policy under test (owned by the core).
  template <typename Policy>
  Policy& policy() {
    return dynamic_cast<Policy&>(*policy_);
  }

 private:
  static ClusterSpec make_spec(std::int64_t nodes, std::int32_t gpus_per_node, std::int64_t cpus,
                               std::int64_t memory_mib) {
    ClusterSpec s;
    s.node_groups.push_back({"v", 2, gpus_per_node, nodes, cpus * 1000, memory_mib, 32, {}, {}, {}, {}, {}, {}, 0, 0});
    return s;
  }
  ClusterSpec spec_;
  GpuCatalog catalog_ = GpuCatalog::builtin();
  ClusterLayout layout_;
  scheduler::QueuePolicy* policy_;
  scheduler::SchedulerCore core_;
  scheduler::JobId next_id_ = 0;
};

}  // namespace capsim::testing
