"""Matrix factorisation from Python: `rlrec mf fit` (experiment::run_mf) with its embeddings.

    out = rlrec.mf_fit("u.data", model="biased_sgd", split="random:0.2", factors=16)
    out["metrics"]["rmse"], out["user_factors"], out["item_factors"]
"""

import json
import os
import tempfile

import numpy as np

from ._config import toml_value
from . import _rlrec
from .errors import InvalidArgumentError

_RUN_KEYS = ("test", "split", "split_seed", "format", "unseen", "k", "skip_malformed", "out")


def _write_interactions(array, path):
    """(n, 3 or 4) user, item, rating[, timestamp] as a RecBole atomic file (ids as integers)."""
    a = np.asarray(array)
    if a.ndim != 2 or a.shape[1] not in (3, 4):
        raise InvalidArgumentError(f"interactions must have shape (n, 3) or (n, 4) (user, item, "
                                   f"rating[, timestamp]), got {a.shape}")
    if a.dtype.kind not in "iuf":
        raise InvalidArgumentError(f"interactions must be numbers, got dtype {a.dtype}")
    ids = a[:, :2]
    if a.dtype.kind == "f" and not np.all(ids == np.floor(ids)):
        raise InvalidArgumentError("interactions: user and item ids (columns 0, 1) must be integers")
    names = ["user_id:token", "item_id:token", "rating:float", "timestamp:float"][:a.shape[1]]
    with open(path, "w") as f:
        f.write("\t".join(names) + "\n")
        for row in a.tolist():
            cells = [str(int(row[0])), str(int(row[1])), repr(float(row[2]))]
            if len(row) == 4:
                cells.append(str(int(row[3])))
            f.write("\t".join(cells) + "\n")


def _ids(strings):
    try:
        return np.array([int(s) for s in strings], dtype=np.int64)
    except ValueError:
        return np.array(strings, dtype=object)


def mf_fit(interactions, model="als", test=None, split=None, **keys):
    """Fits MF model `model` (biased_sgd | als | bpr) exactly as `rlrec mf fit` does and returns
    {"metrics": the --json object, "user_factors", "item_factors" (float32, dense id order),
    "user_bias", "item_bias", "global_bias", "user_ids", "item_ids" (original id of each row:
    int64 when all are integers), "config_toml"}.

    interactions / test: a file path, or an array (n, 3|4) of user, item, rating[, timestamp].
    Exactly one of test and split (temporal:F | last:N | random:F). keys: the run keys split_seed,
    format, unseen, k, skip_malformed, out and the model's hyperparameters (`rlrec mf defaults
    --model NAME`), e.g. factors=16, epochs=10. Errors are the library's (InvalidArgumentError...)."""
    with tempfile.TemporaryDirectory(prefix="rlrec_mf_") as tmp:
        def as_path(value, name):
            if value is None or isinstance(value, (str, os.PathLike)):
                return None if value is None else os.fspath(value)
            path = os.path.join(tmp, name + ".inter")
            _write_interactions(value, path)
            return path

        lines = ["[mf]", "name = " + toml_value("name", model),
                 "train = " + toml_value("train", as_path(interactions, "train"))]
        test_path = as_path(test, "test")
        if test_path is not None:
            lines.append("test = " + toml_value("test", test_path))
        if split is not None:
            lines.append("split = " + toml_value("split", split))
        for key, value in keys.items():
            if key in ("name", "train"):
                raise InvalidArgumentError(f"mf_fit: {key} is an argument (model=, interactions=), "
                                           f"not a key")
            lines.append(f"{key} = {toml_value(key, value)}")
        out = _rlrec._mf_fit("\n".join(lines) + "\n")
    out["metrics"] = json.loads(out.pop("json"))
    out["user_ids"] = _ids(out["user_ids"])
    out["item_ids"] = _ids(out["item_ids"])
    return out
