// Worst fit (spread) and random fit on small clusters worked out by hand.
#include <catch2/catch.hpp>

#include <map>

#include "scheduler/placement/random.hpp"
#include "scheduler/placement/worst_fit.hpp"
#include "tests/scheduler/placement_fixture.hpp"

using namespace capsim;
using namespace capsim::scheduler;
using namespace capsim::testing;

TEST_CASE("worst fit takes the node left with the most free GPUs", "[scheduler][placement][worst_fit]") {
  PlacementFixture f(v100_nodes(4, 8));
  WorstFitPlacement worst;
  f.use({0, 5, 3, 0});                                             // free: 8, 3, 5, 8
  CHECK(f.place(worst, 3000) == Shares{{0, 3}});                   // 8 free, tied with node 3: the lower id
  f.use({6});                                                      // free: 2, 3, 5, 8
  CHECK(f.place(worst, 3000) == Shares{{3, 3}});                   // leaves 5
  CHECK(f.place(worst, 16000) == Shares{{3, 8}, {2, 5}, {1, 3}});  // no whole nodes but 3: remainder 8 on the emptiest
}

TEST_CASE("worst fit puts a share on the emptiest GPU", "[scheduler][placement][worst_fit][sharing]") {
  PlacementFixture f(v100_nodes(2, 2));
  WorstFitPlacement worst;
  f.state.allocate_share(0, 0, 500, 0, 0);  // node 0: GPU 0 half used, GPU 1 free
  // A wholly free GPU is the emptiest: node 1 has two, node 0 one.
  CHECK(f.place(worst, 250) == Shares{gpu_share(1, 0, 250)});
  f.state.allocate(0, 1, 0, 0);             // node 0's free GPU, whole
  f.state.allocate_share(1, 0, 300, 0, 0);  // node 1: GPU 0 has 700 of room
  f.state.allocate_share(1, 1, 600, 0, 0);  //         GPU 1 has 400
  // No free GPU left: the shared GPU with the most room, node 1's GPU 0 (700).
  CHECK(f.place(worst, 200) == Shares{gpu_share(1, 0, 200)});
  CHECK(f.place(worst, 701).empty());
}

TEST_CASE("worst fit puts a CPU-only job on the node with the most free CPU", "[scheduler][placement][worst_fit]") {
  PlacementFixture f(v100_nodes(3, 8, 32, 32));  // 32 cores each
  WorstFitPlacement worst;
  f.state.allocate(0, 0, 10'000, 0);  // 22 cores left
  f.state.allocate(1, 0, 2'000, 0);   // 30 left
  f.state.allocate(2, 0, 5'000, 0);   // 27 left
  CHECK(f.place(worst, 0, 4'000) == Shares{{1, 0}});
  CHECK(f.place(worst, 0, 31'000).empty());
}

TEST_CASE("random fit: only nodes that fit, all of them, the same draws for the same seed",
          "[scheduler][placement][random]") {
  PlacementFixture f(v100_nodes(4, 8));
  f.use({0, 8, 0, 0});  // node 1 is full
  RandomPlacement random(7);
  std::map<NodeId, int> chosen;
  for (int i = 0; i < 600; ++i) {
    const Shares out = f.place(random, 1000);
    REQUIRE(out.size() == 1);
    ++chosen[out.front().node];
  }
  // Uniform over nodes 0, 2 and 3: about 200 each (binomial sd ~ 12).
  CHECK(chosen.count(1) == 0);
  for (const NodeId n : {0, 2, 3}) CHECK((chosen[n] > 150 && chosen[n] < 250));

  // The same seed draws the same nodes; another seed others.
  const auto draws = [&](std::uint64_t seed) {
    PlacementFixture g(v100_nodes(16, 8));
    RandomPlacement policy(seed);
    std::vector<NodeId> nodes;
    for (int i = 0; i < 20; ++i) nodes.push_back(g.start(policy, 2000).front().node);
    return nodes;
  };
  CHECK(draws(1) == draws(1));
  CHECK(draws(1) != draws(2));
}

TEST_CASE("random fit draws a share's node once, though it is in two index sets",
          "[scheduler][placement][random][sharing]") {
  PlacementFixture f(v100_nodes(2, 2));
  f.state.allocate_share(0, 0, 500, 0, 0);  // node 0: share room and a free GPU; node 1: two free GPUs
  RandomPlacement random(3);
  std::map<NodeId, int> chosen;
  std::map<int, int> node0_gpu;
  for (int i = 0; i < 1000; ++i) {
    const Shares out = f.place(random, 250);
    REQUIRE(out.size() == 1);
    ++chosen[out.front().node];
    if (out.front().node == 0) ++node0_gpu[out.front().gpu];
  }
  CHECK((chosen[0] > 430 && chosen[0] < 570));  // half each (sd ~ 16)
  // On node 0, GPU 0 (500 of room) or GPU 1 (free) with the same chance.
  CHECK((node0_gpu[0] > node0_gpu[1] / 2 && node0_gpu[1] > node0_gpu[0] / 2));
  // 501 does not fit node 0's GPU 0 (500 of room): there only its free GPU 1.
  for (int i = 0; i < 50; ++i) {
    const Shares out = f.place(random, 501);
    REQUIRE(out.size() == 1);
    if (out.front().node == 0) CHECK(out.front().gpu == 1);
  }
}
