"""Off-policy estimators over numpy arrays: the numbers of `rlrec ope estimate`.

    bf = rlrec.read_bandit_feedback("men.csv")
    dist = np.full((bf["n_rounds"], bf["n_actions"], bf["len_list"]), 1 / bf["n_actions"])
    rlrec.ope.estimate(bf, dist)["ipw"]["estimate"]

The estimators, their bootstrap intervals and the reward model of dm and the DR family are the
library's (ope/estimators.h, experiment/ope_experiment.h estimate_bandit).
"""

import math

import numpy as np

from . import _rlrec
from .errors import InvalidArgumentError

ESTIMATORS = ("ipw", "clipped_ipw", "snipw", "dm", "dr", "sndr", "switch_dr", "dr_os")
# The slate estimators (ope/slate.h): whole slates of a simulator log (slate feedback below).
SLATE_ESTIMATORS = ("sips", "iips", "rips")

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


def _names(estimators):
    if isinstance(estimators, str):
        return [n.strip() for n in estimators.split(",") if n.strip()]
    return [str(n) for n in estimators]


def _slate_array(feedback, key, dtype, what="slate_feedback"):
    if key not in feedback or feedback[key] is None:
        raise InvalidArgumentError(f"{what} has no '{key}' (slate feedback needs slate, "
                                   f"slate_reward, pscore_item_position, pscore_cascade, "
                                   f"n_actions; read_bandit_feedback(format='rlrec') gives them)")
    a = np.asarray(feedback[key])
    kinds = "iu" if dtype == np.int32 else "iuf"
    if a.dtype.kind not in kinds:
        raise InvalidArgumentError(f"{what}['{key}'] must be {'integers' if dtype == np.int32 else 'numbers'}, "
                                   f"got dtype {a.dtype}")
    if dtype == np.int32 and a.size and (a.min() < 0 or a.max() > np.iinfo(np.int32).max):
        raise InvalidArgumentError(f"{what}['{key}'] values must be in [0, 2^31), got "
                                   f"{a.min()}..{a.max()}")
    return np.ascontiguousarray(a, dtype=dtype)


def estimate_slate(slate_feedback, estimators="sips,iips,rips", bootstrap=200, seed=0,
                   evaluation_policy_pscore=None, evaluation_policy_pscore_item_position=None,
                   evaluation_policy_pscore_cascade=None):
    """The slate estimators (SLATE_ESTIMATORS; ope/slate.h) on whole slates, equal to `rlrec ope
    estimate --format rlrec --estimators sips,iips,rips --json` on the same log, target and seed.

    slate_feedback: read_bandit_feedback(log, format="rlrec", policy=TARGET), or any dict with
    "slate" (n, L) item positions, "slate_reward" (n, L), the behaviour's "pscore_item_position"
    (n, L: pi_b(item at slot l)) and "pscore_cascade" (n, L: pi_b(slots 1..l)), "n_actions", and
    the target's probabilities, given here or under the same keys (OBP's names):
    evaluation_policy_pscore_item_position (n, L; iips), evaluation_policy_pscore_cascade (n, L;
    rips, and sips through its last slot) or evaluation_policy_pscore (n,: the whole slate; sips).
    Values are per slate (step). Bad input raises InvalidArgumentError with a one-line message."""
    def target(key, given):
        if given is not None:
            return np.ascontiguousarray(np.asarray(given, dtype=np.float64))
        v = slate_feedback.get(key) if isinstance(slate_feedback, dict) else None
        return None if v is None else _slate_array(slate_feedback, key, np.float64)

    if not isinstance(slate_feedback, dict):
        raise InvalidArgumentError(f"slate_feedback must be a dict, got {type(slate_feedback).__name__}")
    slate = _slate_array(slate_feedback, "slate", np.int32)
    cols = [_slate_array(slate_feedback, k, np.float64)
            for k in ("slate_reward", "pscore_item_position", "pscore_cascade")]
    if "n_actions" not in slate_feedback:
        raise InvalidArgumentError("slate_feedback has no 'n_actions'")
    item_pos = target("evaluation_policy_pscore_item_position", evaluation_policy_pscore_item_position)
    if item_pos is None:
        raise InvalidArgumentError("slate estimators need evaluation_policy_pscore_item_position "
                                   "(the target's slot marginals, shape (n, L))")
    cascade = target("evaluation_policy_pscore_cascade", evaluation_policy_pscore_cascade)
    joint = target("evaluation_policy_pscore", evaluation_policy_pscore)
    if cascade is not None and evaluation_policy_pscore is None:
        joint = None  # the joint probability is the cascade's last slot
    names = _names(estimators)
    n_actions = _count("n_actions", slate_feedback["n_actions"])
    return _rlrec._ope_estimate_slate(slate, *cols, item_pos, cascade, joint, n_actions, names,
                                      _count("bootstrap", bootstrap), _seed(seed))


