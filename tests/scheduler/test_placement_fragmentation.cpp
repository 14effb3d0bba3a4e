// Fragmentation-aware placement (FGD, Weng et al., ATC'23) and the paper's
// baselines (dot product, GPU clustering, GPU packing, its best fit) on
// small clusters worked out by hand, and the scoring parameters.
#include <catch2/catch.hpp>

#include <cmath>

#include "scheduler/placement/best_fit.hpp"
#include "scheduler/placement/best_fit_cpu_gpu.hpp"
#include "scheduler/placement/dot_product.hpp"
#include "scheduler/placement/fgd.hpp"
#include "scheduler/placement/gpu_clustering.hpp"
#include "scheduler/placement/gpu_packing.hpp"
#include "scheduler/registry.hpp"
#include "tests/scheduler/placement_fixture.hpp"
#include "tests/support/helpers.hpp"

using namespace capsim;
using namespace capsim::scheduler;
using namespace capsim::testing;

namespace {
NodesToScore all_nodes() {
  NodesToScore all;
  all.mode = NodesToScore::Mode::kAll;
  return all;
}
}  // namespace

TEST_CASE("fgd keeps room for the requests it has seen, where best fit leaves a lone GPU",
          "[scheduler][placement][fgd]") {
  PlacementFixture f(v100_nodes(2, 4));
  f.use({1, 2});  // free GPUs: node 0 three, node 1 two
  FgdPlacement fgd(all_nodes());
  BestFitPlacement best_fit;
  // The workload so far: three 2-GPU jobs and the 1-GPU job to place.
  for (int i = 0; i < 3; ++i) fgd.on_job_arrived(PlacementFixture::job(2000), f.state);
  fgd.on_job_arrived(PlacementFixture::job(1000), f.state);
  // F_n(M) = sum over requests m of count x (free GPU thousandths m cannot
  // use), with M = {2 GPUs: 3, 1 GPU: 1} (no CPU modelled):
  //   3 free GPUs: both shapes fit and use all 3000: F = 0.
  //   2 free: likewise, F = 0.
  //   1 free: 2-GPU jobs cannot run, all of it is a fragment for them:
  //           F = 3 x 1000 + 1 x 0 = 3000.
  // On node 0 (3 -> 2 free) F grows by 0; on node 1 (2 -> 1) by 3000.
  // FGD takes node 0; best fit node 1, the tightest, leaving one GPU that
  // three requests in four cannot use.
  FgdPlacement::NodeView one_free;
  one_free.gpus.free_gpus = 1;
  CHECK(fgd.fragmentation(f.state, 0, one_free) == 3000);
  CHECK(f.place(fgd, 1000) == Shares{{0, 1}});
  CHECK(f.place(best_fit, 1000) == Shares{{1, 1}});
}

TEST_CASE("fgd chooses a share's GPU by the fragments it leaves", "[scheduler][placement][fgd][sharing]") {
  PlacementFixture f(v100_nodes(1, 3));
  f.state.allocate_share(0, 0, 500, 0, 0);  // GPU 0: 500 of room
  f.state.allocate_share(0, 1, 700, 0, 0);  // GPU 1: 300 of room; GPU 2 free
  FgdPlacement fgd(all_nodes());
  for (int i = 0; i < 2; ++i) fgd.on_job_arrived(PlacementFixture::job(500), f.state);
  fgd.on_job_arrived(PlacementFixture::job(300), f.state);
  // M = {500: 2, 300: 1}; total free T = 500 + 300 + 1000 = 1800.
  // Before: 500s use GPU 0 and GPU 2 (1500), 300s all (1800):
  //   F = 3 x 1800 - 2 x 1500 - 1 x 1800 = 600.
  // A 300 on GPU 1 (room 300 -> 0): T = 1500, F = 4500 - 3000 - 1500 = 0.
  // On GPU 0 (500 -> 200): T = 1500, 500s use 1000, 300s 1300:
  //   F = 4500 - 2000 - 1300 = 1200.
  // On GPU 2 (opens it, 700 left): T = 1500, 500s use 1200, 300s 1500:
  //   F = 4500 - 2400 - 1500 = 600.
  // Growth: -600, +600, 0: GPU 1, the exact fit.
  CHECK(f.place(fgd, 300) == Shares{gpu_share(0, 1, 300)});
}

