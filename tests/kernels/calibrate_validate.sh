#!/usr/bin/env bash
# The CPU bar: calibrate on this machine for the scenario's kernel
# mixes, then run scenarios/real_cpu.yaml for real and as its simulated twin;
# capsim exits 3 when the makespan error is over 10% (the third argument).
set -euo pipefail
capsim=$1 source_dir=$2 max_error=${3:-10}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# Wall-clock measurements on a shared machine: when another tenant slows the
# real run after calibration (a CI run once measured 47.6 s for a 34.5 s
# twin, every job about 30% slow), calibration and validation are measured
# once more; exit 3 twice is a failure. Any other error fails at once.
for attempt in 1 2; do
  "$capsim" calibrate --backend cpu --scenario "$source_dir/scenarios/real_cpu.yaml" --quick -o "$out/cpu.yaml"
  status=0
  "$capsim" validate-model "$source_dir/scenarios/real_cpu.yaml" --profile "$out/cpu.yaml" -o "$out/validate" \
    --max-error "$max_error" || status=$?
  if [[ $status -eq 0 ]]; then break; fi
  if [[ $status -ne 3 || $attempt -eq 2 ]]; then exit "$status"; fi
  echo "makespan error over ${max_error}%: measuring once more"
done
test -s "$out/validate/real/results.h5"
test -s "$out/validate/simulated/results.h5"
