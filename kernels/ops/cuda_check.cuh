// Error checking for the CUDA runtime: every call's return code is looked
// at, and a failure throws std::runtime_error naming the call, the file and
// line, and cudaGetErrorString's text.
#pragma once

#include <cuda_runtime.h>

#include <stdexcept>
#include <string>

namespace capsim::kernels::detail {

[[noreturn]] inline void throw_cuda_error(cudaError_t code, const char* call, const char* file, int line) {
  throw std::runtime_error(std::string(file) + ":" + std::to_string(line) + ": " + call + ": " +
                           cudaGetErrorName(code) + ": " + cudaGetErrorString(code));
}

}  // namespace capsim::kernels::detail

#define CAPSIM_CUDA(call)                                                                        \
  do {                                                                                           \
    const cudaError_t capsim_cuda_code_ = (call);                                                \
    if (capsim_cuda_code_ != cudaSuccess)                                                        \
      ::capsim::kernels::detail::throw_cuda_error(capsim_cuda_code_, #call, __FILE__, __LINE__); \
  } while (false)

// After every kernel launch: a bad configuration shows up here, not later.
#define CAPSIM_CUDA_LAUNCHED() CAPSIM_CUDA(cudaGetLastError())
