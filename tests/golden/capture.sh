#!/usr/bin/env bash
# Captures rlrec's outputs for a fixed set of seeded commands, with every timing field removed, so
# that a refactor can show every number unchanged:
#   tests/golden/capture.sh BUILD/cli/rlrec OUTDIR      # then: diff -r OUTDIR_before OUTDIR_after
# Simulator, baseline, OPE and log outputs are exact across machines; MF and learning-agent numbers
# are exact per machine and build (floating-point kernels chosen by CPU).
# MovieLens cases run only where ../shared/data/movielens-100k exists.
set -euo pipefail
BIN=$(realpath "$1"); OUT=$(realpath -m "$2")
SRC=$(cd "$(dirname "$0")/../.." && pwd)
DATA="${RLREC_DATA:-$SRC/../shared/data}"
ML="$DATA/movielens-100k"
OBD="$DATA/open-bandit-dataset"
mkdir -p "$OUT"; rm -rf "$OUT"/*
WORK=$(mktemp -d); trap 'rm -rf "$WORK"' EXIT
cd "$SRC"
strip() {  # JSON on stdin -> JSON without timing keys, sorted
  /usr/bin/python3 -c '
import json, sys
T = ("second", "per_s", "threads", "time", "git_commit", "latency", "qps")
def f(x):
    if isinstance(x, dict):
        return {k: f(v) for k, v in x.items() if not any(t in k for t in T)}
    if isinstance(x, list):
        return [f(v) for v in x]
    return x
print(json.dumps(f(json.load(sys.stdin)), indent=1, sort_keys=True).replace(sys.argv[1], "$WORK"))' "$WORK"
}
csvstrip() {  # metrics.csv without timing columns
  /usr/bin/python3 -c '
import csv, sys
r = list(csv.reader(open(sys.argv[1])))
keep = [i for i, h in enumerate(r[0]) if not any(t in h for t in ("second", "per_s", "/s"))]
for row in r: print(",".join(row[i] for i in keep))' "$1"
}
run() { local name=$1; shift; "$BIN" "$@" --json 2>"$WORK/err" | strip >"$OUT/$name.json" \
          || { echo "FAILED: $name: $*" >&2; cat "$WORK/err" >&2; exit 1; }; }

# 1. simulate: every simulated environment x every baseline that runs there.
for env in interest_evolution interest_exploration long_term_satisfaction; do
  for pol in random myopic quality_oracle softmax_myopic biased_softmax; do
    run "simulate_${env}_${pol}" simulate --env $env --policy $pol --episodes 300 --seed 3 --threads 2
  done
done
run simulate_ie_fixed_corpus simulate --env interest_evolution --policy myopic --episodes 100 --seed 5 \
    --set env.corpus_size=5000 --set env.num_candidates=50 --set env.slate_size=3
# 2. the main job's baseline rows
run compare_main_baselines compare configs/experiments/main.toml --seeds 2 --episodes 300 \
    --set 'compare.agents=["random","myopic","quality_oracle"]'
# 3. log + OPE on a simulator log
"$BIN" log configs/experiments/topk_reinforce_ablation.toml --policy biased_softmax --episodes 60 \
    --seed 2 --out "$WORK/b.log" --json 2>/dev/null | strip >"$OUT/log_biased_softmax.json"
run ope_estimate_rlrec ope estimate --log "$WORK/b.log" --format rlrec --policy softmax_myopic \
    --bootstrap 20 --seed 4
# 4. OPE on the Open Bandit sample
run ope_bench_men ope bench --data "$OBD" --campaign men --bootstrap 5 --n-sim 2000
run ope_estimate_obd ope estimate --log "$OBD/random/men/men.csv" --policy bts --campaign men \
    --bootstrap 10 --n-sim 2000 --estimators all
# 5. index bench (recall only: timing keys stripped)
run index_bench_exact index bench --items 5000 --dim 16 --queries 200 --k 10 --kind exact
run index_bench_hnsw index bench --items 5000 --dim 16 --queries 200 --k 10 --kind hnsw --threads 1
# 6. a short training run of every agent (metrics rows)
train() { local name=$1 exp=$2; shift 2
  "$BIN" train "$exp" --out "$WORK/run_$name" --threads 1 "$@" >/dev/null 2>"$WORK/err" \
    || { echo "FAILED: train $name" >&2; cat "$WORK/err" >&2; exit 1; }
  csvstrip "$WORK/run_$name/metrics.csv" >"$OUT/train_$name.csv"; }
S=(--set agent.warmup_steps=300 --set run.train_steps=1500 --set run.eval_interval=750 --set run.eval_episodes=20 --set run.episodes=40)
for a in slateq_myopic slateq_sarsa slateq_qlearning; do
  train $a configs/experiments/slateq_qlearning.toml "${S[@]}" --set agent.name=$a \
    --set agent.slate_optimizer=top_k --set agent.target_optimizer=top_k
done
agent_exp() {  # experiment file: interest_evolution + an [agent] section with only a name
  printf '[env]\nname = "interest_evolution"\nnum_candidates = 10\nslate_size = 2\n[agent]\nname = "%s"\n[run]\nseed = 1\n' "$1" >"$WORK/$1.toml"
  echo "$WORK/$1.toml"; }
train full_slate_q "$(agent_exp full_slate_q)" "${S[@]}"
train wolpertinger "$(agent_exp wolpertinger)" "${S[@]}" --set env.corpus_size=2000 --set env.num_candidates=2000 --set env.slate_size=1
train topk_reinforce_online "$(agent_exp topk_reinforce)" "${S[@]}"
# offline top-K REINFORCE from a generated log (compare's offline path)
run compare_topk_offline compare configs/experiments/topk_reinforce_ablation.toml --seeds 1 --episodes 40 \
    --set run.train_steps=800 --set run.eval_interval=800 --set data.episodes=20 \
    --set 'compare.agents=["random","biased_softmax","reinforce_iw","reinforce_topk"]' --out "$WORK/cmp_topk"
if [ -f "$ML/u.data" ]; then
  run mf_biased_sgd mf fit --train "$ML/u1.base" --test "$ML/u1.test" --model biased_sgd
  run mf_als mf fit --train "$ML/u1.base" --test "$ML/u1.test" --model als
  run mf_bpr mf fit --train "$ML/u1.base" --test "$ML/u1.test" --model bpr
  run simulate_movielens_mf_pmf simulate --policy pmf --episodes 100 --seed 2 \
      --set env.name=movielens_mf --set env.data="$ML/u.data"
  run simulate_movielens_mf_popularity simulate --policy popularity --episodes 100 --seed 2 \
      --set env.name=movielens_mf --set env.data="$ML/u.data"
  run compare_drr_offline compare configs/experiments/drr_movielens100k.toml --seeds 1 --episodes 50 \
      --set env.data="$ML/u.data" --set run.train_steps=600 --set run.eval_interval=600 --set drr_ave.warmup_steps=100 --set drr_n.warmup_steps=100 \
      --set 'compare.agents=["random","popularity","pmf","drr_ave","drr_n"]' --out "$WORK/cmp_drr"
fi
echo "golden: $(ls "$OUT" | wc -l) files in $OUT" >&2
