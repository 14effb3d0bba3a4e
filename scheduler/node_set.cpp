#include "scheduler/node_set.hpp"

#include "core/error.hpp"

namespace capsim::scheduler {

NodeSet::NodeSet(std::size_t capacity) : capacity_(capacity) {
  std::size_t bits = capacity;
  do {
    const std::size_t words = (bits + 63) / 64;
    levels_.emplace_back(words == 0 ? 1 : words, 0);
    bits = words;
  } while (bits > 1);
}

void NodeSet::insert(NodeId node) {
  CAPSIM_CHECK(node >= 0 && static_cast<std::size_t>(node) < capacity_) << node;
  if (contains(node)) return;
  ++size_;
  auto i = static_cast<std::size_t>(node);
  for (auto& level : levels_) {
    std::uint64_t& word = level[i >> 6];
    const bool was_empty = word == 0;
    word |= std::uint64_t{1} << (i & 63);
    if (!was_empty) return;  // the level above already knows this word is non-zero
    i >>= 6;
  }
}

void NodeSet::erase(NodeId node) {
  CAPSIM_CHECK(node >= 0 && static_cast<std::size_t>(node) < capacity_) << node;
  if (!contains(node)) return;
  --size_;
  auto i = static_cast<std::size_t>(node);
  for (auto& level : levels_) {
    std::uint64_t& word = level[i >> 6];
    word &= ~(std::uint64_t{1} << (i & 63));
    if (word != 0) return;  // the word still has members: the levels above are unchanged
    i >>= 6;
  }
}

bool NodeSet::contains(NodeId node) const {
  if (node < 0 || static_cast<std::size_t>(node) >= capacity_) return false;
  const auto i = static_cast<std::size_t>(node);
  return (levels_[0][i >> 6] >> (i & 63)) & 1;
}

NodeId NodeSet::next(NodeId from) const {
  if (from < 0) from = 0;
  if (static_cast<std::size_t>(from) >= capacity_) return -1;
  auto i = static_cast<std::size_t>(from);
  std::size_t level = 0;
  // Climb until a word holds a member at or after position i.
  while (true) {
    const std::size_t word_index = i >> 6;
    if (word_index >= levels_[level].size()) return -1;
    const std::uint64_t bits = levels_[level][word_index] & (~std::uint64_t{0} << (i & 63));
    if (bits) {
      i = (word_index << 6) | static_cast<std::size_t>(__builtin_ctzll(bits));
      break;
    }
    if (level + 1 == levels_.size()) return -1;
    i = word_index + 1;  // the next word of this level is the next bit of the one above
    ++level;
  }
  // Descend to the smallest member below the bit found.
  while (level > 0) {
    --level;
    i = (i << 6) | static_cast<std::size_t>(__builtin_ctzll(levels_[level][i]));
  }
  return static_cast<NodeId>(i);
}

NodeId NodeSet::nth(std::size_t rank) const {
  if (rank >= size_) return -1;
  const std::vector<std::uint64_t>& words = levels_[0];
  for (std::size_t w = 0; w < words.size(); ++w) {
    std::uint64_t bits = words[w];
    const auto count = static_cast<std::size_t>(__builtin_popcountll(bits));
    if (rank >= count) {
      rank -= count;
      continue;
    }
    for (; rank > 0; --rank) bits &= bits - 1;  // drop the lowest members
    return static_cast<NodeId>((w << 6) | static_cast<std::size_t>(__builtin_ctzll(bits)));
  }
  return -1;
}

}  // namespace capsim::scheduler
