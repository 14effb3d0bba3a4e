// ClusterState: the free-capacity index always agrees with a scan of the nodes.
#include <catch2/catch.hpp>

#include "core/random.hpp"
#include "scheduler/cluster_state.hpp"

using namespace capsim;
using namespace capsim::scheduler;

namespace {
ClusterSpec mixed_cluster() {
  ClusterSpec spec;
  spec.node_groups.push_back({"v8", 2, 8, 10, 0, 0, 4, {}});      // V100, 8 per node
  spec.node_groups.push_back({"a4", 7, 4, 6, 32'000, 0, 4, {}});  // A100-80GB, 4 per node, 32 cores
  spec.node_groups.push_back({"v4", 2, 4, 5, 0, 0, 4, {}});       // more V100s, 4 per node
  return spec;
}

// Checks every index answer against a scan.
void check_index(const ClusterState& state) {
  std::int64_t total = 0;
  for (PoolId p = 0; p < state.pool_count(); ++p) {
    std::int64_t pool_free = 0;
    for (std::int32_t k = 0; k <= state.pool_max_node_gpus(p); ++k) {
      NodeId expected = -1;
      for (std::size_t n = 0; n < state.node_count(); ++n) {
        const auto node = static_cast<NodeId>(n);
        if (state.pool_of(node) == p && state.is_up(node) && state.free_gpus(node) == k) {
          expected = node;
          break;
        }
      }
      REQUIRE(state.next_with_free(p, k, 0) == expected);
    }
    NodeId fully = -1;
    for (std::size_t n = 0; n < state.node_count(); ++n) {
      const auto node = static_cast<NodeId>(n);
      if (state.pool_of(node) != p || !state.is_up(node)) continue;
      pool_free += state.free_gpus(node);
      if (fully < 0 && state.free_gpus(node) == state.capacity_gpus(node)) fully = node;
    }
    REQUIRE(state.next_fully_free(p, 0) == fully);
    REQUIRE(state.pool_free_gpus(p) == pool_free);
    total += pool_free;
  }
  REQUIRE(state.total_free_gpus() == total);
}
}  // namespace

TEST_CASE("pools follow GPU types in order of first appearance", "[scheduler][cluster_state]") {
  const ClusterSpec spec = mixed_cluster();
  const ClusterLayout layout(spec);
  const ClusterState state(layout, GpuCatalog::builtin());
  REQUIRE(state.pool_count() == 2);
  CHECK(state.pool_type(0) == 2);
  CHECK(state.pool_type(1) == 7);
  CHECK(state.pool_total_gpus(0) == 10 * 8 + 5 * 4);
  CHECK(state.pool_total_gpus(1) == 24);
  CHECK(state.pool_max_node_gpus(0) == 8);
  CHECK(state.pool_of_type(5) == -1);
  CHECK(layout.rack_count() == 3 + 2 + 2);  // racks of 4 nodes, per group
  check_index(state);
}

TEST_CASE("the index stays consistent under random allocations", "[scheduler][cluster_state]") {
  const ClusterSpec spec = mixed_cluster();
  const ClusterLayout layout(spec);
  ClusterState state(layout, GpuCatalog::builtin());
  auto stream = RandomStream::derive(3, "cluster_state");
  struct Held {
    NodeId node;
    std::int32_t gpus;
    std::int64_t cpu;
  };
  std::vector<Held> held;
  for (int op = 0; op < 3000; ++op) {
    const auto node = static_cast<NodeId>(stream.uniform_below(layout.node_count()));
    const auto choice = stream.uniform_below(10);
    if (choice < 5 && state.free_gpus(node) > 0 && state.is_up(node)) {
      const auto gpus =
          static_cast<std::int32_t>(1 + stream.uniform_below(static_cast<std::uint64_t>(state.free_gpus(node))));
      const std::int64_t cpu = 1000 * gpus;
      if (state.node_fits(node, gpus, cpu, 0)) {
        state.allocate(node, gpus, cpu, 0);
        held.push_back({node, gpus, cpu});
      }
    } else if (choice < 9 && !held.empty()) {
      const auto i = stream.uniform_below(held.size());
      state.release(held[i].node, held[i].gpus, held[i].cpu, 0);
      held.erase(held.begin() + static_cast<std::ptrdiff_t>(i));
    } else {
      state.set_up(node, !state.is_up(node));
    }
    if (op % 50 == 0) check_index(state);
  }
  check_index(state);
}

TEST_CASE("CPU is checked only where modelled", "[scheduler][cluster_state]") {
  const ClusterSpec spec = mixed_cluster();
  const ClusterLayout layout(spec);
  const ClusterState state(layout, GpuCatalog::builtin());
  CHECK(state.node_fits(0, 8, 1'000'000, 1'000'000));  // V100 nodes: CPU and memory not modelled
  CHECK(state.node_fits(10, 4, 32'000, 0));            // A100 nodes have 32 cores
  CHECK_FALSE(state.node_fits(10, 4, 32'001, 0));
  CHECK_FALSE(state.node_fits(10, 5, 0, 0));
}
