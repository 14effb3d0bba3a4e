// The backend-independent part of the kernel library: names, costs, the
// backend choice, and the helpers of support.hpp.
#include "kernels/ops/ops.hpp"

#include <algorithm>
#include <cstring>
#include <ostream>

#include "core/error.hpp"
#include "core/random.hpp"
#include "kernels/ops/support.hpp"

namespace capsim::kernels {

std::unique_ptr<Backend> open_backend(std::string_view choice, std::ostream* notice, std::string_view field) {
  if (choice == "cpu") return make_cpu_backend();
  if (choice != "auto" && choice != "cuda") {
    throw InputError({}, std::string(field), "one of \"auto\", \"cpu\", \"cuda\"", quote_for_message(choice));
  }
  std::string why_not;
  std::unique_ptr<Backend> cuda = make_cuda_backend(why_not);
  if (cuda) return cuda;
  if (choice == "cuda") {
    throw InputError({}, std::string(field), "a backend this machine has (" + why_not + ")", "\"cuda\"");
  }
  if (notice != nullptr) *notice << "capsim: " << why_not << "; using the CPU backend\n";
  return make_cpu_backend();
}

namespace detail {

void fill_uniform(std::span<float> values, std::uint64_t seed, std::string_view name, std::uint64_t id) {
  RandomStream stream = RandomStream::derive(seed, "kernels." + std::string(name), id);
  for (float& value : values) {
    const auto k = static_cast<std::int32_t>(stream.next_u64() >> 40);  // 24 bits
    value = static_cast<float>(k) * 0x1p-23f - 1.0f;
  }
}

void fill_uniform_bytes(std::span<std::byte> bytes, std::uint64_t seed, std::string_view name, std::uint64_t id) {
  const std::size_t whole = bytes.size() / sizeof(float);
  std::vector<float> values(whole + 1);
  fill_uniform(values, seed, name, id);
  std::memcpy(bytes.data(), values.data(), bytes.size());  // the extra float covers the tail
}

double median(std::vector<double>& seconds) {
  CAPSIM_CHECK(!seconds.empty()) << "median of no timings";
  const std::size_t middle = seconds.size() / 2;
  std::nth_element(seconds.begin(), seconds.begin() + static_cast<std::ptrdiff_t>(middle), seconds.end());
  const double upper = seconds[middle];
  if (seconds.size() % 2 == 1) return upper;
  const double lower = *std::max_element(seconds.begin(), seconds.begin() + static_cast<std::ptrdiff_t>(middle));
  return 0.5 * (lower + upper);
}

std::vector<std::int64_t> largest_sizes(std::span<const KernelCall> calls) {
  std::vector<std::int64_t> largest(std::size(kAllOps), 0);
  for (const KernelCall& call : calls) {
    CAPSIM_CHECK(call.size > 0) << to_string(call.op) << " reserved with size " << call.size;
    auto& slot = largest[static_cast<std::size_t>(call.op)];
    slot = std::max(slot, call.size);
  }
  return largest;
}

void check_gemm_arguments(Op op, std::int64_t n, std::size_t a, std::size_t b, std::size_t c) {
  CAPSIM_CHECK(is_gemm(op)) << to_string(op) << " is not a matrix product";
  CAPSIM_CHECK(n > 0) << "matrix size " << n;
  const auto elements = static_cast<std::size_t>(n) * static_cast<std::size_t>(n);
  CAPSIM_CHECK(a == elements && b == elements && c == elements)
      << "gemm n=" << n << " given " << a << ", " << b << ", " << c << " elements";
}

void check_triad_arguments(std::size_t b, std::size_t c, std::size_t a) {
  CAPSIM_CHECK(a == b && a == c) << "triad given " << a << ", " << b << ", " << c << " elements";
}

void check_copy_arguments(Op op, std::size_t from, std::size_t to) {
  CAPSIM_CHECK(is_copy(op)) << to_string(op) << " is not a copy";
  CAPSIM_CHECK(from == to) << "copy of " << from << " bytes into " << to;
}

}  // namespace detail

}  // namespace capsim::kernels
