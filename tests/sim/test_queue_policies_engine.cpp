// The time-based queue policies through the native engine: completion times
// worked out by hand, preemption costs included (the work lost since the last
// checkpoint is redone, and each resume first pays the restore overhead, both
// from the job's class).
#include <catch2/catch.hpp>

#include "tests/support/helpers.hpp"

using namespace capsim;
using capsim::testing::run_yaml;

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
