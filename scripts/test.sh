#!/usr/bin/env bash
# The README's second command (and what .ci/run calls): installs what is
# missing, builds everything, and runs every test with ctest.
# Tests that need ../shared/traces report "Skipped" when it is absent.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${CAPSIM_BUILD_DIR:-"$root/build"}
"$root/scripts/install-deps.sh"
"$root/scripts/build.sh" "$build_dir" -DCAPSIM_BUILD_TESTS=ON -DCAPSIM_BUILD_BENCH=ON "$@"
cd "$build_dir"
ctest --output-on-failure --parallel "$(nproc)" --timeout 600
