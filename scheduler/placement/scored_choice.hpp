// The mechanics that scoring placement policies share (Kubernetes' Filter,
// then Score): the feasible ways to put a job on one node, found through the
// free-capacity indexes rather than a scan of the nodes, a bounded sample of
// them scored by the policy, the best kept.
//
// Candidates. A whole-GPU job that fits one node of a pool: the nodes with
// enough free GPUs (and CPU and memory). A share of one GPU: each node with a
// shared GPU that has room or a wholly free GPU; on such a node, one option
// per distinct amount used on its shared GPUs that leaves room (the lowest-
// numbered GPU of each) and one for opening a free GPU (numbered as
// ClusterState::gpu_for_new_share says). A CPU-only job: the nodes that model
// CPU with the CPU and memory free (the pools' CPU indexes). Jobs larger than
// every node they may use are gangs: node_choice's mechanics with best fit.
//
// Sample. As the Kubernetes scheduler does (percentageOfNodesToScore), a
// placement stops after finding `nodes_to_score` feasible nodes, visiting
// nodes in id order from where the previous placement stopped (wrapping
// round), so that successive placements look at different parts of a large
// cluster. The default is 100 nodes, Kubernetes' minimum: the work per
// placement then stays the same from 1,000 to 100,000 GPUs (bench/placement;
// Kubernetes' adaptive default, max(5, 50 - nodes/125) percent of the nodes
// and at least 100, scores 625 nodes of 12,500 and made placement 15 to 18
// times slower at 100,000 GPUs than at 1,000). `adaptive` selects that
// formula, `all` scores every feasible node (what Weng et al.'s experiments
// do: scenarios/openb_packing.yaml), a number that many, `P%` that share.
// Score. Lower is better; ties go to the lower secondary score, then the
// lower node id, then the lower GPU number (Kubernetes draws among ties at
// random; capsim keeps placements reproducible without a draw).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "core/config_tree.hpp"
#include "scheduler/cluster_state.hpp"
#include "scheduler/types.hpp"

namespace capsim::scheduler {

// How many feasible nodes a placement scores.
struct NodesToScore {
  enum class Mode : std::uint8_t { kAdaptive, kAll, kCount, kPercent };
  Mode mode = Mode::kCount;
  std::int64_t count = 100;  // kCount
  double percent = 0;        // kPercent, in (0, 100]
  // The number for a cluster of `nodes` nodes (at least 1).
  std::size_t limit(std::size_t nodes) const;
};
// Reads `nodes_to_score` from a policy's map: `all`, `adaptive`, a count of
// nodes (>= 1) or a percentage such as `10%`. Absent: 100 nodes.
NodesToScore read_nodes_to_score(const std::optional<MapReader>& params);

// One way to put a single-node job on a node: `gpu` is the shared GPU for a
// share of one GPU (-1 for whole GPUs and CPU-only jobs).
struct Candidate {
  NodeId node = -1;
  std::int32_t gpu = -1;
  // For a share: thousandths used on that GPU before the job (0: it opens a
  // wholly free GPU).
  std::int32_t gpu_used = 0;
};

struct Score {
  double primary = 0;
  double secondary = 0;
};

// A policy's scoring of candidates (lower is better).
class CandidateScorer {
 public:
  virtual ~CandidateScorer() = default;
  // Called once per placement before any candidate, for what a policy
  // computes per job rather than per node.
  virtual void begin(const JobRequest& /*job*/, const ClusterState& /*cluster*/) {}
  // Called once per candidate node before its options.
  virtual void begin_node(const JobRequest& /*job*/, const ClusterState& /*cluster*/, NodeId /*node*/) {}
  virtual Score score(const JobRequest& job, const ClusterState& cluster, const Candidate& candidate) = 0;
};

// Places the job with the best-scoring candidate, or returns false when no
// node can take it now. Keeps where to start the next sample.
class ScoredChoice {
 public:
  explicit ScoredChoice(NodesToScore nodes_to_score = {}) : nodes_to_score_(nodes_to_score) {}
  bool place(const JobRequest& job, const ClusterState& cluster, CandidateScorer& scorer, std::vector<NodeShare>& out);
  const NodesToScore& nodes_to_score() const { return nodes_to_score_; }

 private:
  // One index set whose members are candidate nodes: a bucket of free GPUs,
  // the nodes with a shared GPU with room for the job, or the CPU index of a
  // pool.
  struct Source {
    enum class Kind : std::uint8_t { kBucket, kShareRoom, kCpu };
    Kind kind = Kind::kBucket;
    PoolId pool = 0;
    std::int32_t free = 0;  // kBucket
    NodeId head = -1;
  };
  static NodeId next_of(const Source& s, const ClusterState& cluster, const JobRequest& job, NodeId from);

  NodesToScore nodes_to_score_;
  NodeId cursor_ = 0;  // where the next placement starts looking
  std::vector<Source> sources_;
  std::vector<Candidate> options_;
};

// What node n's GPUs have left, for policies that score the free-resource
// vector: wholly free GPUs, and the room (1000 - used) of each shared GPU.
// A node may have any number of GPUs (scenarios allow up to 1,024).
struct NodeGpus {
  std::int32_t free_gpus = 0;
  std::vector<std::int32_t> room;    // thousandths left on each shared GPU, in GPU order
  std::int64_t total_milli() const;  // free_gpus * 1000 + the rooms
  // Refills from node n, keeping room's storage (no allocation per node
  // once it has held the most shared GPUs of a node).
  void read(const ClusterState& cluster, NodeId n);
  static NodeGpus of(const ClusterState& cluster, NodeId n);
  // total_milli() of node n, without building the rooms.
  static std::int64_t free_milli(const ClusterState& cluster, NodeId n);
};

// The largest node's CPU (thousandths of a core; 0 where no node models CPU)
// and GPUs, for normalising resource vectors ("max spec" in Weng et al.).
struct LargestNode {
  std::int64_t cpu_milli = 0;
  std::int64_t gpu_milli = 0;
  static LargestNode of(const ClusterState& cluster);
};

}  // namespace capsim::scheduler
