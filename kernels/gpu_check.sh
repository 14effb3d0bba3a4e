#!/usr/bin/env bash
# On a machine with a GPU: configure and build (Release) only what the kernel
# checks need, run the kernel tests (the CUDA cases run where a device is)
# and the kernel bench on the GPU and, briefly, the CPU. Everything printed
# also goes to $OUT/gpu_check.log when OUT is set. Exit status: the tests'.
#   kernels/gpu_check.sh [build-dir]   (default: build-gpu)
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build-gpu}
log=/dev/null
if [[ -n "${OUT:-}" ]]; then mkdir -p "$OUT"; log=$OUT/gpu_check.log; fi

{
  echo "== $(date -u) on $(hostname)"
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv || echo "(no nvidia-smi)"
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DCAPSIM_BUILD_PYTHON=OFF -DCAPSIM_BUILD_TESTS=ON \
    -DCAPSIM_BUILD_BENCH=ON >"$build.configure.log" 2>&1 || { tail -30 "$build.configure.log"; exit 1; }
  grep -i "cuda" "$build.configure.log"
  cmake --build "$build" -j"$(nproc)" --target capsim_tests bench_kernels 2>&1 | grep -Ev "^\[ *[0-9]+%\] (Building|Linking)" || true
  [[ -x "$build/tests/capsim_tests" && -x "$build/bench/kernels" ]] || { echo "build failed"; exit 1; }
  echo "== tests [kernels]"
  "$build/tests/capsim_tests" "[kernels]" --durations yes
  tests_rc=$?
  echo "== tests exit status $tests_rc"
  echo "== bench: cuda"
  timeout 240 "$build/bench/kernels" --backend cuda
  echo "== bench: cpu (quick)"
  timeout 60 "$build/bench/kernels" --backend cpu --quick --repeats 3
  exit $tests_rc
} 2>&1 | tee "$log"
exit "${PIPESTATUS[0]}"
