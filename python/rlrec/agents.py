"""rlrec's learning agents from Python: train, compare, re-evaluate, and act with a trained run.

    r = rlrec.train("configs/experiments/slateq_qlearning.toml", out="runs/sq", run={"train_steps": 2000})
    r["metrics"][-1]["mean_return"], r["columns"]["mean_return"]      # rows, or numpy columns
    board = rlrec.compare("configs/experiments/main.toml", seeds=2)    # `rlrec compare --json`
    rlrec.evaluate_run("runs/sq")                                      # `rlrec eval --json`
    policy = rlrec.load_policy("runs/sq")
    slates = policy.act(obs)                # numpy observations of rlrec.make / VectorEnv

The work is the library's (train/experiments.h run_train, evaluate_run_dir, load_run_dir;
train/compare.h run_compare), in the extension _rlrec_agents, which links libtorch: it is imported
on the first call of one of these functions, never by `import rlrec`. Debian's python3-torch and
this extension load the same libtorch shared libraries, in either import order.
"""

import json
import os
import tomllib

import numpy as np

from ._config import toml_value
from .errors import InvalidArgumentError

_module = None


def _agents():
    """The extension, imported (and given the error classes) on first use."""
    global _module
    if _module is None:
        from . import _rlrec_agents
        from . import errors
        _rlrec_agents._set_error_classes(dict(errors.BY_CODE))
        _module = _rlrec_agents
    return _module


def _path_arg(name, value):
    """A path as bytes (os.fsencode), so that names that are not UTF-8 reach the library intact."""
    if isinstance(value, (str, bytes)) or hasattr(value, "__fspath__"):
        p = os.fsencode(value)
        if not p:
            raise InvalidArgumentError(f"{name} must be a non-empty path, got ''")
        if b"\0" in p:
            raise InvalidArgumentError(f"{name} must not contain a NUL byte, got {value!r}")
        return p
    raise TypeError(f"{name} must be a path (str, bytes or os.PathLike), got {type(value).__name__}")


def _dict_toml(experiment):
    lines = []
    for section, keys in experiment.items():
        if not isinstance(section, str) or not isinstance(keys, dict):
            raise InvalidArgumentError(
                f"an experiment dict maps section names to dicts of keys (e.g. {{'run': "
                f"{{'seed': 1}}}}), got {section!r}: {type(keys).__name__}")
        lines.append(f"[{section}]")
        for key, value in keys.items():
            lines.append(f"{key} = {toml_value(f'{section}.{key}', value)}")
    return "\n".join(lines) + "\n"


def _source(experiment):
    """("path", bytes) or ("text", TOML) for an experiment given as a path, TOML text or a dict."""
    if isinstance(experiment, dict):
        return "text", _dict_toml(experiment)
    if isinstance(experiment, str) and ("\n" in experiment or experiment.lstrip().startswith("[")):
        return "text", experiment
    if isinstance(experiment, (str, bytes)) or hasattr(experiment, "__fspath__"):
        return "path", _path_arg("experiment", experiment)
    raise TypeError(f"experiment must be a path, TOML text or a dict of sections, got "
                    f"{type(experiment).__name__}")


def _sets(set_, overrides):
    """`--set section.key=value` assignments from set= (strings) and section=dict keywords."""
    out = []
    if set_ is not None:
        if isinstance(set_, str):
            set_ = [set_]
        for s in set_:
            if not isinstance(s, str):
                raise TypeError(f"set must hold 'section.key=value' strings, got {s!r}")
            out.append(s)
    for section, keys in overrides.items():
        if not isinstance(keys, dict):
            raise InvalidArgumentError(
                f"override {section}= must be a dict of the section's keys (e.g. run={{'seed': "
                f"2}}), got {keys!r}")
        for key, value in keys.items():
            out.append(f"{section}.{key}={toml_value(f'{section}.{key}', value)}")
    return out


def _opt_int(name, value, low, high=2**31 - 1):
    if value is None:
        return None
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise InvalidArgumentError(f"{name} must be an int in [{low}, {high}], got {value!r}")
    if not low <= int(value) <= high:
        raise InvalidArgumentError(f"{name} must be in [{low}, {high}], got {value}")
    return int(value)


def _columns(rows):
    if not rows:
        return {}
    return {k: np.array([r[k] for r in rows], dtype=np.int64 if isinstance(rows[0][k], int)
                        else np.float64) for k in rows[0]}


