// The kernel library (kernels/ops): every operation on every backend this
// machine has checked against a double-precision reference computed here on
// the original, unrounded inputs; the backend choice; names and costs.
//
// Tolerances. Inputs are uniform in [-1, 1). Each output element must lie
// within a worst-case bound (Higham, "Accuracy and Stability of Numerical
// Algorithms", 2nd ed., eqs. 3.4-3.5): for c = a b over n terms with inputs
// rounded as |x' - x| <= u_in |x| + eta and an FP32 accumulation with unit
// roundoff u_acc in any order,
//   |c - ref| <= sum_k |x'y' - xy| + gamma_n sum_k |x'||y'|,
//   gamma_n = n u_acc / (1 - n u_acc),
// where u_in = 0 (FP32), 2^-11 (IEEE half, with eta = 2^-25 for the inputs
// that fall below half's normal range), 2^-8 (bfloat16); u_acc = 2^-23 for
// FP32 (twice FP32's unit roundoff: slack for the double reference) and
// 2^-22 for the 16-bit products (tensor cores may truncate instead of round
// inside an MMA; Fasi et al., "Numerical behavior of NVIDIA tensor cores",
// PeerJ CS 2021). And as a whole, ||c - ref||_F / ||ref||_F must be below
// 1e-5 (FP32), 1e-3 (FP16: input rounding ~2^-11 gives ~3e-4), 1e-2 (BF16:
// ~2^-8 gives ~3e-3). The triad: |a - ref| <= 2^-23 (|b| + |s c|) (one
// rounding of s c and one of the sum, or one FMA), and 1e-6 as a whole.
// Copies: bit for bit. Outputs are poisoned with NaN first: an element not
// written, or a NaN produced, never passes.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/random.hpp"
#include "kernels/ops/ops.hpp"

using namespace capsim::kernels;

