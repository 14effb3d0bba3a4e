// Placement policies on small clusters worked out by hand.
#include <catch2/catch.hpp>

#include "scheduler/placement/best_fit.hpp"
#include "scheduler/placement/first_fit.hpp"
#include "scheduler/placement/node_choice.hpp"

using namespace capsim;
using namespace capsim::scheduler;

namespace {

constexpr GpuTypeId kV100 = 2;
constexpr GpuTypeId kT4 = 4;

struct Fixture {
  explicit Fixture(ClusterSpec cluster_spec)
      : spec(std::move(cluster_spec)), catalog(GpuCatalog::builtin()), layout(spec), state(layout, catalog) {}
  // Uses `gpus` GPUs of each node, in node order.
  void use(std::initializer_list<std::int32_t> used) {
    NodeId n = 0;
    for (const std::int32_t gpus : used) {
      if (gpus > 0) state.allocate(n, gpus, 0, 0);
      ++n;
    }
  }
  std::vector<NodeShare> place(PlacementPolicy& policy, std::int32_t gpus, GpuTypeId type = kAnyGpuType,
                               std::int64_t cpu_milli = 0, std::int64_t gpu_memory_mib = 0) {
    JobRequest job;
    job.request = Resources::gpus(gpus);
    job.gpu_types = type == kAnyGpuType ? GpuTypeSet::any() : GpuTypeSet::of(type);
    job.request.cpu_milli = cpu_milli;
    job.request.gpu_memory_mib = gpu_memory_mib;
    std::vector<NodeShare> out;
    if (!policy.place(job, state, out)) out.clear();
    return out;
  }
  // A job of a share of one GPU (`milli` thousandths), or CPU-only (milli 0).
  std::vector<NodeShare> place_milli(PlacementPolicy& policy, std::int64_t milli, std::int64_t cpu_milli = 0,
                                     GpuTypeId type = kAnyGpuType, std::int64_t memory_mib = 0) {
    if (milli == 0) state.enable_cpu_index();  // as the core does when a CPU-only job arrives
    JobRequest job;
    job.request = Resources{milli, 0, cpu_milli, memory_mib};
    job.gpu_types = type == kAnyGpuType ? GpuTypeSet::any() : GpuTypeSet::of(type);
    std::vector<NodeShare> out;
    if (!policy.place(job, state, out)) out.clear();
    return out;
  }
  ClusterSpec spec;
  GpuCatalog catalog;
  ClusterLayout layout;
  ClusterState state;
  // A policy serves one cluster: it remembers what failed there.
  FirstFitPlacement first_fit;
  BestFitPlacement best_fit;
};

// `milli` thousandths of GPU `gpu` of `node`.
NodeShare gpu_share(NodeId node, std::int32_t gpu, std::int32_t milli) {
  NodeShare share;
  share.node = node;
  share.gpu = static_cast<std::int16_t>(gpu);
  share.gpu_milli = static_cast<std::int16_t>(milli);
  return share;
}

ClusterSpec four_v100_nodes() {
  ClusterSpec spec;
  spec.node_groups.push_back({"v", kV100, 8, 4, 0, 0, 32, {}, {}, {}, {}, {}, {}, 0, 0});
  return spec;
}

using Shares = std::vector<NodeShare>;

}  // namespace

TEST_CASE("first fit takes the lowest node with room, best fit the tightest", "[scheduler][placement]") {
  Fixture f(four_v100_nodes());
  f.use({0, 5, 3, 0});  // free: 8, 3, 5, 8
  CHECK(f.place(f.first_fit, 3) == Shares{{0, 3}});
  CHECK(f.place(f.best_fit, 3) == Shares{{1, 3}});  // leaves 0 free on node 1
  CHECK(f.place(f.first_fit, 4) == Shares{{0, 4}});
  CHECK(f.place(f.best_fit, 4) == Shares{{2, 4}});  // 5 free: leaves 1
  CHECK(f.place(f.best_fit, 8) == Shares{{0, 8}});  // ties go to the lowest id
}

TEST_CASE("a job that fits one node waits for one node", "[scheduler][placement]") {
  Fixture f(four_v100_nodes());
  f.use({6, 6, 6, 6});  // 2 free on each node: 8 free in all
  CHECK(f.place(f.first_fit, 4).empty());
  CHECK(f.place(f.best_fit, 4).empty());
  CHECK(f.place(f.best_fit, 2) == Shares{{0, 2}});
}

