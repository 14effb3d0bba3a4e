// The CUDA backend: a lane is a non-blocking stream with its own device
// buffers; products, the triad and the input conversions are this library's
// kernels (cuda_kernels.cu), copies are cudaMemcpyAsync (host sides in pinned
// memory from cudaMallocHost). Runtime API only (CUDA::cudart), every return
// code checked (cuda_check.cuh).
#include <algorithm>
#include <array>
#include <climits>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "core/error.hpp"
#include "kernels/ops/cuda_check.cuh"
#include "kernels/ops/cuda_kernels.cuh"
#include "kernels/ops/ops.hpp"
#include "kernels/ops/support.hpp"

namespace capsim::kernels {
namespace {

// Owned memory. The deleters cannot report failure (they run in
// destructors); a failing cudaFree would mean a context already lost, which
// the next checked call reports.
struct DeviceFree {
  void operator()(void* p) const noexcept { static_cast<void>(cudaFree(p)); }
};
struct PinnedFree {
  void operator()(void* p) const noexcept { static_cast<void>(cudaFreeHost(p)); }
};
using DeviceMemory = std::unique_ptr<void, DeviceFree>;
using PinnedMemory = std::unique_ptr<void, PinnedFree>;

DeviceMemory device_alloc(std::size_t bytes) {
  void* p = nullptr;
  CAPSIM_CUDA(cudaMalloc(&p, std::max<std::size_t>(bytes, 1)));
  return DeviceMemory(p);
}

PinnedMemory pinned_alloc(std::size_t bytes) {
  void* p = nullptr;
  CAPSIM_CUDA(cudaMallocHost(&p, std::max<std::size_t>(bytes, 1)));
  return PinnedMemory(p);
}

template <typename T, typename Memory>
T* as(const Memory& memory) {
  return static_cast<T*>(memory.get());
}

class Stream {
 public:
  Stream() { CAPSIM_CUDA(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking)); }
  ~Stream() { static_cast<void>(cudaStreamDestroy(stream_)); }
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;
  cudaStream_t get() const { return stream_; }
  void synchronize() const { CAPSIM_CUDA(cudaStreamSynchronize(stream_)); }

 private:
  cudaStream_t stream_ = nullptr;
};

class Event {
 public:
  Event() { CAPSIM_CUDA(cudaEventCreate(&event_)); }
  ~Event() { static_cast<void>(cudaEventDestroy(event_)); }
  Event(const Event&) = delete;
  Event& operator=(const Event&) = delete;
  cudaEvent_t get() const { return event_; }

