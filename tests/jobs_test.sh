#!/usr/bin/env bash
# Compare.SameNumbersAnyJobs: `rlrec compare --jobs N` (N concurrent (agent, seed) runs in worker
# threads) gives the numbers of --jobs 1 (one run after another):
#   * leaderboard.json without its timing keys, and every run directory's metrics.csv without its
#     timing columns, are equal for --jobs 1, 2 and 3; the comparison has baselines, an online
#     learner and two offline learners that need the same seed's generated [data] log at once;
#   * each seed's behaviour log is written once (one file per seed, no temporary left over);
#   * config.toml records the worker count used; --resume with another --jobs reuses every run;
#   * --jobs -1 is refused: exit 2 with one line naming compare.jobs and its range.
#   tests/jobs_test.sh BUILD/cli/rlrec
set -euo pipefail
BIN=$(realpath "$1")
WORK=$(mktemp -d); trap 'rm -rf "$WORK"' EXIT
cp "$(dirname "$0")/data/same_numbers.toml" "$WORK/exp.toml"
for n in 1 2 3; do
  "$BIN" compare "$WORK/exp.toml" --jobs $n --out "$WORK/j$n" --json >"$WORK/j$n.json" \
    2>"$WORK/j$n.err" || { echo "FAIL: --jobs $n"; cat "$WORK/j$n.err"; exit 1; }
done
rc=0
"$BIN" compare "$WORK/exp.toml" --jobs -1 >/dev/null 2>"$WORK/bad.err" || rc=$?
if [ "$rc" != 2 ] || [ "$(wc -l <"$WORK/bad.err")" != 1 ] \
   || ! grep -q "compare.jobs must be in \[0, 4096\]" "$WORK/bad.err"; then
  echo "FAIL: --jobs -1 gave exit $rc and:"; cat "$WORK/bad.err"; exit 1
fi
"$BIN" compare "$WORK/exp.toml" --jobs 2 --out "$WORK/j1" --resume --json >"$WORK/resumed.json" \
  2>"$WORK/resumed.err" || { echo "FAIL: resume with --jobs 2"; cat "$WORK/resumed.err"; exit 1; }
grep -q "resumed 15 of 15" "$WORK/resumed.err" \
  || { echo "FAIL: resume with --jobs 2 did not reuse every run:"; cat "$WORK/resumed.err"; exit 1; }
/usr/bin/python3 - "$WORK" "$(dirname "$0")" <<'PY'
import pathlib, re, sys
sys.path.insert(0, sys.argv[2])
from same_numbers import json_of, same_comparison
work = pathlib.Path(sys.argv[1])
ref = json_of(work / "j1.json")
if len(ref["agents"]) != 5 or any(len(a["seed_returns"]) != 3 for a in ref["agents"]):
    sys.exit("FAIL: expected 5 agents x 3 seeds")
for n in (2, 3):
    d = work / f"j{n}"
    if json_of(work / f"j{n}.json") != ref:
        sys.exit(f"FAIL: --json differs between --jobs 1 and --jobs {n}")
    runs = same_comparison(work / "j1", d, f"--jobs 1 and --jobs {n}")
    if len(runs) != 9:
        sys.exit(f"FAIL: expected 9 run directories (3 learners x 3 seeds), got {len(runs)}")
    logs = sorted(p.name for p in (d / "behaviour_logs").iterdir())
    if logs != ["behaviour_seed3.bin", "behaviour_seed4.bin", "behaviour_seed5.bin"]:
        sys.exit(f"FAIL: --jobs {n}: behaviour_logs holds {logs}, expected one log per seed")
    m = re.search(r"^jobs = (\d+)$", (d / "config.toml").read_text(), re.M)
    if not m or int(m.group(1)) != n:
        sys.exit(f"FAIL: --jobs {n}: config.toml records jobs = {m.group(1) if m else None}")
if json_of(work / "resumed.json") != ref:
    sys.exit("FAIL: resumed with --jobs 2 differs")
print(f"ok: compare equal for --jobs 1, 2, 3 (5 agents x 3 seeds, {len(runs)} run directories), "
      "one behaviour log per seed, resume across --jobs, --jobs -1 refused")
PY
