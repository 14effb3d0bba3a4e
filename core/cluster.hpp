// The cluster as a scenario describes it (node groups of one GPU type each,
// racks) and as simulators see it (a dense table of nodes).
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/energy.hpp"
#include "core/error.hpp"
#include "core/gpu_catalog.hpp"
#include "core/network.hpp"
#include "core/region.hpp"
#include "core/resources.hpp"
#include "core/time.hpp"

namespace capsim {

using NodeId = std::int32_t;
using RackId = std::int32_t;

// One MIG instance of a static layout: a profile of the group's GPU type
// (an index into its mig_profiles) at a memory slice.
struct MigInstance {
  std::int8_t profile = 0;
  std::int8_t start = 0;
  friend bool operator==(const MigInstance&, const MigInstance&) = default;
};

// How a node group's GPUs are split by MIG (Multi-Instance GPU):
// - off: whole GPUs (which shares of one GPU may time-slice);
// - static: each GPU carries the instances the scenario lists (`layouts`,
//   one per GPU of the node, the same on every node); a job that asks for a
//   share of one GPU takes a free instance with enough compute slices, and a
//   partitioned GPU never serves a whole-GPU job. A GPU whose layout is empty
//   or one full-size instance is not partitioned;
// - dynamic: GPUs start empty and the scheduler creates the smallest
//   instance that serves a share when it places it, and destroys it when the
//   share leaves; a GPU with no instance serves whole-GPU jobs.
enum class MigMode : std::uint8_t { kOff, kStatic, kDynamic };

struct MigSpec {
  MigMode mode = MigMode::kOff;
  std::vector<std::vector<MigInstance>> layouts;  // static: one per GPU of a node

  // Whether GPU `gpu` of a node is partitioned (static, with instances).
  bool partitioned(std::int32_t gpu) const {
    return mode == MigMode::kStatic && !layouts[static_cast<std::size_t>(gpu)].empty();
  }
  friend bool operator==(const MigSpec&, const MigSpec&) = default;
};

// `count` nodes of one kind. CPU and memory of 0 mean "not modelled": jobs'
// CPU and memory requests are then not checked against these nodes.
// How a group's nodes are bought (issue 8's cluster autoscaler; issue 9's
// pools): on demand (by the hour, any time), reserved (committed: paid for
// every hour of the run, used or not) or spot (cheaper, and taken back at
// random with a short notice).
enum class NodePool : std::uint8_t { kOnDemand, kReserved, kSpot };
std::string_view to_string(NodePool pool);

// A group whose nodes the cluster autoscaler adds and removes: `count` is
// then the most it may have.
struct NodeAutoscalingSpec {
  std::int64_t min = 0;                               // never fewer
  std::int64_t initial = 0;                           // at time 0 (min..count)
  Duration provisioning = Duration::minutes(3);       // asked for until it takes work
  Duration scale_down_delay = Duration::minutes(10);  // idle this long: released
  friend bool operator==(const NodeAutoscalingSpec&, const NodeAutoscalingSpec&) = default;
};

// Spot nodes are interrupted at random: each provisioned node after an
// exponential time of mean 1 / interruptions_per_hour. The notice comes
// that long before; jobs then on the node checkpoint (they lose nothing) and
// leave when it goes, to wait for GPUs elsewhere.
struct SpotSpec {
  double interruptions_per_hour = 0;
  Duration notice = Duration::minutes(2);
  friend bool operator==(const SpotSpec&, const SpotSpec&) = default;
};

struct NodeGroupSpec {
  std::string name;
  GpuTypeId gpu_type = 0;
  std::int32_t gpus_per_node = 8;
  std::int64_t count = 0;
  std::int64_t cpu_milli = 0;
  std::int64_t memory_mib = 0;
  std::int32_t nodes_per_rack = 32;  // a rack holds nodes of one group
  SourceLocation where;
  MigSpec mig;
  NodePool pool = NodePool::kOnDemand;
  std::optional<double> usd_per_gpu_hour;  // none: the catalog's on-demand price of its GPU type
  std::optional<NodeAutoscalingSpec> autoscaling;
  std::optional<SpotSpec> spot;  // pool spot only
  // Where its nodes stand: an index into ClusterSpec::regions (0 when the
  // scenario lists none: one region, "default").
  RegionId region = 0;
  // A node's own power beside its GPUs' (CPUs, memory, fans, NICs), drawn
  // while it is powered; 0: not modelled.
  double node_watts = 0;
  // A fixed group's node powered off by an energy policy draws off_watts
  // (its BMC, standby) and, booted, takes work after `boot` (drawing its
  // idle power meanwhile).
  double off_watts = 0;
  Duration boot = Duration::minutes(5);

