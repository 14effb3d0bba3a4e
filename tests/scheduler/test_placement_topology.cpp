// Topology-aware packing on racks of two nodes, worked out by hand.
#include <catch2/catch.hpp>

#include "scheduler/placement/best_fit.hpp"
#include "scheduler/placement/topology.hpp"
#include "tests/scheduler/placement_fixture.hpp"

using namespace capsim;
using namespace capsim::scheduler;
using namespace capsim::testing;

// Eight nodes of 8 GPUs, two to a rack: racks 0 (nodes 0, 1), 1 (2, 3),
// 2 (4, 5), 3 (6, 7).
TEST_CASE("topology: a job that fits a node fills a partly used rack before opening a free one",
          "[scheduler][placement][topology]") {
  PlacementFixture f(v100_nodes(8, 8, 2));
  TopologyPlacement topology;
  BestFitPlacement best_fit;
  f.use({0, 0, 4});  // rack 1 partly used: node 2 has 4 free
  // 8 GPUs: only wholly free nodes fit. Best fit takes the lowest, node 0,
  // opening rack 0; topology the one in the partly used rack 1, node 3.
  CHECK(f.place(best_fit, 8000) == Shares{{0, 8}});
  CHECK(f.place(topology, 8000) == Shares{{3, 8}});
  // 4 GPUs fill node 2 exactly: best fit first.
  CHECK(f.place(topology, 4000) == Shares{{2, 4}});
  // 5 GPUs: node 2 is too small; a free node of rack 1 again.
  CHECK(f.place(topology, 5000) == Shares{{3, 5}});
  // With rack 1 full, the lowest free node (every rack wholly free).
  f.use({0, 0, 4, 8});
  CHECK(f.place(topology, 8000) == Shares{{0, 8}});
}

TEST_CASE("topology: a gang takes the tightest rack that holds it", "[scheduler][placement][topology]") {
  PlacementFixture f(v100_nodes(8, 8, 2));
  TopologyPlacement topology;
  BestFitPlacement best_fit;
  f.use({0, 2, 4});  // free GPUs per rack: 14, 12, 16, 16
  // 12 GPUs: rack 1 holds exactly 12: node 3 whole, then 4 on node 2.
  // Best fit crosses racks: node 0 whole (the lowest free node), 4 on node 2.
  CHECK(f.place(topology, 12000) == Shares{{3, 8}, {2, 4}});
  CHECK(f.place(best_fit, 12000) == Shares{{0, 8}, {2, 4}});
  // 14 GPUs: rack 0 (14): node 0 whole, 6 on node 1.
  CHECK(f.place(topology, 14000) == Shares{{0, 8}, {1, 6}});
  // 16 GPUs: rack 2, the lowest of the two that hold 16.
  CHECK(f.place(topology, 16000) == Shares{{4, 8}, {5, 8}});
}

TEST_CASE("topology: a gang no rack holds crosses as few racks as possible", "[scheduler][placement][topology]") {
  PlacementFixture f(v100_nodes(8, 8, 2));
  TopologyPlacement topology;
  f.use({4, 4, 4, 4, 4, 4, 6, 6});  // free per rack: 8, 8, 8, 4
  // 20 GPUs need three racks (8 + 8 + 4): racks 0 and 1 wholly (the most
  // free, lowest first), then the remainder 4 in the tightest rack that holds
  // it: rack 3 (4 free), 2 on each of its nodes.
  CHECK(f.place(topology, 20000) == Shares{{0, 4}, {1, 4}, {2, 4}, {3, 4}, {6, 2}, {7, 2}});
  CHECK(f.place(topology, 29000).empty());  // 28 free in all
}
