#!/usr/bin/env bash
# Installs every Debian 12 package rlrec needs to build, test and run, skipping those already
# installed. Idempotent: running it twice installs nothing the second time.
#
#   scripts/setup.sh            # core build + tests
#
# BLAS: we install OpenBLAS in its OpenMP build (libopenblas0-openmp). Debian's default libblas is
# the reference BLAS (7-30x slower for dense kernels); the pthread build oversubscribes OpenMP.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config ccache git
  libtomlplusplus-dev      # TOML config (toml++)
  libcli11-dev             # command-line parsing
  nlohmann-json3-dev       # JSON output
  libgtest-dev libgmock-dev libbenchmark-dev
  python3                  # scripts/check_modules.py (ctest ModuleGraph.*), tests/golden/capture.sh
  clang-format-14          # scripts/format.sh (ctest Format.Check)
  libeigen3-dev            # dense linear algebra (MF, index glue)
  libopenblas0-openmp libopenblas-openmp-dev liblapacke-dev
  libhnswlib-dev           # approximate nearest neighbours
  liblinear-dev            # reward models for off-policy evaluation (ope/)
  gnuplot-nox              # plots written by the experiment runner
  libtorch-dev             # neural agents (agents/ only; CPU build, ~500 MiB with dependencies)
  python3-dev pybind11-dev python3-numpy python3-pytest  # the Python package (python/), its tests
  python3-torch            # examples/python/torch_agent.py and its pytest (skipped without it)
  libopenmpi-dev openmpi-bin  # distributed runs (dist/, mpirun) and their ctest cases
  chromium                 # headless-browser test of compare's report.html
  libjemalloc-dev          # allocator that keeps freed memory for training (agents/)
  libzstd-dev              # optional compression of behaviour logs (logs/)
  clang-14 libclang-rt-14-dev libomp-14-dev  # the libFuzzer targets of fuzz/ (preset fuzz)
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#PACKAGES[@]} packages already installed" >&2
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then SUDO="sudo"; else
    echo "setup: need root (or sudo) to install: ${missing[*]}" >&2; exit 1
  fi
fi
echo "setup: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
