#!/usr/bin/env bash
# Report.Browser: `rlrec compare --out` writes report.html, and a real headless browser (Debian's
# chromium) renders it: the dumped DOM holds the leaderboard rows, and the page's own check
# (report.h: data-plots="decoded/total" once loaded) says every embedded plot decoded with a
# natural width > 0. Skipped (exit 77) when chromium or gnuplot is absent.
#   tests/report_browser_test.sh BUILD/cli/rlrec [SCREENSHOT.png]
set -euo pipefail
BIN=$(realpath "$1")
SHOT="${2:-${RLREC_REPORT_SCREENSHOT:-}}"
for tool in chromium gnuplot; do
  command -v "$tool" >/dev/null 2>&1 || { echo "SKIP: $tool not found (scripts/setup.sh installs it)"; exit 77; }
done
WORK=$(mktemp -d); trap 'rm -rf "$WORK"' EXIT
cat >"$WORK/exp.toml" <<'TOML'
[env]
name = "interest_evolution"
num_candidates = 5
slate_size = 2
max_steps = 8

[run]
episodes = 6
seed = 1
train_steps = 400
eval_interval = 80
eval_episodes = 4
threads = 1

[compare]
agents = ["random", "myopic", "small_q"]
seeds = 2

[small_q]
name = "slateq_qlearning"
hidden = [8]
warmup_steps = 16
TOML
"$BIN" compare "$WORK/exp.toml" --out "$WORK/out" >"$WORK/stdout" 2>"$WORK/stderr" \
  || { echo "FAIL: rlrec compare"; cat "$WORK/stderr"; exit 1; }
REPORT="$WORK/out/report.html"
[ -s "$REPORT" ] || { echo "FAIL: no $REPORT"; exit 1; }
if grep -q -E '(src|href)="(https?:)?//' "$REPORT"; then echo "FAIL: the report links out"; exit 1; fi
browser() { HOME="$WORK" timeout 90 chromium --headless --no-sandbox --disable-gpu \
  --user-data-dir="$WORK/profile" --virtual-time-budget=5000 "$@" 2>>"$WORK/chromium.err"; }
browser --dump-dom "file://$REPORT" >"$WORK/dom.html" || { echo "FAIL: chromium"; tail -5 "$WORK/chromium.err"; exit 1; }
fail=0
for want in '<table id="leaderboard">' '<td>random</td>' '<td>myopic</td>' '<td>small_q</td>' \
            '<table id="paired">' 'data-plots="2/2"'; do
  grep -qF "$want" "$WORK/dom.html" || { echo "FAIL: the rendered page lacks $want"; fail=1; }
done
[ $fail = 0 ] || { grep -o 'data-plots="[^"]*"' "$WORK/dom.html" || true; exit 1; }
if [ -n "$SHOT" ]; then
  browser --screenshot="$SHOT" --window-size=1200,2600 --hide-scrollbars "file://$REPORT" >/dev/null
  echo "screenshot: $SHOT"
fi
echo "ok: report.html renders (leaderboard rows, 2/2 plots decoded)"
