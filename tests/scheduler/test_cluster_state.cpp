// ClusterState: the free-capacity index always agrees with a scan of the nodes.
#include <catch2/catch.hpp>

#include "core/random.hpp"
#include "scheduler/cluster_state.hpp"
#include "scheduler/free_cpu_index.hpp"

using namespace capsim;
using namespace capsim::scheduler;

namespace {
ClusterSpec mixed_cluster() {
  ClusterSpec spec;
  spec.node_groups.push_back({"v8", 2, 8, 10, 0, 0, 4, {}, {}, {}, {}, {}, {}, 0, 0});      // V100, 8 per node
  spec.node_groups.push_back({"a4", 7, 4, 6, 32'000, 0, 4, {}, {}, {}, {}, {}, {}, 0, 0});  // A100-80GB, 4 per node, 32 cores
  spec.node_groups.push_back({"v4", 2, 4, 5, 0, 0, 4, {}, {}, {}, {}, {}, {}, 0, 0});       // more V100s, 4 per node
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
    // The share index: the up nodes with a shared GPU that has room.
    NodeId with_room = -1;
    for (std::size_t n = 0; n < state.node_count() && with_room < 0; ++n) {
      const auto node = static_cast<NodeId>(n);
      if (state.pool_of(node) != p || !state.is_up(node)) continue;
      for (std::int32_t gpu = 0; gpu < state.capacity_gpus(node); ++gpu) {
        const std::int32_t used = state.gpu_share_used(node, gpu);
        if (used > 0 && used < 1000) with_room = node;
      }
    }
    REQUIRE(state.next_with_share_room(p, 0) == with_room);
  }
  REQUIRE(state.total_free_gpus() == total);
  // Shared GPUs are counted, and are neither free nor given whole.
  for (std::size_t n = 0; n < state.node_count(); ++n) {
    const auto node = static_cast<NodeId>(n);
    std::int32_t shared = 0;
    for (std::int32_t gpu = 0; gpu < state.capacity_gpus(node); ++gpu) {
      REQUIRE(state.gpu_share_used(node, gpu) >= 0);
      REQUIRE(state.gpu_share_used(node, gpu) <= 1000);
      shared += state.gpu_share_used(node, gpu) > 0;
    }
    REQUIRE(state.shared_gpus(node) == shared);
    REQUIRE(state.free_gpus(node) + shared <= state.capacity_gpus(node));
  }
}

// Checks the CPU index's answers against a scan, for one request.
void check_cpu_index(const ClusterState& state, std::int64_t cpu, std::int64_t memory) {
  for (PoolId p = 0; p < state.pool_count(); ++p) {
    NodeId first = -1;
    NodeId tightest = -1;
    for (std::size_t n = 0; n < state.node_count(); ++n) {
      const auto node = static_cast<NodeId>(n);
      if (state.pool_of(node) != p || !state.models_cpu(node) || !state.node_fits(node, 0, cpu, memory)) continue;
      if (first < 0) first = node;
      if (tightest < 0 || state.free_cpu_milli(node) < state.free_cpu_milli(tightest)) tightest = node;
    }
    REQUIRE(state.first_cpu_fit(p, cpu, memory) == first);
    REQUIRE(state.tightest_cpu_fit(p, cpu, memory) == tightest);
  }
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
  CHECK(state.find_pool(5, 0) == -1);
  CHECK(state.find_pool(7, 0) == 1);
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

namespace {
// A node of 4 V100s (8 cores, 64 GiB) and one of 2 T4s without CPU modelled.
ClusterSpec sharing_cluster() {
  ClusterSpec spec;
  spec.node_groups.push_back({"v", 2, 4, 1, 8'000, 65'536, 4, {}, {}, {}, {}, {}, {}, 0, 0});
  spec.node_groups.push_back({"t", 4, 2, 1, 0, 0, 4, {}, {}, {}, {}, {}, {}, 0, 0});
  return spec;
}
}  // namespace

TEST_CASE("four quarter shares fill one GPU; a fifth opens the next", "[scheduler][cluster_state][sharing]") {
  const ClusterSpec spec = sharing_cluster();
  const ClusterLayout layout(spec);
  ClusterState state(layout, GpuCatalog::builtin());
  REQUIRE(state.gpu_for_new_share(0) == 0);
  CHECK(state.share_fits(0, 0, 250, 1'000, 0));
  CHECK(state.share_fits(0, 1, 250, 0, 0));        // any GPU no share holds may open (the core's undo needs it)
  CHECK_FALSE(state.share_fits(0, 4, 250, 0, 0));  // the node has 4 GPUs
  state.allocate_share(0, 0, 250, 1'000, 0);
  // GPU 0 is now shared: 3 GPUs free, the node no longer fully free, and the
  // node in the share index with 750 left on GPU 0.
  CHECK(state.free_gpus(0) == 3);
  CHECK(state.shared_gpus(0) == 1);
  CHECK(state.gpu_share_used(0, 0) == 250);
  CHECK(state.next_with_free(0, 3, 0) == 0);
  CHECK(state.next_fully_free(0, 0) == -1);
  CHECK(state.next_with_share_room(0, 0) == 0);
  CHECK(state.free_cpu_milli(0) == 7'000);
  for (int i = 0; i < 3; ++i) state.allocate_share(0, 0, 250, 1'000, 0);
  // Full: 1000 used, no room, still held by shares and not free.
  CHECK(state.gpu_share_used(0, 0) == 1000);
  CHECK(state.next_with_share_room(0, 0) == -1);
  CHECK(state.nodes_with_share_room() == 0);
  CHECK(state.free_gpus(0) == 3);
  CHECK_FALSE(state.share_fits(0, 0, 250, 0, 0));
  CHECK(state.gpu_for_new_share(0) == 1);  // the fifth quarter opens GPU 1
  state.allocate_share(0, 1, 250, 1'000, 0);
  CHECK(state.free_gpus(0) == 2);
  CHECK(state.shared_gpus(0) == 2);
  check_index(state);
}

TEST_CASE("a GPU that shares hold is not free for whole-GPU jobs", "[scheduler][cluster_state][sharing]") {
  const ClusterSpec spec = sharing_cluster();
  const ClusterLayout layout(spec);
  ClusterState state(layout, GpuCatalog::builtin());
  state.allocate(0, 3, 0, 0);             // 3 whole GPUs to one job
  state.allocate_share(0, 0, 100, 0, 0);  // a tenth of the fourth
  CHECK(state.free_gpus(0) == 0);
  CHECK_FALSE(state.node_fits(0, 1, 0, 0));  // 900 thousandths left, but not a free GPU
  CHECK(state.gpu_for_new_share(0) == -1);
  CHECK(state.share_fits(0, 0, 900, 0, 0));
  CHECK(state.total_free_gpus() == 2);  // the T4 node's
  check_index(state);
}

TEST_CASE("releasing a share gives back exactly it; the last one frees the GPU",
          "[scheduler][cluster_state][sharing]") {
  const ClusterSpec spec = sharing_cluster();
  const ClusterLayout layout(spec);
  ClusterState state(layout, GpuCatalog::builtin());
  state.allocate_share(0, 0, 300, 2'000, 1'024);
  state.allocate_share(0, 0, 600, 1'000, 0);
  state.release_share(0, 0, 300, 2'000, 1'024);
  CHECK(state.gpu_share_used(0, 0) == 600);
  CHECK(state.free_gpus(0) == 3);
  CHECK(state.free_cpu_milli(0) == 7'000);
  CHECK(state.free_memory_mib(0) == 65'536);
  state.release_share(0, 0, 600, 1'000, 0);
  CHECK(state.gpu_share_used(0, 0) == 0);
  CHECK(state.free_gpus(0) == 4);
  CHECK(state.shared_gpus(0) == 0);
  CHECK(state.next_fully_free(0, 0) == 0);
  CHECK(state.next_with_share_room(0, 0) == -1);
  check_index(state);
}

TEST_CASE("a node that is down leaves the share and CPU indexes", "[scheduler][cluster_state][sharing]") {
  const ClusterSpec spec = sharing_cluster();
  const ClusterLayout layout(spec);
  ClusterState state(layout, GpuCatalog::builtin());
  state.enable_cpu_index();
  state.allocate_share(0, 0, 500, 0, 0);
  CHECK(state.first_cpu_fit(0, 4'000, 0) == 0);
  state.set_up(0, false);
  CHECK(state.next_with_share_room(0, 0) == -1);
  CHECK(state.nodes_with_share_room() == 0);
  CHECK(state.first_cpu_fit(0, 4'000, 0) == -1);
  state.set_up(0, true);
  CHECK(state.next_with_share_room(0, 0) == 0);
  CHECK(state.first_cpu_fit(0, 4'000, 0) == 0);
  CHECK(state.first_cpu_fit(1, 1'000, 0) == -1);  // T4 nodes do not model CPU
  check_index(state);
}

TEST_CASE("the indexes stay consistent under random shares, CPU-only work and failures",
          "[scheduler][cluster_state][sharing]") {
  const ClusterSpec spec = mixed_cluster();
  const ClusterLayout layout(spec);
  ClusterState state(layout, GpuCatalog::builtin());
  auto stream = RandomStream::derive(5, "cluster_state.shares");
  struct Held {
    NodeId node;
    std::int32_t gpus;  // whole GPUs, or -1 for a share
    std::int32_t gpu;
    std::int32_t milli;
    std::int64_t cpu;
  };
  std::vector<Held> held;
  for (int op = 0; op < 6000; ++op) {
    const auto node = static_cast<NodeId>(stream.uniform_below(layout.node_count()));
    const auto choice = stream.uniform_below(20);
    const std::int64_t cpu = 500 * static_cast<std::int64_t>(stream.uniform_below(8));
    if (choice < 6 && state.is_up(node)) {
      // A share: on a shared GPU with room, or opening a free one.
      const auto milli = static_cast<std::int32_t>(1 + stream.uniform_below(999));
      std::int32_t gpu = state.gpu_for_new_share(node);
      for (std::int32_t g = 0; g < state.capacity_gpus(node); ++g) {
        const std::int32_t used = state.gpu_share_used(node, g);
        if (used > 0 && used + milli <= 1000) gpu = g;
      }
      if (gpu >= 0 && state.share_fits(node, gpu, milli, cpu, 0)) {
        state.allocate_share(node, gpu, milli, cpu, 0);
        held.push_back({node, -1, gpu, milli, cpu});
      }
    } else if (choice < 9 && state.is_up(node)) {
      // Whole GPUs, or none (CPU only) where CPU is modelled.
      const auto gpus =
          static_cast<std::int32_t>(stream.uniform_below(static_cast<std::uint64_t>(state.free_gpus(node)) + 1));
      if ((gpus > 0 || (state.models_cpu(node) && cpu > 0)) && state.node_fits(node, gpus, cpu, 0)) {
        state.allocate(node, gpus, cpu, 0);
        held.push_back({node, gpus, -1, 0, cpu});
      }
    } else if (choice < 18 && !held.empty()) {
      const auto i = stream.uniform_below(held.size());
      const Held& h = held[i];
      if (h.gpus < 0) {
        state.release_share(h.node, h.gpu, h.milli, h.cpu, 0);
      } else {
        state.release(h.node, h.gpus, h.cpu, 0);
      }
      held.erase(held.begin() + static_cast<std::ptrdiff_t>(i));
    } else {
      state.set_up(node, !state.is_up(node));
    }
    // The CPU index is built when the first CPU-only job arrives, on a
    // cluster that is already busy: built late, it must agree with a scan.
    if (op == 3000) state.enable_cpu_index();
    if (op % 50 == 0) {
      check_index(state);
      if (op >= 3000) check_cpu_index(state, 1 + cpu, 0);
    }
  }
  check_index(state);
  for (const std::int64_t cpu : {1, 4'000, 16'000, 32'000, 32'001}) check_cpu_index(state, cpu, 0);
}

TEST_CASE("the free-CPU index answers as a scan does, memory included", "[scheduler][cluster_state]") {
  // 37 slots (not a power of two), random CPU and memory, some absent and
  // some with memory unbounded.
  constexpr std::size_t kSlots = 37;
  FreeCpuIndex index(kSlots);
  std::vector<std::int64_t> cpu(kSlots, -1), memory(kSlots, -1);
  CHECK(index.first_fit(1, 0) == -1);
  auto stream = RandomStream::derive(9, "free_cpu_index");
  for (int op = 0; op < 4000; ++op) {
    const std::size_t slot = stream.uniform_below(kSlots);
    const auto kind = stream.uniform_below(10);
    cpu[slot] = kind == 0 ? -1 : static_cast<std::int64_t>(stream.uniform_below(20)) * 1000;
    memory[slot] = kind == 1 ? FreeCpuIndex::kUnbounded : static_cast<std::int64_t>(stream.uniform_below(8)) * 1024;
    index.set(slot, cpu[slot], memory[slot]);
    const auto want_cpu = static_cast<std::int64_t>(1 + stream.uniform_below(20'000));
    const auto want_memory = static_cast<std::int64_t>(stream.uniform_below(8 * 1024));
    std::int64_t first = -1, tightest = -1;
    for (std::size_t i = 0; i < kSlots; ++i) {
      if (cpu[i] < want_cpu || memory[i] < want_memory) continue;
      const auto s = static_cast<std::int64_t>(i);
      if (first < 0) first = s;
      if (tightest < 0 || cpu[i] < cpu[static_cast<std::size_t>(tightest)]) tightest = s;
    }
    REQUIRE(index.first_fit(want_cpu, want_memory) == first);
    REQUIRE(index.tightest_fit(want_cpu, want_memory) == tightest);
  }
}
