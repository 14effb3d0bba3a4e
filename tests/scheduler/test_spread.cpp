// Spread placement on two racks of two 4-GPU nodes, worked out by hand:
// rack 0 holds nodes 0 and 1, rack 1 nodes 2 and 3.
#include <catch2/catch.hpp>

#include "scheduler/placement/spread.hpp"
#include "scheduler/placement/worst_fit.hpp"
#include "scheduler/queue/fifo.hpp"
#include "scheduler/registry.hpp"
#include "scheduler/scheduler_core.hpp"
#include "tests/scheduler/placement_fixture.hpp"
#include "tests/support/helpers.hpp"

using namespace capsim;
using namespace capsim::scheduler;
using namespace capsim::testing;

namespace {

// Two racks of two nodes of 4 V100s, `cpus` cores each (0: not modelled).
ClusterSpec two_racks(std::int64_t cpus = 0) {
  return v100_nodes(4, 4, 2, cpus);
}

}  // namespace

TEST_CASE("spread: one GPU per node, dealt across racks in turn", "[scheduler][placement][spread]") {
  PlacementFixture f(two_racks());
  SpreadPlacement spread;
  // Racks tie at 8 free: rack 0 first. Nodes tie at 4: the lowest first.
  // Dealing order 0 (rack 0), 2 (rack 1), 1 (rack 0), 3 (rack 1).
  CHECK(f.place(spread, 4000) == Shares{{0, 1}, {2, 1}, {1, 1}, {3, 1}});
  CHECK(f.place(spread, 1000) == Shares{{0, 1}});

  f.use({1, 0, 0, 3});  // free: 3, 4, 4, 1; racks: 7, 5
  // Rack 0 first (7 free), its emptiest node 1 then node 0; rack 1: node 2
  // then node 3. Order 1, 2, 0, 3.
  CHECK(f.place(spread, 3000) == Shares{{1, 1}, {2, 1}, {0, 1}});
  CHECK(f.place(spread, 4000) == Shares{{1, 1}, {2, 1}, {0, 1}, {3, 1}});
}

TEST_CASE("spread: per_node GPUs on each node", "[scheduler][placement][spread]") {
  PlacementFixture f(two_racks());
  SpreadPlacement spread(2);
  // Two nodes of two GPUs, one in each rack.
  CHECK(f.place(spread, 4000) == Shares{{0, 2}, {2, 2}});
  CHECK(f.place(spread, 3000) == Shares{{0, 2}, {2, 1}});
  // 10 GPUs do not fit 4 nodes x 2: the cap rises to 3 (4 x 3 = 12). The
  // first deal gives 2 to each node (8), the second 1 more to nodes 0 and 2.
  CHECK(f.place(spread, 10000) == Shares{{0, 3}, {2, 3}, {1, 2}, {3, 2}});
  // A per_node above a node's size: the nodes give what they have.
  SpreadPlacement wide(8);
  CHECK(f.place(wide, 6000) == Shares{{0, 4}, {2, 2}});
}

TEST_CASE("spread: a job larger than nodes x per_node raises the cap and still fits",
          "[scheduler][placement][spread]") {
  PlacementFixture f(two_racks());
  SpreadPlacement spread;
  // 6 GPUs on 4 nodes: cap 2. Every node gives one, then nodes 0 and 2 one more.
  CHECK(f.place(spread, 6000) == Shares{{0, 2}, {2, 2}, {1, 1}, {3, 1}});
  // The whole cluster: cap 4.
  CHECK(f.place(spread, 16000) == Shares{{0, 4}, {2, 4}, {1, 4}, {3, 4}});

  f.use({3, 3, 3, 0});  // free: 1, 1, 1, 4; racks: 2, 5
  // Rack 1 first: node 3 (4 free), node 2; then rack 0: nodes 0, 1. Order
  // 3, 0, 2, 1. 7 GPUs need cap 4 (nodes give 1 + 1 + 1 + 4): one from
  // each node, then node 3's other three.
  CHECK(f.place(spread, 7000) == Shares{{3, 4}, {0, 1}, {2, 1}, {1, 1}});
  CHECK(f.place(spread, 8000).empty());  // 7 free
}

TEST_CASE("spread: nodes down are skipped", "[scheduler][placement][spread]") {
  PlacementFixture f(two_racks());
  SpreadPlacement spread;
  f.state.set_up(0, false);  // racks: 4 free (node 1), 8
  // Three nodes for four GPUs: cap 2. Order 2, 1, 3; node 2 gives the second.
  CHECK(f.place(spread, 4000) == Shares{{2, 2}, {1, 1}, {3, 1}});
  CHECK(f.place(spread, 13000).empty());
}