  // GPUs of a node that can serve whole-GPU jobs: those MIG does not
  // partition.
  std::int32_t whole_gpus_per_node() const;
  // The group's price per GPU-hour: its own, or its GPU type's on-demand
  // price in the catalog.
  double price_per_gpu_hour(const GpuCatalog& catalog) const {
    return usd_per_gpu_hour.value_or(catalog.at(gpu_type).usd_per_hour);
  }
  // The most thousandths of one GPU a share can be given on a node: 1000
  // with a GPU that is not partitioned, else the largest instance's
  // (mig_milli).
  std::int32_t largest_share_milli(const GpuCatalog& catalog) const;

  friend bool operator==(const NodeGroupSpec&, const NodeGroupSpec&) = default;
};

// Rate factors by a job's GPU count: (g, f) pairs in increasing g; a job of
// g GPUs gets f at a listed g, the linear interpolation between the two
// nearest listed counts, and the nearest end's factor beyond them. One pair
// is one factor for every job; none: 1. (`capsim calibrate --network` fits
// them per GPU count: the network's share of an iteration changes with it.)
struct GpuCountFactors {
  std::vector<std::pair<std::int32_t, double>> points;

  GpuCountFactors() = default;
  explicit GpuCountFactors(double factor) : points{{1, factor}} {}
  bool empty() const { return points.empty(); }
  double at(std::int64_t gpus) const;
  friend bool operator==(const GpuCountFactors&, const GpuCountFactors&) = default;
};

// How a job's speed suffers from where it runs (DESIGN.md, "Performance
// model"): a data-parallel job whose GPUs span nodes synchronises over the
// network rather than NVLink, and across racks over the spine; GPUs shared
// by several jobs interfere. Factors multiply the job's rate; 1 and 0 leave
// it alone (the defaults, until a scenario or a calibration says otherwise).
struct PerformanceSpec {
  GpuCountFactors across_nodes;  // rate factor of a job on several nodes of one rack
  GpuCountFactors across_racks;  // rate factor of a job on several racks
  // Each other job sharing a GPU slows a share by this fraction: its rate is
  // share x speed x (1 - share_interference)^(jobs on the GPU - 1). Two
  // shares whose classes' pair was measured (Gavel's co-location
  // throughputs, core/job_class.hpp) use the measurement instead.
  double share_interference = 0.0;
  // Scaling across GPUs of one job: entry g-1 multiplies the rate of a job
  // of g whole GPUs (the last entry for larger jobs); empty: 1. Measured by
  // `capsim calibrate` as the cost of a data-parallel job's step barrier.
  std::vector<double> scaling;
  // GPUs (or executor slots) of one node that contend for what they share
  // (a device's memory bandwidth, a CPU's cores): with k of its whole GPUs
  // busy, every job there runs at entry k-1 of its rate (the last entry
  // beyond the list; a job on several nodes at its most contended node's);
  // empty: 1. Measured by `capsim calibrate`.
  std::vector<double> node_contention;
  // Load-dependent placement factors: above 0, a job spanning nodes runs at
  // its placement factor (across_nodes, across_racks: measured alone) with
  // its network time stretched by the other jobs' flows on the links it
  // crosses (cluster.network), each weighed by link_sharing (1: all of
  // them, all the time; sim/link_contention.hpp). 0: the factors are fixed.
  // `capsim calibrate --network` fits it.
  double link_sharing = 0.0;
  // The factor of a list at `count` (1-based; the last entry beyond it; 1
  // for an empty list or a count under 1).
  static double factor_at(const std::vector<double>& factors, std::int64_t count) {
    if (factors.empty() || count < 1) return 1.0;
    return factors[static_cast<std::size_t>(std::min<std::int64_t>(count, static_cast<std::int64_t>(factors.size())) -
                                            1)];
  }
  friend bool operator==(const PerformanceSpec&, const PerformanceSpec&) = default;
};

struct ClusterSpec {
  std::vector<NodeGroupSpec> node_groups;
  PerformanceSpec performance;
  // The network (`cluster.network`): what the SimGrid driver simulates;
  // absent: NetworkSpec's defaults there, and nothing for the native engine.
  std::optional<NetworkSpec> network;
  // Facility overhead (cooling, power conversion): the facility draws its
  // IT equipment's power times the PUE.
  double pue = 1.0;
  // `cluster.regions`; empty: one region, "default", whose emissions are not
  // counted.
  std::vector<RegionSpec> regions;
  std::size_t region_count() const { return regions.empty() ? 1 : regions.size(); }
  std::string region_name(std::size_t region) const { return regions.empty() ? "default" : regions.at(region).name; }
  friend bool operator==(const ClusterSpec&, const ClusterSpec&) = default;
};

// Every node of a cluster, ids dense from 0 in node-group order; racks are
// numbered the same way, each group starting a new rack.
class ClusterLayout {
 public:
  explicit ClusterLayout(const ClusterSpec& spec);

