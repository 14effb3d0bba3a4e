// The CUDA backend's kernels (see cuda_kernels.cuh). Index conventions used
// throughout: `row0`/`col0` are a block's first output row/column, `gr`/`gc`/
// `gk` global row/column/k indices, and every global access is guarded by
// `< n` (zeros are loaded past the edge and nothing is stored there), so any
// n is right. The vectorised paths (kVector) are taken only when n is a
// multiple of the vector width: then a vector that starts inside the matrix
// ends inside it, and every row starts aligned.
#include <mma.h>

#include <algorithm>
#include <climits>

#include "kernels/ops/cuda_check.cuh"
#include "kernels/ops/cuda_kernels.cuh"

namespace capsim::kernels::detail {
namespace {

// ---------------------------------------------------------------------------
// FP32 product: 128 x 128 block tile, k-slices of 8, 256 threads, each
// thread 8 x 8 outputs in registers (the outer product of 8 values of A and
// 8 of B per k). A thread's outputs are rows {ty*4 + i, 64 + ty*4 + i} and
// columns {tx*4 + j, 64 + tx*4 + j} (i, j < 4) of the block tile, so that the
// float4 reads from shared memory of a warp are conflict-free (B) or
// broadcasts (A).
namespace f32 {
constexpr int kBlockM = 128;
constexpr int kBlockN = 128;
constexpr int kBlockK = 8;
constexpr int kThreads = 256;
constexpr int kPadA = 4;  // keeps the transposed stores of A free of bank conflicts

// Block-tile row (or column) of a thread's i-th output row (column), i < 8.
__device__ __forceinline__ int tile_offset(int t, int i) {
  return (i < 4 ? 0 : 64) + t * 4 + (i & 3);
}

template <bool kVector>
__global__ void __launch_bounds__(kThreads)
    gemm_kernel(const float* __restrict__ a, const float* __restrict__ b, float* __restrict__ c, int n) {
  __shared__ __align__(16) float as[kBlockK][kBlockM + kPadA];  // A tile transposed: as[k][m]
  __shared__ __align__(16) float bs[kBlockK][kBlockN];          // B tile: bs[k][n]
  const int tid = static_cast<int>(threadIdx.x);
  const int tx = tid % 16;  // output column group
  const int ty = tid / 16;  // output row group
  const int row0 = static_cast<int>(blockIdx.y) * kBlockM;
  const int col0 = static_cast<int>(blockIdx.x) * kBlockN;
  // Loading A (128 x 8): each thread 4 consecutive k of one row.
  const int a_row = tid / 2;
  const int a_k = (tid % 2) * 4;
  // Loading B (8 x 128): each thread 4 consecutive columns of one k.
  const int b_k = tid / 32;
  const int b_col = (tid % 32) * 4;

  float acc[8][8];
#pragma unroll
  for (int i = 0; i < 8; ++i) {
#pragma unroll
    for (int j = 0; j < 8; ++j) acc[i][j] = 0.0f;
  }

  for (int k0 = 0; k0 < n; k0 += kBlockK) {
    {
      const int gr = row0 + a_row;
      const int gk = k0 + a_k;
      float v[4] = {0.0f, 0.0f, 0.0f, 0.0f};
      if constexpr (kVector) {
        if (gr < n && gk < n) {
          const float4 t = *reinterpret_cast<const float4*>(a + static_cast<std::size_t>(gr) * n + gk);
          v[0] = t.x, v[1] = t.y, v[2] = t.z, v[3] = t.w;
        }
      } else {
#pragma unroll
        for (int q = 0; q < 4; ++q) {
          if (gr < n && gk + q < n) v[q] = a[static_cast<std::size_t>(gr) * n + gk + q];
        }
      }
#pragma unroll
      for (int q = 0; q < 4; ++q) as[a_k + q][a_row] = v[q];
    }
    {
      const int gk = k0 + b_k;
      const int gc = col0 + b_col;
      float4 v = make_float4(0.0f, 0.0f, 0.0f, 0.0f);
      if constexpr (kVector) {
        if (gk < n && gc < n) v = *reinterpret_cast<const float4*>(b + static_cast<std::size_t>(gk) * n + gc);
      } else {
        if (gk < n) {
          const float* row = b + static_cast<std::size_t>(gk) * n;
          if (gc + 0 < n) v.x = row[gc + 0];
          if (gc + 1 < n) v.y = row[gc + 1];
          if (gc + 2 < n) v.z = row[gc + 2];
          if (gc + 3 < n) v.w = row[gc + 3];
        }
      }
      *reinterpret_cast<float4*>(&bs[b_k][b_col]) = v;
    }
    __syncthreads();

#pragma unroll
    for (int kk = 0; kk < kBlockK; ++kk) {
      const float4 a_lo = *reinterpret_cast<const float4*>(&as[kk][ty * 4]);
      const float4 a_hi = *reinterpret_cast<const float4*>(&as[kk][64 + ty * 4]);
      const float4 b_lo = *reinterpret_cast<const float4*>(&bs[kk][tx * 4]);
      const float4 b_hi = *reinterpret_cast<const float4*>(&bs[kk][64 + tx * 4]);
      const float ra[8] = {a_lo.x, a_lo.y, a_lo.z, a_lo.w, a_hi.x, a_hi.y, a_hi.z, a_hi.w};
      const float rb[8] = {b_lo.x, b_lo.y, b_lo.z, b_lo.w, b_hi.x, b_hi.y, b_hi.z, b_hi.w};
#pragma unroll
      for (int i = 0; i < 8; ++i) {
#pragma unroll
        for (int j = 0; j < 8; ++j) acc[i][j] += ra[i] * rb[j];
      }
    }
    __syncthreads();
  }

#pragma unroll
  for (int i = 0; i < 8; ++i) {
    const int gr = row0 + tile_offset(ty, i);
    if (gr >= n) continue;
    float* out = c + static_cast<std::size_t>(gr) * n;
#pragma unroll
    for (int half = 0; half < 2; ++half) {
      const int gc = col0 + tile_offset(tx, half * 4);  // 4 consecutive columns from here
      const float* v = &acc[i][half * 4];
      if constexpr (kVector) {
        if (gc < n) *reinterpret_cast<float4*>(out + gc) = make_float4(v[0], v[1], v[2], v[3]);
      } else {
#pragma unroll
        for (int q = 0; q < 4; ++q) {
          if (gc + q < n) out[gc + q] = v[q];
        }
      }
    }
  }
}
}  // namespace f32

// ---------------------------------------------------------------------------
// 16-bit products on tensor cores (WMMA, 16 x 16 x 16 fragments, FP32
// accumulators): 128 x 128 block tile, k-slices of 32 staged in shared
// memory, 8 warps as 2 (rows) x 4 (columns); each warp owns a 64 x 32 tile,
// 4 x 2 fragments. Accumulators go out through a per-warp 16 x 16 staging
// area in shared memory so that edges need no aligned, in-bounds fragment.
// WMMA wants 256-bit aligned tile pointers and a leading dimension that is a
// multiple of 8 (16-bit) or 4 (float): the paddings below keep both
// (40 and 136 elements; fragment offsets are multiples of 16 rows or 16
// elements).
namespace mma {
constexpr int kBlockM = 128;
constexpr int kBlockN = 128;
constexpr int kBlockK = 32;
constexpr int kThreads = 256;
constexpr int kLdA = kBlockK + 8;  // as[m][k], row stride in elements
constexpr int kLdB = kBlockN + 8;  // bs[k][n]
constexpr int kFrag = 16;

__device__ __forceinline__ __half zero_of(__half) {
  return __ushort_as_half(0);
}
__device__ __forceinline__ __nv_bfloat16 zero_of(__nv_bfloat16) {
  return __ushort_as_bfloat16(0);
}

template <typename T, bool kVector>
__global__ void __launch_bounds__(kThreads)
    gemm_kernel(const T* __restrict__ a, const T* __restrict__ b, float* __restrict__ c, int n) {
  using namespace nvcuda;
  static_assert(sizeof(T) == 2);
  __shared__ __align__(32) T as[kBlockM * kLdA];
  __shared__ __align__(32) T bs[kBlockK * kLdB];
  __shared__ __align__(32) float staged[kThreads / 32][kFrag * kFrag];
  const int tid = static_cast<int>(threadIdx.x);
  const int warp = tid / 32;
  const int lane = tid % 32;
  const int warp_m = warp / 4;  // 0..1: rows warp_m * 64 ...
  const int warp_n = warp % 4;  // 0..3: columns warp_n * 32 ...
  const int row0 = static_cast<int>(blockIdx.y) * kBlockM;
  const int col0 = static_cast<int>(blockIdx.x) * kBlockN;
  const T zero = zero_of(T{});

  wmma::fragment<wmma::accumulator, kFrag, kFrag, kFrag, float> acc[4][2];
#pragma unroll
  for (int i = 0; i < 4; ++i) {
#pragma unroll
    for (int j = 0; j < 2; ++j) wmma::fill_fragment(acc[i][j], 0.0f);
  }

  for (int k0 = 0; k0 < n; k0 += kBlockK) {
    if constexpr (kVector) {
      // 16-byte vectors of 8 elements; n % 8 == 0.
      for (int q = tid; q < kBlockM * (kBlockK / 8); q += kThreads) {
        const int r = q / (kBlockK / 8);
        const int kc = (q % (kBlockK / 8)) * 8;
        const int gr = row0 + r;
        const int gk = k0 + kc;
        uint4 v = make_uint4(0, 0, 0, 0);
        if (gr < n && gk < n) v = *reinterpret_cast<const uint4*>(a + static_cast<std::size_t>(gr) * n + gk);
        *reinterpret_cast<uint4*>(&as[r * kLdA + kc]) = v;
      }
      for (int q = tid; q < kBlockK * (kBlockN / 8); q += kThreads) {
        const int r = q / (kBlockN / 8);
        const int cc = (q % (kBlockN / 8)) * 8;
        const int gk = k0 + r;
        const int gc = col0 + cc;
        uint4 v = make_uint4(0, 0, 0, 0);
        if (gk < n && gc < n) v = *reinterpret_cast<const uint4*>(b + static_cast<std::size_t>(gk) * n + gc);
        *reinterpret_cast<uint4*>(&bs[r * kLdB + cc]) = v;
      }
    } else {
      for (int q = tid; q < kBlockM * kBlockK; q += kThreads) {
        const int r = q / kBlockK;
        const int kk = q % kBlockK;
        const int gr = row0 + r;
        const int gk = k0 + kk;
        as[r * kLdA + kk] = (gr < n && gk < n) ? a[static_cast<std::size_t>(gr) * n + gk] : zero;
      }
      for (int q = tid; q < kBlockK * kBlockN; q += kThreads) {
        const int r = q / kBlockN;
        const int cc = q % kBlockN;
        const int gk = k0 + r;
        const int gc = col0 + cc;
        bs[r * kLdB + cc] = (gk < n && gc < n) ? b[static_cast<std::size_t>(gk) * n + gc] : zero;
      }
    }
    __syncthreads();

#pragma unroll
    for (int kk = 0; kk < kBlockK; kk += kFrag) {
      wmma::fragment<wmma::matrix_a, kFrag, kFrag, kFrag, T, wmma::row_major> fa[4];
      wmma::fragment<wmma::matrix_b, kFrag, kFrag, kFrag, T, wmma::row_major> fb[2];
#pragma unroll
      for (int i = 0; i < 4; ++i) wmma::load_matrix_sync(fa[i], &as[(warp_m * 64 + i * kFrag) * kLdA + kk], kLdA);
#pragma unroll
      for (int j = 0; j < 2; ++j) wmma::load_matrix_sync(fb[j], &bs[kk * kLdB + warp_n * 32 + j * kFrag], kLdB);
#pragma unroll
      for (int i = 0; i < 4; ++i) {
#pragma unroll
        for (int j = 0; j < 2; ++j) wmma::mma_sync(acc[i][j], fa[i], fb[j], acc[i][j]);
      }
    }
    __syncthreads();
  }

  float* stage = staged[warp];
#pragma unroll
  for (int i = 0; i < 4; ++i) {
#pragma unroll
    for (int j = 0; j < 2; ++j) {
      wmma::store_matrix_sync(stage, acc[i][j], kFrag, wmma::mem_row_major);
      __syncwarp();
      for (int e = lane; e < kFrag * kFrag; e += 32) {
        const int gr = row0 + warp_m * 64 + i * kFrag + e / kFrag;
        const int gc = col0 + warp_n * 32 + j * kFrag + e % kFrag;
        if (gr < n && gc < n) c[static_cast<std::size_t>(gr) * n + gc] = stage[e];
      }
      __syncwarp();  // the stage is rewritten by the next fragment
    }
  }
}
}  // namespace mma

// ---------------------------------------------------------------------------
// Triad and conversions: grid-stride loops.
__device__ __forceinline__ std::int64_t first_index() {
  return static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
}
__device__ __forceinline__ std::int64_t grid_stride() {
  return static_cast<std::int64_t>(gridDim.x) * blockDim.x;
}

__global__ void triad_vector_kernel(float4* __restrict__ a, const float4* __restrict__ b, const float4* __restrict__ c,
                                    float scalar, std::int64_t n4) {
  for (std::int64_t i = first_index(); i < n4; i += grid_stride()) {
    const float4 bv = b[i];
    const float4 cv = c[i];
    a[i] = make_float4(bv.x + scalar * cv.x, bv.y + scalar * cv.y, bv.z + scalar * cv.z, bv.w + scalar * cv.w);
  }
}

// Elements [begin, n).
__global__ void triad_scalar_kernel(float* __restrict__ a, const float* __restrict__ b, const float* __restrict__ c,
                                    float scalar, std::int64_t begin, std::int64_t n) {
  for (std::int64_t i = begin + first_index(); i < n; i += grid_stride()) a[i] = b[i] + scalar * c[i];
}

__global__ void round_f16_kernel(const float* __restrict__ from, __half* __restrict__ to, std::int64_t n) {
  for (std::int64_t i = first_index(); i < n; i += grid_stride()) to[i] = __float2half_rn(from[i]);
}

__global__ void round_bf16_kernel(const float* __restrict__ from, __nv_bfloat16* __restrict__ to, std::int64_t n) {
  for (std::int64_t i = first_index(); i < n; i += grid_stride()) to[i] = __float2bfloat16_rn(from[i]);
}

constexpr int kStreamThreads = 256;
constexpr int kConversionBlocksCap = 4096;

unsigned blocks_for(std::int64_t items, int cap) {
  const std::int64_t needed = (items + kStreamThreads - 1) / kStreamThreads;
  return static_cast<unsigned>(std::clamp<std::int64_t>(needed, 1, std::max(cap, 1)));
}

bool aligned16(const void* p) {
  return reinterpret_cast<std::uintptr_t>(p) % 16 == 0;
}

dim3 tile_grid(int n, int block_m, int block_n) {
  return dim3(static_cast<unsigned>((n + block_n - 1) / block_n), static_cast<unsigned>((n + block_m - 1) / block_m));
}

template <typename T>
void launch_mma(const T* a, const T* b, float* c, int n, cudaStream_t stream) {
  if (n <= 0) return;
  const dim3 grid = tile_grid(n, mma::kBlockM, mma::kBlockN);
  if (n % 8 == 0 && aligned16(a) && aligned16(b)) {
    mma::gemm_kernel<T, true><<<grid, mma::kThreads, 0, stream>>>(a, b, c, n);
  } else {
    mma::gemm_kernel<T, false><<<grid, mma::kThreads, 0, stream>>>(a, b, c, n);
  }
  CAPSIM_CUDA_LAUNCHED();
}

}  // namespace

void launch_gemm_f32(const float* a, const float* b, float* c, int n, cudaStream_t stream) {
  if (n <= 0) return;
  const dim3 grid = tile_grid(n, f32::kBlockM, f32::kBlockN);
  if (n % 4 == 0 && aligned16(a) && aligned16(b) && aligned16(c)) {
    f32::gemm_kernel<true><<<grid, f32::kThreads, 0, stream>>>(a, b, c, n);
  } else {
    f32::gemm_kernel<false><<<grid, f32::kThreads, 0, stream>>>(a, b, c, n);
  }
  CAPSIM_CUDA_LAUNCHED();
}

void launch_gemm_f16(const __half* a, const __half* b, float* c, int n, cudaStream_t stream) {
  launch_mma(a, b, c, n, stream);
}

void launch_gemm_bf16(const __nv_bfloat16* a, const __nv_bfloat16* b, float* c, int n, cudaStream_t stream) {
  launch_mma(a, b, c, n, stream);
}

void launch_triad(float* a, const float* b, const float* c, float scalar, std::int64_t n, int blocks_cap,
                  cudaStream_t stream) {
  if (n <= 0) return;
  std::int64_t done = 0;
  if (aligned16(a) && aligned16(b) && aligned16(c)) {
    const std::int64_t n4 = n / 4;
    if (n4 > 0) {
      triad_vector_kernel<<<blocks_for(n4, blocks_cap), kStreamThreads, 0, stream>>>(
          reinterpret_cast<float4*>(a), reinterpret_cast<const float4*>(b), reinterpret_cast<const float4*>(c), scalar,
          n4);
      CAPSIM_CUDA_LAUNCHED();
    }
    done = n4 * 4;
  }
  if (done < n) {
    triad_scalar_kernel<<<blocks_for(n - done, blocks_cap), kStreamThreads, 0, stream>>>(a, b, c, scalar, done, n);
    CAPSIM_CUDA_LAUNCHED();
  }
}

void launch_round_to_f16(const float* from, __half* to, std::int64_t n, cudaStream_t stream) {
  if (n <= 0) return;
  round_f16_kernel<<<blocks_for(n, kConversionBlocksCap), kStreamThreads, 0, stream>>>(from, to, n);
  CAPSIM_CUDA_LAUNCHED();
}

void launch_round_to_bf16(const float* from, __nv_bfloat16* to, std::int64_t n, cudaStream_t stream) {
  if (n <= 0) return;
  round_bf16_kernel<<<blocks_for(n, kConversionBlocksCap), kStreamThreads, 0, stream>>>(from, to, n);
  CAPSIM_CUDA_LAUNCHED();
}

}  // namespace capsim::kernels::detail
