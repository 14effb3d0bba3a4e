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
//
// A job that asks for a share of one GPU goes to a GPU that shares already
// hold, if one has room (packing shares leaves whole GPUs free for whole-GPU
// jobs), else opens a wholly free GPU; a CPU-only job goes to a node that
// models CPU and has the CPU and memory free. Both take their CPU and memory
// in full from that one node. Each policy's order picks among the candidates
// (see place_by_order).
#pragma once

#include <span>
#include <string>
#include <vector>

#include "scheduler/cluster_state.hpp"
#include "scheduler/types.hpp"

namespace capsim::scheduler {

enum class NodeOrder {
  kLowestId,  // first fit: the lowest-numbered node that fits
  kTightest,  // best fit: the node left with the fewest free GPUs, then the lowest id
  kLoosest,   // worst fit: the node left with the most free GPUs, then the lowest id
};

// CPU and memory a job needs on a node that gives it `gpus` of its GPUs (a
// share job or a CPU-only job, with no whole GPUs: all of it).
std::int64_t cpu_share(const JobRequest& job, std::int32_t gpus);
std::int64_t memory_share(const JobRequest& job, std::int32_t gpus);

// What is wrong with an allocation a placement policy gave the job, or ""
// when nothing is: every node exists and is given once, all of one pool that
// serves the job (ClusterState::pool_serves: its GPU types and memory, and
// its regions), within the nodes' free capacity, exactly the GPUs (or
// the share of one GPU, or the CPU) the job asks for. The core refuses an
// allocation with a problem; a policy written outside C++ is told of it.
std::string allocation_problem(const JobRequest& job, std::span<const NodeShare> allocation,
                               const ClusterState& cluster);

// The node of pool p for `gpus` of the job's GPUs by `order`, skipping the
// nodes in `exclude`, or -1.
NodeId choose_node(const ClusterState& cluster, PoolId p, const JobRequest& job, std::int32_t gpus, NodeOrder order,
                   std::span<const NodeShare> exclude = {});

// Places the job in the pools it may use (its GPU type's, or every pool in
// pool order, in both cases only GPUs with the memory it asks for),
// single-node or gang as described above. For a single-node job
// of any GPU type, `order` also chooses between pools.
// A share of one GPU: first fit takes the lowest node with a shared GPU that
// has room (its lowest-numbered such GPU), else a wholly free GPU on the
// lowest node; best fit takes the shared GPU left with the least room (ties:
// lowest node, lowest GPU), else a wholly free GPU on the node with the
// fewest. Only nodes with a shared GPU that has room are visited. Worst fit
// takes the emptiest GPU: a wholly free GPU on the node with the most, else
// the shared GPU with the most room (ties: lowest node, lowest GPU).
// A CPU-only job: first fit takes the lowest node that fits, best fit the
// node left with the least free CPU, worst fit the one with the most (ties:
// lowest id); all through the pools' CPU indexes
// (scheduler/free_cpu_index.hpp), not a scan of the nodes.
bool place_by_order(const JobRequest& job, const ClusterState& cluster, NodeOrder order, std::vector<NodeShare>& out);

}  // namespace capsim::scheduler
