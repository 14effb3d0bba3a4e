// The kernel library's speed on this machine's devices (kernels/ops): per
// operation and size the median seconds of one call, GFLOP/s and GB/s (bytes
// as op_bytes counts them), and two ratios for calibration: the triad's
// bandwidth over the largest device-to-device copy's (the copy counted as
// bytes read + written, 2 x size, like the triad's 12 bytes per element), and
// each product's rate over the best rate measured for that operation.
//   build/bench/kernels [--backend auto|cpu|cuda] [--repeats N] [--quick]
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "kernels/ops/ops.hpp"

using namespace capsim::kernels;

namespace {

struct Options {
  std::string backend = "auto";
  int repeats = 10;
  bool quick = false;
};

[[noreturn]] void usage(const char* message) {
  std::fprintf(stderr, "kernels: %s\nusage: kernels [--backend auto|cpu|cuda] [--repeats N] [--quick]\n", message);
  std::exit(2);
}

Options parse(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--quick") {
      options.quick = true;
    } else if ((arg == "--backend" || arg == "--repeats") && i + 1 < argc) {
      const std::string value = argv[++i];
      if (arg == "--backend") {
        options.backend = value;
      } else {
        options.repeats = std::atoi(value.c_str());
        if (options.repeats < 1) usage("--repeats takes a positive integer");
      }
    } else {
      usage(("unknown or incomplete option " + arg).c_str());
    }
  }
  return options;
}

std::vector<KernelCall> sizes_for(const Backend& backend, bool quick) {
  const bool gpu = backend.name() == "cuda";
  std::vector<std::int64_t> gemm, triad, copy;
  if (gpu) {
    gemm = quick ? std::vector<std::int64_t>{1024, 4096} : std::vector<std::int64_t>{512, 1024, 2048, 4096, 8192};
    triad = quick ? std::vector<std::int64_t>{1 << 24} : std::vector<std::int64_t>{1 << 20, 1 << 24, 1 << 26};
    copy = quick ? std::vector<std::int64_t>{1 << 26} : std::vector<std::int64_t>{1 << 20, 1 << 24, 1 << 28};
  } else {
    gemm = quick ? std::vector<std::int64_t>{128, 256} : std::vector<std::int64_t>{128, 256, 512, 1024};
    triad = quick ? std::vector<std::int64_t>{1 << 20} : std::vector<std::int64_t>{1 << 16, 1 << 20, 1 << 24};
    copy = quick ? std::vector<std::int64_t>{1 << 24} : std::vector<std::int64_t>{1 << 16, 1 << 20, 1 << 26};
  }
  std::vector<KernelCall> calls;
  for (Op op : kAllOps) {
    const auto& sizes = is_gemm(op) ? gemm : op == Op::kTriad ? triad : copy;
    for (std::int64_t size : sizes) calls.push_back({op, size, 1});
  }
  return calls;
}

void bench_device(Backend& backend, int device, const Options& options) {
  std::printf("\n== %s device %d: %s\n", std::string(backend.name()).c_str(), device,
              backend.device_name(device).c_str());
  const std::vector<KernelCall> calls = sizes_for(backend, options.quick);
  std::unique_ptr<Lane> lane = backend.make_lane(device);
  lane->reserve(calls, 2026);
  const int warmup = options.quick ? 1 : 2;
  std::vector<double> seconds;
  std::map<Op, double> best_gflops;
  double best_d2d = 0.0;  // GB/s, read + written, of the largest D2D copy (sizes ascend)
  for (const KernelCall& call : calls) {
    seconds.push_back(lane->time_call(call.op, call.size, warmup, options.repeats));
    const double gflops = op_flops(call.op, call.size) / seconds.back() * 1e-9;
    if (is_gemm(call.op)) best_gflops[call.op] = std::max(best_gflops[call.op], gflops);
    if (call.op == Op::kCopyD2D) best_d2d = 2.0 * op_bytes(call.op, call.size) / seconds.back() * 1e-9;
  }
  std::printf("%-10s %12s %14s %10s %10s  %s\n", "op", "size", "median s", "GFLOP/s", "GB/s", "ratio");
  for (std::size_t i = 0; i < calls.size(); ++i) {
    const KernelCall& call = calls[i];
    const double s = seconds[i];
    const double gflops = op_flops(call.op, call.size) / s * 1e-9;
    const double gbps = op_bytes(call.op, call.size) / s * 1e-9;
    std::string ratio;
    char text[96];
    if (is_gemm(call.op)) {
      std::snprintf(text, sizeof text, "%.2f of best %s", gflops / best_gflops[call.op],
                    std::string(to_string(call.op)).c_str());
      ratio = text;
    } else if (call.op == Op::kTriad && best_d2d > 0) {
      std::snprintf(text, sizeof text, "%.2f of largest D2D copy (%.1f GB/s read+written)", gbps / best_d2d, best_d2d);
      ratio = text;
    }
    std::printf("%-10s %12lld %14.6g %10.4g %10.4g  %s\n", std::string(to_string(call.op)).c_str(),
                static_cast<long long>(call.size), s, is_gemm(call.op) || call.op == Op::kTriad ? gflops : 0.0, gbps,
                ratio.c_str());
  }
  std::printf("(gemm size n: n x n; triad: float elements, 12 bytes each; copies: bytes, counted once in GB/s)\n");
}

}  // namespace

int main(int argc, char** argv) {
  const Options options = parse(argc, argv);
  try {
    std::unique_ptr<Backend> backend = open_backend(options.backend, &std::cerr, "--backend");
    for (int device = 0; device < backend->device_count(); ++device) bench_device(*backend, device, options);
  } catch (const capsim::InputError& error) {
    std::fprintf(stderr, "kernels: %s\n", error.what());
    return 2;
  }
  return 0;
}