 private:
  cudaEvent_t event_ = nullptr;
};

// Bytes of one input element of a product.
std::size_t input_width(Op op) {
  return op == Op::kGemmF32 ? sizeof(float) : 2;
}

int checked_int(std::int64_t n) {
  CAPSIM_CHECK(n > 0 && n <= INT_MAX / 2) << "matrix size " << n;  // n * n elements index with size_t
  return static_cast<int>(n);
}

// Rounds `elements` floats on the device into the 16-bit input type of `op`.
void round_inputs(Op op, const float* from, void* to, std::int64_t elements, cudaStream_t stream) {
  if (op == Op::kGemmF16) {
    detail::launch_round_to_f16(from, static_cast<__half*>(to), elements, stream);
  } else {
    CAPSIM_CHECK(op == Op::kGemmBF16) << to_string(op) << " has FP32 inputs";
    detail::launch_round_to_bf16(from, static_cast<__nv_bfloat16*>(to), elements, stream);
  }
}

// c = a * b on device buffers holding inputs of `op`'s type.
void launch_gemm(Op op, const void* a, const void* b, float* c, std::int64_t n, cudaStream_t stream) {
  const int size = checked_int(n);
  switch (op) {
    case Op::kGemmF32:
      detail::launch_gemm_f32(static_cast<const float*>(a), static_cast<const float*>(b), c, size, stream);
      return;
    case Op::kGemmF16:
      detail::launch_gemm_f16(static_cast<const __half*>(a), static_cast<const __half*>(b), c, size, stream);
      return;
    case Op::kGemmBF16:
      detail::launch_gemm_bf16(static_cast<const __nv_bfloat16*>(a), static_cast<const __nv_bfloat16*>(b), c, size,
                               stream);
      return;
    default:
      CAPSIM_CHECK(false) << to_string(op) << " is not a matrix product";
  }
}

cudaMemcpyKind copy_kind(Op op) {
  switch (op) {
    case Op::kCopyD2D:
      return cudaMemcpyDeviceToDevice;
    case Op::kCopyH2D:
      return cudaMemcpyHostToDevice;
    case Op::kCopyD2H:
      return cudaMemcpyDeviceToHost;
    default:
      CAPSIM_CHECK(false) << to_string(op) << " is not a copy";
      return cudaMemcpyDefault;
  }
}

// Where the unwritten elements of an output would show: all bits set is a
// NaN as float.
constexpr int kPoisonByte = 0xff;

struct DeviceInfo {
  std::string name;
  int major = 0;
  int minor = 0;
  int sms = 0;
  std::size_t memory = 0;
};

// Buffers of one operation on a lane: a product's a, b (inputs in the
// operation's type) and c; the triad's a (output), b, c; a copy's `from` and
// `to` (on the host side, pinned).
struct LaneBuffers {
  std::int64_t size = 0;  // the largest size reserved; 0: not reserved
  DeviceMemory a, b, c;
  DeviceMemory device_from, device_to;
  PinnedMemory host_from, host_to;
};

class CudaLane final : public Lane {
 public:
  CudaLane(int device, int sms) : device_(device), triad_blocks_cap_(sms * 8) {}

  ~CudaLane() override {
    // Work still queued may use the buffers freed after this.
    if (cudaSetDevice(device_) == cudaSuccess) static_cast<void>(cudaStreamSynchronize(stream_.get()));
  }

  void reserve(std::span<const KernelCall> calls, std::uint64_t seed) override {
    CAPSIM_CUDA(cudaSetDevice(device_));
    stream_.synchronize();  // earlier calls may still use the buffers replaced here
    const std::vector<std::int64_t> largest = detail::largest_sizes(calls);
    // Host data and temporaries the queued uploads read, kept until the end.
    std::vector<std::vector<float>> staged;
    std::vector<DeviceMemory> temporaries;
    const auto upload = [&](void* to, std::span<const float> values) {
      CAPSIM_CUDA(cudaMemcpyAsync(to, values.data(), values.size_bytes(), cudaMemcpyHostToDevice, stream_.get()));
    };
    for (Op op : kAllOps) {
      const std::int64_t size = largest[static_cast<std::size_t>(op)];
      if (size == 0) continue;
      LaneBuffers& buffers = buffers_[static_cast<std::size_t>(op)];
      buffers = LaneBuffers{};
      const std::string name(to_string(op));
      if (is_gemm(op)) {
        checked_int(size);
        const auto elements = static_cast<std::size_t>(size) * static_cast<std::size_t>(size);
        buffers.a = device_alloc(elements * input_width(op));
        buffers.b = device_alloc(elements * input_width(op));
        buffers.c = device_alloc(elements * sizeof(float));
        for (std::uint64_t id : {0, 1}) {
          std::vector<float>& values = staged.emplace_back(elements);
          detail::fill_uniform(values, seed, name, id);
          void* input = id == 0 ? buffers.a.get() : buffers.b.get();
          if (op == Op::kGemmF32) {
            upload(input, values);
          } else {
            DeviceMemory& floats = temporaries.emplace_back(device_alloc(elements * sizeof(float)));
            upload(floats.get(), values);
            round_inputs(op, as<float>(floats), input, static_cast<std::int64_t>(elements), stream_.get());
          }
        }
      } else if (op == Op::kTriad) {
        const auto elements = static_cast<std::size_t>(size);
        buffers.a = device_alloc(elements * sizeof(float));
        buffers.b = device_alloc(elements * sizeof(float));
        buffers.c = device_alloc(elements * sizeof(float));
        for (std::uint64_t id : {1, 2}) {
          std::vector<float>& values = staged.emplace_back(elements);
          detail::fill_uniform(values, seed, name, id);
          upload(id == 1 ? buffers.b.get() : buffers.c.get(), values);
        }
      } else {
        const auto bytes = static_cast<std::size_t>(size);
        std::span<std::byte> source;
        if (op == Op::kCopyH2D) {
          buffers.host_from = pinned_alloc(bytes);
          buffers.device_to = device_alloc(bytes);
          source = {as<std::byte>(buffers.host_from), bytes};
        } else {
          buffers.device_from = device_alloc(bytes);
          if (op == Op::kCopyD2D) {
            buffers.device_to = device_alloc(bytes);
          } else {
            buffers.host_to = pinned_alloc(bytes);
          }
          staged.emplace_back((bytes + sizeof(float) - 1) / sizeof(float));
          source = std::as_writable_bytes(std::span<float>(staged.back())).first(bytes);
        }
        detail::fill_uniform_bytes(source, seed, name, 0);
        if (buffers.device_from) {
          CAPSIM_CUDA(
              cudaMemcpyAsync(buffers.device_from.get(), source.data(), bytes, cudaMemcpyHostToDevice, stream_.get()));
        }
      }
      buffers.size = size;
    }
    stream_.synchronize();
  }