namespace {

// Uniform in [-1, 1), exact in float (a 24-bit integer times 2^-23, minus 1).
std::vector<float> random_inputs(std::size_t count, std::uint64_t seed, std::uint64_t id) {
  capsim::RandomStream stream = capsim::RandomStream::derive(seed, "test_ops", id);
  std::vector<float> values(count);
  for (float& v : values) v = static_cast<float>(stream.next_u64() >> 40) * 0x1p-23f - 1.0f;
  return values;
}

std::vector<float> poisoned(std::size_t count) {
  return std::vector<float>(count, std::nanf(""));
}

// How one output compares with its reference.
struct Comparison {
  std::size_t not_finite = 0;
  std::size_t out_of_bound = 0;
  std::size_t first_bad = std::numeric_limits<std::size_t>::max();
  double relative_error = 0.0;  // Frobenius
};

Comparison compare(const std::vector<float>& out, const std::vector<double>& ref, const std::vector<double>& bound) {
  Comparison result;
  double error2 = 0.0, ref2 = 0.0;
  for (std::size_t i = 0; i < out.size(); ++i) {
    const double diff = static_cast<double>(out[i]) - ref[i];
    const bool finite = std::isfinite(out[i]);
    if (!finite) ++result.not_finite;
    // Written so that a NaN fails the bound too.
    if (!(std::abs(diff) <= bound[i])) {
      ++result.out_of_bound;
      if (result.first_bad > i) result.first_bad = i;
    }
    error2 += diff * diff;
    ref2 += ref[i] * ref[i];
  }
  result.relative_error = ref2 > 0 ? std::sqrt(error2 / ref2) : std::sqrt(error2);
  return result;
}

std::string describe(const Comparison& c, const std::vector<float>& out, const std::vector<double>& ref,
                     const std::vector<double>& bound) {
  std::ostringstream text;
  text << "relative error " << c.relative_error << ", " << c.not_finite << " not finite, " << c.out_of_bound
       << " out of bound";
  if (c.out_of_bound > 0) {
    const std::size_t i = c.first_bad;
    text << "; first at " << i << ": got " << out[i] << ", reference " << ref[i] << ", bound " << bound[i];
  }
  return text.str();
}

struct GemmPrecision {
  Op op;
  double u_in;      // relative rounding of an input
  double eta;       // absolute rounding of an input below the normal range
  double u_acc;     // accumulation
  double norm_tol;  // ||c - ref|| / ||ref||
};

constexpr GemmPrecision kGemmPrecisions[] = {
    {Op::kGemmF32, 0.0, 0.0, 0x1p-23, 1e-5},
    {Op::kGemmF16, 0x1p-11, 0x1p-25, 0x1p-22, 1e-3},
    {Op::kGemmBF16, 0x1p-8, 0.0, 0x1p-22, 1e-2},
};

// Sizes: 1, and around the GPU tiles (128): multiples of 4 but not 8 (36),
// primes (67, 257), an exact tile, tails of 72 and 8 (200, 520).
constexpr std::int64_t kGemmSizes[] = {1, 36, 67, 128, 200, 257, 520};

void check_gemm(Backend& backend, int device) {
  for (std::int64_t n : kGemmSizes) {
    const auto elements = static_cast<std::size_t>(n * n);
    const std::vector<float> a = random_inputs(elements, 2026, static_cast<std::uint64_t>(2 * n));
    const std::vector<float> b = random_inputs(elements, 2026, static_cast<std::uint64_t>(2 * n + 1));
    // The reference and the sums the bounds need, once for all precisions.
    std::vector<double> ref(elements, 0.0), abs_sum(elements, 0.0), row_abs(n, 0.0), col_abs(n, 0.0);
    for (std::int64_t i = 0; i < n; ++i) {
      for (std::int64_t k = 0; k < n; ++k) {
        const double x = a[i * n + k];
        row_abs[i] += std::abs(x);
        for (std::int64_t j = 0; j < n; ++j) {
          const double y = b[k * n + j];
          ref[i * n + j] += x * y;
          abs_sum[i * n + j] += std::abs(x * y);
        }
      }
    }
    for (std::int64_t k = 0; k < n; ++k) {
      for (std::int64_t j = 0; j < n; ++j) col_abs[j] += std::abs(static_cast<double>(b[k * n + j]));
    }
    for (const GemmPrecision& p : kGemmPrecisions) {
      INFO(backend.name() << " device " << device << ": " << to_string(p.op) << " n=" << n);
      const double u = p.u_in, eta = p.eta, dn = static_cast<double>(n);
      const double gamma = dn * p.u_acc / (1 - dn * p.u_acc) + dn * 0x1p-52;  // + the reference's own error
      std::vector<double> bound(elements);
      for (std::int64_t i = 0; i < n; ++i) {
        for (std::int64_t j = 0; j < n; ++j) {
          const double s = abs_sum[i * n + j], sx = row_abs[i], sy = col_abs[j];
          const double input_error = (2 * u + u * u) * s + eta * (1 + u) * (sx + sy) + dn * eta * eta;
          const double rounded_abs = (1 + u) * (1 + u) * s + eta * (1 + u) * (sx + sy) + dn * eta * eta;
          bound[i * n + j] = input_error + gamma * rounded_abs;
        }
      }
      std::vector<float> c = poisoned(elements);
      backend.gemm(device, p.op, n, a, b, c);
      const Comparison result = compare(c, ref, bound);
      INFO(describe(result, c, ref, bound));
      CHECK(result.not_finite == 0);
      CHECK(result.out_of_bound == 0);
      CHECK(result.relative_error < p.norm_tol);
    }
  }
}

void check_triad(Backend& backend, int device) {
  const float scalar = 0.3f;
  for (std::int64_t size : {1, 3, 1000, 4099, (1 << 20) + 3}) {
    INFO(backend.name() << " device " << device << ": triad size " << size);
    const auto count = static_cast<std::size_t>(size);
    const std::vector<float> b = random_inputs(count, 77, static_cast<std::uint64_t>(2 * size));
    const std::vector<float> c = random_inputs(count, 77, static_cast<std::uint64_t>(2 * size + 1));
    std::vector<double> ref(count), bound(count);
    for (std::size_t i = 0; i < count; ++i) {
      const double sc = static_cast<double>(scalar) * c[i];
      ref[i] = b[i] + sc;
      bound[i] = 0x1p-23 * (std::abs(static_cast<double>(b[i])) + std::abs(sc));
    }
    std::vector<float> a = poisoned(count);
    backend.triad(device, b, c, scalar, a);
    const Comparison result = compare(a, ref, bound);
    INFO(describe(result, a, ref, bound));
    CHECK(result.not_finite == 0);
    CHECK(result.out_of_bound == 0);
    CHECK(result.relative_error < 1e-6);
  }
}

void check_copies(Backend& backend, int device) {
  for (Op op : {Op::kCopyD2D, Op::kCopyH2D, Op::kCopyD2H}) {
    for (std::size_t bytes : {std::size_t{1}, std::size_t{3}, std::size_t{4096}, std::size_t{1'000'003}}) {
      INFO(backend.name() << " device " << device << ": " << to_string(op) << " of " << bytes << " bytes");
      const std::vector<float> values = random_inputs(bytes / 4 + 1, 5, bytes);
      std::vector<std::byte> from(bytes);
      std::memcpy(from.data(), values.data(), bytes);
      std::vector<std::byte> to(bytes, std::byte{0xff});
      backend.copy(device, op, from, to);
      CHECK(to == from);
    }
  }
}

// The calls a lane test reserves: every operation, small.
std::vector<KernelCall> small_calls() {
  return {{Op::kGemmF32, 96, 1},      {Op::kGemmF16, 96, 1},      {Op::kGemmBF16, 96, 1},    {Op::kTriad, 1 << 16, 2},
          {Op::kCopyD2D, 1 << 16, 1}, {Op::kCopyH2D, 1 << 16, 1}, {Op::kCopyD2H, 1 << 16, 1}};
}

void check_lane(Backend& backend, int device) {
  std::unique_ptr<Lane> lane = backend.make_lane(device);
  const std::vector<KernelCall> calls = small_calls();
  lane->reserve(calls, 11);
  for (const KernelCall& call : calls) {
    INFO(backend.name() << " device " << device << ": lane " << to_string(call.op));
    lane->run(call);
    lane->run({call.op, call.size / 2 + 1, 1});  // anything up to the reserved size
    lane->synchronize();
    const double seconds = lane->time_call(call.op, call.size, 1, 3);
    CHECK(std::isfinite(seconds));
    CHECK(seconds > 0.0);
  }
  // Reserving again, larger, replaces the buffers of the operations named.
  const std::vector<KernelCall> larger = {{Op::kGemmF32, 200, 1}, {Op::kTriad, 1 << 18, 1}};
  lane->reserve(larger, 12);
  for (const KernelCall& call : larger) {
    const double seconds = lane->time_call(call.op, call.size, 0, 2);
    CHECK(std::isfinite(seconds));
    CHECK(seconds > 0.0);
  }
  lane->run({Op::kCopyD2D, 1 << 16, 1});  // kept from the first reserve
  lane->synchronize();
}

void check_backend(Backend& backend) {
  REQUIRE(backend.device_count() >= 1);
  for (int device = 0; device < backend.device_count(); ++device) {
    CHECK(!backend.device_name(device).empty());
    check_gemm(backend, device);
    check_triad(backend, device);
    check_copies(backend, device);
    check_lane(backend, device);
  }
}

}  // namespace