def _count(name, value, low=1, high=2**31 - 1):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise InvalidArgumentError(f"{name} must be an int in [{low}, {high}], got {value!r}")
    if not low <= int(value) <= high:
        raise InvalidArgumentError(f"{name} must be in [{low}, {high}], got {value}")
    return int(value)


def _seed(value):
    return _count("seed", value, 0, 2**63 - 1)


def estimate(bandit_feedback, action_dist=None, estimators="all", estimated_rewards_by_reg_model=None,
             bootstrap=200, seed=0, level=0.95, reward_model="logistic", model_c=1.0, folds=3,
             clip_lambda=-1.0, switch_lambda=-1.0, dros_lambda=-1.0, **slate_targets):
    """Estimates of the target policy's value per round: {name: {estimate, ci_low, ci_high, mean,
    std, lambda, bootstrap, level}} in the estimator table's order, equal to `rlrec ope estimate
    --json`'s "estimates" for the same log, target, seed and settings.

    action_dist: float64 (n_rounds, n_actions, len_list), pi_e(a | x_i, position l).
    estimators: "all" or a comma-separated string / list of ESTIMATORS.
    dm and the DR family need a reward model: estimated_rewards_by_reg_model (float64, the shape
    of action_dist), or else bandit_feedback["reward_features"] (read_bandit_feedback's), from
    which the reward model is cross-fitted as the CLI fits it (reward_model, model_c, folds).
    clip_lambda, switch_lambda, dros_lambda: fixed hyperparameters; < 0 tunes them with SLOPE.
    Slate estimators (sips, iips, rips): estimators naming only those runs estimate_slate on the
    slate keys of bandit_feedback (read_bandit_feedback(format="rlrec")), per slate; action_dist
    is then unused; slate_targets are estimate_slate's evaluation_policy_pscore* arguments.
    Bad input raises InvalidArgumentError (a ValueError) with a one-line message."""
    names = _names(estimators) if estimators != "all" else []
    slate_names = [n for n in names if n in SLATE_ESTIMATORS]
    if slate_names:
        if len(slate_names) != len(names):
            raise InvalidArgumentError(
                f"estimators mixes slate estimators ({', '.join(slate_names)}; per slate) with "
                f"bandit ones ({', '.join(n for n in names if n not in SLATE_ESTIMATORS)}; per "
                f"round): ask for them in two calls")
        if level != 0.95:
            raise InvalidArgumentError(f"level must be 0.95 for slate estimators (the CLI's), "
                                       f"got {level}")
        return estimate_slate(bandit_feedback, slate_names, bootstrap, seed, **slate_targets)
    if slate_targets:
        raise TypeError(f"estimate() got unexpected keyword(s) {sorted(slate_targets)}")
    if action_dist is None:
        raise InvalidArgumentError("action_dist is required for the bandit estimators (shape "
                                   "(n_rounds, n_actions, len_list))")
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
    for name, v in (("clip_lambda", clip_lambda), ("switch_lambda", switch_lambda),
                    ("dros_lambda", dros_lambda)):
        if isinstance(v, (int, float, np.floating, np.integer)) and math.isnan(v):
            raise InvalidArgumentError(f"{name} must be a number >= 0 (inf allowed), or < 0 to "
                                       f"tune it with SLOPE, got nan")
    bootstrap, seed, folds = _count("bootstrap", bootstrap), _seed(seed), _count("folds", folds)
    return _rlrec._ope_estimate(
        *cols, n_actions, len_list, dist,
        _float64("estimated_rewards_by_reg_model", estimated_rewards_by_reg_model),
        bandit_feedback.get("reward_features"), estimators, int(bootstrap), int(seed),
        float(level), reward_model, float(model_c), int(folds), float(clip_lambda),
        float(switch_lambda), float(dros_lambda))
