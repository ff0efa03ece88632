"""Evaluating Python policies next to rlrec's baselines (docs/python.md, "Evaluating policies").

evaluate(policy, env, episodes, seed, batch, threads, **env_keys): the evaluation of `rlrec simulate`
  (experiment::evaluate_baseline / evaluate_policy in C++): the same users for the same seed, so a
  Python policy and a built-in baseline are compared on identical episodes.
leaderboard(policies, env, seeds, episodes, ...): `rlrec compare`'s leaderboard rows (mean return
  with a 95% Student-t CI over seeds, paired difference to a reference) for Python callables and
  built-in baselines. Statistics come from the C++ eval::summarize.
"""

import numpy as np

from . import _rlrec
from ._config import env_toml


_HIGH = {"episodes": 2**40, "seed": 2**64 - 1, "batch": 2**20, "threads": 1024, "seeds": 2**31 - 1}


def _int_arg(name, value, low):
    """An int in [low, the library's bound for `name`], else ValueError naming value and rule."""
    high = _HIGH.get(name, 2**31 - 1)
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name} must be an int >= {low}, got {value!r}")
    if not low <= int(value) <= high:
        raise ValueError(f"{name} must be an int in [{low}, {high}], got {value}")
    return int(value)


def _slate_checker(policy):
    """Wraps the user's callable: calls it with the active rows' observations and checks its slates
    (integer (n, K) array, positions in [0, N), distinct per row) before they reach C++."""

    def act(obs, K):
        n = obs["rows"].shape[0]
        N = (obs["candidate_features"] if "candidate_features" in obs else obs["candidate_ids"]).shape[1]
        out = policy(obs)
        a = np.asarray(out)
        if a.dtype.kind not in "iu":
            raise ValueError(f"policy must return an integer array of candidate positions, got dtype "
                             f"{a.dtype.name}")
        if a.shape != (n, K):
            raise ValueError(f"policy must return slates of shape ({n}, {K}) (one row of K = {K} "
                             f"positions per active observation row), got {a.shape}")
        if n and (a.min() < 0 or a.max() >= N):
            bad = a[(a < 0) | (a >= N)][0]
            raise ValueError(f"policy returned candidate position {bad}; positions must be in "
                             f"[0, {N})")
        if K > 1 and n:
            s = np.sort(a, axis=1)
            dup = np.nonzero((s[:, 1:] == s[:, :-1]).any(axis=1))[0]
            if dup.size:
                r = int(dup[0])
                raise ValueError(f"policy returned a slate with duplicate positions {a[r].tolist()} "
                                 f"(row {r}); the K positions of a slate must be distinct")
        return np.ascontiguousarray(a, dtype=np.int32)

    return act


def _summary(results):
    s = _rlrec.summarize(results["returns"], 0.95)
    results["mean_return"] = s["mean"]
    results["se"] = s["se"]
    results["ci_low"], results["ci_high"] = s["ci_low"], s["ci_high"]
    return results


def evaluate(policy, env=None, episodes=100, seed=1, batch=None, threads=1, **env_keys):
    """Evaluates `policy` for `episodes` episodes of environment `env` (its [env] keys as env_keys)
    on the evaluation users of run seed `seed`, as `rlrec simulate --seed SEED` does.

    env: the catalogue name (None: "interest_evolution"); batch: the VectorEnv width (None: 256).
    policy: the name of a built-in baseline (rlrec.policies()), a trained agent of
    rlrec.load_policy (with env=None and no env_keys: run in C++ on the run's [env], batch None =
    the run's run.batch, so that episodes and seed = the run's give `rlrec eval`'s numbers; with an
    env it is an ordinary callable), or a callable obs -> slates. obs is
    a dict of numpy arrays for the n active rows of the batch (copies, yours to keep): "user"
    (n, user_dim) float32; "candidate_features" (n, N, item_dim) float32 (fresh-items mode) or
    "candidate_ids" (n, N) int64 (fixed-corpus mode); "episode_step" (n,) int32; "rows" (n,) int64.
    It returns an integer (n, K) array: K distinct candidate positions in [0, N) per row, display
    order. Other shapes, dtypes or duplicates raise ValueError; the callable's own exceptions
    propagate; Ctrl-C raises KeyboardInterrupt.

    Returns a dict: "returns", "lengths", "clicks" (numpy, per episode, episode order), "mean_return",
    "se", "ci_low", "ci_high" (95% Student t), "ctr", "steps", "truncated", "seconds".
    """
    episodes = _int_arg("episodes", episodes, 1)
    seed = _int_arg("seed", seed, 0)
    threads = _int_arg("threads", threads, 0)
    from .agents import Policy
    if isinstance(policy, Policy) and env is None and not env_keys:
        if batch is not None:
            batch = _int_arg("batch", batch, 1)
        return _summary(policy.evaluate(episodes, seed, batch, threads))
    batch = 256 if batch is None else _int_arg("batch", batch, 1)
    toml = env_toml("interest_evolution" if env is None else env, env_keys)
    if isinstance(policy, str):
        r = _rlrec.run_baseline(toml, policy, episodes, seed, batch, threads)
    elif callable(policy):
        r = _rlrec.evaluate_callable(toml, _slate_checker(policy), episodes, seed, batch, threads)
    else:
        raise ValueError(f"policy must be a callable obs -> slates or a baseline name (one of "
                         f"{', '.join(n for n, *_ in _rlrec.policies())}), got {policy!r}")
    return _summary(r)


