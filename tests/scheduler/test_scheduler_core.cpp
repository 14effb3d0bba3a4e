// The scheduler core driven by a fake driver: no engine, just events in and
// decisions out, with the expected decisions worked out by hand.
#include <catch2/catch.hpp>

#include <string>

#include "scheduler/placement/best_fit.hpp"
#include "scheduler/queue/fifo.hpp"
#include "scheduler/scheduler_core.hpp"

using namespace capsim;
using namespace capsim::scheduler;

namespace {

// A driver that keeps its own clock and records the decisions as text.
class FakeDriver {
 public:
  explicit FakeDriver(bool skip_blocked = false)
      : layout_(spec()),
        core_(layout_, catalog_, std::make_unique<FifoQueue>(skip_blocked), std::make_unique<BestFitPlacement>()) {}

  static ClusterSpec spec() {
    ClusterSpec s;
    s.node_groups.push_back({"v", 2, 4, 2, 0, 0, 32, {}});  // two V100 nodes of 4 GPUs
    return s;
  }

  JobId arrive(std::int64_t t, std::int32_t gpus) {
    JobRequest job;
    job.id = next_id_++;
    job.submit = Time::from_us(t);
    job.request = Resources::gpus(gpus);
    core_.on_job_arrived(job.submit, job);
    return job.id;
  }
  void end(std::int64_t t, JobId job) { core_.on_job_ended(Time::from_us(t), job); }

  // The decisions of a pass at t, as "start 0 n0x4; reject 3".
  std::string decide(std::int64_t t) {
    std::string text;
    for (const Decision& d : core_.decide(Time::from_us(t))) {
      if (!text.empty()) text += "; ";
      text += std::string(to_string(d.kind)) + " " + std::to_string(d.job);
      for (const NodeShare& s : d.allocation) text += " n" + std::to_string(s.node) + "x" + std::to_string(s.gpus);
    }
    return text;
  }

  SchedulerCore& core() { return core_; }

 private:
  ClusterSpec spec_ = spec();
  GpuCatalog catalog_ = GpuCatalog::builtin();
  ClusterLayout layout_;
  SchedulerCore core_;
  JobId next_id_ = 0;
};

}  // namespace

TEST_CASE("FIFO starts jobs in order and waits for room", "[scheduler][core]") {
  FakeDriver driver;
  driver.arrive(0, 4);  // job 0
  driver.arrive(0, 4);  // job 1
  driver.arrive(0, 2);  // job 2: no room left
  CHECK(driver.decide(0) == "start 0 n0x4; start 1 n1x4");
  CHECK(driver.core().pending_jobs() == 1);
  CHECK(driver.core().running_jobs() == 2);
  CHECK(driver.decide(5).empty());  // nothing changed
  driver.end(10, 0);
  CHECK(driver.decide(10) == "start 2 n0x2");
  CHECK(driver.core().cluster().free_gpus(0) == 2);
}

TEST_CASE("strict FIFO: a head that does not fit holds back the queue", "[scheduler][core]") {
  FakeDriver driver;
  driver.arrive(0, 3);  // job 0 on node 0 (best fit: any, lowest id)
  driver.arrive(0, 3);  // job 1 on node 1
  CHECK(driver.decide(0) == "start 0 n0x3; start 1 n1x3");
  driver.arrive(1, 2);  // job 2: no node has 2 free
  driver.arrive(2, 1);  // job 3: would fit, but waits behind job 2
  CHECK(driver.decide(2).empty());
  driver.end(3, 0);  // node 0 has 4 free: job 2 there (tightest: node 0 leaves 2), then job 3 best fit
  CHECK(driver.decide(3) == "start 2 n0x2; start 3 n1x1");
}

TEST_CASE("FIFO with skip_blocked lets smaller jobs past", "[scheduler][core]") {
  FakeDriver driver(/*skip_blocked=*/true);
  driver.arrive(0, 3);
  driver.arrive(0, 3);
  CHECK(driver.decide(0) == "start 0 n0x3; start 1 n1x3");
  driver.arrive(1, 2);
  driver.arrive(2, 1);
  CHECK(driver.decide(2) == "start 3 n0x1");
}

TEST_CASE("a job larger than the cluster is rejected at once", "[scheduler][core]") {
  FakeDriver driver;
  driver.arrive(0, 9);  // 8 GPUs in all
  driver.arrive(0, 8);  // fits as a gang of both nodes
  CHECK(driver.decide(0) == "reject 0; start 1 n0x4 n1x4");
  CHECK(driver.core().pending_jobs() == 0);
}

TEST_CASE("a gang asking for more CPU than its pool has is rejected", "[scheduler][core]") {
  // Two A100 nodes of 4 GPUs and 16 cores each: 32 cores in all.
  ClusterSpec spec;
  spec.node_groups.push_back({"a", 7, 4, 2, 16'000, 0, 32, {}});
  const ClusterLayout layout(spec);
  const GpuCatalog catalog = GpuCatalog::builtin();
  SchedulerCore core(layout, catalog, std::make_unique<FifoQueue>(false), std::make_unique<BestFitPlacement>());
  JobRequest job;
  job.id = 0;
  job.request = Resources::gpus(8);
  job.request.cpu_milli = 40'000;
  core.on_job_arrived(Time::zero(), job);
  job.id = 1;
  job.request.cpu_milli = 32'000;  // exactly the pool: 16 cores on each node
  core.on_job_arrived(Time::zero(), job);
  const auto decisions = core.decide(Time::zero());
  REQUIRE(decisions.size() == 2);
  CHECK(decisions[0].kind == DecisionKind::kReject);
  CHECK(decisions[0].job == 0);
  CHECK(decisions[1].kind == DecisionKind::kStart);
  CHECK(decisions[1].job == 1);
}

TEST_CASE("a node that is down takes no work until it is up", "[scheduler][core]") {
  FakeDriver driver;
  driver.core().on_node_down(Time::from_us(0), 1);
  driver.arrive(1, 4);
  driver.arrive(1, 4);
  CHECK(driver.decide(1) == "start 0 n0x4");
  CHECK(driver.core().cluster().total_free_gpus() == 0);
  driver.core().on_node_up(Time::from_us(2), 1);
  CHECK(driver.decide(2) == "start 1 n1x4");
}

TEST_CASE("the allocation of a running job is known until it ends", "[scheduler][core]") {
  FakeDriver driver;
  const JobId job = driver.arrive(0, 4);
  driver.decide(0);
  REQUIRE(driver.core().allocation_of(job).size() == 1);
  CHECK(driver.core().allocation_of(job)[0] == NodeShare{0, 4});
  driver.end(1, job);
  CHECK(driver.core().allocation_of(job).empty());
  CHECK(driver.core().cluster().total_free_gpus() == 8);
}
