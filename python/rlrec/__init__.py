"""rlrec from Python: Gymnasium-style environments over rlrec's C++ simulators.

    import rlrec
    env = rlrec.make("interest_evolution", num_candidates=10, slate_size=2)
    obs, info = env.reset(seed=1)
    obs, reward, terminated, truncated, info = env.step(env.action_space.sample())

    venv = rlrec.VectorEnv("interest_evolution", 256, seed=1, threads=2)

    bf = rlrec.read_bandit_feedback("men.csv")      # Open Bandit logs as numpy
    rlrec.ope.estimate(bf, action_dist)              # `rlrec ope estimate`'s numbers
    rlrec.mf_fit("u.data", model="als", split="last:1")   # `rlrec mf fit` + the factors
    rlrec.Index("exact", dim=16)                     # vector search
    rlrec.train("exp.toml", out="runs/x")            # `rlrec train`; compare, evaluate_run too
    rlrec.load_policy("runs/x").act(obs)             # a trained agent on numpy observations

docs/python.md describes the API and what of the Gymnasium contract is (not) met.
"""

from . import _rlrec
from . import errors
from .errors import (Error, InvalidArgumentError, NotFoundError, IoError, CorruptError,
                     NotSupportedError, InternalError)
from . import spaces
from .env import Env, VectorEnv
from ._config import env_toml as _env_toml
from . import ope
from .data import read_bandit_feedback
from .evaluate import evaluate, leaderboard, summarize
from .index import Index, index_kinds
from .mf import mf_fit
from .agents import train, compare, evaluate_run, load_policy, Policy  # torch loads on first use

_rlrec._set_error_classes(dict(errors.BY_CODE))

__all__ = ["make", "Env", "VectorEnv", "environments", "policies", "env_defaults", "run_baseline",
           "evaluate", "leaderboard", "summarize", "read_bandit_feedback", "ope", "Index",
           "index_kinds", "mf_fit", "train", "compare", "evaluate_run", "load_policy", "Policy",
           "spaces", "errors", "Error", "InvalidArgumentError", "NotFoundError", "IoError",
           "CorruptError", "NotSupportedError", "InternalError"]


def environments():
    """Names of every environment of the catalogue (`rlrec list`), in its order."""
    return [name for name, _, _ in _rlrec.environments()]


def environment_info():
    """(name, description, family) of every environment; family "recsim" or "rating_log"."""
    return list(_rlrec.environments())


def policies():
    """Names of the baseline policies of the catalogue."""
    return [name for name, *_ in _rlrec.policies()]


def env_defaults(name):
    """The [env] section with every default of environment `name`, as TOML text."""
    return _rlrec.env_defaults(name)


def make(name="interest_evolution", privileged=False, **env_keys):
    """An Env for catalogue environment `name`; env_keys are its [env] keys (env_defaults(name)),
    e.g. make("movielens_mf", data="u.data"). privileged=True adds hidden values to info."""
    return Env(name, privileged=privileged, **env_keys)


def run_baseline(policy, env="interest_evolution", episodes=100, seed=1, batch=256, threads=1,
                 **env_keys):
    """Runs baseline `policy` as `rlrec simulate` does (eval::run_episodes with run.seed = seed):
    a dict of per-episode "returns", "lengths", "clicks" arrays and "steps", "truncated", "ctr"."""
    return _rlrec.run_baseline(_env_toml(env, env_keys), policy, int(episodes), int(seed), int(batch),
                               int(threads))


def _register_gymnasium():  # pragma: no cover - gymnasium is not installable here
    try:
        import gymnasium
    except ImportError:
        return
    for name in environments():
        env_id = f"rlrec/{name}-v0"
        if env_id not in gymnasium.registry:
            gymnasium.register(id=env_id, entry_point="rlrec.env:Env", kwargs={"name": name})


_register_gymnasium()
