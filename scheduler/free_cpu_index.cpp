#include "scheduler/free_cpu_index.hpp"

#include <algorithm>

#include "core/error.hpp"

namespace capsim::scheduler {

FreeCpuIndex::FreeCpuIndex(std::size_t slots) {
  while (leaves_ < slots) leaves_ *= 2;
  cpu_.assign(2 * leaves_, -1);
  memory_.assign(2 * leaves_, -1);
}

void FreeCpuIndex::set(std::size_t slot, std::int64_t cpu_milli, std::int64_t memory_mib) {
  CAPSIM_CHECK(slot < leaves_) << slot;
  std::size_t i = leaves_ + slot;
  cpu_[i] = cpu_milli < 0 ? -1 : cpu_milli;
  memory_[i] = cpu_milli < 0 ? -1 : memory_mib;
  // Up to the root, stopping where a maximum does not change: most changes
  // end a level or two up, where another node's free CPU is the larger.
  for (i /= 2; i >= 1; i /= 2) {
    const std::int64_t cpu = std::max(cpu_[2 * i], cpu_[2 * i + 1]);
    const std::int64_t memory = std::max(memory_[2 * i], memory_[2 * i + 1]);
    if (cpu == cpu_[i] && memory == memory_[i]) break;
    cpu_[i] = cpu;
    memory_[i] = memory;
  }
}

std::int64_t FreeCpuIndex::first_in(std::size_t i, std::int64_t cpu_milli, std::int64_t memory_mib) const {
  if (cpu_[i] < cpu_milli || memory_[i] < memory_mib) return -1;
  if (i >= leaves_) return static_cast<std::int64_t>(i - leaves_);
  const std::int64_t left = first_in(2 * i, cpu_milli, memory_mib);
  return left >= 0 ? left : first_in(2 * i + 1, cpu_milli, memory_mib);
}

std::int64_t FreeCpuIndex::first_fit(std::int64_t cpu_milli, std::int64_t memory_mib) const {
  return first_in(1, cpu_milli, memory_mib);
}

void FreeCpuIndex::tightest_in(std::size_t i, std::int64_t cpu_milli, std::int64_t memory_mib, std::int64_t& best,
                               std::int64_t& best_cpu) const {
  if (cpu_[i] < cpu_milli || memory_[i] < memory_mib) return;
  if (best >= 0 && best_cpu == cpu_milli) return;  // an exact fit: nothing to the right beats it
  if (i >= leaves_) {
    // Leaves come left to right: a later one replaces the best only when
    // strictly tighter.
    if (best < 0 || cpu_[i] < best_cpu) {
      best = static_cast<std::int64_t>(i - leaves_);
      best_cpu = cpu_[i];
    }
    return;
  }
  tightest_in(2 * i, cpu_milli, memory_mib, best, best_cpu);
  tightest_in(2 * i + 1, cpu_milli, memory_mib, best, best_cpu);
}

std::int64_t FreeCpuIndex::tightest_fit(std::int64_t cpu_milli, std::int64_t memory_mib) const {
  std::int64_t best = -1;
  std::int64_t best_cpu = 0;
  tightest_in(1, cpu_milli, memory_mib, best, best_cpu);
  return best;
}

// Node i covers slots [lo, hi).
std::int64_t FreeCpuIndex::next_in(std::size_t i, std::size_t lo, std::size_t hi, std::size_t from,
                                   std::int64_t cpu_milli, std::int64_t memory_mib) const {
  if (hi <= from || cpu_[i] < cpu_milli || memory_[i] < memory_mib) return -1;
  if (lo >= from) return first_in(i, cpu_milli, memory_mib);
  const std::size_t mid = lo + (hi - lo) / 2;
  const std::int64_t left = next_in(2 * i, lo, mid, from, cpu_milli, memory_mib);
  return left >= 0 ? left : next_in(2 * i + 1, mid, hi, from, cpu_milli, memory_mib);
}

std::int64_t FreeCpuIndex::next_fit(std::size_t from, std::int64_t cpu_milli, std::int64_t memory_mib) const {
  return next_in(1, 0, leaves_, from, cpu_milli, memory_mib);
}

void FreeCpuIndex::loosest_in(std::size_t i, std::int64_t cpu_milli, std::int64_t memory_mib, std::int64_t& best,
                              std::int64_t& best_cpu) const {
  if (cpu_[i] < cpu_milli || memory_[i] < memory_mib) return;
  if (best >= 0 && cpu_[i] < best_cpu) return;  // nothing below beats the best
  if (i >= leaves_) {
    const auto slot = static_cast<std::int64_t>(i - leaves_);
    if (best < 0 || cpu_[i] > best_cpu || (cpu_[i] == best_cpu && slot < best)) {
      best = slot;
      best_cpu = cpu_[i];
    }
    return;
  }
  // The child with more CPU first, so that the bound prunes the other.
  const bool right_first = cpu_[2 * i + 1] > cpu_[2 * i];
  loosest_in(right_first ? 2 * i + 1 : 2 * i, cpu_milli, memory_mib, best, best_cpu);
  loosest_in(right_first ? 2 * i : 2 * i + 1, cpu_milli, memory_mib, best, best_cpu);
}

std::int64_t FreeCpuIndex::loosest_fit(std::int64_t cpu_milli, std::int64_t memory_mib) const {
  std::int64_t best = -1;
  std::int64_t best_cpu = 0;
  loosest_in(1, cpu_milli, memory_mib, best, best_cpu);
  return best;
}

}  // namespace capsim::scheduler