TEST_CASE("a job larger than a node takes whole nodes, then the remainder", "[scheduler][placement]") {
  Fixture f(four_v100_nodes());
  CHECK(f.place(f.first_fit, 16) == Shares{{0, 8}, {1, 8}});
  CHECK(f.place(f.best_fit, 12) == Shares{{0, 8}, {1, 4}});
  f.use({0, 2, 4, 0});  // free: 8, 6, 4, 8
  // 12 = node 0 whole (node 3 whole would exceed 12 - 8), remainder 4:
  // first fit -> lowest node with 4 free (node 1); best fit -> tightest (node 2).
  CHECK(f.place(f.first_fit, 12) == Shares{{0, 8}, {1, 4}});
  CHECK(f.place(f.best_fit, 12) == Shares{{0, 8}, {2, 4}});
}

TEST_CASE("without whole nodes a gang spreads over the emptiest nodes", "[scheduler][placement]") {
  Fixture f(four_v100_nodes());
  f.use({5, 4, 5, 5});  // free: 3, 4, 3, 3 = 13
  CHECK(f.place(f.first_fit, 12) == Shares{{1, 4}, {0, 3}, {2, 3}, {3, 2}});
  CHECK(f.place(f.best_fit, 13) == Shares{{1, 4}, {0, 3}, {2, 3}, {3, 3}});
  CHECK(f.place(f.best_fit, 14).empty());  // all or nothing
}

TEST_CASE("any-type jobs: first fit by id, best fit by leftover across pools", "[scheduler][placement]") {
  ClusterSpec spec;
  spec.node_groups.push_back({"v", kV100, 8, 2, 0, 0, 32, {}, {}, {}, {}, {}, {}, 0, 0});  // nodes 0, 1
  spec.node_groups.push_back({"t", kT4, 4, 2, 0, 0, 32, {}, {}, {}, {}, {}, {}, 0, 0});    // nodes 2, 3
  Fixture f(spec);
  f.use({7});  // free: 1, 8, 4, 4
  CHECK(f.place(f.first_fit, 2) == Shares{{1, 2}});
  CHECK(f.place(f.best_fit, 2) == Shares{{2, 2}});  // T4 node 2 leaves 2, V100 node 1 would leave 6
  CHECK(f.place(f.best_fit, 2, kV100) == Shares{{1, 2}});
  // 6 T4 GPUs: more than a T4 node, so whole node 2, then 2 on node 3.
  CHECK(f.place(f.first_fit, 6, kT4) == Shares{{2, 4}, {3, 2}});
  // A type the cluster lacks never fits.
  CHECK(f.place(f.first_fit, 1, 9).empty());
}

TEST_CASE("a job that needs more GPU memory goes where the GPUs have it", "[scheduler][placement]") {
  ClusterSpec spec;
  spec.node_groups.push_back({"v", kV100, 8, 1, 0, 0, 32, {}, {}, {}, {}, {}, {}, 0, 0});  // node 0: 16 GiB per GPU
  spec.node_groups.push_back({"a", 7, 8, 1, 0, 0, 32, {}, {}, {}, {}, {}, {}, 0, 0});      // node 1: A100-80GB
  Fixture f(spec);
  constexpr std::int64_t k40GiB = 40 * 1024;
  CHECK(f.place(f.first_fit, 2, kAnyGpuType, 0, k40GiB) == Shares{{1, 2}});
  CHECK(f.place(f.best_fit, 2, kAnyGpuType, 0, k40GiB) == Shares{{1, 2}});
  CHECK(f.place(f.first_fit, 2, kV100, 0, k40GiB).empty());  // a V100 never has 40 GiB
  CHECK(f.place(f.first_fit, 2) == Shares{{0, 2}});
}

