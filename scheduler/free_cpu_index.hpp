// Free CPU and memory of a fixed list of nodes (one pool's, in id order), as
// a tournament tree of maxima: "the first node with at least c CPU and m
// memory free" descends only into subtrees whose maxima reach both, so a
// CPU-only job's placement does not scan every node, and one that fits
// nowhere is answered at the root. Best fit ("the least CPU left") visits
// the subtrees that could hold a fitting node, and stops at an exact fit.
#pragma once

#include <cstdint>
#include <vector>

namespace capsim::scheduler {

class FreeCpuIndex {
 public:
  // `slots` entries, all absent (they fit nothing) until set.
  explicit FreeCpuIndex(std::size_t slots = 0);

  // Slot `slot` has `cpu_milli` and `memory_mib` free; a negative CPU takes
  // it out (a node that is down); kUnbounded memory fits any request (a node
  // that does not model memory).
  void set(std::size_t slot, std::int64_t cpu_milli, std::int64_t memory_mib);
  static constexpr std::int64_t kUnbounded = INT64_MAX;

  // The lowest slot with cpu >= cpu_milli and memory >= memory_mib, or -1.
  std::int64_t first_fit(std::int64_t cpu_milli, std::int64_t memory_mib) const;
  // Among those, the one with the least CPU (ties: the lowest slot), or -1.
  std::int64_t tightest_fit(std::int64_t cpu_milli, std::int64_t memory_mib) const;
  // The lowest slot >= from that fits, or -1.
  std::int64_t next_fit(std::size_t from, std::int64_t cpu_milli, std::int64_t memory_mib) const;
  // Among the slots that fit, the one with the most CPU (ties: the lowest), or -1.
  std::int64_t loosest_fit(std::int64_t cpu_milli, std::int64_t memory_mib) const;

 private:
  std::int64_t first_in(std::size_t i, std::int64_t cpu_milli, std::int64_t memory_mib) const;
  std::int64_t next_in(std::size_t i, std::size_t lo, std::size_t hi, std::size_t from, std::int64_t cpu_milli,
                       std::int64_t memory_mib) const;
  void loosest_in(std::size_t i, std::int64_t cpu_milli, std::int64_t memory_mib, std::int64_t& best,
                  std::int64_t& best_cpu) const;
  void tightest_in(std::size_t i, std::int64_t cpu_milli, std::int64_t memory_mib, std::int64_t& best,
                   std::int64_t& best_cpu) const;

  std::size_t leaves_ = 1;  // a power of two; leaf of slot s at leaves_ + s
  // Heap layout from index 1: node i's children are 2i and 2i + 1; each
  // holds the maxima of its subtree (CPU and memory separately).
  std::vector<std::int64_t> cpu_;
  std::vector<std::int64_t> memory_;
};

}  // namespace capsim::scheduler
