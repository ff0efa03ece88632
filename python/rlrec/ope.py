"""Off-policy estimators over numpy arrays: the numbers of `rlrec ope estimate`.

    bf = rlrec.read_bandit_feedback("men.csv")
    dist = np.full((bf["n_rounds"], bf["n_actions"], bf["len_list"]), 1 / bf["n_actions"])
    rlrec.ope.estimate(bf, dist)["ipw"]["estimate"]

The estimators, their bootstrap intervals and the reward model of dm and the DR family are the
library's (ope/estimators.h, experiment/ope_experiment.h estimate_bandit).
"""

import numpy as np

from . import _rlrec
from .errors import InvalidArgumentError

ESTIMATORS = ("ipw", "clipped_ipw", "snipw", "dm", "dr", "sndr", "switch_dr", "dr_os")

_INT_KEYS = ("action", "position")
_FLOAT_KEYS = ("reward", "pscore")


def _column(bandit_feedback, key):
    if key not in bandit_feedback:
        raise InvalidArgumentError(f"bandit_feedback has no '{key}' (needs action, position, "
                                   f"reward, pscore, n_actions)")
    a = np.asarray(bandit_feedback[key])
    if key in _INT_KEYS:
        if a.dtype.kind not in "iu":
            raise InvalidArgumentError(f"bandit_feedback['{key}'] must be integers, got dtype "
                                       f"{a.dtype}")
        if a.size and (a.min() < 0 or a.max() > np.iinfo(np.int32).max):
            raise InvalidArgumentError(f"bandit_feedback['{key}'] values must be in [0, 2^31), "
                                       f"got {a.min()}..{a.max()}")
        return np.ascontiguousarray(a, dtype=np.int32)
    if a.dtype.kind not in "iuf":
        raise InvalidArgumentError(f"bandit_feedback['{key}'] must be numbers, got dtype {a.dtype}")
    return np.ascontiguousarray(a, dtype=np.float64)


def _float64(name, a):
    if a is None:
        return None
    a = np.asarray(a)
    if a.dtype != np.float64:
        raise InvalidArgumentError(f"{name} must have dtype float64, got {a.dtype}")
    return np.ascontiguousarray(a)


def estimate(bandit_feedback, action_dist, estimators="all", estimated_rewards_by_reg_model=None,
             bootstrap=200, seed=0, level=0.95, reward_model="logistic", model_c=1.0, folds=3,
             clip_lambda=-1.0, switch_lambda=-1.0, dros_lambda=-1.0):
    """Estimates of the target policy's value per round: {name: {estimate, ci_low, ci_high, mean,
    std, lambda, bootstrap, level}} in the estimator table's order, equal to `rlrec ope estimate
    --json`'s "estimates" for the same log, target, seed and settings.

    action_dist: float64 (n_rounds, n_actions, len_list), pi_e(a | x_i, position l).
    estimators: "all" or a comma-separated string / list of ESTIMATORS.
    dm and the DR family need a reward model: estimated_rewards_by_reg_model (float64, the shape
    of action_dist), or else bandit_feedback["reward_features"] (read_bandit_feedback's), from
    which the reward model is cross-fitted as the CLI fits it (reward_model, model_c, folds).
    clip_lambda, switch_lambda, dros_lambda: fixed hyperparameters; < 0 tunes them with SLOPE.
    Bad input raises InvalidArgumentError (a ValueError) with a one-line message."""
    cols = [_column(bandit_feedback, k) for k in _INT_KEYS + _FLOAT_KEYS]
    if "n_actions" not in bandit_feedback:
        raise InvalidArgumentError("bandit_feedback has no 'n_actions'")
    n_actions = int(bandit_feedback["n_actions"])
    dist = _float64("action_dist", action_dist)
    if dist.ndim != 3:
        raise InvalidArgumentError(f"action_dist must have 3 dimensions (n_rounds, n_actions, "
                                   f"len_list), got shape {dist.shape}")
    len_list = int(bandit_feedback.get("len_list", dist.shape[2]))
    if not isinstance(estimators, str):
        estimators = ",".join(estimators)
    return _rlrec._ope_estimate(
        *cols, n_actions, len_list, dist,
        _float64("estimated_rewards_by_reg_model", estimated_rewards_by_reg_model),
        bandit_feedback.get("reward_features"), estimators, int(bootstrap), int(seed),
        float(level), reward_model, float(model_c), int(folds), float(clip_lambda),
        float(switch_lambda), float(dros_lambda))
