#!/usr/bin/env bash
# Dist.SameNumbers: the commands that run over ranks give the numbers of a one-process run.
#   * `rlrec simulate` over 2 and 3 ranks (each runs its share of the episodes): the JSON without
#     its timing keys equals one process's;
#   * `rlrec compare` over 2 ranks: leaderboard.json without its timing keys, and every run
#     directory's metrics.csv without its timing columns, are equal. The comparison has baselines,
#     an online learner and an offline learner whose [data] log each rank generates
#     (OUT/behaviour_logs/rank-R).
#   tests/ranks_test.sh BUILD/cli/rlrec MPIEXEC
set -euo pipefail
BIN=$(realpath "$1"); MPIEXEC="$2"
WORK=$(mktemp -d); trap 'rm -rf "$WORK"' EXIT
cat >"$WORK/exp.toml" <<'TOML'
[env]
name = "interest_evolution"
num_candidates = 5
slate_size = 2
max_steps = 8

[run]
episodes = 6
seed = 3
train_steps = 300
eval_interval = 100
eval_episodes = 4
threads = 1

[data]
behaviour = "biased_softmax"
episodes = 20

[compare]
agents = ["random", "myopic", "small_q", "offline_reinforce"]
seeds = 3

[small_q]
name = "slateq_qlearning"
hidden = [8]
warmup_steps = 16

[offline_reinforce]
name = "topk_reinforce"
hidden = [8]
TOML
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
/usr/bin/python3 - "$WORK" <<'PY'
import csv, json, pathlib, sys
work = pathlib.Path(sys.argv[1])
T = ("second", "per_s", "threads", "time", "git_commit")
def strip(x):
    if isinstance(x, dict):
        return {k: strip(v) for k, v in x.items() if not any(t in k for t in T)}
    if isinstance(x, list):
        return [strip(v) for v in x]
    return x
sims = [strip(json.loads((work / f"sim{p}.json").read_text())) for p in (1, 2, 3)]
if sims[1] != sims[0] or sims[2] != sims[0]:
    sys.exit("FAIL: simulate differs between 1, 2 and 3 ranks")
one, two = (strip(json.loads((work / f).read_text())) for f in ("one.json", "two.json"))
if one != two:
    sys.exit("FAIL: leaderboards differ between 1 and 2 ranks")
def rows(p):
    with open(p) as f:
        return [{k: v for k, v in r.items() if not any(t in k for t in T)} for r in csv.DictReader(f)]
runs = sorted(p.relative_to(work / "one") for p in (work / "one").rglob("metrics.csv"))
if len(runs) != 6:
    sys.exit(f"FAIL: expected 6 run directories (2 learners x 3 seeds), got {len(runs)}")
for r in runs:
    if rows(work / "one" / r) != rows(work / "two" / r):
        sys.exit(f"FAIL: {r} differs between 1 and 2 ranks")
logs = sorted(p.name for p in (work / "two" / "behaviour_logs").rglob("*.bin"))
if not logs:
    sys.exit("FAIL: no behaviour log was generated")
print(f"ok: simulate equal over 1, 2, 3 ranks; compare: {len(one['agents'])} agents x 3 seeds equal over 1 and 2 ranks; {len(runs)} run "
      f"directories equal; behaviour logs per rank: {logs}")
PY
