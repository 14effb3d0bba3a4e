#!/usr/bin/env bash
# The CPU bar: calibrate on this machine for the scenario's kernel
# mixes, then run scenarios/real_cpu.yaml for real and as its simulated twin;
# capsim exits 3 when the makespan error is over 10% (the third argument).
set -euo pipefail
capsim=$1 source_dir=$2 max_error=${3:-10}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$capsim" calibrate --backend cpu --scenario "$source_dir/scenarios/real_cpu.yaml" --quick -o "$out/cpu.yaml"
"$capsim" validate-model "$source_dir/scenarios/real_cpu.yaml" --profile "$out/cpu.yaml" -o "$out/validate" --max-error "$max_error"
test -s "$out/validate/real/results.h5"
test -s "$out/validate/simulated/results.h5"