TEST_CASE("operation names round-trip and costs are as counted by hand", "[kernels]") {
  for (Op op : kAllOps) {
    const std::optional<Op> parsed = parse_op(to_string(op));
    REQUIRE(parsed.has_value());
    CHECK(*parsed == op);
  }
  CHECK(to_string(Op::kGemmBF16) == "gemm_bf16");
  CHECK(to_string(Op::kCopyD2H) == "copy_d2h");
  CHECK_FALSE(parse_op("gemm").has_value());
  CHECK_FALSE(parse_op("").has_value());
  CHECK_FALSE(parse_op("TRIAD").has_value());

  CHECK(is_gemm(Op::kGemmF16));
  CHECK_FALSE(is_gemm(Op::kTriad));
  CHECK(is_copy(Op::kCopyH2D));
  CHECK_FALSE(is_copy(Op::kGemmF32));

  // 2 n^3: n = 100 -> 2e6; the triad 2 per element; copies none.
  CHECK(op_flops(Op::kGemmF32, 100) == 2e6);
  CHECK(op_flops(Op::kGemmBF16, 10) == 2000.0);
  CHECK(op_flops(Op::kTriad, 1000) == 2000.0);
  CHECK(op_flops(Op::kCopyD2D, 1000) == 0.0);
  // n = 10: FP32 3 x 100 x 4 = 1200; 16-bit 2 x 100 x 2 + 100 x 4 = 800.
  CHECK(op_bytes(Op::kGemmF32, 10) == 1200.0);
  CHECK(op_bytes(Op::kGemmF16, 10) == 800.0);
  CHECK(op_bytes(Op::kGemmBF16, 10) == 800.0);
  // The triad reads two arrays and writes one: 12 bytes per element.
  CHECK(op_bytes(Op::kTriad, 1000) == 12000.0);
  CHECK(op_bytes(Op::kCopyH2D, 1000) == 1000.0);
}

