#!/usr/bin/env bash
# Installs dependencies, builds and runs the whole test suite twice: a Release build with -Werror
# (preset ci) and a Debug build with AddressSanitizer + UndefinedBehaviorSanitizer (preset debug).
#   scripts/test.sh            # both
#   RLREC_TEST_PRESETS=ci scripts/test.sh   # only the Release build
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export RLREC_NO_PROGRESS=1
JOBS="${RLREC_JOBS:-$(nproc)}"
for preset in ${RLREC_TEST_PRESETS:-ci debug}; do
  echo "== preset $preset: configure + build ==" >&2
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" -j "$JOBS"
  echo "== preset $preset: tests ==" >&2
  ctest --preset "$preset" -j "$JOBS" --timeout 600
  if [ "$preset" = ci ]; then RLREC_JOBS="$JOBS" scripts/test_install.sh build/ci; fi
done
