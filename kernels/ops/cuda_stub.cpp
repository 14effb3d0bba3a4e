// The CUDA backend's entry points in a build without nvcc: there is no CUDA
// backend, and open_backend falls back to the CPU.
#include "kernels/ops/ops.hpp"

namespace capsim::kernels {

bool cuda_compiled() {
  return false;
}

std::unique_ptr<Backend> make_cuda_backend(std::string& why_not) {
  why_not = "built without CUDA";
  return nullptr;
}

}  // namespace capsim::kernels
