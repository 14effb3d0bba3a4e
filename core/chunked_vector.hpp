// An append-only array for per-job data that grows to millions of entries:
// storage comes in 2 MiB chunks that never move, so growing never copies what
// is there (a std::vector copies everything at each doubling), and each chunk
// is advised to the kernel as a transparent huge page, so that filling it
// takes one page fault instead of 512. Measured on bench/engine: see
// sim/engine.hpp. Elements must be trivially copyable.
#pragma once

#include <sys/mman.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>
#include <type_traits>
#include <vector>

#include "core/error.hpp"

namespace capsim {

inline constexpr std::size_t kChunkBytes = std::size_t{2} << 20;

// Allocates one chunk (2 MiB, 2 MiB-aligned, huge pages advised); throws
// std::bad_alloc when memory runs out.
inline void* allocate_chunk() {
  void* memory = std::aligned_alloc(kChunkBytes, kChunkBytes);
  if (!memory) throw std::bad_alloc();
#ifdef MADV_HUGEPAGE
  ::madvise(memory, kChunkBytes, MADV_HUGEPAGE);  // advice only: failure is harmless
#endif
  return memory;
}

template <typename T>
class ChunkedVector {
  static_assert(std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T>);
  static constexpr std::size_t floor_pow2(std::size_t x) {
    std::size_t p = 1;
    while (p * 2 <= x) p *= 2;
    return p;
  }

 public:
  static constexpr std::size_t kPerChunk = floor_pow2(kChunkBytes / sizeof(T));
  static constexpr std::size_t kShift = static_cast<std::size_t>(__builtin_ctzll(kPerChunk));

  ChunkedVector() = default;
  ChunkedVector(const ChunkedVector&) = delete;
  ChunkedVector& operator=(const ChunkedVector&) = delete;
  ChunkedVector(ChunkedVector&& other) noexcept : chunks_(std::move(other.chunks_)), size_(other.size_) {
    other.chunks_.clear();
    other.size_ = 0;
  }
  ChunkedVector& operator=(ChunkedVector&& other) noexcept {
    if (this != &other) {
      clear();
      chunks_ = std::move(other.chunks_);
      size_ = other.size_;
      other.chunks_.clear();
      other.size_ = 0;
    }
    return *this;
  }
  ~ChunkedVector() { clear(); }

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  T& operator[](std::size_t i) { return chunks_[i >> kShift][i & (kPerChunk - 1)]; }
  const T& operator[](std::size_t i) const { return chunks_[i >> kShift][i & (kPerChunk - 1)]; }
  T& back() { return (*this)[size_ - 1]; }

  // Appends a value-initialised element and returns it.
  T& emplace_back() {
    if ((size_ & (kPerChunk - 1)) == 0 && (size_ >> kShift) == chunks_.size()) {
      chunks_.push_back(static_cast<T*>(allocate_chunk()));
    }
    T* slot = &(*this)[size_];
    ++size_;
    return *new (slot) T{};
  }
  void push_back(const T& value) { emplace_back() = value; }

  void clear() {
    for (T* chunk : chunks_) std::free(chunk);
    chunks_.clear();
    size_ = 0;
  }

 private:
  std::vector<T*> chunks_;
  std::size_t size_ = 0;
};

}  // namespace capsim
