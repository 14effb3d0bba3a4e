// The packing experiment of Weng et al. (ATC'23) on the real openb pod list
// (scenarios/openb_packing.yaml): the classic result holds in direction, and
// every placement policy issue 4 added runs on the openb scenarios.
#include <catch2/catch.hpp>

#include "core/scenario.hpp"
#include "sim/run.hpp"
#include "tests/support/helpers.hpp"

using namespace capsim;

namespace {

Scenario bundled(const char* file, const char* placement, std::uint64_t seed) {
  REQUIRE(capsim::testing::shared_traces().has_value());
  Scenario scenario = load_scenario(capsim::testing::source_dir() / "scenarios" / file);
  // The scenario's own parameters for its own policy (fgd scores every node).
  if (scenario.placement_policy.name != placement) scenario.placement_policy = {placement, nullptr, {}, "placement"};
  scenario.run.seed = seed;
  return scenario;
}

}  // namespace

TEST_CASE("openb packing: fgd leaves fewer GPUs unallocated than best fit", "[traces][packing]") {
  // Measured (docs): at 130% of the GPUs requested, best fit leaves 11.5 to
  // 11.8% unallocated over seeds 1 to 3, fgd 6.8 to 8.6%. Asserted: fgd at
  // least 1.5 points better on each seed, at the 100% point and at the end.
  for (const std::uint64_t seed : {1, 2, 3}) {
    INFO("seed " << seed);
    const auto fgd = sim::run_scenario(bundled("openb_packing.yaml", "fgd", seed)).summary.packing;
    const auto best_fit = sim::run_scenario(bundled("openb_packing.yaml", "best_fit", seed)).summary.packing;
    REQUIRE(fgd);
    REQUIRE(best_fit);
    REQUIRE(fgd->points.size() == 13);
    REQUIRE(best_fit->points.size() == 13);
    CHECK(fgd->points[9].requested_percent == 100);
    CHECK(fgd->points[9].allocated_percent > best_fit->points[9].allocated_percent + 1.5);
    CHECK(fgd->unallocated_percent + 1.5 < best_fit->unallocated_percent);
    // Up to 80% of the GPUs requested, every pod fits whatever the policy.
    CHECK(fgd->points[7].allocated_percent > 79.9);
    CHECK(best_fit->points[7].allocated_percent > 79.9);
  }
}

TEST_CASE("openb: every new placement policy runs the packing and the replay scenarios", "[traces][packing]") {
  for (const char* policy :
       {"worst_fit", "random", "topology", "fgd", "dot_product", "gpu_clustering", "gpu_packing", "best_fit_cpu_gpu"}) {
    INFO(policy);
    const auto packing = sim::run_scenario(bundled("openb_packing.yaml", policy, 1)).summary;
    REQUIRE(packing.packing);
    CHECK(packing.packing->allocated_percent > 80);
    CHECK(packing.jobs_started > 7'000);
    const auto replay = sim::run_scenario(bundled("alibaba_openb.yaml", policy, 1)).summary;
    CHECK(replay.jobs_submitted == 7'255);
    CHECK(replay.jobs_started == 7'255);  // the replay's cluster has room for every pod in time
  }
}

TEST_CASE("MIG packing: instances rounded up to a profile pack fewer shares than time-slicing", "[traces][packing]") {
  // Measured (docs, "MIG partitions"): at 130% requested, fgd allocates
  // 76.6% of the GPUs as dynamic MIG instances and 87.1% time-sliced.
  // Asserted: at least 5 points apart on each seed, and every placement
  // policy packs the dynamic MIG cluster past 65% (gpu_clustering 69.7%).
  for (const std::uint64_t seed : {1, 2}) {
    INFO("seed " << seed);
    Scenario mig = bundled("mig_packing.yaml", "fgd", seed);
    REQUIRE(mig.cluster.node_groups[0].mig.mode == MigMode::kDynamic);
    Scenario sliced = mig;
    sliced.cluster.node_groups[0].mig = {};
    const auto on = sim::run_scenario(mig).summary.packing;
    const auto off = sim::run_scenario(sliced).summary.packing;
    REQUIRE(on);
    REQUIRE(off);
    CHECK(on->allocated_percent > 70);
    CHECK(off->allocated_percent > on->allocated_percent + 5);
  }
  for (const char* policy : {"best_fit", "gpu_packing", "dot_product", "gpu_clustering", "random", "topology"}) {
    INFO(policy);
    const auto packing = sim::run_scenario(bundled("mig_packing.yaml", policy, 1)).summary.packing;
    REQUIRE(packing);
    CHECK(packing->allocated_percent > 65);
  }
}
