#!/usr/bin/env bash
# The README's first command: installs what is missing, builds, and runs the
# bundled quickstart scenario (a week of training jobs on 96 GPUs), writing
# results/quickstart/results.h5 and summary.json.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/install-deps.sh"
"$root/scripts/build.sh" "$root/build" -DCAPSIM_BUILD_TESTS=OFF -DCAPSIM_BUILD_BENCH=OFF
cd "$root"
exec ./build/capsim run scenarios/quickstart.yaml -o results/quickstart "$@"