TEST_CASE("dot product, the paper's best fit and capsim's best fit weigh CPU differently",
          "[scheduler][placement][dot_product][best_fit_cpu_gpu]") {
  PlacementFixture f(v100_nodes(2, 8, 32, 32));  // 8 GPUs, 32 cores each
  f.state.allocate(0, 0, 23'000, 0);             // node 0: 8 GPUs, 9 cores free
  f.state.allocate(1, 6, 0, 0);                  // node 1: 2 GPUs, 32 cores free
  DotProductPlacement dot(all_nodes());
  BestFitCpuGpuPlacement paper_best_fit(all_nodes());
  BestFitPlacement best_fit;
  // A job of 1 GPU and 8 cores; vectors normalised by the largest node
  // (32 cores, 8 GPUs): the request is (0.25, 0.125).
  // Dot products with the free vectors: node 0 (9/32, 1) -> 0.0703 + 0.125
  // = 0.195; node 1 (1, 2/8) -> 0.25 + 0.031 = 0.281. The smallest: node 0.
  CHECK(f.place(dot, 1000, 8'000) == Shares{{0, 1}});
  // The paper's best fit, what is left: node 0: 0.5 x 1/32 + 0.5 x 7/8 =
  // 0.453; node 1: 0.5 x 24/32 + 0.5 x 1/8 = 0.4375. The least: node 1.
  CHECK(f.place(paper_best_fit, 1000, 8'000) == Shares{{1, 1}});
  // capsim's best fit counts free GPUs only: node 1 (1 left).
  CHECK(f.place(best_fit, 1000, 8'000) == Shares{{1, 1}});
  // 10 cores: node 0 lacks them.
  CHECK(f.place(dot, 1000, 10'000) == Shares{{1, 1}});
}

TEST_CASE("gpu packing: occupied GPUs, then occupied nodes, then idle nodes", "[scheduler][placement][gpu_packing]") {
  PlacementFixture f(v100_nodes(3, 2));
  f.use({0, 1});                            // node 1: one GPU taken whole
  f.state.allocate_share(2, 0, 500, 0, 0);  // node 2: GPU 0 half used
  GpuPackingPlacement packing(all_nodes());
  CHECK(f.place(packing, 300) == Shares{gpu_share(2, 0, 300)});  // an occupied GPU
  // 600 fits no occupied GPU: a free GPU of an occupied node, the lowest (node 1).
  CHECK(f.place(packing, 600) == Shares{gpu_share(1, 0, 600)});
  CHECK(f.place(packing, 1000) == Shares{{1, 1}});  // an occupied node before the idle node 0
  CHECK(f.place(packing, 2000) == Shares{{0, 2}});  // only the idle node has two
}

TEST_CASE("gpu clustering packs jobs of the same GPU request together", "[scheduler][placement][gpu_clustering]") {
  PlacementFixture f(v100_nodes(3, 4));
  GpuClusteringPlacement clustering(all_nodes());
  // Idle nodes first while none holds a quarter: node 0.
  CHECK(f.start(clustering, 250) == Shares{gpu_share(0, 0, 250)});
  // A half: node 0 holds quarters (another request): an idle node, node 1.
  CHECK(f.start(clustering, 500) == Shares{gpu_share(1, 0, 500)});
  // A quarter: node 0 holds only quarters; its fullest GPU with room, GPU 0.
  CHECK(f.start(clustering, 250) == Shares{gpu_share(0, 0, 250)});
  // A whole GPU: nodes 0 and 1 hold other requests; the idle node 2.
  CHECK(f.start(clustering, 1000) == Shares{{2, 1}});
  // A half: node 1, which holds halves, on its GPU 0 (500 of room).
  CHECK(f.start(clustering, 500) == Shares{gpu_share(1, 0, 500)});
}

TEST_CASE("scoring policies: nodes_to_score and its errors", "[scheduler][placement][registry]") {
  NodesToScore adaptive;
  adaptive.mode = NodesToScore::Mode::kAdaptive;
  CHECK(adaptive.limit(50) == 50);       // fewer than 100 nodes: all
  CHECK(adaptive.limit(1'213) == 497);   // max(5, 50 - 9) = 41% of 1,213
  CHECK(adaptive.limit(12'500) == 625);  // max(5, 50 - 100) = 5%
  CHECK(NodesToScore{}.limit(12'500) == 100);

  const auto registry = PolicyRegistry::with_builtins();
  const std::string cluster =
      "cluster: {node_groups: [{gpu: V100, gpus_per_node: 8, count: 1}]}\n"
      "workload: {jobs: [{submit: 0s, gpus: 1, duration: 1s}]}\n";
  for (const char* ok : {"all", "adaptive", "250", "10%"}) {
    const Scenario s = scenario_from(cluster + "policies:\n  placement: {name: fgd, nodes_to_score: " + ok + "}\n");
    CHECK(registry.make_placement(s.placement_policy)->name() == "fgd");
  }
  for (const char* bad : {"0", "lots", "150%", "[1]"}) {
    INFO(bad);
    const Scenario s =
        scenario_from(cluster + "policies:\n  placement: {name: dot_product, nodes_to_score: " + bad + "}\n", "p.yaml");
    const auto e = input_error_of([&] { registry.make_placement(s.placement_policy); });
    CHECK(e.field() == "policies.placement.nodes_to_score");
    CHECK(e.where().file == "p.yaml");
    CHECK(e.where().line == 4);
  }
  const Scenario unknown = scenario_from(cluster + "policies:\n  placement: {name: random, seed: 3}\n");
  CHECK(input_error_of([&] { registry.make_placement(unknown.placement_policy); }).field() ==
        "policies.placement.seed");
  for (const char* name :
       {"worst_fit", "random", "topology", "fgd", "dot_product", "gpu_clustering", "gpu_packing", "best_fit_cpu_gpu"}) {
    const Scenario s = scenario_from(cluster + "policies:\n  placement: " + name + "\n");
    CHECK(registry.make_placement(s.placement_policy, 5)->name() == name);
  }
}

TEST_CASE("scoring policies place shares on a node of more than 64 GPUs", "[scheduler][placement][sharing]") {
  // Scenarios allow up to 1,024 GPUs per node (an NVL72 rack counts as one
  // node of 72); the scoring policies once held a node's shared GPUs in an
  // array of 64 and stopped the run beyond 63.
  const auto registry = PolicyRegistry::with_builtins();
  for (const char* name : {"fgd", "dot_product", "gpu_clustering", "gpu_packing", "best_fit_cpu_gpu"}) {
    INFO(name);
    PolicySpec spec;
    spec.name = name;
    spec.field = "policies.placement";
    const auto policy = registry.make_placement(spec);
    PlacementFixture f(v100_nodes(1, 72));
    for (std::int32_t gpu = 0; gpu < 70; ++gpu) f.state.allocate_share(0, gpu, 600, 0, 0);  // 400 of room each
    for (const std::int64_t milli : {500, 400, 1000}) policy->on_job_arrived(PlacementFixture::job(milli), f.state);
    // 500 fits no shared GPU: it opens GPU 70, the lowest free one.
    CHECK(f.start(*policy, 500) == Shares{gpu_share(0, 70, 500)});
    // 400: GPU 0 (an exact fit), GPU 70 (100 left) or opening GPU 71. Every
    // policy takes the exact fit: the least room left (best_fit_cpu_gpu), the
    // smallest product 0.4 x 0.4 (dot_product), the fullest occupied GPU
    // (gpu_packing, gpu_clustering), and for fgd, with M = {500, 400, 1000}
    // and F = 3 T - (usable by each), the growth of F is -400 on GPU 0, +200
    // on GPU 70 and 0 on GPU 71.
    CHECK(f.start(*policy, 400) == Shares{gpu_share(0, 0, 400)});
    // A whole GPU: only GPU 71 is free, beside 71 shared ones.
    CHECK(f.start(*policy, 1000) == Shares{{0, 1}});
    CHECK(f.place(*policy, 1000).empty());
  }
}

TEST_CASE("a run with shares of a 72-GPU node finishes under every scoring policy", "[sim][placement][sharing]") {
  // 72 jobs of 0.6 GPU open the 72 GPUs one each, 72 of 0.3 join them (one
  // per GPU: 400 of room), all at 0 s; a 0.5 finds no room until some leave.
  std::string jobs = "workload:\n  jobs:\n";
  for (int i = 0; i < 72; ++i) jobs += "    - {submit: 0s, gpus: 0.6, duration: 1h}\n";
  for (int i = 0; i < 72; ++i) jobs += "    - {submit: 0s, gpus: 0.3, duration: 2h}\n";
  jobs += "    - {submit: 0s, gpus: 0.5, duration: 1h}\n";
  for (const char* name : {"fgd", "dot_product", "gpu_clustering", "gpu_packing", "best_fit_cpu_gpu"}) {
    INFO(name);
    const sim::RunResults results = run_yaml("cluster: {node_groups: [{gpu: V100, gpus_per_node: 72, count: 1}]}\n" +
                                             jobs + "policies: {queue: fifo, placement: " + name + "}\n");
    REQUIRE(results.jobs.size() == 145);
    CHECK(results.summary.jobs_running == 0);
    CHECK(results.summary.jobs_rejected == 0);
    for (std::size_t i = 0; i < 144; ++i) CHECK(results.jobs.start_s[i] == 0);
    CHECK(results.jobs.start_s[144] > 0);
    CHECK_FALSE(std::isnan(results.jobs.end_s[144]));
  }
}
