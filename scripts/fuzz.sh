#!/usr/bin/env bash
# Runs the libFuzzer targets of fuzz/ (built by `cmake --preset fuzz && cmake --build --preset
# fuzz`), one at a time, and prints one summary line per target from libFuzzer's final stats.
#   scripts/fuzz.sh [SECONDS] [TARGET...]    # default 180 s each, every target
#   RLREC_FUZZ_CPU=1 scripts/fuzz.sh 600     # SECONDS of the fuzzer's own CPU time (user + system,
#                                            # read from /proc), however loaded the machine is
# Per target: new inputs go to build/fuzz/work/TARGET (fuzz/corpus/TARGET is read, never written),
# findings to build/fuzz/findings/TARGET-*, the log to build/fuzz/logs/TARGET.log. Exits 1 if any
# target found something (a crash, sanitizer report, leak, timeout or out-of-memory).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-180}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(config movielens csv recbole open_bandit log manifest checkpoint_meta mf_model index)
fi
status=0
mkdir -p build/fuzz/logs build/fuzz/findings
for t in "${targets[@]}"; do
  bin="build/fuzz/fuzz/rlrec_fuzz_$t"
  if [ ! -x "$bin" ]; then
    echo "fuzz: $bin not built; run: cmake --preset fuzz && cmake --build --preset fuzz" >&2
    exit 2
  fi
  mkdir -p "build/fuzz/work/$t"
  log="build/fuzz/logs/$t.log"
  rc=0
  t0=$(date +%s)
  flags=(-max_len=4096 -rss_limit_mb=2048 -timeout=10 -print_final_stats=1
         -artifact_prefix="build/fuzz/findings/$t-" "build/fuzz/work/$t" "fuzz/corpus/$t")
  if [ "${RLREC_FUZZ_CPU:-0}" = 1 ]; then
    # A CPU-time budget: the wall-clock limit is only a backstop; a watcher interrupts the fuzzer
    # (SIGINT: libFuzzer prints its final stats and exits 72) once it has used SECONDS of CPU.
    nice -n "${RLREC_FUZZ_NICE:-10}" "$bin" -max_total_time=$((seconds * 100)) "${flags[@]}" \
      >"$log" 2>&1 &
    pid=$!
    ticks=$(($(getconf CLK_TCK) * seconds))
    used=0
    while kill -0 "$pid" 2>/dev/null; do
      now=$(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || true)
      used=${now:-$used}
      if [ "$used" -ge "$ticks" ]; then
        kill -INT "$pid" 2>/dev/null || true
        break
      fi
      sleep 2
    done
    wait "$pid" || rc=$?
    if [ "$rc" -eq 72 ] && grep -q 'libFuzzer: run interrupted' "$log"; then rc=0; fi
  else
    nice -n 10 "$bin" -max_total_time="$seconds" "${flags[@]}" >"$log" 2>&1 || rc=$?
  fi
  secs=$(($(date +%s) - t0))
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  last=$(grep -E '^#[0-9]+' "$log" | tail -1 || true)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  corp=$(sed -n 's/.* corp: \([0-9]*\/[0-9A-Za-z]*\).*/\1/p' <<<"$last")
  finding="none"
  if [ "$rc" -ne 0 ]; then
    finding="rc $rc: $(grep -m1 -E '^==[0-9]+==|ERROR: libFuzzer|SUMMARY' "$log" || echo see "$log")"
    status=1
  fi
  cpu_s=""
  [ "${RLREC_FUZZ_CPU:-0}" = 1 ] && cpu_s=", $((used / $(getconf CLK_TCK))) s CPU"
  echo "$t: ${secs}s wall${cpu_s}, ${execs:-?} execs, ${rate:-?} exec/s, cov ${cov:-?}, ft ${ft:-?}, corpus ${corp:-?}, finding: $finding"
done
exit $status
