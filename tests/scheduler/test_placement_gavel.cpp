// Heterogeneity-aware placement (scheduler/placement/gavel.hpp): scores and
// JCTs worked out by hand, and the job classes reaching the policy from the
// scenario (PolicyParams::job_classes and ::catalog).
#include <catch2/catch.hpp>

#include "scheduler/placement/gavel.hpp"
#include "tests/support/helpers.hpp"

using namespace capsim;

namespace {
// A K80 node listed first, then a V100 node, one GPU each. Class cnn runs at
// a quarter of its V100 speed on a K80; class rec as fast on both.
const std::string kScenario =
    "cluster:\n"
    "  node_groups:\n"
    "    - {name: k, gpu: K80, gpus_per_node: 1, count: 1}\n"
    "    - {name: v, gpu: V100, gpus_per_node: 1, count: 1}\n"
    "workload:\n"
    "  job_classes:\n"
    "    - {name: cnn, speed: {K80: 0.25, V100: 1}}\n"
    "    - {name: rec, speed: {K80: 1, V100: 1}}\n"
    "  jobs:\n"
    "    - {id: c, submit: 0s, gpus: 1, duration: 100s, class: cnn}\n"
    "    - {id: r, submit: 0s, gpus: 1, duration: 100s, class: rec}\n";
}  // namespace

TEST_CASE("gavel: each job goes where its comparative advantage is, by hand", "[scheduler][placement][gavel][sim]") {
  // Mean speeds of the jobs seen: K80 (0.25 + 1) / 2 = 0.625, V100 1.
  // Scores: cnn K80 0.25 / 0.625 = 0.4, V100 1; rec K80 1.6, V100 1.
  // Gavel: c on the V100, r on the K80: both take 100 s (mean JCT 100).
  // Best fit ignores speed: c takes the first node, the K80, and runs at a
  // quarter: 400 s; r on the V100, 100 s (mean JCT 250).
  const auto gavel = capsim::testing::run_yaml(kScenario + "policies: {queue: fifo, placement: gavel}\n");
  CHECK(gavel.jobs.gpu_type_names[static_cast<std::size_t>(gavel.jobs.gpu_type[0])] == "V100");
  CHECK(gavel.jobs.gpu_type_names[static_cast<std::size_t>(gavel.jobs.gpu_type[1])] == "K80");
  CHECK(gavel.jobs.end_s == std::vector<double>{100, 100});
  CHECK(gavel.summary.jct_s.mean == 100);
  const auto best_fit = capsim::testing::run_yaml(kScenario + "policies: {queue: fifo, placement: best_fit}\n");
  CHECK(best_fit.jobs.end_s == std::vector<double>{400, 100});
  CHECK(best_fit.summary.jct_s.mean == 250);
  // rank: speed sends each to its fastest type: c to the V100; r is as fast
  // on both, and the tie goes to the first pool, the K80.
  const auto speed =
      capsim::testing::run_yaml(kScenario + "policies: {queue: fifo, placement: {name: gavel, rank: speed}}\n");
  CHECK(speed.jobs.end_s == std::vector<double>{100, 100});
}

TEST_CASE("gavel: scores, fallback across types, and fallback_min_speed", "[scheduler][placement][gavel]") {
  const Scenario scenario = capsim::testing::scenario_from(kScenario);
  const GpuCatalog& catalog = scenario.catalog;
  const JobClasses& classes = scenario.workload.job_classes;
  const ClusterLayout layout(scenario.cluster);
  scheduler::ClusterState cluster(layout, catalog);
  const GpuTypeId k80 = *catalog.find("K80"), v100 = *catalog.find("V100");
  const JobClassId cnn = *classes.find("cnn"), rec = *classes.find("rec");

  scheduler::GavelPlacement gavel(&classes, &catalog, scheduler::GavelPlacement::Rank::kAdvantage, 0);
  scheduler::JobRequest c;
  c.job_class = cnn;
  scheduler::JobRequest r = c;
  r.id = 1;
  r.job_class = rec;
  gavel.on_job_arrived(c, cluster);
  gavel.on_job_arrived(r, cluster);
  CHECK(gavel.score(cnn, k80) == Approx(0.4));
  CHECK(gavel.score(rec, k80) == Approx(1.6));
  CHECK(gavel.score(cnn, v100) == Approx(1.0));
  std::vector<scheduler::NodeShare> out;
  REQUIRE(gavel.place(c, cluster, out));
  CHECK(out == std::vector<scheduler::NodeShare>{{1, 1}});  // node 1: the V100
  // With the V100 taken, cnn falls back to the K80...
  cluster.allocate(1, 1, 0, 0);
  out.clear();
  REQUIRE(gavel.place(c, cluster, out));
  CHECK(out == std::vector<scheduler::NodeShare>{{0, 1}});
  // ...unless a K80 (a quarter of its best) is below fallback_min_speed.
  scheduler::GavelPlacement picky(&classes, &catalog, scheduler::GavelPlacement::Rank::kAdvantage, 0.5);
  out.clear();
  CHECK_FALSE(picky.place(c, cluster, out));
}