TEST_CASE("open_backend picks CUDA where a device is, else the CPU with one notice line", "[kernels]") {
  std::string why_not;
  const bool have_cuda = make_cuda_backend(why_not) != nullptr;
  std::ostringstream notice;
  std::unique_ptr<Backend> chosen = open_backend("auto", &notice);
  REQUIRE(chosen != nullptr);
  if (have_cuda) {
    CHECK(chosen->name() == "cuda");
    CHECK(notice.str().empty());
    CHECK(open_backend("cuda", nullptr)->name() == "cuda");
  } else {
    CHECK(chosen->name() == "cpu");
    const std::string text = notice.str();
    INFO(text);
    CHECK(text.rfind("capsim: ", 0) == 0);
    CHECK(text.find(why_not) != std::string::npos);
    CHECK(text.find("using the CPU backend") != std::string::npos);
    CHECK(std::count(text.begin(), text.end(), '\n') == 1);
    CHECK(text.back() == '\n');
    try {
      open_backend("cuda", nullptr, "run.backend");
      FAIL("open_backend(\"cuda\") returned without a device");
    } catch (const capsim::InputError& error) {
      CHECK(error.field() == "run.backend");
      CHECK(std::string(error.what()).find(why_not) != std::string::npos);
    }
  }
  CHECK(open_backend("cpu", nullptr)->name() == "cpu");
  CHECK_THROWS_AS(open_backend("tpu", nullptr), capsim::InputError);
  CHECK_THROWS_AS(open_backend("", nullptr), capsim::InputError);
}

TEST_CASE("cuda_compiled and make_cuda_backend agree", "[kernels]") {
  std::string why_not;
  std::unique_ptr<Backend> cuda = make_cuda_backend(why_not);
  if (!cuda_compiled()) {
    CHECK(cuda == nullptr);
    CHECK(why_not == "built without CUDA");
  } else if (cuda == nullptr) {
    CHECK(why_not.rfind("no CUDA device", 0) == 0);
  } else {
    CHECK(cuda->name() == "cuda");
  }
}

TEST_CASE("CPU backend: every operation against a double-precision reference", "[kernels][cpu]") {
  std::unique_ptr<Backend> cpu = make_cpu_backend();
  CHECK(cpu->name() == "cpu");
  CHECK(cpu->device_count() == 1);
  CHECK(cpu->device_name(0).rfind("CPU: ", 0) == 0);
  CHECK_FALSE(cpu->has_tensor_cores(0));
  check_backend(*cpu);
}

TEST_CASE("CUDA backend: every operation against a double-precision reference", "[kernels][cuda]") {
  std::string why_not;
  std::unique_ptr<Backend> cuda = make_cuda_backend(why_not);
  if (cuda == nullptr) {
    WARN("CUDA backend not tested: " << why_not);
    return;
  }
  CHECK(cuda->name() == "cuda");
  for (int device = 0; device < cuda->device_count(); ++device) {
    WARN("testing CUDA device " << device << ": " << cuda->device_name(device));
    CHECK(cuda->has_tensor_cores(device));  // the kernels need sm_80+ (WMMA on half and bfloat16)
  }
  check_backend(*cuda);
}
