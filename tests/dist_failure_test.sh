#!/usr/bin/env bash
# Dist.Failures: a failing or killed rank ends the whole job, with one line naming the rank, and
# never leaves the other ranks waiting in a collective.
#   1. bad input seen by every rank: exit 2, "error: rank R of 2: unknown agent ..." on stderr;
#   2. bad input on rank 1 only (MPMD: rank 1 gets another file) while rank 0 goes on into the
#      collectives: exit 2 within the time limit, rank 1's line on stderr;
#   3. rank 1 killed with SIGKILL during training: mpirun ends the job with a non-zero status
#      within the time limit (no hang).
#   tests/dist_failure_test.sh BUILD/cli/rlrec MPIEXEC
set -uo pipefail
BIN=$(realpath "$1"); MPIEXEC="$2"
WORK=$(mktemp -d); trap 'rm -rf "$WORK"' EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 ASAN_OPTIONS=detect_leaks=0
cat >"$WORK/good.toml" <<'TOML'
[env]
name = "interest_evolution"
[run]
episodes = 20
train_steps = 200000
eval_interval = 200000
threads = 1
[compare]
agents = ["random", "slateq_qlearning"]
seeds = 2
TOML
sed 's/"random", "slateq_qlearning"/"random", "myopik"/' "$WORK/good.toml" >"$WORK/bad.toml"
fail=0
"$MPIEXEC" -np 2 --oversubscribe "$BIN" compare "$WORK/bad.toml" >/dev/null 2>"$WORK/e1"
rc=$?
grep -q "error: rank [01] of 2: unknown agent 'myopik'" "$WORK/e1" && [ $rc -eq 2 ] \
  || { echo "FAIL 1: bad input on every rank: rc=$rc"; head -3 "$WORK/e1"; fail=1; }
timeout 120 "$MPIEXEC" --oversubscribe -np 1 "$BIN" compare "$WORK/good.toml" : \
  -np 1 "$BIN" compare "$WORK/bad.toml" >/dev/null 2>"$WORK/e2"
rc=$?
grep -q "error: rank 1 of 2: unknown agent 'myopik'" "$WORK/e2" && [ $rc -eq 2 ] \
  || { echo "FAIL 2: bad input on rank 1 only: rc=$rc (124 = hang)"; head -3 "$WORK/e2"; fail=1; }
timeout 120 "$MPIEXEC" -np 2 --oversubscribe "$BIN" compare "$WORK/good.toml" >/dev/null \
  2>"$WORK/e3" &
job=$!
victim=""
for _ in $(seq 100); do  # wait until both ranks run (not mpirun or timeout)
  sleep 0.2
  pids=$(pgrep -f "^[^ ]*rlrec(-agents)? compare $WORK/good.toml" | sort -n)
  [ "$(echo "$pids" | grep -c .)" -ge 2 ] && { victim=$(echo "$pids" | tail -1); break; }
done
[ -n "$victim" ] || { echo "FAIL 3: the ranks never started"; fail=1; }
sleep 2
[ -n "$victim" ] && kill -KILL "$victim"
wait $job
rc=$?
if [ $rc -eq 0 ] || [ $rc -eq 124 ]; then echo "FAIL 3: killed rank: rc=$rc (124 = hang)"; fail=1; fi
[ $fail -eq 0 ] && echo "ok: bad input on all ranks (exit 2), on one rank (exit 2), killed rank (exit $rc, no hang)"
exit $fail
