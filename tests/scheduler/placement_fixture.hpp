// A small cluster for the placement tests: its layout, its free-capacity
// state, and helpers to place a job and apply the placement.
#pragma once

#include <catch2/catch.hpp>

#include <vector>

#include "scheduler/cluster_state.hpp"
#include "scheduler/placement/node_choice.hpp"
#include "scheduler/placement/placement_policy.hpp"

namespace capsim::testing {

inline constexpr GpuTypeId kV100 = 2;
inline constexpr GpuTypeId kT4 = 4;

struct PlacementFixture {
  explicit PlacementFixture(ClusterSpec cluster_spec)
      : spec(std::move(cluster_spec)), catalog(GpuCatalog::builtin()), layout(spec), state(layout, catalog) {}
  // Uses `gpus` whole GPUs of each node, in node order.
  void use(std::initializer_list<std::int32_t> used) {
    NodeId n = 0;
    for (const std::int32_t gpus : used) {
      if (gpus > 0) state.allocate(n, gpus, 0, 0);
      ++n;
    }
  }
  // A job of `milli` thousandths of GPU (1000 x GPUs, a share, or 0: CPU
  // only) with `cpu_milli` of CPU.
  static scheduler::JobRequest job(std::int64_t milli, std::int64_t cpu_milli = 0) {
    scheduler::JobRequest job;
    job.request = Resources{milli, 0, cpu_milli, 0};
    return job;
  }
  // The policy's placement of the job (empty when it does not fit), not applied.
  std::vector<scheduler::NodeShare> place(scheduler::PlacementPolicy& policy, std::int64_t milli,
                                          std::int64_t cpu_milli = 0) {
    if (milli == 0) state.enable_cpu_index();  // as the core does when a CPU-only job arrives
    std::vector<scheduler::NodeShare> out;
    if (!policy.place(job(milli, cpu_milli), state, out)) out.clear();
    return out;
  }
  // Places and applies it, as the core would.
  std::vector<scheduler::NodeShare> start(scheduler::PlacementPolicy& policy, std::int64_t milli,
                                          std::int64_t cpu_milli = 0) {
    std::vector<scheduler::NodeShare> out = place(policy, milli, cpu_milli);
    for (const scheduler::NodeShare& s : out) {
      if (s.is_gpu_share()) {
        state.allocate_share(s.node, s.gpu, s.gpu_milli, cpu_milli, 0);
      } else {
        state.allocate(s.node, s.gpus, scheduler::cpu_share(job(milli, cpu_milli), s.gpus), 0);
      }
    }
    return out;
  }
  ClusterSpec spec;
  GpuCatalog catalog;
  ClusterLayout layout;
  scheduler::ClusterState state;
};

// `milli` thousandths of GPU `gpu` of `node`.
inline scheduler::NodeShare gpu_share(NodeId node, std::int32_t gpu, std::int32_t milli) {
  scheduler::NodeShare share;
  share.node = node;
  share.gpu = static_cast<std::int16_t>(gpu);
  share.gpu_milli = static_cast<std::int16_t>(milli);
  return share;
}

// `count` V100 nodes of `gpus` GPUs, `per_rack` to a rack, with `cpus`
// cores each (0: CPU not modelled).
inline ClusterSpec v100_nodes(std::int64_t count, std::int32_t gpus, std::int32_t per_rack = 32,
                              std::int64_t cpus = 0) {
  ClusterSpec spec;
  spec.node_groups.push_back({"v", kV100, gpus, count, cpus * 1000, 0, per_rack, {}, {}, {}, {}, {}, {}, 0, 0});
  return spec;
}

using Shares = std::vector<scheduler::NodeShare>;

}  // namespace capsim::testing
