"""A Python policy on rlrec's leaderboard next to the built-in baselines (rlrec.leaderboard: the
numbers of `rlrec compare` for the baselines, the same evaluation users for every policy).

The Python policy, `diverse`, shows the best candidate by the user-item affinity (user . item over
the shared features, what the `myopic` baseline ranks by) and fills the other slots greedily by
affinity minus the cosine similarity to what is already on the slate (maximal marginal relevance,
Carbonell & Goldstein 1998, "The use of MMR, diversity-based reranking for reordering documents
and producing summaries").

    PYTHONPATH=build/release/python /usr/bin/python3 examples/python/leaderboard.py [--seeds 3]
"""
import argparse
import sys

import numpy as np

import rlrec

ENV = "interest_evolution"
KEYS = dict(num_candidates=10, slate_size=3)


def diverse(obs, k=KEYS["slate_size"], weight=0.3):
    user, items = obs["user"].astype(np.float64), obs["candidate_features"].astype(np.float64)
    d = min(user.shape[1], items.shape[2])
    score = np.einsum("bd,bnd->bn", user[:, :d], items[:, :, :d])
    unit = items / np.maximum(np.linalg.norm(items, axis=2, keepdims=True), 1e-12)
    n = score.shape[0]
    slates = np.zeros((n, k), dtype=np.int64)
    taken = np.zeros(score.shape, dtype=bool)
    redundancy = np.zeros(score.shape)
    for j in range(k):
        s = np.where(taken, -np.inf, score - weight * redundancy)
        pick = np.argmax(s, axis=1)
        slates[:, j] = pick
        taken[np.arange(n), pick] = True
        sim = np.einsum("bnd,bd->bn", unit, unit[np.arange(n), pick])
        redundancy = np.maximum(redundancy, sim)
    return slates


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seeds", type=int, default=3, help="seeds (default 3)")
    p.add_argument("--episodes", type=int, default=300, help="episodes per seed (default 300)")
    a = p.parse_args(argv)
    policies = {"diverse": diverse, "random": "random", "myopic": "myopic",
                "quality_oracle": "quality_oracle"}
    rows = rlrec.leaderboard(policies, ENV, seeds=a.seeds, episodes=a.episodes, **KEYS)
    ref = rows[0]["diff_vs_reference"]["reference"]
    print(f"{ENV} {KEYS}, {a.seeds} seed(s) x {a.episodes} episodes; 95% CI over seeds")
    print(f"{'policy':15} {'mean return':>12} {'95% CI':>20} {'diff vs ' + ref:>16} {'ctr':>7}")
    for r in rows:
        d = r["diff_vs_reference"]
        ci = "" if d["ci_low"] is None else f" [{d['ci_low']:.2f}, {d['ci_high']:.2f}]"
        print(f"{r['name']:15} {r['mean_return']:12.2f} [{r['ci_low']:8.2f}, {r['ci_high']:8.2f}] "
              f"{d['mean']:8.2f}{ci} {r['ctr']:7.4f}")
    return rows


if __name__ == "__main__":
    main()
    sys.exit(0)
