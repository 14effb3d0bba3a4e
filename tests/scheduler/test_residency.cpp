// Data residency (issue 9, "Governance"): a job held to regions never runs
// elsewhere, under every placement and queue policy of the registry, even
// when its own region is full and the other one idle; it waits, and starts
// in its region once room comes back. Also: preemption never stops a job in
// a region the waiting job may not use, the core refuses an allocation
// outside the regions, and the cluster autoscaler buys nodes only there.
#include <catch2/catch.hpp>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "scheduler/cluster_autoscaler.hpp"
#include "scheduler/placement/best_fit.hpp"
#include "scheduler/placement/node_choice.hpp"
#include "scheduler/queue/priority.hpp"
#include "scheduler/registry.hpp"
#include "scheduler/scheduler_core.hpp"
#include "tests/support/helpers.hpp"

using namespace capsim;
using namespace capsim::scheduler;
using capsim::testing::decisions_text;
using capsim::testing::scenario_from;

namespace {

constexpr RegionId kEu = 0;
constexpr RegionId kUs = 1;

// Node 0: the EU's only node, 4 V100s and 32 cores. Nodes 1 to 4: US V100
// nodes of 8 GPUs and 64 cores; node 5: a US node of 8 A100s.
const char* kCluster =
    "cluster:\n"
    "  regions: [{name: eu}, {name: us}]\n"
    "  node_groups:\n"
    "    - {name: eu-v100, gpu: V100, gpus_per_node: 4, count: 1, cpus: 32, region: eu}\n"
    "    - {name: us-v100, gpu: V100, gpus_per_node: 8, count: 4, cpus: 64, region: us}\n"
    "    - {name: us-a100, gpu: A100-80GB, gpus_per_node: 8, count: 1, cpus: 64, region: us}\n"
    "workload: {jobs: [{submit: 0s, gpus: 1, duration: 1s}]}\n";

Scenario scenario_with(const std::string& queue, const std::string& placement) {
  return scenario_from(std::string(kCluster) + "policies: {queue: " + queue + ", placement: " + placement + "}\n");
}

// The core with a scenario's policies, driven by hand (times in seconds),
// keeping every start it decided and which jobs are running.
class Driver {
 public:
  Driver(const std::string& queue, const std::string& placement)
      : scenario_(scenario_with(queue, placement)),
        layout_(scenario_.cluster),
        core_(layout_, scenario_.catalog,
              registry_.make_queue(scenario_.queue_policy, 1, &scenario_.workload.job_classes, &scenario_.catalog),
              registry_.make_placement(scenario_.placement_policy, 1, &scenario_.workload.job_classes,
                                       &scenario_.catalog)) {}

  struct Job {
    Resources request = Resources::gpus(1);
    bool eu_only = false;
    GpuTypeSet types = GpuTypeSet::any();
    std::int32_t priority = 0;
    bool preemptible = true;
  };
  JobId arrive(double t, const Job& spec) {
    JobRequest job;
    job.id = next_id_++;
    job.submit = at(t);
    job.request = spec.request;
    job.gpu_types = spec.types;
    job.recorded_duration = Duration::hours(1);
    job.priority = spec.priority;
    job.preemptible = spec.preemptible;
    if (spec.eu_only) job.regions = RegionSet::of(kEu);
    requests_.push_back(job);
    core_.on_job_arrived(job.submit, job);
    return job.id;
  }
  void end(double t, JobId job) {
    running_.erase(job);
    core_.on_job_ended(at(t), job);
  }
  // A pass at t, then the passes the queue policy asks for until `until`.
  std::string decide(double t, double until) {
    std::string text = record(core_.decide(at(t)));
    while (core_.next_wakeup() && core_.next_wakeup()->to_seconds() <= until) {
      const Time wake = *core_.next_wakeup();
      core_.on_timer(wake);
      const std::string more = record(core_.decide(wake));
      if (!more.empty()) text += (text.empty() ? "" : "; ") + more;
    }
    return text;
  }
  bool running(JobId job) const { return running_.count(job) > 0; }
  // The regions of the nodes each job was ever started on.
  const std::map<JobId, std::vector<RegionId>>& regions_started() const { return regions_; }
  const JobRequest& request(JobId job) const { return requests_.at(job); }
  const ClusterState& cluster() const { return core_.cluster(); }

 private:
  static Time at(double t) { return Time::from_us(static_cast<std::int64_t>(t * 1e6)); }
  std::string record(std::span<const Decision> decisions) {
    for (const Decision& d : decisions) {
      if (d.kind == DecisionKind::kPreempt) running_.erase(d.job);
      if (d.kind != DecisionKind::kStart) continue;
      running_.insert(d.job);
      for (const NodeShare& share : d.allocation) regions_[d.job].push_back(layout_.region_of(share.node));
    }
    return decisions_text(decisions);
  }

