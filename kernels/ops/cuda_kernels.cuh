// The kernels of the CUDA backend, written for this library (no cuBLAS):
// an FP32 tiled matrix product, FP16/BF16 products on tensor cores (WMMA),
// the triad, and the conversions that round a product's inputs. Each launcher
// queues its kernel on `stream` and checks the launch; none synchronizes.
//
// Matrices are row-major n x n, any n >= 1: tiles that run past n load zeros
// and store nothing, so no padding is asked of the caller. Pointers come from
// cudaMalloc (256-byte aligned), which the vectorised paths rely on.
#pragma once

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <cstdint>

namespace capsim::kernels::detail {

// c = a * b, FP32 (FMA contraction allowed: it only reduces the error).
void launch_gemm_f32(const float* a, const float* b, float* c, int n, cudaStream_t stream);
// c = a * b with 16-bit inputs, FP32 accumulation on tensor cores (sm_80+).
void launch_gemm_f16(const __half* a, const __half* b, float* c, int n, cudaStream_t stream);
void launch_gemm_bf16(const __nv_bfloat16* a, const __nv_bfloat16* b, float* c, int n, cudaStream_t stream);
// a[i] = b[i] + scalar * c[i] for i < n; `blocks_cap` bounds the grid
// (a few blocks per SM: the loop strides over the rest).
void launch_triad(float* a, const float* b, const float* c, float scalar, std::int64_t n, int blocks_cap,
                  cudaStream_t stream);
// to[i] = round to nearest even (from[i]) for i < n.
void launch_round_to_f16(const float* from, __half* to, std::int64_t n, cudaStream_t stream);
void launch_round_to_bf16(const float* from, __nv_bfloat16* to, std::int64_t n, cudaStream_t stream);

}  // namespace capsim::kernels::detail
