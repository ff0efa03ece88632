#!/usr/bin/env bash
# Runs every `rlrec ...` command of README.md's ```sh blocks, as written, from a scratch copy of the
# checkout (so runs/ and logs land there), and reports each one's exit status:
#   scripts/check_readme.sh [BUILD_DIR]     # default build/release; needs a built rlrec + rlrec-agents
# Optional arguments shown as [--flag X] are dropped; lines that need data rlrec does not ship
# (MovieLens, $D) are skipped and listed. A command still running after RLREC_README_TIMEOUT seconds
# (default 60: the full comparisons take minutes to hours) counts as started and is stopped.
set -uo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(realpath "${1:-$SRC/build/release}")
LIMIT=${RLREC_README_TIMEOUT:-60}
WORK=$(mktemp -d); trap 'rm -rf "$WORK"' EXIT
(cd "$SRC" && git ls-files -z | xargs -0 cp --parents -t "$WORK") || exit 1
export PATH="$BUILD/cli:$PATH"
cmds=$(awk '/^```sh/{on=1; next} /^```/{on=0} on' "$SRC/README.md" |
       sed -e 's/[[:space:]]#.*$//' -e 's/\[[^]]*\]//g' -e 's/[[:space:]]*$//' | grep -E '^rlrec ')
fail=0; n=0
cd "$WORK"
while IFS= read -r c; do
  if [[ "$c" == *'$D'* ]]; then echo "skip (needs MovieLens): $c"; continue; fi
  n=$((n + 1))
  timeout "$LIMIT" bash -c "$c" >"$WORK/out" 2>&1 </dev/null
  rc=$?
  if [ $rc -eq 0 ]; then echo "ok: $c"
  elif [ $rc -eq 124 ]; then echo "ok (still running after ${LIMIT}s, stopped): $c"
  else echo "FAILED ($rc): $c"; tail -3 "$WORK/out"; fail=$((fail + 1)); fi
done <<<"$cmds"
echo "$n commands, $fail failed"
[ $fail -eq 0 ]
