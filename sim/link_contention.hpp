// The native engine's load-dependent network model: data-parallel jobs whose
// GPUs span nodes share the links their ring all-reduce crosses (each node's
// network link, each rack's uplinks, in a fat tree each pod's links to the
// core; cluster.network, as the SimGrid driver builds it), and slow each
// other down there (DESIGN.md, "Performance model").
//
// A job's placement factor f (PerformanceSpec::across_nodes/across_racks) is
// its rate alone on its placement against all its GPUs on one node: its
// iteration takes 1/f of the ideal, 1/f - 1 of it on the network. With
// neighbours, the network part grows by s, the ratio of its bottleneck flow
// rate alone to its share of its most loaded link:
//
//   rate factor = 1 / (1 + (1/f - 1) x s)
//   s = min_l C_l / own_l  /  min_l C_l / (own_l + sharing x others_l)
//
// over the links l it crosses, of capacity C_l (bytes/s each way), carrying
// own_l of its ring's flows and others_l of other jobs'. `sharing` weighs a
// neighbour's flow: 1 when every neighbour communicates all the time (the
// closed form of max-min sharing), less when they overlap only part of
// their iterations; `capsim calibrate --network` fits it with SimGrid.
#pragma once

#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "core/cluster.hpp"
#include "core/network.hpp"
#include "scheduler/types.hpp"

namespace capsim::sim {

using scheduler::NodeShare;

class LinkContention {
 public:
  LinkContention(const ClusterLayout& layout, const NetworkSpec& network, double sharing);

  // Job `slot`, with its GPUs in `allocation` (ring order: node by node, as
  // the SimGrid driver rings them) and its placement factor alone
  // `isolated`, starts sending. A job on one node sends nothing: false, and
  // nothing is kept.
  bool join(std::uint32_t slot, std::span<const NodeShare> allocation, double isolated);
  // The job stops (ends or is preempted); nothing happens for a job not
  // joined.
  void leave(std::uint32_t slot);
  // The jobs sharing a link with `slot` (itself included), in increasing
  // slot order: those whose factor its join or leave changed. Call before
  // leave() for a leave.
  const std::vector<std::uint32_t>& neighbours(std::uint32_t slot);
  // The joined job's rate factor now.
  double factor(std::uint32_t slot) const;
  bool joined(std::uint32_t slot) const { return slot < jobs_.size() && !jobs_[slot].links.empty(); }

 private:
  struct Use {
    std::int32_t link = 0;
    std::int32_t flows = 0;  // of this job's ring
  };
  struct Job {
    std::vector<Use> links;
    double isolated = 1;
    double alone_rate = 0;  // its bottleneck flow's rate alone, bytes/s
  };
  std::vector<double> capacity_;                   // per link: nodes, then racks, then pods
  std::vector<std::int32_t> flows_;                // per link, of every joined job
  std::vector<std::vector<std::uint32_t>> users_;  // per link, the jobs crossing it
  std::vector<Job> jobs_;                          // by slot
  std::vector<std::uint32_t> scratch_;
  const ClusterLayout& layout_;
  std::int32_t racks_per_pod_ = 0;  // 0: no pod level (leaf-spine)
  double sharing_ = 1;
};

}  // namespace capsim::sim