  void run(const KernelCall& call) override {
    CAPSIM_CUDA(cudaSetDevice(device_));
    for (std::int32_t i = 0; i < call.count; ++i) issue(call.op, call.size);
  }

  void synchronize() override {
    CAPSIM_CUDA(cudaSetDevice(device_));
    stream_.synchronize();
  }

  double time_call(Op op, std::int64_t size, int warmup, int repeats) override {
    CAPSIM_CHECK(warmup >= 0 && repeats > 0) << "warmup " << warmup << ", repeats " << repeats;
    CAPSIM_CUDA(cudaSetDevice(device_));
    for (int i = 0; i < warmup; ++i) issue(op, size);
    std::vector<double> seconds;
    seconds.reserve(static_cast<std::size_t>(repeats));
    for (int i = 0; i < repeats; ++i) {
      CAPSIM_CUDA(cudaEventRecord(start_.get(), stream_.get()));
      issue(op, size);
      CAPSIM_CUDA(cudaEventRecord(stop_.get(), stream_.get()));
      CAPSIM_CUDA(cudaEventSynchronize(stop_.get()));
      float milliseconds = 0.0f;
      CAPSIM_CUDA(cudaEventElapsedTime(&milliseconds, start_.get(), stop_.get()));
      seconds.push_back(static_cast<double>(milliseconds) * 1e-3);
    }
    return detail::median(seconds);
  }

 private:
  // Queues one call on the stream (the device is already current).
  void issue(Op op, std::int64_t size) {
    const LaneBuffers& buffers = buffers_[static_cast<std::size_t>(op)];
    CAPSIM_CHECK(size > 0 && size <= buffers.size)
        << to_string(op) << " of size " << size << " run on a lane reserved for " << buffers.size;
    if (is_gemm(op)) {
      launch_gemm(op, buffers.a.get(), buffers.b.get(), as<float>(buffers.c), size, stream_.get());
    } else if (op == Op::kTriad) {
      detail::launch_triad(as<float>(buffers.a), as<float>(buffers.b), as<float>(buffers.c), detail::kTriadScalar, size,
                           triad_blocks_cap_, stream_.get());
    } else {
      const void* from = op == Op::kCopyH2D ? buffers.host_from.get() : buffers.device_from.get();
      void* to = op == Op::kCopyD2H ? buffers.host_to.get() : buffers.device_to.get();
      CAPSIM_CUDA(cudaMemcpyAsync(to, from, static_cast<std::size_t>(size), copy_kind(op), stream_.get()));
    }
  }

