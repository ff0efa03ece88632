#!/usr/bin/env bash
# Dist.SameNumbers: the commands that run over ranks give the numbers of a one-process run.
#   * `rlrec simulate` over 2 and 3 ranks (each runs its share of the episodes): the JSON without
#     its timing keys equals one process's;
#   * `rlrec compare` over 2 ranks: leaderboard.json without its timing keys, and every run
#     directory's metrics.csv without its timing columns, are equal. The comparison has baselines,
#     an online learner and two offline learners whose [data] log each rank generates
#     (OUT/behaviour_logs/rank-R); tests/data/same_numbers.toml, shared with tests/jobs_test.sh.
#   tests/ranks_test.sh BUILD/cli/rlrec MPIEXEC
set -euo pipefail
BIN=$(realpath "$1"); MPIEXEC="$2"
WORK=$(mktemp -d); trap 'rm -rf "$WORK"' EXIT
cp "$(dirname "$0")/data/same_numbers.toml" "$WORK/exp.toml"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 ASAN_OPTIONS=detect_leaks=0
SIM=(simulate --policy softmax_myopic --episodes 301 --batch 32 --json)
"$BIN" "${SIM[@]}" >"$WORK/sim1.json" || { echo "FAIL: simulate"; exit 1; }
for p in 2 3; do
  "$MPIEXEC" -np $p --oversubscribe "$BIN" "${SIM[@]}" >"$WORK/sim$p.json" \
    || { echo "FAIL: simulate over $p ranks"; exit 1; }
done
"$BIN" compare "$WORK/exp.toml" --out "$WORK/one" --json >"$WORK/one.json" 2>"$WORK/one.err" \
  || { echo "FAIL: one process"; cat "$WORK/one.err"; exit 1; }
"$MPIEXEC" -np 2 --oversubscribe "$BIN" compare "$WORK/exp.toml" --out "$WORK/two" --json \
  >"$WORK/two.json" 2>"$WORK/two.err" || { echo "FAIL: 2 ranks"; cat "$WORK/two.err"; exit 1; }
/usr/bin/python3 - "$WORK" "$(dirname "$0")" <<'PY'
import pathlib, sys
sys.path.insert(0, sys.argv[2])
from same_numbers import json_of, same_comparison
work = pathlib.Path(sys.argv[1])
sims = [json_of(work / f"sim{p}.json") for p in (1, 2, 3)]
if sims[1] != sims[0] or sims[2] != sims[0]:
    sys.exit("FAIL: simulate differs between 1, 2 and 3 ranks")
one, two = (json_of(work / f) for f in ("one.json", "two.json"))
if one != two:
    sys.exit("FAIL: leaderboards differ between 1 and 2 ranks")
runs = same_comparison(work / "one", work / "two", "1 and 2 ranks")
if len(runs) != 9:
    sys.exit(f"FAIL: expected 9 run directories (3 learners x 3 seeds), got {len(runs)}")
logs = sorted(p.name for p in (work / "two" / "behaviour_logs").rglob("*.bin"))
if not logs:
    sys.exit("FAIL: no behaviour log was generated")
print(f"ok: simulate equal over 1, 2, 3 ranks; compare: {len(one['agents'])} agents x 3 seeds "
      f"equal over 1 and 2 ranks; {len(runs)} run directories equal; behaviour logs per rank: "
      f"{logs}")
PY
