// The event queue: earliest first, ties by class then insertion order,
// against a sorted reference under a random hold workload.
#include <catch2/catch.hpp>

#include <algorithm>
#include <set>
#include <tuple>
#include <vector>

#include "core/random.hpp"
#include "sim/event_queue.hpp"

using namespace capsim;
using namespace capsim::sim;

TEST_CASE("events come out by time, then insertion order", "[sim][event_queue]") {
  EventQueue queue;
  queue.push(Time::from_us(5), EventClass::kJobEnd, 1);
  queue.push(Time::from_us(3), EventClass::kJobEnd, 2);
  queue.push(Time::from_us(5), EventClass::kJobEnd, 3);
  queue.push(Time::from_us(3), EventClass::kJobEnd, 4);
  std::vector<std::uint32_t> order;
  while (!queue.empty()) {
    order.push_back(queue.top().payload);
    queue.pop();
  }
  CHECK(order == std::vector<std::uint32_t>{2, 4, 1, 3});
}

TEST_CASE("the queue agrees with a sorted reference in a hold model", "[sim][event_queue]") {
  EventQueue queue;
  // Reference: (time, sequence, payload) in an ordered set.
  std::set<std::tuple<std::int64_t, std::uint64_t, std::uint32_t>> reference;
  auto stream = RandomStream::derive(5, "event_queue");
  std::uint64_t sequence = 0;
  std::int64_t now = 0;
  const auto push = [&](std::int64_t t, std::uint32_t payload) {
    queue.push(Time::from_us(t), EventClass::kJobEnd, payload);
    reference.emplace(t, sequence++, payload);
  };
  for (std::uint32_t i = 0; i < 2000; ++i) push(static_cast<std::int64_t>(stream.uniform_below(1000)), i);
  for (int step = 0; step < 50'000; ++step) {
    const auto [t, seq, payload] = *reference.begin();
    reference.erase(reference.begin());
    REQUIRE(queue.top().time.count_us() == t);
    REQUIRE(queue.top().payload == payload);
    queue.pop();
    now = t;
    // Push 0 to 2 events at or after now, many at now itself (ties).
    const auto pushes = stream.uniform_below(3);
    for (std::uint64_t k = 0; k < pushes; ++k) {
      const std::int64_t delay =
          stream.uniform_below(4) == 0 ? 0 : static_cast<std::int64_t>(stream.uniform_below(100'000));
      push(now + delay, static_cast<std::uint32_t>(step));
    }
    if (reference.empty()) push(now + 1, 0);
    REQUIRE(queue.size() == reference.size());
  }
}

TEST_CASE("an event far in the future and one at the same instant", "[sim][event_queue]") {
  EventQueue queue;
  queue.push(Time::from_us(0), EventClass::kJobEnd, 1);
  queue.push(Time::from_us(INT64_C(1) << 60), EventClass::kJobEnd, 2);
  CHECK(queue.top().payload == 1);
  queue.pop();
  queue.push(Time::from_us(0), EventClass::kJobEnd, 3);  // same instant as the last one out
  CHECK(queue.top().payload == 3);
  queue.pop();
  CHECK(queue.top().payload == 2);
  queue.pop();
  CHECK(queue.empty());
}

TEST_CASE("an event of an earlier class at the current instant comes out next", "[sim][event_queue]") {
  // A node comes up (a later class) and a job of no length starts on it: its
  // end, at the same instant but of an earlier class, comes out next, before
  // the other events of the instant, then in the order queued.
  EventQueue queue;
  queue.push(Time::from_us(10), EventClass::kNodeBooted, 1);
  queue.push(Time::from_us(10), EventClass::kJobRelease, 2);
  queue.push(Time::from_us(20), EventClass::kTimer, 3);
  CHECK(queue.top().payload == 1);
  queue.pop();
  queue.push(Time::from_us(10), EventClass::kJobEnd, 4);
  queue.push(Time::from_us(10), EventClass::kTimer, 5);
  std::vector<std::uint32_t> order;
  while (!queue.empty()) {
    order.push_back(queue.top().payload);
    queue.pop();
  }
  CHECK(order == std::vector<std::uint32_t>{4, 5, 2, 3});
}
