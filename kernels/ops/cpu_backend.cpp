// The CPU backend: Eigen 3.4's matrix product on one thread (no OpenMP, so
// that each lane is one core), a plain triad loop the compiler vectorises,
// memcpy for every copy.
//
// The CPU has no FP16/BF16 matrix units: gemm_f16/gemm_bf16 round their
// inputs to Eigen::half / Eigen::bfloat16 (round to nearest even) and back to
// float, then run the FP32 product, which accumulates in FP32 as tensor cores
// do. Results thus match the GPU's up to accumulation order, and timings are
// those of the FP32 product.
#define EIGEN_DONT_PARALLELIZE
// Eigen's matrix product takes its packing workspace (a few hundred KiB at
// the sizes probed) from the heap unless it fits this limit, and then from
// the stack. From the heap, glibc may hand it back to the system after every
// call (its trim threshold) and fault the pages in again at the next: the
// same 192 x 192 product measured 720 us in a fresh process and 330 us in one
// whose heap had grown (tests/kernels, this machine), which made calibration
// depend on what ran before. On the stack (threads have 8 MiB) it costs
// nothing either way.
#define EIGEN_STACK_ALLOCATION_LIMIT (2 << 20)
#include <Eigen/Core>
#include <algorithm>
#include <array>
#include <chrono>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "core/error.hpp"
#include "kernels/ops/ops.hpp"
#include "kernels/ops/support.hpp"

namespace capsim::kernels {
namespace {

using RowMajor = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
template <typename T>
using AlignedVector = std::vector<T, Eigen::aligned_allocator<T>>;

// c = a * b for row-major n x n matrices.
void product(std::int64_t n, const float* a, const float* b, float* c) {
  const Eigen::Map<const RowMajor> ma(a, n, n);
  const Eigen::Map<const RowMajor> mb(b, n, n);
  Eigen::Map<RowMajor> mc(c, n, n);
  mc.noalias() = ma * mb;
}

// Rounds every value to the precision of a matrix product's inputs in place.
void round_to_input_precision(Op op, std::span<float> values) {
  if (op == Op::kGemmF16) {
    for (float& v : values) v = static_cast<float>(Eigen::half(v));
  } else if (op == Op::kGemmBF16) {
    for (float& v : values) v = static_cast<float>(Eigen::bfloat16(v));
  }
}

void triad_loop(float* __restrict a, const float* __restrict b, const float* __restrict c, float scalar,
                std::int64_t n) {
  for (std::int64_t i = 0; i < n; ++i) a[i] = b[i] + scalar * c[i];
}

// Buffers of one operation: for a product a, b (inputs, already rounded) and
// c; for the triad a (output), b, c; for a copy `from` and `to`.
struct Buffers {
  std::int64_t size = 0;  // the largest size reserved; 0: not reserved
  AlignedVector<float> a, b, c;
  AlignedVector<std::byte> from, to;
};

class CpuLane final : public Lane {
 public:
  void reserve(std::span<const KernelCall> calls, std::uint64_t seed) override {
    const std::vector<std::int64_t> largest = detail::largest_sizes(calls);
    for (Op op : kAllOps) {
      const std::int64_t size = largest[static_cast<std::size_t>(op)];
      if (size == 0) continue;
      Buffers& buffers = buffers_[static_cast<std::size_t>(op)];
      buffers = Buffers{};
      buffers.size = size;
      const std::string name(to_string(op));
      if (is_gemm(op)) {
        const auto elements = static_cast<std::size_t>(size * size);
        buffers.a.resize(elements);
        buffers.b.resize(elements);
        buffers.c.resize(elements);
        detail::fill_uniform(buffers.a, seed, name, 0);
        detail::fill_uniform(buffers.b, seed, name, 1);
        round_to_input_precision(op, buffers.a);
        round_to_input_precision(op, buffers.b);
      } else if (op == Op::kTriad) {
        buffers.a.resize(static_cast<std::size_t>(size));
        buffers.b.resize(static_cast<std::size_t>(size));
        buffers.c.resize(static_cast<std::size_t>(size));
        detail::fill_uniform(buffers.b, seed, name, 1);
        detail::fill_uniform(buffers.c, seed, name, 2);
      } else {
        buffers.from.resize(static_cast<std::size_t>(size));
        buffers.to.resize(static_cast<std::size_t>(size));
        detail::fill_uniform_bytes(buffers.from, seed, name, 0);
      }
    }
  }

