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

namespace capsim::kernels {

// The operations. Sizes: a matrix product multiplies two n x n matrices
// (row-major) into a third, size = n; the triad a = b + s * c works on
// `size` float32 elements; a copy moves `size` bytes.
// - kGemmF32: FP32 inputs, FP32 accumulation.
// - kGemmF16 / kGemmBF16: inputs rounded to IEEE half / bfloat16, products
//   accumulated in FP32 (tensor cores on the GPU where the device has them;
//   on the CPU the rounded inputs go through Eigen's FP32 product).
// - kTriad: memory-bound streaming, STREAM's triad on float32.
// - kCopyD2D / kCopyH2D / kCopyD2H: device to device, pinned host to device,
//   device to pinned host (on the CPU backend all three are memcpy).
enum class Op : std::uint8_t { kGemmF32, kGemmF16, kGemmBF16, kTriad, kCopyD2D, kCopyH2D, kCopyD2H };
inline constexpr Op kAllOps[] = {Op::kGemmF32, Op::kGemmF16, Op::kGemmBF16, Op::kTriad,
                                 Op::kCopyD2D, Op::kCopyH2D, Op::kCopyD2H};

// "gemm_f32", "gemm_f16", "gemm_bf16", "triad", "copy_d2d", "copy_h2d", "copy_d2h".
std::string_view to_string(Op op);
std::optional<Op> parse_op(std::string_view text);
bool is_gemm(Op op);
bool is_copy(Op op);
// Floating-point operations of one call: 2 n^3 for a product, 2 per element
// for the triad, 0 for copies.
double op_flops(Op op, std::int64_t size);
// Bytes one call must move to or from memory at the least: a product reads
// A and B and writes C once (3 n^2 elements of its input width... C in
// FP32), the triad reads two arrays and writes one (12 bytes per element),
// a copy reads and writes `size` bytes (counted once, as cudaMemcpy's
// bandwidth is quoted).
double op_bytes(Op op, std::int64_t size);

// One entry of a job's kernel mix: `count` calls of `op` at `size`.
struct KernelCall {
  Op op = Op::kGemmF32;
  std::int64_t size = 0;
  std::int32_t count = 1;
  friend bool operator==(const KernelCall&, const KernelCall&) = default;
};

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
