#!/usr/bin/env bash
# `mpirun -n 3 capsim sweep` on this machine gives the same table, byte for
# byte, as one process does, and every point's results (issue 10).
# Usage: mpi_sweep.sh CAPSIM SOURCE_DIR
set -euo pipefail
capsim=$1
source_dir=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat > "$work/sweep.yaml" <<'YAML'
name: mpi-sweep
cluster:
  node_groups:
    - {name: v100, gpu: V100, gpus_per_node: 8, count: 4}
workload:
  synthetic: {preset: philly-2017, jobs: 300, jobs_per_hour: 30, max_gpus: 8}
sweep:
  grid:
    cluster.node_groups[v100].count: {from: 2, to: 5, step: 1}
    policies.queue: [fifo, srtf]
YAML
# Containers often run tests as root, which Open MPI refuses unless told.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
# Open MPI's own allocations are not ours to chase under LeakSanitizer.
export ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0"
"$capsim" sweep "$work/sweep.yaml" -o "$work/one" -q -j 1
mpirun --oversubscribe -n 3 "$capsim" sweep "$work/sweep.yaml" -o "$work/mpi" -j 1 > "$work/mpi.out"
grep -q "mpi-sweep: 8 points on 3 MPI ranks" "$work/mpi.out" || { cat "$work/mpi.out"; exit 1; }
cmp "$work/one/sweep.csv" "$work/mpi/sweep.csv"
cmp "$work/one/sweep.h5" "$work/mpi/sweep.h5"
for p in 0 1 2 3 4 5 6 7; do
  cmp "$work/one/points/point-000$p/summary.json" "$work/mpi/points/point-000$p/summary.json"
done
echo "mpi sweep: 8 points on 3 ranks, identical to one process"
