// The scheduler core driven by a fake driver: no engine, just events in and
// decisions out, with the expected decisions worked out by hand.
#include <catch2/catch.hpp>

#include <string>

#include "scheduler/placement/best_fit.hpp"
#include "scheduler/queue/fifo.hpp"
#include "scheduler/scheduler_core.hpp"
#include "tests/support/helpers.hpp"

using namespace capsim;
using namespace capsim::scheduler;

namespace {

// A driver that keeps its own clock and records the decisions as text.
class FakeDriver {
 public:
  explicit FakeDriver(bool skip_blocked = false, ClusterSpec cluster = spec())
      : spec_(std::move(cluster)),
        layout_(spec_),
        core_(layout_, catalog_, std::make_unique<FifoQueue>(skip_blocked), std::make_unique<BestFitPlacement>()) {}

  static ClusterSpec spec() {
    ClusterSpec s;
    s.node_groups.push_back({"v", 2, 4, 2, 0, 0, 32, {}, {}, {}, {}, {}, {}, 0, 0});  // two V100 nodes of 4 GPUs
    return s;
  }

  JobId arrive(std::int64_t t, std::int32_t gpus) { return arrive(t, Resources::gpus(gpus)); }
  // A job of any request: whole GPUs, a share of one (gpu_milli < 1000), or CPU only.
  JobId arrive(std::int64_t t, Resources request) {
    JobRequest job;
    job.id = next_id_++;
    job.submit = Time::from_us(t);
    job.request = request;
    core_.on_job_arrived(job.submit, job);
    return job.id;
  }
  void end(std::int64_t t, JobId job) { core_.on_job_ended(Time::from_us(t), job); }

  // The decisions of a pass at t, as "start 0 n0x4; start 1 n0g1x250;
  // reject 3 (no CPU)" (tests/support/helpers.hpp).
  std::string decide(std::int64_t t) { return capsim::testing::decisions_text(core_.decide(Time::from_us(t))); }

  SchedulerCore& core() { return core_; }