TEST_CASE("spread: a node gives only the GPUs its CPU allows", "[scheduler][placement][spread]") {
  PlacementFixture f(two_racks(8));  // 8 cores per node
  SpreadPlacement spread;
  f.state.allocate(0, 0, 6'000, 0);  // node 0: 2 cores left
  // 4 GPUs with 16 cores: 4 cores per GPU. Node 0 can give none, the others
  // two each: cap 2. Order 1 (rack 0), 2, 3 (rack 1); node 1 gives two.
  CHECK(f.place(spread, 4000, 16'000) == Shares{{1, 2}, {2, 1}, {3, 1}});
  // 40 cores: 10 per GPU, more than a node has.
  CHECK(f.place(spread, 4000, 40'000).empty());
}

TEST_CASE("spread: GPU types and GPU memory limit the pool", "[scheduler][placement][spread]") {
  ClusterSpec spec;
  spec.node_groups.push_back({"v", kV100, 4, 2, 0, 0, 2, {}, {}, {}, {}, {}, {}, 0, 0});  // nodes 0, 1: rack 0
  spec.node_groups.push_back({"t", kT4, 4, 2, 0, 0, 2, {}, {}, {}, {}, {}, {}, 0, 0});    // nodes 2, 3: rack 1
  PlacementFixture f(spec);
  SpreadPlacement spread;
  const auto place = [&](std::int32_t gpus, GpuTypeSet types, std::int64_t gpu_memory_mib = 0) {
    JobRequest job;
    job.request = Resources::gpus(gpus);
    job.request.gpu_memory_mib = gpu_memory_mib;
    job.gpu_types = types;
    Shares out;
    if (!spread.place(job, f.state, out)) out.clear();
    return out;
  };
  CHECK(place(2, GpuTypeSet::of(kT4)) == Shares{{2, 1}, {3, 1}});
  // Any type: both pools spread it with cap 1, the first pool wins.
  CHECK(place(2, GpuTypeSet::any()) == Shares{{0, 1}, {1, 1}});
  CHECK(place(9, GpuTypeSet::of(kT4)).empty());               // never mixes types
  CHECK(place(1, GpuTypeSet::of(kV100), 32 * 1024).empty());  // a V100 has 16 GiB

  f.use({3});  // V100 free: 1, 4 (cap 4 for 5 GPUs); T4: 4, 4 (cap 3)
  // Any type: the pool that spreads it wider, T4.
  CHECK(place(5, GpuTypeSet::any()) == Shares{{2, 3}, {3, 2}});
  CHECK(place(5, GpuTypeSet::of(kV100)) == Shares{{1, 4}, {0, 1}});
  f.use({0, 0, 3, 3});  // T4 free: 1, 1
  // 3 GPUs of any type: the V100s with cap 2 (the T4s have only 2 free).
  CHECK(place(3, GpuTypeSet::any()) == Shares{{1, 2}, {0, 1}});
}

TEST_CASE("spread: shares and CPU-only jobs are placed as worst fit places them",
          "[scheduler][placement][spread][sharing]") {
  PlacementFixture f(two_racks(16));
  SpreadPlacement spread;
  WorstFitPlacement worst;
  f.use({2, 0, 2, 3});
  f.state.allocate_share(1, 0, 500, 0, 0);
  f.state.allocate(2, 0, 10'000, 0);
  for (const std::int64_t milli : {250, 600, 0}) {
    INFO(milli);
    CHECK(f.place(spread, milli, 2'000) == f.place(worst, milli, 2'000));
  }
  CHECK(f.place(spread, 250, 2'000) == Shares{gpu_share(1, 1, 250)});  // node 1: 3 wholly free GPUs
  CHECK(f.place(spread, 0, 2'000) == Shares{{0, 0}});                  // 16 cores free, the lowest of the most
}

TEST_CASE("spread: the scheduler core accepts its allocations and starts a waiting job later",
          "[scheduler][placement][spread][core]") {
  const ClusterSpec spec = two_racks();
  const GpuCatalog catalog = GpuCatalog::builtin();
  const ClusterLayout layout(spec);
  SchedulerCore core(layout, catalog, std::make_unique<FifoQueue>(false), std::make_unique<SpreadPlacement>());
  const auto arrive = [&](JobId id, std::int32_t gpus) {
    JobRequest job;
    job.id = id;
    job.request = Resources::gpus(gpus);
    core.on_job_arrived(Time::from_us(0), job);
  };
  arrive(0, 4);
  arrive(1, 14);  // 12 left after job 0: it waits
  arrive(2, 17);  // more than the cluster has: refused
  CHECK(decisions_text(core.decide(Time::from_us(0))) == "reject 2; start 0 n0x1 n2x1 n1x1 n3x1");
  core.on_job_ended(Time::from_us(10), 0);
  // 14 of 16 GPUs: cap 4 (4 nodes x 3 = 12 fall short). Three deals of one
  // per node (12), then one more on nodes 0 and 2.
  CHECK(decisions_text(core.decide(Time::from_us(10))) == "start 1 n0x4 n2x4 n1x3 n3x3");
}

TEST_CASE("spread: per_node is read from the scenario, and a bad one names the field",
          "[scheduler][placement][spread][registry]") {
  const auto registry = PolicyRegistry::with_builtins();
  const std::string cluster =
      "cluster: {node_groups: [{gpu: V100, gpus_per_node: 4, count: 4}]}\n"
      "workload: {jobs: [{submit: 0s, gpus: 1, duration: 1s}]}\n";
  const auto per_node_of = [&](const std::string& placement) {
    const Scenario s = scenario_from(cluster + "policies:\n  placement: " + placement + "\n");
    const auto policy = registry.make_placement(s.placement_policy);
    REQUIRE(policy->name() == "spread");
    return dynamic_cast<const SpreadPlacement&>(*policy).per_node();
  };
  CHECK(per_node_of("spread") == 1);
  CHECK(per_node_of("{name: spread, per_node: 2}") == 2);
  for (const std::string bad : {"0", "-1", "two", "1.5", "[2]"}) {
    INFO(bad);
    const Scenario s =
        scenario_from(cluster + "policies:\n  placement: {name: spread, per_node: " + bad + "}\n", "p.yaml");
    const auto e = input_error_of([&] { registry.make_placement(s.placement_policy); });
    CHECK(e.field() == "policies.placement.per_node");
    CHECK(e.where().file == "p.yaml");
    CHECK(e.where().line == 4);
  }
  const Scenario unknown = scenario_from(cluster + "policies:\n  placement: {name: spread, per_rack: 2}\n");
  CHECK(input_error_of([&] { registry.make_placement(unknown.placement_policy); }).field() ==
        "policies.placement.per_rack");
}
