// A set of node ids from a fixed range with O(log64 n) insert, erase and
// "smallest member at or after x": the building block of the free-capacity
// index, so that a placement never scans every node. A hierarchy of 64-bit
// words: bit i of level k+1 is set when word i of level k is non-zero.
#pragma once

#include <cstdint>
#include <vector>

#include "core/cluster.hpp"

namespace capsim::scheduler {

class NodeSet {
 public:
  // An empty set for ids in [0, capacity).
  explicit NodeSet(std::size_t capacity = 0);

  void insert(NodeId node);
  void erase(NodeId node);
  bool contains(NodeId node) const;
  bool empty() const { return size_ == 0; }
  std::size_t size() const { return size_; }
  // The ids it can hold: [0, capacity).
  std::size_t capacity() const { return capacity_; }
  // The smallest member >= from, or -1 when there is none.
  NodeId next(NodeId from) const;
  NodeId first() const { return next(0); }
  // The member of rank `rank` in id order (from 0), or -1 when rank >= size().
  // Counts bits a word at a time: O(capacity / 64), for a uniform draw
  // (scheduler/placement/random.hpp), not for the allocation path.
  NodeId nth(std::size_t rank) const;

 private:
  std::vector<std::vector<std::uint64_t>> levels_;  // levels_[0]: one bit per id
  std::size_t capacity_ = 0;
  std::size_t size_ = 0;
};

}  // namespace capsim::scheduler
