// NodeSet against std::set under random operations.
#include <catch2/catch.hpp>

#include <set>

#include "core/random.hpp"
#include "scheduler/node_set.hpp"

using capsim::NodeId;
using capsim::scheduler::NodeSet;

TEST_CASE("NodeSet answers like std::set", "[scheduler][node_set]") {
  for (const std::size_t capacity : {1u, 63u, 64u, 65u, 4096u, 4097u, 300'000u}) {
    INFO(capacity);
    NodeSet set(capacity);
    std::set<NodeId> reference;
    auto stream = capsim::RandomStream::derive(1, "node_set", capacity);
    for (int op = 0; op < 20'000; ++op) {
      const auto node = static_cast<NodeId>(stream.uniform_below(capacity));
      switch (stream.uniform_below(3)) {
        case 0:
          set.insert(node);
          reference.insert(node);
          break;
        case 1:
          set.erase(node);
          reference.erase(node);
          break;
        default: {
          const auto it = reference.lower_bound(node);
          REQUIRE(set.next(node) == (it == reference.end() ? -1 : *it));
        }
      }
      REQUIRE(set.size() == reference.size());
    }
    REQUIRE(set.first() == (reference.empty() ? -1 : *reference.begin()));
    for (NodeId n = set.first(); n >= 0; n = set.next(n + 1)) REQUIRE(reference.count(n));
  }
}

TEST_CASE("NodeSet edges", "[scheduler][node_set]") {
  NodeSet set(100);
  CHECK(set.first() == -1);
  CHECK(set.next(100) == -1);
  CHECK(set.next(-5) == -1);
  set.insert(99);
  set.insert(99);
  CHECK(set.size() == 1);
  CHECK(set.next(0) == 99);
  CHECK(set.next(99) == 99);
  CHECK(set.next(100) == -1);
  CHECK(set.contains(99));
  CHECK_FALSE(set.contains(1000));
  set.erase(5);  // not a member: nothing happens
  CHECK(set.size() == 1);
}
