// A resource vector: what a job asks for and what a node offers.
// GPUs count in thousandths (gpu_milli) so that fractional GPU requests fit
// the same type; memory counts in MiB; CPU in thousandths of a core.
#pragma once

#include <cstdint>
#include <string>

namespace capsim {

inline constexpr std::int64_t kMilliPerGpu = 1000;

struct Resources {
  std::int64_t gpu_milli = 0;       // 1000 = one whole GPU
  std::int64_t gpu_memory_mib = 0;  // GPU memory
  std::int64_t cpu_milli = 0;       // 1000 = one core
  std::int64_t memory_mib = 0;      // host memory

  friend bool operator==(const Resources&, const Resources&) = default;
  Resources& operator+=(const Resources& o) {
    gpu_milli += o.gpu_milli;
    gpu_memory_mib += o.gpu_memory_mib;
    cpu_milli += o.cpu_milli;
    memory_mib += o.memory_mib;
    return *this;
  }
  Resources& operator-=(const Resources& o) {
    gpu_milli -= o.gpu_milli;
    gpu_memory_mib -= o.gpu_memory_mib;
    cpu_milli -= o.cpu_milli;
    memory_mib -= o.memory_mib;
    return *this;
  }
  // Whether every component of *this is at most the same component of `capacity`.
  bool fits_in(const Resources& capacity) const {
    return gpu_milli <= capacity.gpu_milli && gpu_memory_mib <= capacity.gpu_memory_mib &&
           cpu_milli <= capacity.cpu_milli && memory_mib <= capacity.memory_mib;
  }
  // "2 GPU, 16 cores, 64 GiB" (components that are zero are left out).
  std::string to_string() const;
};

}  // namespace capsim
