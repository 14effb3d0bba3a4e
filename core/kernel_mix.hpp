// A job's kernel mix: what one iteration of a job does when it runs for real
// (kernels/, issue 6). Scenarios name it per job class (`kernels:`), the
// real executor runs it, and a calibration profile predicts its time. The
// vocabulary of operations lives here, with the scenario format; the
// kernels/ library implements them.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "core/config_tree.hpp"

namespace capsim {

// The operations. Sizes: a matrix product multiplies two n x n matrices
// (row-major) into a third, size = n; the triad a = b + s * c works on
// `size` float32 elements; a copy moves `size` bytes.
// - kGemmF32: FP32 inputs, FP32 accumulation.
// - kGemmF16 / kGemmBF16: inputs rounded to IEEE half / bfloat16, products
//   accumulated in FP32 (tensor cores on a GPU that has them).
// - kTriad: memory-bound streaming, STREAM's triad on float32.
// - kCopyD2D / kCopyH2D / kCopyD2H: device to device, pinned host to device,
//   device to pinned host.
enum class KernelOp : std::uint8_t { kGemmF32, kGemmF16, kGemmBF16, kTriad, kCopyD2D, kCopyH2D, kCopyD2H };
inline constexpr KernelOp kAllKernelOps[] = {KernelOp::kGemmF32, KernelOp::kGemmF16, KernelOp::kGemmBF16,
                                             KernelOp::kTriad,   KernelOp::kCopyD2D, KernelOp::kCopyH2D,
                                             KernelOp::kCopyD2H};

// "gemm_f32", "gemm_f16", "gemm_bf16", "triad", "copy_d2d", "copy_h2d", "copy_d2h".
std::string_view to_string(KernelOp op);
std::optional<KernelOp> parse_kernel_op(std::string_view text);
bool is_gemm(KernelOp op);
bool is_copy(KernelOp op);
// Floating-point operations of one call: 2 n^3 for a product, 2 per element
// for the triad, 0 for copies.
double op_flops(KernelOp op, std::int64_t size);
// Bytes one call must move through memory at the least: a product reads A
// and B (in its input width) and writes C in FP32 once, the triad reads two
// float arrays and writes one (12 bytes per element), a copy `size` bytes
// (counted once, as cudaMemcpy bandwidth is quoted).
double op_bytes(KernelOp op, std::int64_t size);
// The quantity a call's time grows with, for fitting: flops for products and
// the triad, bytes for copies.
double op_work(KernelOp op, std::int64_t size);

// One entry of a mix: `count` calls of `op` at `size`.
struct KernelCall {
  KernelOp op = KernelOp::kGemmF32;
  std::int64_t size = 0;
  std::int32_t count = 1;
  friend bool operator==(const KernelCall&, const KernelCall&) = default;
};
using KernelMix = std::vector<KernelCall>;

// Parses a mix: a list of {op: NAME, size: N, count: K} (count defaults to
// 1; sizes accept k/M/G suffixes: 1M = 1048576). Throws InputError naming
// the item and field. Sizes are bounded so that one call's buffers stay
// under 4 GiB.
KernelMix parse_kernel_mix(const ConfigNode& node, const std::string& field);

}  // namespace capsim
