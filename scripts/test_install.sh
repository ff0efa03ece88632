#!/usr/bin/env bash
# Installs a configured+built rlrec build into a temporary prefix, builds examples/consumer against
# the installed package (find_package(rlrec)) and runs it.
#   scripts/test_install.sh [build-dir]     # default build/ci
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build/ci}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
echo "== install $build into a temporary prefix, build + run examples/consumer ==" >&2
cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
cxx="$(sed -n 's/^CMAKE_CXX_COMPILER:[A-Z]*=//p' "$build/CMakeCache.txt")"
cmake -S examples/consumer -B "$tmp/build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_PREFIX_PATH="$tmp/prefix" >/dev/null
cmake --build "$tmp/build" -j "${RLREC_JOBS:-$(nproc)}"
"$tmp/build/rlrec_consumer"
# The installed torch-free CLI finds rlrec-agents beside it for the agent commands.
"$tmp/prefix/bin/rlrec" list agents >/dev/null
"$tmp/prefix/bin/rlrec" eval --help | grep -q "run directory written by rlrec train"
echo "installed rlrec hands 'eval' over to rlrec-agents: ok" >&2
