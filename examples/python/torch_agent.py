"""A small PyTorch agent trained against rlrec.VectorEnv, then evaluated with rlrec.evaluate on the
same evaluation users as the built-in `random` and `myopic` baselines.

The agent is a contextual bandit learned off-policy from uniformly random slates shown to
training users (run seed + 1000, never the evaluation users): a small MLP of the user features, the
item features and their product gives each candidate a choice logit, fitted by maximum likelihood
of the observed choice under a conditional logit with a no-click option (McFadden 1974,
"Conditional logit analysis of qualitative choice behavior"; the choice model of RecSim's
environments, Ie et al. 2019), and the expected reward when chosen, fitted by least squares. At
evaluation it shows the top K candidates by P(click) * expected reward.

    PYTHONPATH=build/release/python /usr/bin/python3 examples/python/torch_agent.py
    ... torch_agent.py --steps 20000 --episodes 500 --seed 1     # the defaults: a few seconds

Needs PyTorch for Python (Debian 12: python3-torch); rlrec's own learning agents (libtorch, C++)
are not reachable from Python.
"""
import argparse
import sys
import time

import numpy as np

import rlrec

try:
    import torch
except ImportError:  # pragma: no cover - reported by main()
    torch = None

ENV = "interest_evolution"
KEYS = dict(num_candidates=10, slate_size=2)


def features(user, items):
    """(B, N, item_dim + 2d) per-candidate inputs: item features, the first d = min(user_dim,
    item_dim) user features and their product with the first d item features."""
    d = min(user.shape[-1], items.shape[-1])
    u = np.broadcast_to(user[:, None, :d], items.shape[:2] + (d,))
    return np.concatenate([items, u, u * items[..., :d]], axis=-1).astype(np.float32)


class Model(torch.nn.Module if torch else object):
    """Per candidate: a choice logit u(x) (conditional logit against a no-click option of logit 0)
    and the expected reward v(x) when it is chosen."""

    def __init__(self, dim, hidden=32):
        super().__init__()
        self.net = torch.nn.Sequential(torch.nn.Linear(dim, hidden), torch.nn.Tanh(),
                                       torch.nn.Linear(hidden, 2))

    def forward(self, x):
        out = self.net(x)
        return out[..., 0], out[..., 1]

    def score(self, x):
        """Expected reward of showing a candidate alone: P(click) * v."""
        u, v = self(x)
        return torch.sigmoid(u) * v


def train(steps, seed, num_envs=32, lr=0.01, keys=KEYS, log=print):
    """Fits a Model on about `steps` user-steps of uniformly random slates shown to training users
    (a contextual bandit learned off-policy: the choice by maximum likelihood, the reward of the
    chosen item by least squares); returns it."""
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    venv = rlrec.VectorEnv(ENV, num_envs, seed=seed + 1000, **keys)
    n, k = venv.num_candidates, venv.slate_size
    obs, _ = venv.reset()
    model = opt = None
    done_steps, it = 0, 0
    while done_steps < steps:
        x = torch.from_numpy(features(obs["user"], obs["candidate_features"]))
        if model is None:
            model = Model(x.shape[-1])
            opt = torch.optim.Adam(model.parameters(), lr=lr)
        slate = np.argsort(rng.random((num_envs, n)), axis=1)[:, :k]
        obs, reward, terminated, truncated, info = venv.step(slate)
        valid = torch.from_numpy(~info["_reset"])  # reset slots ignored their action
        if valid.any():
            shown = x[torch.arange(num_envs)[:, None], torch.from_numpy(slate)]  # (B, K, dim)
            u, v = model(shown[valid])
            choice = torch.from_numpy(info["choice"].astype(np.int64))[valid]
            target = torch.where(choice < 0, torch.full_like(choice, k), choice)
            logits = torch.cat([u, torch.zeros(u.shape[0], 1)], dim=1)
            loss = torch.nn.functional.cross_entropy(logits, target)
            clicked = choice >= 0
            if clicked.any():
                r = torch.from_numpy(reward.astype(np.float32))[valid][clicked]
                loss = loss + ((v[clicked, choice[clicked]] - r) ** 2).mean() / 100.0
            opt.zero_grad()
            loss.backward()
            opt.step()
            done_steps += int(valid.sum())
        it += 1
        if log and it % 200 == 0:
            log(f"  step {done_steps}: loss {float(loss):.3f}")
    return model


def greedy_policy(model, k):
    def policy(obs):
        with torch.no_grad():
            s = model.score(torch.from_numpy(features(obs["user"], obs["candidate_features"])))
        return torch.topk(s, k, dim=1).indices.numpy()  # ties: torch's order (any is a valid slate)

    return policy


def run(steps=20000, episodes=500, seed=1, keys=KEYS, log=print):
    """Trains, then evaluates agent, random and myopic on the evaluation users of `seed`:
    {"agent": ..., "random": ..., "myopic": ...} rlrec.evaluate results."""
    t0 = time.time()
    model = train(steps, seed, keys=keys, log=log)
    if log:
        log(f"trained {steps} user-steps in {time.time() - t0:.1f} s")
    out = {"agent": rlrec.evaluate(greedy_policy(model, keys["slate_size"]), ENV, episodes, seed,
                                   **keys)}
    for name in ("random", "myopic"):
        out[name] = rlrec.evaluate(name, ENV, episodes, seed, **keys)
    return out


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--steps", type=int, default=20000, help="training user-steps (default 20000)")
    p.add_argument("--episodes", type=int, default=500, help="evaluation episodes (default 500)")
    p.add_argument("--seed", type=int, default=1, help="run seed (default 1)")
    a = p.parse_args(argv)
    if torch is None:
        print("torch_agent.py needs PyTorch for Python (Debian 12: apt install python3-torch)",
              file=sys.stderr)
        return 2
    torch.set_num_threads(1)
    res = run(a.steps, a.episodes, a.seed)
    print(f"{'policy':8} {'mean return':>12} {'95% CI':>20} {'ctr':>7}")
    for name, r in res.items():
        print(f"{name:8} {r['mean_return']:12.2f} [{r['ci_low']:8.2f}, {r['ci_high']:8.2f}] "
              f"{r['ctr']:7.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