  PolicyRegistry registry_ = PolicyRegistry::with_builtins();
  Scenario scenario_;
  ClusterLayout layout_;
  SchedulerCore core_;
  JobId next_id_ = 0;
  std::vector<JobRequest> requests_;
  std::set<JobId> running_;
  std::map<JobId, std::vector<RegionId>> regions_;
};

// Every start of an EU-only job was on EU nodes only.
void check_residency(const Driver& driver) {
  for (const auto& [job, regions] : driver.regions_started()) {
    if (driver.request(job).regions.is_any()) continue;
    INFO("job " << job);
    for (const RegionId r : regions) CHECK(r == kEu);
  }
}

// The story every placement policy must get through. At 0 s an EU-only job
// fills the EU node (its 4 GPUs and 32 cores); then EU-only work of every
// shape arrives (2 whole GPUs, half a GPU, a CPU-only job) while the US's
// 40 GPUs and 320 cores stand idle apart from one unrestricted job: it must
// wait. An EU-only gang of 8 GPUs is larger than the EU's pool (rejected),
// and an EU-only A100 job finds no A100 in the EU (rejected: no region
// serves it). At 100 s the first job ends, and the waiting EU-only work
// starts on the EU node.
void run_story(const std::string& placement) {
  INFO("placement " << placement);
  Driver d("{name: fifo, skip_blocked: true}", placement);
  const Resources fill{4 * kMilliPerGpu, 0, 32'000, 0};
  const JobId first = d.arrive(0, {.request = fill, .eu_only = true});
  const JobId whole = d.arrive(0, {.request = Resources::gpus(2), .eu_only = true});
  const JobId share = d.arrive(0, {.request = Resources{500, 0, 0, 0}, .eu_only = true});
  const JobId cpu = d.arrive(0, {.request = Resources{0, 0, 4'000, 0}, .eu_only = true});
  const JobId anywhere = d.arrive(0, {.request = Resources::gpus(8)});
  const JobId gang = d.arrive(0, {.request = Resources::gpus(8), .eu_only = true});
  const JobId a100 = d.arrive(0, {.request = Resources::gpus(1),
                                  .eu_only = true,
                                  .types = GpuTypeSet::of(*GpuCatalog::builtin().find("A100-80GB"))});
  const std::string at_zero = d.decide(0, 90);
  INFO("at 0 s: " << at_zero);
  CHECK(at_zero.find("reject " + std::to_string(gang) + ";") != std::string::npos);
  CHECK(at_zero.find("reject " + std::to_string(a100) + " (no region)") != std::string::npos);
  CHECK(d.running(anywhere));
  check_residency(d);
  // The EU is full, so its jobs wait, however idle the US is.
  REQUIRE(d.running(first));
  CHECK_FALSE(d.running(whole));
  CHECK_FALSE(d.running(share));
  CHECK_FALSE(d.running(cpu));
  CHECK(d.cluster().total_free_gpus() >= 32);
  // Room comes back in the EU: they start there.
  d.end(100, first);
  const std::string later = d.decide(100, 200);
  INFO("at 100 s: " << later);
  CHECK(d.running(whole));
  CHECK(d.running(share));
  CHECK(d.running(cpu));
  check_residency(d);
}

// The same work under a queue policy, which orders (and may preempt) as it
// likes: every EU-only job runs, each only in the EU, with the EU full and
// the US nearly idle the whole time. Each 100 s the EU-only jobs running
// end, until all have run.
void run_queue_story(const std::string& queue) {
  INFO("queue " << queue);
  Driver d(queue, "best_fit");
  std::vector<JobId> eu_jobs;
  for (const Resources& request : {Resources{4 * kMilliPerGpu, 0, 32'000, 0}, Resources::gpus(2),
                                   Resources{500, 0, 0, 0}, Resources{0, 0, 4'000, 0}}) {
    eu_jobs.push_back(d.arrive(0, {.request = request, .eu_only = true}));
  }
  d.arrive(0, {.request = Resources::gpus(8)});
  std::set<JobId> ran;
  for (int round = 0; round < 8 && ran.size() < eu_jobs.size(); ++round) {
    const double t = 100.0 * round;
    for (const JobId job : eu_jobs) {
      if (d.running(job) && ran.count(job) > 0) d.end(t, job);
    }
    const std::string text = d.decide(t, t + 90);
    INFO("at " << t << " s: " << text);
    check_residency(d);
    for (const JobId job : eu_jobs) {
      if (d.running(job)) ran.insert(job);
    }
  }
  CHECK(ran.size() == eu_jobs.size());
}

}  // namespace

TEST_CASE("residency: every placement policy keeps EU-only work in the EU, waiting while the US idles",
          "[scheduler][residency]") {
  const PolicyRegistry registry = PolicyRegistry::with_builtins();
  const auto policies = registry.placement_policies();
  REQUIRE(policies.size() >= 12);
  for (const auto& entry : policies) run_story(entry.name);
}

TEST_CASE("residency: every queue policy keeps EU-only work in the EU, waiting while the US idles",
          "[scheduler][residency]") {
  const PolicyRegistry registry = PolicyRegistry::with_builtins();
  for (const auto& entry : registry.queue_policies()) run_queue_story(entry.name);
}

TEST_CASE("residency: preemption never stops work in a region the waiting job may not use", "[scheduler][residency]") {
  // The EU node runs a job that may not be stopped; the US V100s run four
  // preemptible low-priority jobs (the A100 node is left out: the jobs below
  // run on V100s). A high-priority EU-only job arrives: the
  // priority policy would stop a US job for it, but that frees nothing it
  // may use, so nothing is stopped and it waits. An unrestricted job of the
  // same priority does stop one (the temptation is real).
  Driver d("{name: priority, skip_blocked: true}", "best_fit");
  const JobId pinned =
      d.arrive(0, {.request = Resources::gpus(4), .eu_only = true, .priority = 0, .preemptible = false});
  for (int i = 0; i < 4; ++i) d.arrive(0, {.request = Resources::gpus(8)});
  CHECK(d.decide(0, 0) == "start 0 n0x4; start 1 n1x8; start 2 n2x8; start 3 n3x8; start 4 n4x8");
  const GpuTypeSet v100 = GpuTypeSet::of(*GpuCatalog::builtin().find("V100"));
  const JobId urgent = d.arrive(10, {.request = Resources::gpus(4), .eu_only = true, .types = v100, .priority = 10});
  CHECK(d.decide(10, 10).empty());
  const JobId other = d.arrive(20, {.request = Resources::gpus(4), .types = v100, .priority = 10});
  const std::string stopped = d.decide(20, 20);
  INFO("at 20 s: " << stopped);
  CHECK(stopped.find("preempt") == 0);
  CHECK(d.running(other));
  CHECK_FALSE(d.running(urgent));
  d.end(30, pinned);
  CHECK(d.decide(30, 30).find("start " + std::to_string(urgent) + " n0x4") != std::string::npos);
  check_residency(d);
}

TEST_CASE("residency: the core refuses an allocation outside the job's regions", "[scheduler][residency]") {
  const Scenario s = scenario_with("fifo", "best_fit");
  const ClusterLayout layout(s.cluster);
  const ClusterState state(layout, s.catalog);
  JobRequest job;
  job.request = Resources::gpus(2);
  job.regions = RegionSet::of(kEu);
  CHECK(allocation_problem(job, std::vector<NodeShare>{{0, 2}}, state).empty());
  const std::string problem = allocation_problem(job, std::vector<NodeShare>{{1, 2}}, state);
  CHECK(problem.find("region us") != std::string::npos);
  CHECK(problem.find("data residency") != std::string::npos);
  // Pools are per GPU type and region: the EU's V100s and the US's are two.
  CHECK(state.pool_count() == 3);
  CHECK(state.pool_region(state.pool_of(0)) == kEu);
  CHECK(state.pool_region(state.pool_of(1)) == kUs);
  CHECK(state.pool_type(state.pool_of(0)) == state.pool_type(state.pool_of(1)));
  CHECK_FALSE(state.pool_serves(state.pool_of(1), job));
}

TEST_CASE("residency: the cluster autoscaler buys nodes for EU-only work in the EU only", "[scheduler][residency]") {
  // The US group is cheaper ($1 against $3 a GPU-hour): unrestricted work
  // buys there first, EU-only work only in the EU, even past the EU's
  // headroom (what it cannot buy there it waits for).
  const GpuCatalog catalog = GpuCatalog::builtin();
  const GpuTypeId v100 = *catalog.find("V100");
  NodeGroupStatus eu{0, v100, 8, 0, 2, 0, 0, 0, 3.00, Duration::minutes(10), kEu};
  NodeGroupStatus us{1, v100, 8, 0, 10, 0, 0, 0, 1.00, Duration::minutes(10), kUs};
  const ClusterAutoscaler ca(catalog);
  const std::vector<NodeGroupStatus> groups{eu, us};
  const std::vector<WaitingDemand> eu_only = {{GpuTypeSet::any(), 0, 32'000, RegionSet::of(kEu)}};
  CHECK(ca.decide(Time::zero(), groups, eu_only, {}).add == std::vector<std::pair<std::int32_t, std::int64_t>>{{0, 2}});
  const std::vector<WaitingDemand> anywhere = {{GpuTypeSet::any(), 0, 32'000, RegionSet::any()}};
  CHECK(ca.decide(Time::zero(), groups, anywhere, {}).add ==
        std::vector<std::pair<std::int32_t, std::int64_t>>{{1, 4}});
}
