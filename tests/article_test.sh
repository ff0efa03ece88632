#!/usr/bin/env bash
# Article.Shrunk: the article's leaderboard (configs/experiments/article.toml, a suite of four
# comparisons), shrunk to seconds: 2 seeds, 200-600 training steps, a 300-item corpus for
# Wolpertinger, a 20-episode behaviour log for top-K REINFORCE. Every method of every part must
# train, evaluate and appear in the summary, and summary.json must hold one row per (part, agent)
# with a paired difference to the part's reference. Without MovieLens 100K the DRR part is left
# out (said on stderr); the other three still run.
#   tests/article_test.sh BUILD/cli/rlrec SOURCE_DIR SHARED_DATA_DIR
set -euo pipefail
BIN=$(realpath "$1"); SRC=$(realpath "$2"); DATA="$3"
WORK=$(mktemp -d); trap 'rm -rf "$WORK"' EXIT
ML="$DATA/movielens-100k/u.data"
parts=()
if [ -f "$ML" ]; then
  parts=(--set "drr:env.data=\"$ML\"" --set drr:env.mf_epochs=5 --set drr:env.factors=8
         --set "drr:compare.agents=['random', 'popularity', 'pmf', 'linucb', 'drr_ave']")
  expect_parts=4
else
  echo "note: MovieLens 100K not found at $ML: the DRR part is left out" >&2
  parts=(--set "suite.skip=['drr']")
  expect_parts=3
fi
"$BIN" compare "$SRC/configs/experiments/article.toml" --seeds 2 --episodes 10 --threads 1 \
  --set run.train_steps=600 --set run.eval_interval=600 --set run.eval_episodes=5 \
  --set slateq:slateq_sarsa.warmup_steps=100 --set "slateq:slateq_sarsa.hidden=[16]" \
  --set wolpertinger:env.corpus_size=300 --set wolpertinger:env.num_candidates=300 \
  --set "wolpertinger:compare.agents=['random', 'myopic', 'linucb', 'linear_ts', 'epsilon_greedy', 'wolpertinger_k1', 'wolpertinger_k100', 'quality_oracle']" \
  --set wolpertinger:wolpertinger_k1.warmup_steps=100 \
  --set wolpertinger:wolpertinger_k100.warmup_steps=100 \
  --set wolpertinger:run.train_steps=300 --set wolpertinger:run.eval_interval=300 \
  --set topk_reinforce:data.episodes=20 --set topk_reinforce:run.train_steps=200 \
  --set topk_reinforce:run.eval_interval=200 "${parts[@]}" --out "$WORK/out" >"$WORK/stdout"
cat "$WORK/stdout"
/usr/bin/python3 - "$WORK/out/summary.json" "$expect_parts" <<'PY'
import json, math, sys
j = json.load(open(sys.argv[1]))
want = int(sys.argv[2])
assert len(j["parts"]) == want, f"{len(j['parts'])} parts, want {want}"
rows = j["summary"]
n = sum(len(p["comparison"]["agents"]) for p in j["parts"])
assert len(rows) == n, f"{len(rows)} summary rows for {n} (part, agent) pairs"
learning = {r["agent"] for r in rows if r["learning"]}
for a in ["slateq_sarsa", "linucb", "linear_ts", "epsilon_greedy", "wolpertinger_k1",
          "wolpertinger_k100", "linucb_log", "reinforce_none", "reinforce_iw", "reinforce_topk"]:
    assert a in learning, f"{a} did not train"
for r in rows:
    assert math.isfinite(r["mean_return"]), r
    assert r["ci_low"] is not None and r["ci_low"] <= r["mean_return"] <= r["ci_high"], r
    if r["agent"] != r["reference"]:
        assert r["diff_ci_low"] is not None, r
print(f"article suite: {want} parts, {len(rows)} rows: ok")
PY
grep -q "== summary: $expect_parts environment(s)" "$WORK/stdout"
