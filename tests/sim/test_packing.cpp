// The packing experiment's curve (sim/packing_recorder.hpp) on a run worked
// out by hand, in the summary, summary.json and the CLI table.
#include <catch2/catch.hpp>

#include "sim/summary.hpp"
#include "tests/support/helpers.hpp"

using namespace capsim;
using capsim::testing::TempDir;

TEST_CASE("the packing curve: GPUs allocated as requests grow", "[sim][packing]") {
  TempDir dir;
  // Only 1-GPU pods, on one node of 8 GPUs: 130% is 10.4 GPUs, reached by
  // the 11th pod. Pods 1 to 8 are placed, 9 to 11 find no room.
  dir.write("pods.csv",
            "name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,deletion_time,"
            "scheduled_time\n"
            "p0,1000,1024,1,1000,,LS,Running,0,100,0\n");
  const std::string yaml =
      "cluster: {node_groups: [{gpu: V100, gpus_per_node: 8, count: 1}]}\n"
      "workload:\n  trace: {format: alibaba-openb, path: pods.csv, sample: {until_requested_gpus: 130%}}\n"
      "policies: {queue: {name: fifo, skip_blocked: true}, placement: fgd}\n";
  const Scenario scenario = capsim::testing::scenario_from(yaml, "p.yaml", dir.path());
  const sim::RunResults results = sim::run_scenario(scenario);
  REQUIRE(results.summary.packing);
  const sim::PackingSummary& p = *results.summary.packing;
  // Point x% is reached by pod k = ceil(8x/100); after it, min(k, 8) of 8
  // GPUs are allocated. 40% and 50% are both reached by pod 4.
  const std::vector<sim::PackingPoint> expected = {{10, 12.5}, {20, 25},   {30, 37.5}, {40, 50},  {50, 50},
                                                   {60, 62.5}, {70, 75},   {80, 87.5}, {90, 100}, {100, 100},
                                                   {110, 100}, {120, 100}, {130, 100}};
  CHECK(p.points == expected);
  CHECK(p.requested_percent == 137.5);
  CHECK(p.allocated_percent == 100);
  CHECK(p.unallocated_percent == 0);
  CHECK(p.jobs_waiting == 3);
  CHECK(results.summary.jobs_submitted == 11);
  REQUIRE(results.summary.trace);
  CHECK(results.summary.trace->sampled_from == 1);

  const auto json = sim::summary_to_json(results.summary);
  CHECK(json["packing"]["points"].size() == 13);
  CHECK(json["packing"]["points"][0]["allocated_percent"] == 12.5);
  CHECK(json["packing"]["unallocated_percent"] == 0.0);
  const std::string table = sim::format_summary(results.summary);
  CHECK(table.find("packing at end     100.0% allocated, 0.0% unallocated (requested 137.5%; 3 jobs found no room)") !=
        std::string::npos);
  CHECK(table.find("   130%") != std::string::npos);
}
