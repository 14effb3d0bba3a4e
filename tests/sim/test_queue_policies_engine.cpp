// The time-based queue policies through the native engine: completion times
// worked out by hand, preemption costs included (the work lost since the last
// checkpoint is redone, and each resume first pays the restore overhead, both
// from the job's class).
#include <catch2/catch.hpp>

#include "tests/support/helpers.hpp"

using namespace capsim;
using capsim::testing::run_yaml;

namespace {
// One V100 node of 4 GPUs.
std::string one_node(const std::string& queue) {
  return "cluster: {node_groups: [{gpu: V100, gpus_per_node: 4, count: 1}]}\n"
         "policies: {queue: " +
         queue + ", placement: best_fit}\n";
}
}  // namespace

TEST_CASE("srtf in the engine: the preempted job pays its restore and redoes its lost work",
          "[sim][engine][queue][srtf]") {
  // a (0 s, 4 GPUs, 100 s) runs from 0. b (10 s, 4 GPUs, 20 s) has 20 s
  // left against a's 90: a stops at 10 and b runs 10-30. a checkpoints every
  // 4 s: at 10 it has kept 8 s of work and lost 2. It resumes at 30: a 5 s
  // restore, then 92 s of work: it ends at 127. JCT a 127, b 20.
  const auto results = run_yaml(one_node("srtf") +
                                "workload:\n"
                                "  job_classes: [{name: ckpt, checkpoint_interval: 4s, restore_overhead: 5s}]\n"
                                "  jobs:\n"
                                "    - {id: a, submit: 0s, gpus: 4, duration: 100s}\n"
                                "    - {id: b, submit: 10s, gpus: 4, duration: 20s}\n");
  CHECK(results.jobs.start_s == std::vector<double>{0, 10});
  CHECK(results.jobs.end_s == std::vector<double>{127, 30});
  CHECK(results.jobs.jct_s == std::vector<double>{127, 20});
  CHECK(results.jobs.preemptions == std::vector<std::int32_t>{1, 0});
  // 2 s of 4 GPUs lost.
  CHECK(results.summary.lost_gpu_hours == Approx(8.0 / 3600));
  CHECK(results.summary.preemptions == 1);
}

TEST_CASE("tiresias in the engine: a demoted job makes way, and resumes after a restore",
          "[sim][engine][queue][tiresias]") {
  // One threshold at 40 GPU-s: a (4 GPUs, 100 s) drops to queue 1 at 10 s.
  // b (20 s, 2 GPUs, 30 s) arrives in queue 0 and stops a (default class:
  // checkpoint on preemption, 30 s restore). b runs 20-50; a, needing 4
  // GPUs, waits for it (its promotion would come at 20 + 8 x 20 = 180), and
  // resumes at 50: 30 s restore + 80 s left, ending at 160.
  const auto results = run_yaml(one_node("{name: tiresias, queue_thresholds: [40]}") +
                                "workload:\n"
                                "  jobs:\n"
                                "    - {id: a, submit: 0s, gpus: 4, duration: 100s}\n"
                                "    - {id: b, submit: 20s, gpus: 2, duration: 30s}\n");
  CHECK(results.jobs.end_s == std::vector<double>{160, 50});
  CHECK(results.jobs.jct_s == std::vector<double>{160, 30});
  CHECK(results.jobs.preemptions == std::vector<std::int32_t>{1, 0});
  CHECK(results.summary.lost_gpu_hours == 0);
}

TEST_CASE("tiresias in the engine: a job of no length started by a timer ends at that instant",
          "[sim][engine][queue][tiresias]") {
  // One GPU; one threshold at 10 GPU-s. a (1 GPU, 100 s) drops to queue 1 at
  // its timer at 10 s, where b (1 s, no length) stops it, starts and ends at
  // once; a resumes in that instant: 30 s restore + 90 s, ending at 130.
  const auto results = run_yaml(
      "cluster: {node_groups: [{gpu: V100, gpus_per_node: 1, count: 1}]}\n"
      "policies: {queue: {name: tiresias, queue_thresholds: [10]}}\n"
      "workload:\n"
      "  jobs:\n"
      "    - {id: a, submit: 0s, gpus: 1, duration: 100s}\n"
      "    - {id: b, submit: 1s, gpus: 1, duration: 0s}\n");
  CHECK(results.jobs.start_s == std::vector<double>{0, 10});
  CHECK(results.jobs.end_s == std::vector<double>{130, 10});
}

TEST_CASE("themis in the engine: the lease decides when the fairer job gets the GPUs", "[sim][engine][queue][themis]") {
  // Leases of 60 s. a (4 GPUs, 300 s) runs from 0; b (10 s, 4 GPUs, 50 s)
  // waits. At the round at 60 a's first lease is over: rho a = 300 / 300 =
  // 1, rho b = (50 + 50) / 50 = 2: a stops (checkpoint, 30 s restore). b runs
  // 60-110; a resumes at 110: 30 s + 240 s, ending at 380.
  const auto results = run_yaml(one_node("{name: themis, lease: 1m}") +
                                "workload:\n"
                                "  jobs:\n"
                                "    - {id: a, submit: 0s, gpus: 4, duration: 300s}\n"
                                "    - {id: b, submit: 10s, gpus: 4, duration: 50s}\n");
  CHECK(results.jobs.end_s == std::vector<double>{380, 110});
  CHECK(results.jobs.jct_s == std::vector<double>{380, 100});
  CHECK(results.jobs.queueing_delay_s == std::vector<double>{0, 50});
}

TEST_CASE("helios and sjf in the engine: never preempt, order by their estimates", "[sim][engine][queue]") {
  // Two GPUs. a (alice, 1 GPU, 100 s) and b (bob, 1 GPU, 10 s) start at 0.
  // c (carol, 2 GPUs, 30 s) arrives at 5 with no history: 1 h x 2 GPUs.
  // d (alice, 1 GPU, 40 s) at 20: alice has ended nothing, everyone's mean
  // (b: 10 s) puts it first; it takes the GPU b left at 10: 20-60. c starts
  // when a ends, 100-130. SJF by GPU-time (oracle) runs d (40 GPU-s) before
  // c (60) too.
  const std::string jobs =
      "workload:\n"
      "  jobs:\n"
      "    - {id: a, submit: 0s, gpus: 1, duration: 100s, user: alice}\n"
      "    - {id: b, submit: 0s, gpus: 1, duration: 10s, user: bob}\n"
      "    - {id: c, submit: 5s, gpus: 2, duration: 30s, user: carol}\n"
      "    - {id: d, submit: 20s, gpus: 1, duration: 40s, user: alice}\n";
  for (const char* queue : {"helios", "{name: sjf, by: gpu_time}"}) {
    INFO(queue);
    const auto results = run_yaml(
        "cluster: {node_groups: [{gpu: V100, gpus_per_node: 2, count: 1}]}\n"
        "policies: {queue: " +
        std::string(queue) + "}\n" + jobs);
    CHECK(results.jobs.start_s == std::vector<double>{0, 0, 100, 20});
    CHECK(results.jobs.end_s == std::vector<double>{100, 10, 130, 60});
    CHECK(results.summary.preemptions == 0);
  }
}