def summarize(xs, level=0.95):
    """eval::summarize of xs: dict n, mean, stddev, se, ci_low, ci_high (two-sided Student-t
    interval at `level`; the interval is the mean itself when n < 2)."""
    return _rlrec.summarize([float(x) for x in xs], float(level))


def _default_reference(policies, rows):
    """train::reference_agent: the best non-privileged baseline, else the best privileged one, else
    the first policy (first of equal means)."""
    privileged = {name: p for name, _, p, _ in _rlrec.policies()}
    for want in (False, True):
        best = None
        for row in rows:
            p = policies[row["name"]]
            if isinstance(p, str) and privileged.get(p) == want and (
                    best is None or row["mean_return"] > best["mean_return"]):
                best = row
        if best is not None:
            return best["name"]
    return rows[0]["name"]


def leaderboard(policies, env="interest_evolution", seeds=3, episodes=100, seed=1, batch=256,
                threads=1, reference=None, **env_keys):
    """`rlrec compare` for Python callables and built-in baselines: each policy is evaluated with
    evaluate() on seeds seed, seed + 1, ..., seed + seeds - 1 (the same users for every policy).

    policies: dict name -> callable or baseline name (e.g. {"mine": fn, "myopic": "myopic"}).
    reference: the name paired differences are taken to; None = compare's default: the built-in
    baseline with the highest mean return (privileged ones only when there is no other; the first
    policy when there is no baseline).
    Returns a list of dicts, one per policy in the dict's order: "name", "mean_return", "ci_low",
    "ci_high" (95% CI over seeds, Student t; the mean itself with one seed), "seed_returns", "ctr"
    (mean over seeds), "seed_ctr", and "diff_vs_reference": {"reference", "mean", "ci_low",
    "ci_high", "ci_over" ("seeds", or "users" with one seed; None for the reference), "pairs"}.
    """
    if not isinstance(policies, dict) or not policies:
        raise ValueError(f"policies must be a non-empty dict name -> callable or baseline name, got "
                         f"{policies!r}")
    seeds = _int_arg("seeds", seeds, 1)
    seed = _int_arg("seed", seed, 0)
    rows, episode_returns = [], {}
    for name, policy in policies.items():
        seed_returns, seed_ctr, per_seed = [], [], []
        for s in range(seeds):
            r = evaluate(policy, env, episodes, seed + s, batch, threads, **env_keys)
            seed_returns.append(r["mean_return"])
            seed_ctr.append(r["ctr"])
            per_seed.append(r["returns"])
        episode_returns[name] = per_seed
        m = summarize(seed_returns)
        rows.append({"name": name, "mean_return": m["mean"], "ci_low": m["ci_low"],
                     "ci_high": m["ci_high"], "seed_returns": seed_returns,
                     "ctr": summarize(seed_ctr)["mean"], "seed_ctr": seed_ctr})
    if reference is None:
        reference = _default_reference(policies, rows)
    elif reference not in policies:
        raise ValueError(f"reference must be one of the policies ({', '.join(map(str, policies))}), "
                         f"got {reference!r}")
    ref = episode_returns[reference]
    for row in rows:
        # train::paired_differences: per seed the mean over users of x - y (summed in user order).
        x = episode_returns[row["name"]]
        per_seed, per_user = [], []
        for xs, ys in zip(x, ref):
            total = 0.0
            for a, b in zip(xs.tolist(), ys.tolist()):
                total += a - b
                if seeds == 1:
                    per_user.append(a - b)
            per_seed.append(total / len(xs))
        d = {"reference": reference, "mean": summarize(per_seed)["mean"], "ci_low": None,
             "ci_high": None, "ci_over": None, "pairs": 0}
        if row["name"] != reference:
            v = per_seed if seeds >= 2 else per_user
            d["pairs"] = len(v)
            if len(v) >= 2:
                s = summarize(v)
                d.update(ci_low=s["ci_low"], ci_high=s["ci_high"],
                         ci_over="seeds" if seeds >= 2 else "users")
        row["diff_vs_reference"] = d
    return rows