  void run(const KernelCall& call) override {
    for (std::int32_t i = 0; i < call.count; ++i) run_once(call.op, call.size);
  }

  void synchronize() override {}

  double time_call(Op op, std::int64_t size, int warmup, int repeats) override {
    CAPSIM_CHECK(warmup >= 0 && repeats > 0) << "warmup " << warmup << ", repeats " << repeats;
    for (int i = 0; i < warmup; ++i) run_once(op, size);
    std::vector<double> seconds;
    seconds.reserve(static_cast<std::size_t>(repeats));
    for (int i = 0; i < repeats; ++i) {
      const auto start = std::chrono::steady_clock::now();
      run_once(op, size);
      const auto stop = std::chrono::steady_clock::now();
      seconds.push_back(std::chrono::duration<double>(stop - start).count());
    }
    return detail::median(seconds);
  }

 private:
  void run_once(Op op, std::int64_t size) {
    Buffers& buffers = buffers_[static_cast<std::size_t>(op)];
    CAPSIM_CHECK(size > 0 && size <= buffers.size)
        << to_string(op) << " of size " << size << " run on a lane reserved for " << buffers.size;
    if (is_gemm(op)) {
      product(size, buffers.a.data(), buffers.b.data(), buffers.c.data());
    } else if (op == Op::kTriad) {
      triad_loop(buffers.a.data(), buffers.b.data(), buffers.c.data(), detail::kTriadScalar, size);
    } else {
      std::memcpy(buffers.to.data(), buffers.from.data(), static_cast<std::size_t>(size));
    }
  }

  std::array<Buffers, std::size(kAllOps)> buffers_;
};

std::string cpu_model_name() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line)) {
    if (line.rfind("model name", 0) != 0) continue;
    const auto colon = line.find(':');
    if (colon == std::string::npos) break;
    const auto begin = line.find_first_not_of(" \t", colon + 1);
    if (begin == std::string::npos) break;
    return line.substr(begin);
  }
  return "unknown model";
}

class CpuBackend final : public Backend {
 public:
  std::string_view name() const override { return "cpu"; }
  int device_count() const override { return 1; }
  std::string device_name(int device) const override {
    check_device(device);
    const unsigned threads = std::thread::hardware_concurrency();
    return "CPU: " + cpu_model_name() + " (" + (threads == 0 ? std::string("unknown") : std::to_string(threads)) +
           " threads)";
  }
  bool has_tensor_cores(int device) const override {
    check_device(device);
    return false;
  }
  std::unique_ptr<Lane> make_lane(int device) override {
    check_device(device);
    return std::make_unique<CpuLane>();
  }

  void gemm(int device, Op op, std::int64_t n, std::span<const float> a, std::span<const float> b,
            std::span<float> c) override {
    check_device(device);
    detail::check_gemm_arguments(op, n, a.size(), b.size(), c.size());
    AlignedVector<float> rounded_a(a.begin(), a.end());
    AlignedVector<float> rounded_b(b.begin(), b.end());
    round_to_input_precision(op, rounded_a);
    round_to_input_precision(op, rounded_b);
    product(n, rounded_a.data(), rounded_b.data(), c.data());
  }

  void triad(int device, std::span<const float> b, std::span<const float> c, float scalar,
             std::span<float> a) override {
    check_device(device);
    detail::check_triad_arguments(b.size(), c.size(), a.size());
    triad_loop(a.data(), b.data(), c.data(), scalar, static_cast<std::int64_t>(a.size()));
  }

  void copy(int device, Op op, std::span<const std::byte> from, std::span<std::byte> to) override {
    check_device(device);
    detail::check_copy_arguments(op, from.size(), to.size());
    if (!from.empty()) std::memcpy(to.data(), from.data(), from.size());
  }

 private:
  static void check_device(int device) {
    CAPSIM_CHECK(device == 0) << "the CPU backend has one device, not " << device;
  }
};

}  // namespace

std::unique_ptr<Backend> make_cpu_backend() {
  return std::make_unique<CpuBackend>();
}

}  // namespace capsim::kernels