TEST_CASE("CPU requests are split over nodes and checked", "[scheduler][placement]") {
  ClusterSpec spec;
  spec.node_groups.push_back({"v", kV100, 8, 2, 32'000, 0, 32, {}, {}, {}, {}, {}, {}, 0, 0});  // 32 cores per node
  Fixture f(spec);
  f.state.allocate(0, 1, 16'000, 0);  // node 0: 7 GPUs, 16 cores free
  CHECK(f.place(f.first_fit, 2, kAnyGpuType, 20'000) == Shares{{1, 2}});
  CHECK(f.place(f.first_fit, 2, kAnyGpuType, 16'000) == Shares{{0, 2}});
  JobRequest job;
  job.request = Resources::gpus(12);
  job.request.cpu_milli = 30'000;
  CHECK(cpu_share(job, 8) == 20'000);  // 30 cores x 8/12
  CHECK(cpu_share(job, 4) == 10'000);
}

TEST_CASE("shares: first fit packs onto the lowest shared GPU with room, best fit onto the fullest",
          "[scheduler][placement][sharing]") {
  Fixture f(four_v100_nodes());
  // Node 0 untouched (8 free GPUs). Node 1: GPU 0 half used (7 free).
  // Node 2: GPU 0 750 used, GPU 1 250 used (6 free). Node 3: GPU 0 900 used (7 free).
  f.state.allocate_share(1, 0, 500, 0, 0);
  f.state.allocate_share(2, 0, 750, 0, 0);
  f.state.allocate_share(2, 1, 250, 0, 0);
  f.state.allocate_share(3, 0, 900, 0, 0);
  // A quarter: first fit takes node 1's GPU 0 (500 of room; node 0 has only
  // free GPUs, which come second); best fit the GPU it fills exactly, node 2's GPU 0.
  CHECK(f.place_milli(f.first_fit, 250) == Shares{gpu_share(1, 0, 250)});
  CHECK(f.place_milli(f.best_fit, 250) == Shares{gpu_share(2, 0, 250)});
  // A tenth: best fit fills node 3's GPU 0 (100 of room, left 0).
  CHECK(f.place_milli(f.best_fit, 100) == Shares{gpu_share(3, 0, 100)});
  // 600: only node 2's GPU 1 has the room (750).
  CHECK(f.place_milli(f.first_fit, 600) == Shares{gpu_share(2, 1, 600)});
  CHECK(f.place_milli(f.best_fit, 600) == Shares{gpu_share(2, 1, 600)});
  // 800: no shared GPU has the room; a free GPU. First fit: node 0, GPU 0.
  // Best fit: the node with the fewest free GPUs, node 2 (6), whose lowest
  // GPU no share holds is GPU 2.
  CHECK(f.place_milli(f.first_fit, 800) == Shares{gpu_share(0, 0, 800)});
  CHECK(f.place_milli(f.best_fit, 800) == Shares{gpu_share(2, 2, 800)});
}

TEST_CASE("shares: best fit ties go to the lowest node, then the lowest GPU", "[scheduler][placement][sharing]") {
  Fixture f(four_v100_nodes());
  f.state.allocate_share(3, 0, 500, 0, 0);  // node 3: GPU 0 has 500 of room
  f.state.allocate_share(1, 0, 900, 0, 0);  // node 1: GPU 0 has 100
  f.state.allocate_share(1, 1, 500, 0, 0);  //         GPU 1 has 500
  // 100 fills node 1's GPU 0 exactly.
  CHECK(f.place_milli(f.best_fit, 100) == Shares{gpu_share(1, 0, 100)});
  // 400 leaves 100 on node 1's GPU 1 or node 3's GPU 0: the lower node wins,
  // though its GPU's number is higher.
  CHECK(f.place_milli(f.best_fit, 400) == Shares{gpu_share(1, 1, 400)});
  // Another GPU of node 1 with the same room: the lower number wins.
  f.state.allocate_share(1, 2, 500, 0, 0);
  CHECK(f.place_milli(f.best_fit, 400) == Shares{gpu_share(1, 1, 400)});
  CHECK(f.place_milli(f.first_fit, 400) == Shares{gpu_share(1, 1, 400)});
}

TEST_CASE("shares: a whole-GPU job cannot use a shared GPU", "[scheduler][placement][sharing]") {
  ClusterSpec spec;
  spec.node_groups.push_back({"v", kV100, 2, 1, 0, 0, 32, {}, {}, {}, {}, {}, {}, 0, 0});
  Fixture f(spec);
  f.state.allocate(0, 1, 0, 0);
  f.state.allocate_share(0, 0, 100, 0, 0);  // the other GPU: 900 thousandths of room
  CHECK(f.place(f.first_fit, 1).empty());
  CHECK(f.place(f.best_fit, 1).empty());
  CHECK(f.place_milli(f.best_fit, 900) == Shares{gpu_share(0, 0, 900)});
  CHECK(f.place_milli(f.best_fit, 901).empty());
}

TEST_CASE("shares: GPU types, GPU memory and CPU limit where a share goes", "[scheduler][placement][sharing]") {
  ClusterSpec spec;
  spec.node_groups.push_back({"v", kV100, 4, 1, 4'000, 0, 32, {}, {}, {}, {}, {}, {}, 0, 0});  // node 0: 4 cores
  spec.node_groups.push_back({"t", kT4, 4, 1, 0, 0, 32, {}, {}, {}, {}, {}, {}, 0, 0});        // node 1
  Fixture f(spec);
  f.state.allocate_share(1, 0, 500, 0, 0);
  f.state.allocate_share(0, 0, 500, 0, 0);
  // Any type: first fit takes the lowest node with a shared GPU that has room.
  CHECK(f.place_milli(f.first_fit, 500) == Shares{gpu_share(0, 0, 500)});
  CHECK(f.place_milli(f.first_fit, 500, 0, kT4) == Shares{gpu_share(1, 0, 500)});
  // 5 cores: node 0 has 4; the T4 node does not model CPU.
  CHECK(f.place_milli(f.first_fit, 500, 5'000) == Shares{gpu_share(1, 0, 500)});
  CHECK(f.place_milli(f.first_fit, 500, 5'000, kV100).empty());
}

TEST_CASE("CPU-only jobs: a node that models CPU, first fit by id, best fit by CPU left",
          "[scheduler][placement][cpu_only]") {
  ClusterSpec spec;
  spec.node_groups.push_back({"t", kT4, 4, 1, 0, 0, 32, {}, {}, {}, {}, {}, {}, 0, 0});  // node 0: CPU not modelled
  spec.node_groups.push_back(
      {"v", kV100, 8, 3, 32'000, 131'072, 32, {}, {}, {}, {}, {}, {}, 0, 0});  // nodes 1-3: 32 cores, 128 GiB
  Fixture f(spec);
  f.state.allocate(1, 8, 20'000, 0);       // node 1: all GPUs, 12 cores left
  f.state.allocate(2, 0, 26'000, 0);       // node 2: 6 cores left (CPU-only work)
  f.state.allocate(3, 0, 2'000, 130'000);  // node 3: 30 cores, 1,072 MiB left
  // 4 cores: first fit node 1 (GPUs all taken, CPU free); best fit node 2 (6 - 4 = 2 left).
  CHECK(f.place_milli(f.first_fit, 0, 4'000) == Shares{{1, 0}});
  CHECK(f.place_milli(f.best_fit, 0, 4'000) == Shares{{2, 0}});
  // 13 cores: only node 3.
  CHECK(f.place_milli(f.first_fit, 0, 13'000) == Shares{{3, 0}});
  CHECK(f.place_milli(f.best_fit, 0, 13'000) == Shares{{3, 0}});
  // 4 cores and 2 GiB: node 3 lacks the memory; best fit node 2.
  CHECK(f.place_milli(f.best_fit, 0, 4'000, kAnyGpuType, 2'048) == Shares{{2, 0}});
  CHECK(f.place_milli(f.first_fit, 0, 13'000, kAnyGpuType, 2'048).empty());
  // A GPU type restricts the nodes even for a job that uses no GPU.
  CHECK(f.place_milli(f.first_fit, 0, 1'000, kT4).empty());
  CHECK(f.place_milli(f.first_fit, 0, 31'000).empty());
}

TEST_CASE("an allocation's problem is named, and a good one has none", "[scheduler][placement]") {
  Fixture f(four_v100_nodes());
  f.use({6, 0, 0, 0});  // free: 2, 8, 8, 8
  const auto problem = [&](std::int64_t milli, Shares given) {
    JobRequest job;
    job.request = Resources{milli, 0, 0, 0};
    job.id = 7;
    return allocation_problem(job, given, f.state);
  };
  CHECK(problem(12'000, {{1, 8}, {0, 2}, {2, 2}}) == "");
  CHECK(problem(250, {gpu_share(1, 0, 250)}) == "");
  CHECK(problem(4'000, {}) == "an empty allocation for job 7");
  CHECK(problem(4'000, {{9, 4}}) == "node 9 for job 7: the cluster has nodes 0 to 3");
  CHECK(problem(4'000, {{0, 4}}) == "node 0 has no room for 4 GPUs of job 7 (GPUs, CPU or memory)");
  CHECK(problem(4'000, {{1, 2}, {1, 2}}) == "job 7 given node 1 twice");
  CHECK(problem(4'000, {{1, 3}}) == "job 7 asks 4 GPUs and was given 3");
  CHECK(problem(250, {gpu_share(1, 0, 500)}) == "job 7 asks 250 thousandths of one GPU and was given another amount");
  CHECK(problem(250, {gpu_share(1, 8, 250)}) == "GPU 8 of node 1 has no room for job 7 (its share, CPU or memory)");
  CHECK(problem(250, {{1, 1}}) == "job 7 needs one node's share, not whole GPUs");
  JobRequest t4_only;
  t4_only.gpu_types = GpuTypeSet::of(kT4);
  CHECK(allocation_problem(t4_only, Shares{{1, 1}}, f.state).find("may not use") != std::string::npos);
}
