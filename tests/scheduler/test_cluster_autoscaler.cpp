// The cluster autoscaler's decisions on hand-worked states (scale-up by the
// price expander, room on ready and coming nodes, GPU memory, scale-down
// after the delay and above the minimum).
#include <catch2/catch.hpp>

#include "core/gpu_catalog.hpp"
#include "scheduler/cluster_autoscaler.hpp"

using namespace capsim;
using namespace capsim::scheduler;

namespace {
// Group 0: on-demand V100s at $3.06; group 1: spot V100s at $1.00. Eight
// GPUs a node.
std::vector<NodeGroupStatus> two_groups(const GpuCatalog& catalog) {
  const GpuTypeId v100 = *catalog.find("V100");
  NodeGroupStatus on_demand{0, v100, 8, 0, 4, 1, 0, 0, 3.06, Duration::minutes(10), 0};
  NodeGroupStatus spot{1, v100, 8, 0, 2, 0, 0, 0, 1.00, Duration::minutes(10), 0};
  return {on_demand, spot};
}
}  // namespace

TEST_CASE("cluster autoscaler: waiting GPUs buy the cheapest nodes first, then the next group",
          "[autoscale][cluster]") {
  const GpuCatalog catalog = GpuCatalog::builtin();
  const ClusterAutoscaler ca(catalog);
  const Time now = Time::zero() + Duration::minutes(1);
  std::vector<NodeGroupStatus> groups = two_groups(catalog);
  SECTION("20 GPUs: both spot nodes (16 GPUs), then one on-demand node for the last 4") {
    const std::vector<WaitingDemand> waiting = {{GpuTypeSet::any(), 0, 20'000, RegionSet::any()}};
    const ClusterScaling s = ca.decide(now, groups, waiting, {});
    CHECK(s.add == std::vector<std::pair<std::int32_t, std::int64_t>>{{0, 1}, {1, 2}});
    CHECK(s.release.empty());
  }
  SECTION("free GPUs on ready nodes and nodes on their way count as room") {
    groups[0].free_gpus = 4;
    groups[1].provisioning = 1;  // 8 GPUs coming
    CHECK(ca.decide(now, groups, std::vector<WaitingDemand>{{GpuTypeSet::any(), 0, 12'000, RegionSet::any()}}, {})
              .add.empty());
    const ClusterScaling s =
        ca.decide(now, groups, std::vector<WaitingDemand>{{GpuTypeSet::any(), 0, 12'500, RegionSet::any()}}, {});
    CHECK(s.add == std::vector<std::pair<std::int32_t, std::int64_t>>{{1, 1}});
  }
  SECTION("work that needs more GPU memory than a V100 has asks for nothing") {
    const std::vector<WaitingDemand> waiting = {{GpuTypeSet::any(), 32 * 1024, 8'000, RegionSet::any()}};
    CHECK(ca.decide(now, groups, waiting, {}).add.empty());
  }
  SECTION("no headroom: nothing beyond the group's maximum") {
    groups[1].ready = 2;
    groups[0].ready = 4;
    CHECK(ca.decide(now, groups, std::vector<WaitingDemand>{{GpuTypeSet::any(), 0, 64'000, RegionSet::any()}}, {})
              .add.empty());
  }
}

TEST_CASE("cluster autoscaler: an idle node goes after the delay, above the minimum, when nothing waits for it",
          "[autoscale][cluster]") {
  const GpuCatalog catalog = GpuCatalog::builtin();
  const ClusterAutoscaler ca(catalog);
  std::vector<NodeGroupStatus> groups = two_groups(catalog);
  groups[0].ready = 2;
  groups[0].min = 1;
  const std::vector<IdleNode> idle = {{3, 0, Time::zero()}, {5, 0, Time::zero() + Duration::minutes(1)}};
  // 9 minutes idle: not yet.
  CHECK(ca.decide(Time::zero() + Duration::minutes(9), groups, {}, idle).release.empty());
  // 10 minutes: node 3 goes; node 5 would leave the group under its minimum.
  CHECK(ca.decide(Time::zero() + Duration::minutes(20), groups, {}, idle).release == std::vector<NodeId>{3});
  // Waiting work that the group could take keeps it.
  CHECK(ca.decide(Time::zero() + Duration::minutes(20), groups,
                  std::vector<WaitingDemand>{{GpuTypeSet::any(), 0, 1'000, RegionSet::any()}}, idle)
            .release.empty());
}
