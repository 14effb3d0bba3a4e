#!/usr/bin/env bash
# Installs the Debian packages capsim builds, tests and runs with, once and for
# all modules (DESIGN.md's toolchain), so later issues never change the setup.
# Idempotent: when everything is present it only checks, in well under a second.
# CUDA is not installed here: it is optional and detected by CMake.
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build pkg-config clang-format git
  # C++ libraries (core, sim, kernels, cli)
  libeigen3-dev libhdf5-dev hdf5-tools libyaml-cpp-dev libcli11-dev libfmt-dev
  nlohmann-json3-dev libsimgrid-dev libboost-dev libopenmpi-dev openmpi-bin
  # compressed traces (.gz, .zip, .bz2, .xz) read as streams
  libarchive-dev
  # tests and benchmarks
  catch2 libbenchmark-dev
  # headless browser for the HTML report's test (capsim report)
  chromium
  # Python module, notebooks and their tests (Debian's /usr/bin/python3)
  python3-dev pybind11-dev python3-numpy python3-pandas python3-matplotlib
  python3-h5py python3-pytest python3-nbclient python3-nbconvert jupyter-nbconvert
  python3-ipykernel python3-dask python3-distributed python3-mpi4py
)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
  exit 0
fi

echo "capsim: installing ${#missing[@]} Debian package(s): ${missing[*]}" >&2
as_root=()
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "capsim: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  as_root=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "capsim: packages installed" >&2
