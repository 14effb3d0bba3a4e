// Spread: the opposite of topology-aware packing (topology.hpp). A job of
// whole GPUs takes them from as many distinct nodes as it can, dealt
// round-robin across racks, so that placement studies can measure what
// crossing nodes and racks costs a data-parallel job (the SimGrid driver's
// network model). It follows the "spread" placement of Slurm's
// --distribution=cyclic and Kubernetes' topology spread constraints
// (maxSkew over the rack and node domains), simplified to a greedy deal.
//
// A job of g GPUs takes at most `per_node` GPUs of a node (default 1). When
// the pool cannot give g GPUs with that cap, the cap rises to the smallest
// value that fits, so a job that fits the cluster is never refused because
// of spreading. Nodes are dealt rack by rack in turn: the racks ordered by
// their free GPUs (most first, ties: the lowest rack), within a rack its
// nodes by their free GPUs (most first, ties: the lowest id). Each node
// dealt gives up to `per_node` GPUs; when the cap had to rise, the deal goes
// round again, each node giving up to `per_node` more until it reaches the
// cap, so the job still touches as many nodes as it can. CPU and memory
// split in proportion to the GPUs (node_choice.hpp), and a node gives only
// as many GPUs as its CPU and memory allow. A job that may use several GPU
// types goes to the pool where it needs the lowest cap (ties: the lowest
// pool). Shares of one GPU and CPU-only jobs are placed as worst fit places
// them (the emptiest GPU; the node with the most free CPU), its spreading
// counterpart for requests smaller than a GPU.
//
// Cost: unlike the index-based policies, a whole-GPU placement looks at
// every up node of the pools the job may use (O(n log r) for n nodes in
// racks of r), in buffers the policy keeps, so it allocates nothing once
// they have grown. It is meant for placement studies, not for replaying
// millions of jobs on a hundred-thousand-GPU cluster.
#pragma once

#include <cstdint>
#include <vector>

#include "scheduler/placement/failure_memo.hpp"
#include "scheduler/placement/placement_policy.hpp"

namespace capsim::scheduler {

class SpreadPlacement final : public PlacementPolicy {
 public:
  // `per_node` >= 1: the most GPUs of one job a node gives, unless the job
  // does not fit otherwise.
  explicit SpreadPlacement(std::int32_t per_node = 1);

  std::string_view name() const override { return "spread"; }
  bool place(const JobRequest& job, const ClusterState& cluster, std::vector<NodeShare>& out) override;

  std::int32_t per_node() const { return per_node_; }

 private:
  // A node that can give the job at least one GPU.
  struct Candidate {
    NodeId node = -1;
    std::int32_t free = 0;   // wholly free GPUs
    std::int32_t most = 0;   // the most GPUs it can give the job (its CPU and memory allowing)
    std::int32_t given = 0;  // GPUs dealt to the job so far
  };
  // A rack of the pool: its candidates are candidates_[begin, end).
  struct RackSpan {
    RackId rack = -1;
    std::int64_t free = 0;
    std::size_t begin = 0;
    std::size_t end = 0;
  };

  bool place_whole_gpus(const JobRequest& job, const ClusterState& cluster, std::vector<NodeShare>& out);
  // Fills candidates_ and racks_ with pool p's nodes and racks that can give
  // the job GPUs, and returns the lowest cap (>= per_node_) under which they
  // give job.gpus(), or 0 when they cannot.
  std::int32_t gather(const JobRequest& job, const ClusterState& cluster, PoolId p);
  // Deals the job's GPUs over the gathered candidates under `cap`.
  void deal(const JobRequest& job, std::int32_t cap, std::vector<NodeShare>& out);

  std::int32_t per_node_;
  FailureMemo failures_;
  // Reused from placement to placement (no allocation once grown).
  std::vector<Candidate> candidates_;
  std::vector<RackSpan> racks_;
  std::vector<std::size_t> order_;        // candidates_ indexes, in dealing order
  std::vector<std::int64_t> most_count_;  // [k]: candidates that can give exactly k GPUs
};
static_assert(std::is_base_of_v<PlacementPolicy, SpreadPlacement>);

}  // namespace capsim::scheduler
