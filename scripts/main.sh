#!/usr/bin/env bash
# The main job: install dependencies, build (Release), run the default experiment: the leaderboard
# of rlrec's policies on the built-in interest_evolution simulator (no data download).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cmake --preset release >/dev/null
cmake --build --preset release --target rlrec
exec build/release/cli/rlrec compare configs/experiments/main.toml "$@"
