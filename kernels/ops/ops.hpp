// The kernel library (issue 6): one interface, two backends. The CUDA
// backend (kernels/ops/cuda_*.cu) is compiled whenever nvcc is found and used
// only when a device is present at run time; the CPU backend (Eigen) is
// always built. The real executor (kernels/executor.hpp) and calibration run
// a job's iterations as calls of these operations on lanes: one lane is one
// slot of a device (a CUDA stream with its buffers, or a CPU thread's
// buffers), driven by one thread at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/kernel_mix.hpp"

namespace capsim::kernels {

// The operations and a job's kernel calls are core's vocabulary
// (core/kernel_mix.hpp: what scenarios name); this library runs them.
using Op = KernelOp;
using capsim::is_copy;
using capsim::is_gemm;
using capsim::KernelCall;
using capsim::op_bytes;
using capsim::op_flops;
using capsim::to_string;
inline constexpr const auto& kAllOps = kAllKernelOps;
inline std::optional<Op> parse_op(std::string_view text) {
  return parse_kernel_op(text);
}

// One slot of a device. Not thread-safe: one thread drives a lane at a time
// (different lanes may be driven by different threads at once).
class Lane {
 public:
  virtual ~Lane() = default;
  // Makes buffers ready for these calls (the largest size of each
  // operation), inputs filled with seeded uniform values in [-1, 1): never
  // zeros. Calls run() may then make. May be called again with other calls.
  virtual void reserve(std::span<const KernelCall> calls, std::uint64_t seed) = 0;
  // Issues `call.count` calls of the operation on the reserved buffers.
  // CPU: returns when they are done; CUDA: when they are queued on the
  // lane's stream (synchronize() waits for them).
  virtual void run(const KernelCall& call) = 0;
  virtual void synchronize() = 0;
  // Seconds one call takes, measured properly: `warmup` untimed calls, then
  // `repeats` timed ones (CUDA events around each; CPU steady_clock), the
  // median. The call must have been reserved.
  virtual double time_call(Op op, std::int64_t size, int warmup, int repeats) = 0;
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual std::string_view name() const = 0;  // "cpu" or "cuda"
  virtual int device_count() const = 0;
  // "NVIDIA H200 (sm_90, 132 SMs, 141 GB)", "CPU: <model name> (2 threads)".
  virtual std::string device_name(int device) const = 0;
  virtual bool has_tensor_cores(int device) const = 0;
  // A new lane on `device` (0 <= device < device_count()).
  virtual std::unique_ptr<Lane> make_lane(int device) = 0;

  // Checked entry points for tests and `capsim calibrate --check`: run one
  // operation on host data and return the result on the host.
  // c = a * b, all row-major n x n (inputs rounded to the precision of `op`).
  virtual void gemm(int device, Op op, std::int64_t n, std::span<const float> a, std::span<const float> b,
                    std::span<float> c) = 0;
  // a[i] = b[i] + scalar * c[i].
  virtual void triad(int device, std::span<const float> b, std::span<const float> c, float scalar,
                     std::span<float> a) = 0;
  // `to` = `from` through the copy `op` names (host -> device -> ... -> host).
  virtual void copy(int device, Op op, std::span<const std::byte> from, std::span<std::byte> to) = 0;
};

std::unique_ptr<Backend> make_cpu_backend();
// Whether this build has the CUDA backend (nvcc was found).
bool cuda_compiled();
// The CUDA backend when it is compiled and a device is present; otherwise
// null, and `why_not` says why ("built without CUDA", "no CUDA device:
// cudaGetDeviceCount: ...").
std::unique_ptr<Backend> make_cuda_backend(std::string& why_not);
// `choice`: "auto" (CUDA where a device is present, else the CPU; when it
// falls back, one line on `notice` says so and why), "cpu" or "cuda" (throws
// capsim::InputError naming `field` when there is no device).
std::unique_ptr<Backend> open_backend(std::string_view choice, std::ostream* notice,
                                      std::string_view field = "backend");

}  // namespace capsim::kernels