  std::size_t node_count() const { return group_.size(); }
  std::size_t rack_count() const { return static_cast<std::size_t>(rack_count_); }
  std::int32_t group_of(NodeId node) const { return group_[idx(node)]; }
  GpuTypeId gpu_type_of(NodeId node) const { return spec_.node_groups[idx_group(node)].gpu_type; }
  std::int32_t gpus_of(NodeId node) const { return spec_.node_groups[idx_group(node)].gpus_per_node; }
  std::int64_t cpu_milli_of(NodeId node) const { return spec_.node_groups[idx_group(node)].cpu_milli; }
  std::int64_t memory_mib_of(NodeId node) const { return spec_.node_groups[idx_group(node)].memory_mib; }
  RackId rack_of(NodeId node) const { return rack_[idx(node)]; }
  RegionId region_of(NodeId node) const { return spec_.node_groups[idx_group(node)].region; }
  const ClusterSpec& spec() const { return spec_; }

  std::int64_t total_gpus() const { return total_gpus_; }
  // GPUs of one type over all groups (0 when the cluster has none).
  std::int64_t gpus_of_type(GpuTypeId type) const;

 private:
  static std::size_t idx(NodeId node) { return static_cast<std::size_t>(node); }
  std::size_t idx_group(NodeId node) const { return static_cast<std::size_t>(group_[idx(node)]); }

  ClusterSpec spec_;
  std::vector<std::int32_t> group_;
  std::vector<RackId> rack_;
  std::int32_t rack_count_ = 0;
  std::int64_t total_gpus_ = 0;
};

// What one node of `group` offers: its GPUs (those MIG leaves whole), their
// memory, and its CPU and memory (0 where the group does not model them).
Resources node_offer(const NodeGroupSpec& group, const GpuCatalog& catalog);

// Whether GPUs of type `type` can serve a job that may run on the types
// `allowed` (empty: any) and needs at least `gpu_memory_mib` on each GPU.
bool gpu_type_serves(const GpuCatalog& catalog, GpuTypeId type, GpuTypeSet allowed, std::int64_t gpu_memory_mib);
// Whether the group's nodes can serve such a job that may run only in
// `regions` (data residency; empty: any).
bool group_serves(const NodeGroupSpec& group, const GpuCatalog& catalog, GpuTypeSet allowed,
                  std::int64_t gpu_memory_mib, RegionSet regions);

// The most GPUs one such job could ever be given on the cluster: the largest
// pool of one GPU type in one region that serves it (a job's GPUs are all of
// one type, in one region: the scheduler's pools, scheduler/cluster_state.hpp).
std::int64_t largest_serving_pool(const ClusterLayout& layout, const GpuCatalog& catalog, GpuTypeSet allowed,
                                  std::int64_t gpu_memory_mib, RegionSet regions = RegionSet::any());

// The largest share of one GPU (thousandths) such a job could ever be
// given: 1000 where a serving group has a GPU MIG does not partition, else
// its largest MIG instance's; 0 when no group serves it.
std::int32_t largest_serving_share(const ClusterLayout& layout, const GpuCatalog& catalog, GpuTypeSet allowed,
                                   std::int64_t gpu_memory_mib, RegionSet regions = RegionSet::any());

// Whether some node group whose GPUs serve such a job models CPU: a CPU-only
// job can only run on such a group's nodes.
bool serving_groups_model_cpu(const ClusterLayout& layout, const GpuCatalog& catalog, GpuTypeSet allowed,
                              std::int64_t gpu_memory_mib, RegionSet regions = RegionSet::any());

}  // namespace capsim
