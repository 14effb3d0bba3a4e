// A resource vector: what a job asks for, or what a node offers.
// GPUs count in thousandths (gpu_milli): a job asks for whole GPUs (a multiple
// of 1000), a share of one GPU (1 to 999: time-sliced with other shares), or
// none (0: a CPU-only job); memory counts in MiB; CPU in thousandths of a core.
#pragma once

#include <cstdint>
#include <string>

namespace capsim {

inline constexpr std::int64_t kMilliPerGpu = 1000;

struct Resources {
  std::int64_t gpu_milli = 0;       // 1000 = one whole GPU
  std::int64_t gpu_memory_mib = 0;  // memory of each GPU: what each must have (a job), or has (a node)
  std::int64_t cpu_milli = 0;       // 1000 = one core
  std::int64_t memory_mib = 0;      // host memory

  friend bool operator==(const Resources&, const Resources&) = default;

  // Whole GPUs (gpu_milli / 1000, rounded down).
  std::int32_t whole_gpus() const { return static_cast<std::int32_t>(gpu_milli / kMilliPerGpu); }
  bool is_whole_gpus() const { return gpu_milli % kMilliPerGpu == 0; }
  // A share of one GPU: more than none, less than a whole one.
  bool is_gpu_share() const { return gpu_milli > 0 && gpu_milli < kMilliPerGpu; }
  bool is_cpu_only() const { return gpu_milli == 0; }
  static Resources gpus(std::int32_t count) { return Resources{count * kMilliPerGpu, 0, 0, 0}; }

  // Whether a request fits what `offer` has: GPUs, CPU and memory within it,
  // and each GPU with at least the memory asked for. A zero in `offer`'s CPU
  // or memory means "not modelled" and accepts any request.
  bool fits_in(const Resources& offer) const {
    return gpu_milli <= offer.gpu_milli && gpu_memory_mib <= offer.gpu_memory_mib &&
           (offer.cpu_milli == 0 || cpu_milli <= offer.cpu_milli) &&
           (offer.memory_mib == 0 || memory_mib <= offer.memory_mib);
  }
  // "2 GPUs of 40960 MiB, 16 cores, 65536 MiB memory" (zero parts left out).
  std::string to_string() const;
};

}  // namespace capsim
