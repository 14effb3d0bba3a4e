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
  std::vector<NodeShare> place(const PlacementPolicy& policy, std::int32_t gpus, GpuTypeId type = kAnyGpuType,
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
  ClusterSpec spec;
  GpuCatalog catalog;
  ClusterLayout layout;
  ClusterState state;
};

ClusterSpec four_v100_nodes() {
  ClusterSpec spec;
  spec.node_groups.push_back({"v", kV100, 8, 4, 0, 0, 32, {}});
  return spec;
}

using Shares = std::vector<NodeShare>;
const FirstFitPlacement kFirstFit;
const BestFitPlacement kBestFit;

}  // namespace

TEST_CASE("first fit takes the lowest node with room, best fit the tightest", "[scheduler][placement]") {
  Fixture f(four_v100_nodes());
  f.use({0, 5, 3, 0});  // free: 8, 3, 5, 8
  CHECK(f.place(kFirstFit, 3) == Shares{{0, 3}});
  CHECK(f.place(kBestFit, 3) == Shares{{1, 3}});  // leaves 0 free on node 1
  CHECK(f.place(kFirstFit, 4) == Shares{{0, 4}});
  CHECK(f.place(kBestFit, 4) == Shares{{2, 4}});  // 5 free: leaves 1
  CHECK(f.place(kBestFit, 8) == Shares{{0, 8}});  // ties go to the lowest id
}

TEST_CASE("a job that fits one node waits for one node", "[scheduler][placement]") {
  Fixture f(four_v100_nodes());
  f.use({6, 6, 6, 6});  // 2 free on each node: 8 free in all
  CHECK(f.place(kFirstFit, 4).empty());
  CHECK(f.place(kBestFit, 4).empty());
  CHECK(f.place(kBestFit, 2) == Shares{{0, 2}});
}

TEST_CASE("a job larger than a node takes whole nodes, then the remainder", "[scheduler][placement]") {
  Fixture f(four_v100_nodes());
  CHECK(f.place(kFirstFit, 16) == Shares{{0, 8}, {1, 8}});
  CHECK(f.place(kBestFit, 12) == Shares{{0, 8}, {1, 4}});
  f.use({0, 2, 4, 0});  // free: 8, 6, 4, 8
  // 12 = node 0 whole (node 3 whole would exceed 12 - 8), remainder 4:
  // first fit -> lowest node with 4 free (node 1); best fit -> tightest (node 2).
  CHECK(f.place(kFirstFit, 12) == Shares{{0, 8}, {1, 4}});
  CHECK(f.place(kBestFit, 12) == Shares{{0, 8}, {2, 4}});
}

TEST_CASE("without whole nodes a gang spreads over the emptiest nodes", "[scheduler][placement]") {
  Fixture f(four_v100_nodes());
  f.use({5, 4, 5, 5});  // free: 3, 4, 3, 3 = 13
  CHECK(f.place(kFirstFit, 12) == Shares{{1, 4}, {0, 3}, {2, 3}, {3, 2}});
  CHECK(f.place(kBestFit, 13) == Shares{{1, 4}, {0, 3}, {2, 3}, {3, 3}});
  CHECK(f.place(kBestFit, 14).empty());  // all or nothing
}

TEST_CASE("any-type jobs: first fit by id, best fit by leftover across pools", "[scheduler][placement]") {
  ClusterSpec spec;
  spec.node_groups.push_back({"v", kV100, 8, 2, 0, 0, 32, {}});  // nodes 0, 1
  spec.node_groups.push_back({"t", kT4, 4, 2, 0, 0, 32, {}});    // nodes 2, 3
  Fixture f(spec);
  f.use({7});  // free: 1, 8, 4, 4
  CHECK(f.place(kFirstFit, 2) == Shares{{1, 2}});
  CHECK(f.place(kBestFit, 2) == Shares{{2, 2}});  // T4 node 2 leaves 2, V100 node 1 would leave 6
  CHECK(f.place(kBestFit, 2, kV100) == Shares{{1, 2}});
  // 6 T4 GPUs: more than a T4 node, so whole node 2, then 2 on node 3.
  CHECK(f.place(kFirstFit, 6, kT4) == Shares{{2, 4}, {3, 2}});
  // A type the cluster lacks never fits.
  CHECK(f.place(kFirstFit, 1, 9).empty());
}

TEST_CASE("a job that needs more GPU memory goes where the GPUs have it", "[scheduler][placement]") {
  ClusterSpec spec;
  spec.node_groups.push_back({"v", kV100, 8, 1, 0, 0, 32, {}});  // node 0: 16 GiB per GPU
  spec.node_groups.push_back({"a", 7, 8, 1, 0, 0, 32, {}});      // node 1: A100-80GB
  Fixture f(spec);
  constexpr std::int64_t k40GiB = 40 * 1024;
  CHECK(f.place(kFirstFit, 2, kAnyGpuType, 0, k40GiB) == Shares{{1, 2}});
  CHECK(f.place(kBestFit, 2, kAnyGpuType, 0, k40GiB) == Shares{{1, 2}});
  CHECK(f.place(kFirstFit, 2, kV100, 0, k40GiB).empty());  // a V100 never has 40 GiB
  CHECK(f.place(kFirstFit, 2) == Shares{{0, 2}});
}

TEST_CASE("CPU requests are split over nodes and checked", "[scheduler][placement]") {
  ClusterSpec spec;
  spec.node_groups.push_back({"v", kV100, 8, 2, 32'000, 0, 32, {}});  // 32 cores per node
  Fixture f(spec);
  f.state.allocate(0, 1, 16'000, 0);  // node 0: 7 GPUs, 16 cores free
  CHECK(f.place(kFirstFit, 2, kAnyGpuType, 20'000) == Shares{{1, 2}});
  CHECK(f.place(kFirstFit, 2, kAnyGpuType, 16'000) == Shares{{0, 2}});
  JobRequest job;
  job.request = Resources::gpus(12);
  job.request.cpu_milli = 30'000;
  CHECK(cpu_share(job, 8) == 20'000);  // 30 cores x 8/12
  CHECK(cpu_share(job, 4) == 10'000);
}
