// Helpers the backends share (not part of the kernel library's interface):
// the seeded inputs every lane fills its buffers with, the median of a
// lane's timings, and the precondition checks of the checked entry points.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "kernels/ops/ops.hpp"

namespace capsim::kernels::detail {

// The scalar of a lane's triad (STREAM's).
inline constexpr float kTriadScalar = 3.0f;

// Fills `values` with uniform draws in [-1, 1) from the stream (seed,
// "kernels.<name>", id). Each value is k * 2^-23 - 1 for a 24-bit k, so it
// is exact in float32 and never reaches 1.
void fill_uniform(std::span<float> values, std::uint64_t seed, std::string_view name, std::uint64_t id);
// The same draws seen as bytes (a copy's source): whole floats, then the
// remaining bytes (fewer than 4) from further draws.
void fill_uniform_bytes(std::span<std::byte> bytes, std::uint64_t seed, std::string_view name, std::uint64_t id);

// The median of `seconds` (the mean of the middle two for an even count);
// `seconds` is reordered. Not empty.
double median(std::vector<double>& seconds);

// The largest size of each operation among `calls`, indexed by Op; 0 where
// an operation does not appear.
std::vector<std::int64_t> largest_sizes(std::span<const KernelCall> calls);

// Aborts (CAPSIM_CHECK) unless the spans of a checked entry point fit.
void check_gemm_arguments(Op op, std::int64_t n, std::size_t a, std::size_t b, std::size_t c);
void check_triad_arguments(std::size_t b, std::size_t c, std::size_t a);
void check_copy_arguments(Op op, std::size_t from, std::size_t to);

}  // namespace capsim::kernels::detail