  int device_;
  int triad_blocks_cap_;
  Stream stream_;  // created on the device made current by make_lane
  Event start_, stop_;
  std::array<LaneBuffers, std::size(kAllOps)> buffers_;
};

class CudaBackend final : public Backend {
 public:
  explicit CudaBackend(int count) {
    for (int device = 0; device < count; ++device) {
      cudaDeviceProp properties{};
      CAPSIM_CUDA(cudaGetDeviceProperties(&properties, device));
      devices_.push_back(DeviceInfo{properties.name, properties.major, properties.minor, properties.multiProcessorCount,
                                    properties.totalGlobalMem});
    }
  }

  std::string_view name() const override { return "cuda"; }
  int device_count() const override { return static_cast<int>(devices_.size()); }
  std::string device_name(int device) const override {
    const DeviceInfo& info = device_info(device);
    return info.name + " (sm_" + std::to_string(info.major) + std::to_string(info.minor) + ", " +
           std::to_string(info.sms) + " SMs, " + std::to_string((info.memory + 500'000'000) / 1'000'000'000) + " GB)";
  }
  bool has_tensor_cores(int device) const override { return device_info(device).major >= 7; }

  std::unique_ptr<Lane> make_lane(int device) override {
    const int sms = device_info(device).sms;
    CAPSIM_CUDA(cudaSetDevice(device));
    return std::make_unique<CudaLane>(device, sms);
  }

  void gemm(int device, Op op, std::int64_t n, std::span<const float> a, std::span<const float> b,
            std::span<float> c) override {
    device_info(device);
    detail::check_gemm_arguments(op, n, a.size(), b.size(), c.size());
    checked_int(n);
    CAPSIM_CUDA(cudaSetDevice(device));
    Stream stream;
    const std::size_t float_bytes = a.size_bytes();
    DeviceMemory a32 = device_alloc(float_bytes);
    DeviceMemory b32 = device_alloc(float_bytes);
    DeviceMemory c32 = device_alloc(float_bytes);
    CAPSIM_CUDA(cudaMemcpyAsync(a32.get(), a.data(), float_bytes, cudaMemcpyHostToDevice, stream.get()));
    CAPSIM_CUDA(cudaMemcpyAsync(b32.get(), b.data(), float_bytes, cudaMemcpyHostToDevice, stream.get()));
    CAPSIM_CUDA(cudaMemsetAsync(c32.get(), kPoisonByte, float_bytes, stream.get()));
    if (op == Op::kGemmF32) {
      launch_gemm(op, a32.get(), b32.get(), as<float>(c32), n, stream.get());
    } else {
      DeviceMemory a16 = device_alloc(a.size() * input_width(op));
      DeviceMemory b16 = device_alloc(b.size() * input_width(op));
      round_inputs(op, as<float>(a32), a16.get(), static_cast<std::int64_t>(a.size()), stream.get());
      round_inputs(op, as<float>(b32), b16.get(), static_cast<std::int64_t>(b.size()), stream.get());
      launch_gemm(op, a16.get(), b16.get(), as<float>(c32), n, stream.get());
      stream.synchronize();  // before a16 and b16 are freed
    }
    CAPSIM_CUDA(cudaMemcpyAsync(c.data(), c32.get(), float_bytes, cudaMemcpyDeviceToHost, stream.get()));
    stream.synchronize();
  }

  void triad(int device, std::span<const float> b, std::span<const float> c, float scalar,
             std::span<float> a) override {
    device_info(device);
    detail::check_triad_arguments(b.size(), c.size(), a.size());
    CAPSIM_CUDA(cudaSetDevice(device));
    Stream stream;
    const std::size_t bytes = a.size_bytes();
    DeviceMemory da = device_alloc(bytes);
    DeviceMemory db = device_alloc(bytes);
    DeviceMemory dc = device_alloc(bytes);
    CAPSIM_CUDA(cudaMemcpyAsync(db.get(), b.data(), bytes, cudaMemcpyHostToDevice, stream.get()));
    CAPSIM_CUDA(cudaMemcpyAsync(dc.get(), c.data(), bytes, cudaMemcpyHostToDevice, stream.get()));
    CAPSIM_CUDA(cudaMemsetAsync(da.get(), kPoisonByte, bytes, stream.get()));
    detail::launch_triad(as<float>(da), as<float>(db), as<float>(dc), scalar, static_cast<std::int64_t>(a.size()),
                         device_info(device).sms * 8, stream.get());
    CAPSIM_CUDA(cudaMemcpyAsync(a.data(), da.get(), bytes, cudaMemcpyDeviceToHost, stream.get()));
    stream.synchronize();
  }

  void copy(int device, Op op, std::span<const std::byte> from, std::span<std::byte> to) override {
    device_info(device);
    detail::check_copy_arguments(op, from.size(), to.size());
    CAPSIM_CUDA(cudaSetDevice(device));
    Stream stream;
    const std::size_t bytes = from.size();
    // The copy under test is the one in the middle; the others bring the
    // data to its source and back from its destination.
    if (op == Op::kCopyH2D) {
      PinnedMemory host_from = pinned_alloc(bytes);
      if (bytes > 0) std::memcpy(host_from.get(), from.data(), bytes);
      DeviceMemory device_to = device_alloc(bytes);
      CAPSIM_CUDA(cudaMemsetAsync(device_to.get(), kPoisonByte, bytes, stream.get()));
      CAPSIM_CUDA(cudaMemcpyAsync(device_to.get(), host_from.get(), bytes, cudaMemcpyHostToDevice, stream.get()));
      CAPSIM_CUDA(cudaMemcpyAsync(to.data(), device_to.get(), bytes, cudaMemcpyDeviceToHost, stream.get()));
      stream.synchronize();
      return;
    }
    DeviceMemory device_from = device_alloc(bytes);
    CAPSIM_CUDA(cudaMemcpyAsync(device_from.get(), from.data(), bytes, cudaMemcpyHostToDevice, stream.get()));
    if (op == Op::kCopyD2D) {
      DeviceMemory device_to = device_alloc(bytes);
      CAPSIM_CUDA(cudaMemsetAsync(device_to.get(), kPoisonByte, bytes, stream.get()));
      CAPSIM_CUDA(cudaMemcpyAsync(device_to.get(), device_from.get(), bytes, cudaMemcpyDeviceToDevice, stream.get()));
      CAPSIM_CUDA(cudaMemcpyAsync(to.data(), device_to.get(), bytes, cudaMemcpyDeviceToHost, stream.get()));
      stream.synchronize();
      return;
    }
    CAPSIM_CHECK(op == Op::kCopyD2H) << to_string(op) << " is not a copy";
    PinnedMemory host_to = pinned_alloc(bytes);
    std::memset(host_to.get(), kPoisonByte, std::max<std::size_t>(bytes, 1));
    CAPSIM_CUDA(cudaMemcpyAsync(host_to.get(), device_from.get(), bytes, cudaMemcpyDeviceToHost, stream.get()));
    stream.synchronize();
    if (bytes > 0) std::memcpy(to.data(), host_to.get(), bytes);
  }

 private:
  const DeviceInfo& device_info(int device) const {
    CAPSIM_CHECK(device >= 0 && device < device_count())
        << "device " << device << " of " << device_count() << " CUDA devices";
    return devices_[static_cast<std::size_t>(device)];
  }

  std::vector<DeviceInfo> devices_;
};

}  // namespace

bool cuda_compiled() {
  return true;
}

std::unique_ptr<Backend> make_cuda_backend(std::string& why_not) {
  int count = 0;
  const cudaError_t code = cudaGetDeviceCount(&count);
  if (code != cudaSuccess) {
    static_cast<void>(cudaGetLastError());  // clears the error where it is not sticky
    why_not = std::string("no CUDA device: cudaGetDeviceCount: ") + cudaGetErrorString(code);
    return nullptr;
  }
  if (count == 0) {
    why_not = "no CUDA device: cudaGetDeviceCount found none";
    return nullptr;
  }
  try {
    return std::make_unique<CudaBackend>(count);
  } catch (const std::runtime_error& error) {
    why_not = std::string("CUDA device unusable: ") + error.what();
    return nullptr;
  }
}

}  // namespace capsim::kernels