 private:
  ClusterSpec spec_;
  GpuCatalog catalog_ = GpuCatalog::builtin();
  ClusterLayout layout_;
  SchedulerCore core_;
  JobId next_id_ = 0;
};

// One V100 node of 1 GPU, 16 cores and 64 GiB.
ClusterSpec one_gpu_node() {
  ClusterSpec s;
  s.node_groups.push_back({"v", 2, 1, 1, 16'000, 65'536, 32, {}, {}, {}, {}, {}, {}, 0, 0});
  return s;
}

Resources share_of_gpu(std::int64_t milli, std::int64_t cpu_milli = 0) {
  return Resources{milli, 0, cpu_milli, 0};
}
Resources cpu_only(std::int64_t cpu_milli, std::int64_t memory_mib = 0) {
  return Resources{0, 0, cpu_milli, memory_mib};
}

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
  spec.node_groups.push_back({"a", 7, 4, 2, 16'000, 0, 32, {}, {}, {}, {}, {}, {}, 0, 0});
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

TEST_CASE("four quarter-GPU jobs share one GPU; a fifth waits for a share to end", "[scheduler][core][sharing]") {
  FakeDriver driver(false, one_gpu_node());
  for (int i = 0; i < 5; ++i) driver.arrive(0, share_of_gpu(250, 1'000));
  // Jobs 0-3 take a quarter each of GPU 0 (best fit: the shared GPU with the
  // least room, which after the first is that same GPU); job 4 finds no room.
  CHECK(driver.decide(0) == "start 0 n0g0x250; start 1 n0g0x250; start 2 n0g0x250; start 3 n0g0x250");
  CHECK(driver.core().pending_jobs() == 1);
  CHECK(driver.core().cluster().gpu_share_used(0, 0) == 1000);
  CHECK(driver.core().cluster().free_cpu_milli(0) == 12'000);
  // Job 2 ends: its quarter (and its core) come back, and job 4 takes them.
  driver.end(10, 2);
  CHECK(driver.core().cluster().gpu_share_used(0, 0) == 750);
  CHECK(driver.core().cluster().free_cpu_milli(0) == 13'000);
  CHECK(driver.decide(10) == "start 4 n0g0x250");
  // All end: the GPU is wholly free again.
  for (const JobId job : {0u, 1u, 3u, 4u}) driver.end(20, job);
  CHECK(driver.core().cluster().gpu_share_used(0, 0) == 0);
  CHECK(driver.core().cluster().free_gpus(0) == 1);
  CHECK(driver.core().cluster().free_cpu_milli(0) == 16'000);
  CHECK(driver.core().running_jobs() == 0);
}

TEST_CASE("a whole-GPU job waits while shares hold the GPU", "[scheduler][core][sharing]") {
  FakeDriver driver(/*skip_blocked=*/true, one_gpu_node());
  driver.arrive(0, share_of_gpu(100));  // job 0
  CHECK(driver.decide(0) == "start 0 n0g0x100");
  driver.arrive(1, 1);                  // job 1: one whole GPU, none free
  driver.arrive(2, share_of_gpu(900));  // job 2: fits the 900 left, passes job 1
  CHECK(driver.decide(2) == "start 2 n0g0x900");
  driver.end(3, 0);
  CHECK(driver.decide(3).empty());  // 100 thousandths free, still not a whole GPU
  driver.end(4, 2);
  CHECK(driver.decide(4) == "start 1 n0x1");
}

TEST_CASE("the allocation of a share names the GPU and the share", "[scheduler][core][sharing]") {
  FakeDriver driver;    // two V100 nodes of 4 GPUs
  driver.arrive(0, 3);  // job 0: 3 GPUs of node 0
  const JobId job = driver.arrive(0, share_of_gpu(400));
  // Best fit with no shared GPU yet: the node with the fewest free GPUs
  // (node 0, 1 free), on its lowest GPU that no share holds (number 0: the
  // GPUs given whole are not numbered).
  CHECK(driver.decide(0) == "start 0 n0x3; start 1 n0g0x400");
  REQUIRE(driver.core().allocation_of(job).size() == 1);
  const NodeShare share = driver.core().allocation_of(job)[0];
  CHECK(share.node == 0);
  CHECK(share.gpus == 0);
  CHECK(share.gpu == 0);
  CHECK(share.gpu_milli == 400);
  CHECK(share.total_gpu_milli() == 400);
  CHECK(driver.core().cluster().total_free_gpus() == 4);
  driver.end(1, job);
  CHECK(driver.core().cluster().total_free_gpus() == 5);
}

TEST_CASE("CPU-only jobs run beside busy GPUs, on CPU alone", "[scheduler][core][cpu_only]") {
  FakeDriver driver(false, one_gpu_node());  // 16 cores, 64 GiB
  driver.arrive(0, 1);                       // job 0 takes the only GPU
  driver.arrive(0, cpu_only(10'000));        // job 1: 10 cores
  driver.arrive(0, cpu_only(8'000));         // job 2: 8 cores, 6 left: waits (strict FIFO)
  CHECK(driver.decide(0) == "start 0 n0x1; start 1 n0x0");
  CHECK(driver.core().cluster().free_gpus(0) == 0);
  CHECK(driver.core().cluster().free_cpu_milli(0) == 6'000);
  driver.end(5, 1);
  CHECK(driver.decide(5) == "start 2 n0x0");
  CHECK(driver.core().cluster().free_cpu_milli(0) == 8'000);
  driver.end(6, 2);
  CHECK(driver.core().cluster().free_cpu_milli(0) == 16'000);
}

TEST_CASE("jobs that can never run are rejected, with the reason", "[scheduler][core][sharing][cpu_only]") {
  FakeDriver no_cpu;                      // V100 nodes without CPU modelled
  no_cpu.arrive(0, share_of_gpu(1'500));  // more than one GPU, not whole GPUs
  no_cpu.arrive(0, cpu_only(1'000));      // CPU-only, and no node models CPU
  no_cpu.arrive(0, share_of_gpu(2'000));  // two whole GPUs: fine
  CHECK(no_cpu.decide(0) == "reject 0 (shared GPUs); reject 1 (no CPU); start 2 n0x2");

  FakeDriver small(false, one_gpu_node());   // 16 cores, 64 GiB
  small.arrive(0, cpu_only(17'000));         // more cores than any node has
  small.arrive(0, cpu_only(1'000, 65'537));  // more memory than any node has
  small.arrive(0, share_of_gpu(500, 17'000));
  small.arrive(0, share_of_gpu(500, 16'000));
  CHECK(small.decide(0) == "reject 0; reject 1; reject 2; start 3 n0g0x500");
}
