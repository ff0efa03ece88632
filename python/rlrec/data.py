"""Logged bandit feedback as numpy arrays, in Open Bandit Pipeline's `bandit_feedback` layout.

    bf = rlrec.read_bandit_feedback("data/open_bandit/random/men/men.csv")
    bf["action"], bf["position"], bf["reward"], bf["pscore"]    # one value per round

The rounds are those `rlrec ope estimate` evaluates (data/open_bandit.h loads and validates the
file, ope/obd.h turns it into rounds); docs/python.md lists every key.
"""

import os

from . import _rlrec
from .errors import InvalidArgumentError

FORMATS = ("obd", "rlrec")


def read_bandit_feedback(path, format="obd", item_context=None, policy=None):
    """The rounds of log `path` as a dict of numpy arrays (OBP's bandit_feedback keys n_rounds,
    n_actions, action, position, reward, pscore, plus len_list and the extras documented in
    docs/python.md). format "obd": an Open Bandit Dataset csv (context, action_context, ...), its
    item context `item_context` (default item_context.csv beside the log, as `rlrec ope
    estimate`); positions are 0-based. format "rlrec": a simulator log (`rlrec log`), one round
    per slot of each logged slate, with the slates and the action_dist of target policy `policy`
    (NAME[:key=value,...], required: the rounds are built as `rlrec ope estimate --format rlrec
    --policy` builds them)."""
    if format not in FORMATS:
        raise InvalidArgumentError(f"format must be one of {', '.join(FORMATS)}, got '{format}'")
    path = os.fspath(path)
    if format == "rlrec":
        if not policy:
            raise InvalidArgumentError("format 'rlrec' needs policy= (the target policy "
                                       "NAME[:key=value,...] whose action_dist is returned)")
        return _rlrec._read_rlrec(path, policy)
    if item_context is None:
        item_context = os.path.join(os.path.dirname(path), "item_context.csv")
    return _rlrec._read_obd(path, os.fspath(item_context))