def train(experiment, out=None, resume=False, force=False, max_iterations=None, threads=None,
          set=None, **overrides):
    """Trains the [agent] of `experiment` as `rlrec train` does (train/experiments.h run_train).

    experiment: a TOML file's path, TOML text, or a dict {section: {key: value}}. Overrides, applied
    in order as `--set`: set=["run.seed=2", ...] and section keywords (run={"train_steps": 2000},
    agent={"lr": 1e-3}). out: the run directory (None = runs/AGENT-seedS); resume: continue its
    run from the latest checkpoint (`--resume`); force: replace a finished run (`--force`);
    max_iterations: stop after that many more iterations (`--stop-after`); threads: `--threads`.

    Returns a dict: the keys of `rlrec train --json` (run_dir, agent, env_steps, train_seconds,
    finished), "label", "metrics" (one dict per evaluation row with every MetricsRow field) and
    "columns" (the same as numpy arrays)."""
    kind, source = _source(experiment)
    r = _agents()._train(kind, source, _sets(set, overrides),
                         b"" if out is None else _path_arg("out", out), bool(resume), bool(force),
                         _opt_int("max_iterations", max_iterations, 1),
                         _opt_int("threads", threads, 0, 1024))
    result = json.loads(r["json"])
    result["label"] = r["label"]
    result["metrics"] = r["metrics"]
    result["columns"] = _columns(r["metrics"])
    return result


def compare(experiment, out=None, resume=False, seeds=None, episodes=None, threads=None, set=None,
            **overrides):
    """Runs the comparison of `experiment` as `rlrec compare` does (train/compare.h run_compare)
    and returns the object `rlrec compare --json` prints (the leaderboard: "agents" in
    compare.agents order with mean return, CIs, differences to the reference, ...). experiment and
    overrides as for train(); seeds, episodes, threads, out, resume: the flags of the same name."""
    kind, source = _source(experiment)
    text = _agents()._compare(kind, source, _sets(set, overrides), _opt_int("seeds", seeds, 1),
                              _opt_int("episodes", episodes, 1, 2**40),
                              _opt_int("threads", threads, 0, 1024),
                              b"" if out is None else _path_arg("out", out), bool(resume))
    return json.loads(text)


def evaluate_run(run_dir, episodes=None, threads=None):
    """Re-evaluates the agent saved in `run_dir` as `rlrec eval` does (evaluate_run_dir: its latest
    verified checkpoint, greedy, on the evaluation users of the run's own seed). Returns the keys
    of `rlrec eval --json` plus "returns", "lengths", "clicks" (numpy, per episode), "ctr", "steps",
    "checkpoint"."""
    r = _agents()._evaluate_run(_path_arg("run_dir", run_dir),
                                _opt_int("episodes", episodes, 1, 2**40),
                                _opt_int("threads", threads, 0, 1024))
    result = json.loads(r.pop("json"))
    result.update(r)
    return result


def load_policy(run_dir, threads=None):
    """The agent of run directory `run_dir` (its latest verified checkpoint), greedy, as a Policy
    that acts on numpy observations."""
    return Policy(run_dir, threads)


