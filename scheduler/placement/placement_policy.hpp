// Extension point: where a job runs (Kubernetes' Filter and Score).
//
// Contract. A placement policy sees the job and a read-only view of the
// cluster's free capacity and returns an allocation as data: GPUs on one or
// more nodes, all of the job's GPU type, exactly as many as the job asks for,
// each node at most once, each within the node's free capacity. A job that
// asks for a share of one GPU gets one NodeShare naming the GPU and the
// share (a GPU that shares hold with that much room, or a wholly free one
// numbered as ClusterState::gpu_for_new_share says); a CPU-only job gets one
// NodeShare of no GPU on a node that models CPU. "Nothing fits
// now" is an answer (false), not an error. Gang placement is all or nothing.
// A policy must not keep pointers into scheduler or engine state, change the
// cluster, read a clock, or draw randomness other than from a stream derived
// from the run's seed (PolicyParams::seed). The scheduler core
// checks every allocation it is given before committing it.
#pragma once

#include <string_view>
#include <vector>

#include "scheduler/cluster_state.hpp"
#include "scheduler/types.hpp"

namespace capsim::scheduler {

class PlacementPolicy {
 public:
  virtual ~PlacementPolicy() = default;
  virtual std::string_view name() const = 0;
  // Fills `out` (given empty) with the job's allocation and returns true, or
  // returns false when it cannot be placed now.
  // Not const: a policy may keep what it learns (a random stream, the
  // distribution of requests it has seen), but only from what it is given.
  virtual bool place(const JobRequest& job, const ClusterState& cluster, std::vector<NodeShare>& out) = 0;
  // Told of every job when it arrives, before any pass tries to place it
  // (fragmentation-aware placement learns the workload's mix of requests
  // from it). Default: nothing.
  virtual void on_job_arrived(const JobRequest& /*job*/, const ClusterState& /*cluster*/) {}
};

}  // namespace capsim::scheduler
