// The native engine's event queue: a radix heap (Ahuja, Mehlhorn, Orlin and
// Tarjan, 1990) over 128-bit keys (time, class, insertion sequence).
//
// A discrete-event simulation only ever queues events at or after the last
// one it took out, which is what a radix heap needs; in exchange it never
// compares keys on insertion (an append to one of 129 buckets) and moves each
// event between buckets a few times at most, sequentially. With 100,000 pending
// events it is several times faster than a binary heap here, because a binary
// heap's sift-down misses the cache at every level (bench/engine prints both).
//
// Events at the same instant come out by a fixed rule, event class first,
// then insertion sequence (DESIGN.md, "Time and determinism"): both are part
// of the key, so no two events ever tie.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "core/error.hpp"
#include "core/time.hpp"

namespace capsim::sim {

// The classes of queued events, in the order they are handled at one instant.
// (Arrivals are not queued: the native engine feeds them from the sorted
// workload stream after the queued events of an instant, so that jobs ending
// at an instant free their GPUs before that instant's arrivals are placed.)
// Timers (a queue policy's wake-up) come before the job ends of their
// instant: a timer is always set for after the instant that sets it, but the
// pass a timer prompts may start a job with nothing left to run, whose end
// is queued at the timer's own instant, and keys never go back. (Both only
// tell the scheduler core what happened before its pass: the order changes
// no decision.)
// Service ticks (an inference service's interval ends) come last: the
// interval is served with the replicas the instant's ends and starts left.
// Then the elastic nodes' events: a node ready, a spot notice, the cluster
// autoscaler's scan (which sees the instant's other changes). Failures and
// repairs last: a node that fails at an instant still finishes what ends at it.
enum class EventClass : std::uint8_t {
  kTimer = 0,
  kJobEnd = 1,
  kServiceTick = 2,
  kNodeReady = 3,
  kSpotNotice = 4,
  kClusterScan = 5,
  // Failures (core/failures.hpp): a node's drawn failure, a scripted or
  // traced outage, a failure's detection, a repair.
  kNodeFailure = 6,
  kOutage = 7,
  kFailureDetected = 8,
  kNodeRepaired = 9,
  // The energy policy (scheduler/energy/energy_policy.hpp): its scan, and a
  // node it booted taking work.
  kEnergyScan = 10,
  kNodeBooted = 11,
  // A job the energy policy held back (release_at) handed to the scheduler.
  kJobRelease = 12
};

// A 128-bit unsigned integer (a GCC and Clang extension).
__extension__ typedef unsigned __int128 EventKey;

struct Event {
  Time time;
  std::uint64_t order = 0;    // class in the top 8 bits, insertion sequence below
  std::uint32_t payload = 0;  // kJobEnd: the engine's slot of the job; kTimer: the timer's generation;
                              // kServiceTick: the service's index; kNodeReady, kSpotNotice: the node
  std::uint32_t epoch =
      0;  // kJobEnd: the slot's epoch when queued (a stale end has an older one); node events: the node's

  EventClass event_class() const { return static_cast<EventClass>(order >> 56); }
  EventKey key() const {
    // Times are never negative in a simulation, so the signed count orders
    // like its unsigned bits.
    return (static_cast<EventKey>(static_cast<std::uint64_t>(time.count_us())) << 64) | order;
  }
};

class EventQueue {
 public:
  bool empty() const { return size_ == 0; }
  std::size_t size() const { return size_; }

  // The earliest event. The queue must not be empty.
  const Event& top() {
    if (late_head_ < late_.size()) return late_[late_head_];
    if (!min_valid_) find_min();
    return buckets_[min_bucket_][min_index_];
  }

  // Queues an event after the last one taken out (a simulation never
  // schedules into its past). One at the instant of the last one taken out
  // but of an earlier class (a job of no length started after a node came
  // up) comes out next, after the others queued so: the instant goes on.
  void push(Time time, EventClass event_class, std::uint32_t payload, std::uint32_t epoch = 0) {
    CAPSIM_CHECK(sequence_ < (std::uint64_t{1} << 56)) << "event sequence overflow";
    const Event event{time, (static_cast<std::uint64_t>(event_class) << 56) | sequence_++, payload, epoch};
    const EventKey key = event.key();
    if (key <= last_ && static_cast<std::uint64_t>(key >> 64) == static_cast<std::uint64_t>(last_ >> 64)) {
      late_.push_back(event);
      ++size_;
      return;
    }
    CAPSIM_CHECK(key > last_) << "event at " << time.count_us() << " us queued before the last one taken out";
    const std::size_t b = bucket_of(key);
    buckets_[b].push_back(event);
    ++size_;
    if (min_valid_ && key < min_key_) {
      min_bucket_ = b;
      min_index_ = buckets_[b].size() - 1;
      min_key_ = key;
    }
  }

  // Removes the earliest event.
  void pop() {
    if (late_head_ < late_.size()) {
      if (++late_head_ == late_.size()) {
        late_.clear();
        late_head_ = 0;
      }
      --size_;
      return;
    }
    if (!min_valid_) find_min();
    std::vector<Event>& bucket = buckets_[min_bucket_];
    last_ = min_key_;
    bucket[min_index_] = bucket.back();
    bucket.pop_back();
    --size_;
    min_valid_ = false;
    // The rest of the bucket differs from the new last_ in a lower bit than
    // the bucket's: move it down (each event moves down at most 128 times
    // over its life, and sequentially).
    for (const Event& event : bucket) buckets_[bucket_of(event.key())].push_back(event);
    bucket.clear();
  }

 private:
  // Bucket b > 0 holds the events whose key first differs from last_ at bit
  // b - 1, counting from the least significant; bucket 0 stays empty since
  // keys are unique.
  std::size_t bucket_of(EventKey key) const {
    const EventKey diff = key ^ last_;
    const auto high = static_cast<std::uint64_t>(diff >> 64);
    if (high != 0) return 128 - static_cast<std::size_t>(__builtin_clzll(high));
    const auto low = static_cast<std::uint64_t>(diff);
    return low == 0 ? 0 : 64 - static_cast<std::size_t>(__builtin_clzll(low));
  }

  void find_min() {
    CAPSIM_CHECK(size_ > late_.size() - late_head_) << "the event queue is empty";
    std::size_t b = 0;
    while (buckets_[b].empty()) ++b;
    const std::vector<Event>& bucket = buckets_[b];
    min_bucket_ = b;
    min_index_ = 0;
    min_key_ = bucket[0].key();
    for (std::size_t i = 1; i < bucket.size(); ++i) {
      const EventKey key = bucket[i].key();
      if (key < min_key_) {
        min_key_ = key;
        min_index_ = i;
      }
    }
    min_valid_ = true;
  }

  std::array<std::vector<Event>, 129> buckets_;
  // Events queued at the last instant taken out, behind it in class order:
  // first out, in the order queued.
  std::vector<Event> late_;
  std::size_t late_head_ = 0;
  EventKey last_ = 0;
  std::size_t size_ = 0;
  std::uint64_t sequence_ = 1;  // from 1: no key is 0, the initial last_
  bool min_valid_ = false;
  std::size_t min_bucket_ = 0;
  std::size_t min_index_ = 0;
  EventKey min_key_ = 0;
};

}  // namespace capsim::sim