class Policy:
    """A trained agent loaded from a run directory (train/experiments.h load_run_dir).

    act(obs) takes the observation of rlrec.make (one session: "user" (user_dim,), "candidate_
    features" (N, item_dim) or "candidate_ids" (N,)) or of rlrec.VectorEnv / rlrec.evaluate's
    callables (batched: a leading dimension n), and returns the slate(s): int32 (K,) or (n, K)
    candidate positions. Agents that read the session so far (topk_reinforce, wolpertinger, drr)
    also use the optional keys "episode_step" (n,) int, "last_responses" (n, K, R) float32 and
    "last_choice" (n,) int (the previous step's responses and choice; zeros and -1 when absent, as
    at the start of a session). Calling the Policy is act(), so it is also a policy for
    rlrec.evaluate; rlrec.evaluate(policy) with no env evaluates it in C++ on the run's [env]
    exactly as `rlrec eval` does (same seed and episodes: same numbers).

    env_name and env_keys: the run's [env], for rlrec.make(policy.env_name, **policy.env_keys).
    """

    def __init__(self, run_dir, threads=None):
        self._core = _agents().Policy(_path_arg("run_dir", run_dir),
                                      _opt_int("threads", threads, 0, 1024))
        self.run_dir = os.fspath(run_dir)
        self.spec = self._core.spec
        self.agent = self._core.agent
        self.label = self._core.label
        self.seed = self._core.seed
        self.episodes = self._core.episodes
        self.checkpoint = self._core.checkpoint
        self.config_toml = self._core.config_toml
        env = dict(tomllib.loads(self.config_toml).get("env", {}))
        self.env_name = env.pop("name", "interest_evolution")
        self.env_keys = env
        self.num_candidates = self.spec["num_candidates"]
        self.slate_size = self.spec["slate_size"]

    def _array(self, obs, key, dtype, shape, n, single):
        a = np.asarray(obs[key])
        if a.dtype.kind not in ("f" if dtype == np.float32 else "iu"):
            raise InvalidArgumentError(f"obs['{key}'] must be a {'float' if dtype == np.float32 else 'integer'} "
                                       f"array, got dtype {a.dtype}")
        want = shape if single else (n,) + shape
        if a.shape != want:
            raise InvalidArgumentError(f"obs['{key}'] must have shape {want}, got {a.shape}")
        if dtype == np.float32 and a.size and not np.isfinite(a).all():
            bad = a[~np.isfinite(a)].flat[0]
            raise InvalidArgumentError(f"obs['{key}'] holds {bad}; observations must be finite")
        return np.ascontiguousarray(a.reshape((n,) + shape), dtype=dtype)

    def act(self, obs):
        if not isinstance(obs, dict) or "user" not in obs:
            raise InvalidArgumentError("obs must be a dict with 'user' and the candidates "
                                       "('candidate_features' or 'candidate_ids'), as rlrec.make returns")
        s = self.spec
        user = np.asarray(obs["user"])
        single = user.ndim == 1
        if user.ndim not in (1, 2):
            raise InvalidArgumentError(f"obs['user'] must have shape ({s['user_dim']},) or (n, "
                                       f"{s['user_dim']}), got {user.shape}")
        n = 1 if single else user.shape[0]
        if n < 1:
            raise InvalidArgumentError("obs['user'] has no rows")
        user = self._array(obs, "user", np.float32, (s["user_dim"],), n, single)
        N, K = s["num_candidates"], s["slate_size"]
        if s["fixed_corpus"]:
            if "candidate_ids" in obs:
                cand = self._array(obs, "candidate_ids", np.int64, (N,), n, single)
                if cand.size and (cand.min() < 0 or cand.max() >= s["corpus_size"]):
                    bad = cand[(cand < 0) | (cand >= s["corpus_size"])].flat[0]
                    raise InvalidArgumentError(f"obs['candidate_ids'] holds item {bad}; ids must be in "
                                               f"[0, {s['corpus_size']})")
            elif s["candidates_are_catalogue"]:
                cand = None
            else:
                raise InvalidArgumentError("obs has no 'candidate_ids' (this run's environment "
                                           "has a fixed corpus)")
        else:
            if "candidate_features" not in obs:
                raise InvalidArgumentError("obs has no 'candidate_features' (this run's "
                                           "environment draws fresh items)")
            cand = self._array(obs, "candidate_features", np.float32, (N, s["item_dim"]), n, single)
        R = s["response_dim"]
        step = (self._array(obs, "episode_step", np.int32, (), n, single) if "episode_step" in obs
                else np.zeros(n, np.int32))
        last = (self._array(obs, "last_responses", np.float32, (K, R), n, single)
                if "last_responses" in obs else np.zeros((n, K, R), np.float32))
        choice = (self._array(obs, "last_choice", np.int32, (), n, single) if "last_choice" in obs
                  else np.full(n, -1, np.int32))
        slates = self._core.act(user, cand, step, last, choice)
        return slates[0] if single else slates

    __call__ = act

    def evaluate(self, episodes=None, seed=None, batch=None, threads=1):
        """The agent on `episodes` (default run.episodes) evaluation episodes of the run's [env]
        with run seed `seed` (default the run's), as rlrec.evaluate of a baseline: a dict of
        per-episode "returns", "lengths", "clicks", "ctr", "steps", "truncated", "seconds"."""
        return self._core.evaluate(
            self.episodes if episodes is None else _opt_int("episodes", episodes, 1, 2**40),
            self.seed if seed is None else _opt_int("seed", seed, 0, 2**63 - 1),
            _opt_int("batch", batch, 1, 2**20), _opt_int("threads", threads, 0, 1024))

    def __repr__(self):
        return f"rlrec.Policy({self.label!r} from {self.run_dir!r}, N={self.num_candidates}, K={self.slate_size})"
