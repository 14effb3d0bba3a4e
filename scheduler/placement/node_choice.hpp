// The mechanics that node-ordering placement policies share: choosing one
// node through the free-capacity index, and gang placement across nodes.
//
// A job that fits on one node of its pool (gpus <= the pool's largest node)
// runs on one node: spreading a small job over several nodes slows it and
// fragments the cluster, so it waits for a node instead. A larger job takes
// whole free nodes first (in id order), places the remainder on one node by
// the policy's order, and if that fails spreads over the nodes with the most
// free GPUs. CPU and memory requests are split over nodes in proportion to
// the GPUs each node gives.
#pragma once

#include <span>
#include <vector>

#include "scheduler/cluster_state.hpp"
#include "scheduler/types.hpp"

namespace capsim::scheduler {

enum class NodeOrder {
  kLowestId,  // first fit: the lowest-numbered node that fits
  kTightest,  // best fit: the node left with the fewest free GPUs, then the lowest id
};

// CPU and memory a job needs on a node that gives it `gpus` of its GPUs.
std::int64_t cpu_share(const JobRequest& job, std::int32_t gpus);
std::int64_t memory_share(const JobRequest& job, std::int32_t gpus);

// The node of pool p for `gpus` of the job's GPUs by `order`, skipping the
// nodes in `exclude`, or -1.
NodeId choose_node(const ClusterState& cluster, PoolId p, const JobRequest& job, std::int32_t gpus, NodeOrder order,
                   std::span<const NodeShare> exclude = {});

// Places the job in the pools it may use (its GPU type's, or every pool in
// pool order, in both cases only GPUs with the memory it asks for),
// single-node or gang as described above. For a single-node job
// of any GPU type, `order` also chooses between pools.
bool place_by_order(const JobRequest& job, const ClusterState& cluster, NodeOrder order, std::vector<NodeShare>& out);

}  // namespace capsim::scheduler
