#include "core/kernel_mix.hpp"

#include <array>
#include <string>

#include "core/error.hpp"
#include "core/text.hpp"

namespace capsim {
namespace {

constexpr std::array<std::string_view, 7> kNames = {"gemm_f32", "gemm_f16", "gemm_bf16", "triad",
                                                    "copy_d2d", "copy_h2d", "copy_d2h"};

std::string op_names() {
  std::string names;
  for (const std::string_view name : kNames) {
    if (!names.empty()) names += ", ";
    names += name;
  }
  return names;
}

// "4096", "64k", "1M", "2G" (binary multiples): a positive size.
std::int64_t read_size(const ConfigNode& node, const std::string& field, std::int64_t max) {
  const std::string expected = "a size from 1 to " + std::to_string(max) + " (k, M, G suffixes allowed)";
  if (node.kind() != ConfigNode::Kind::kScalar || node.quoted()) {
    throw InputError(node.where(), field, expected, node.describe());
  }
  std::string text = node.scalar();
  std::int64_t multiple = 1;
  if (!text.empty()) {
    switch (text.back()) {
      case 'k':
      case 'K':
        multiple = std::int64_t{1} << 10;
        break;
      case 'M':
        multiple = std::int64_t{1} << 20;
        break;
      case 'G':
        multiple = std::int64_t{1} << 30;
        break;
      default:
        break;
    }
    if (multiple != 1) text.pop_back();
  }
  std::int64_t value = 0;
  if (!parse_int(text, value) || value < 1 || value > max / multiple) {
    throw InputError(node.where(), field, expected, node.describe());
  }
  return value * multiple;
}

}  // namespace

std::string_view to_string(KernelOp op) {
  return kNames.at(static_cast<std::size_t>(op));
}

std::optional<KernelOp> parse_kernel_op(std::string_view text) {
  for (std::size_t i = 0; i < kNames.size(); ++i) {
    if (kNames[i] == text) return static_cast<KernelOp>(i);
  }
  return std::nullopt;
}

bool is_gemm(KernelOp op) {
  return op == KernelOp::kGemmF32 || op == KernelOp::kGemmF16 || op == KernelOp::kGemmBF16;
}
bool is_copy(KernelOp op) {
  return op == KernelOp::kCopyD2D || op == KernelOp::kCopyH2D || op == KernelOp::kCopyD2H;
}

double op_flops(KernelOp op, std::int64_t size) {
  const double n = static_cast<double>(size);
  if (is_gemm(op)) return 2.0 * n * n * n;
  if (op == KernelOp::kTriad) return 2.0 * n;
  return 0.0;
}

double op_bytes(KernelOp op, std::int64_t size) {
  const double n = static_cast<double>(size);
  switch (op) {
    case KernelOp::kGemmF32:
      return 3.0 * n * n * 4.0;
    case KernelOp::kGemmF16:
    case KernelOp::kGemmBF16:
      return 2.0 * n * n * 2.0 + n * n * 4.0;
    case KernelOp::kTriad:
      return 12.0 * n;
    default:
      return n;
  }
}

double op_work(KernelOp op, std::int64_t size) {
  return is_copy(op) ? op_bytes(op, size) : op_flops(op, size);
}

KernelMix parse_kernel_mix(const ConfigNode& node, const std::string& field) {
  const auto& items = read_list(node, field, "kernel calls, e.g. {op: gemm_f32, size: 512, count: 2}");
  if (items.empty()) throw InputError(node.where(), field, "at least one kernel call", "an empty list");
  KernelMix mix;
  for (std::size_t i = 0; i < items.size(); ++i) {
    const std::string f = field + "[" + std::to_string(i) + "]";
    MapReader map(*items[i], f, {"op", "size", "count"});
    const ConfigNode& op_node = map.required("op", "an operation: " + op_names());
    const auto op = parse_kernel_op(read_string(op_node, map.field("op")));
    if (!op) throw InputError(op_node.where(), map.field("op"), "an operation: " + op_names(), op_node.describe());
    KernelCall call;
    call.op = *op;
    // One call's buffers stay under 4 GiB: n^2 floats per matrix, 4 bytes per
    // triad element, the bytes of a copy.
    const std::int64_t max =
        is_gemm(*op) ? 32768 : (*op == KernelOp::kTriad ? (std::int64_t{1} << 30) : (std::int64_t{1} << 32));
    call.size = read_size(map.required("size", "a size"), map.field("size"), max);
    if (const ConfigNode* v = map.optional("count")) {
      call.count = static_cast<std::int32_t>(read_int(*v, map.field("count"), 1, 1'000'000));
    }
    mix.push_back(call);
  }
  return mix;
}

}  // namespace capsim
