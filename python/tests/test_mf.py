"""rlrec.mf_fit against `rlrec mf fit --json` on the same data (a file, and the same rows as numpy)."""

import json
import os
import subprocess

import numpy as np
import pytest

import rlrec
from conftest import MOVIELENS

KEYS = {"biased_sgd": dict(factors=6, epochs=3, threads=1),
        "als": dict(factors=6, iterations=3, threads=1)}


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    if not MOVIELENS.exists():
        pytest.skip(f"MovieLens 100k not found at {MOVIELENS}")
    path = tmp_path_factory.mktemp("mf") / "u.data"
    with open(MOVIELENS) as f:
        path.write_text("".join(f.readlines()[:20000]))
    return path


def cli(path, model, *args):
    binary = os.environ.get("RLREC_BIN", "")
    if not binary or not os.path.exists(binary):
        pytest.skip("RLREC_BIN (the rlrec binary) not set; ctest sets it")
    sets = []
    for k, v in KEYS[model].items():
        sets += ["--set", f"mf.{k}={v}"]
    out = subprocess.run([binary, "mf", "fit", "--train", str(path), "--model", model, "--json"]
                         + sets + list(args), check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def test_biased_sgd_rmse_equals_cli(small):
    want = cli(small, "biased_sgd", "--split", "random:0.2", "--split-seed", "4")
    got = rlrec.mf_fit(small, model="biased_sgd", split="random:0.2", split_seed=4, **KEYS["biased_sgd"])
    assert got["metrics"]["rmse"] == want["rmse"]
    assert got["metrics"]["mae"] == want["mae"]
    assert got["user_factors"].dtype == np.float32
    assert got["user_factors"].shape == (len(got["user_ids"]), 6)
    assert got["item_factors"].shape == (len(got["item_ids"]), 6)
    assert got["user_bias"].shape == (len(got["user_ids"]),)
    assert 0.5 < got["metrics"]["rmse"] < 1.5
    # The same rows as a numpy array: the same model and numbers.
    rows = np.loadtxt(small, dtype=np.int64)
    arr = rlrec.mf_fit(rows, model="biased_sgd", split="random:0.2", split_seed=4, **KEYS["biased_sgd"])
    assert arr["metrics"]["rmse"] == want["rmse"]
    np.testing.assert_array_equal(arr["user_ids"], got["user_ids"])
    np.testing.assert_array_equal(arr["item_factors"], got["item_factors"])
    # Dense ids follow first appearance in the file.
    assert arr["user_ids"][0] == rows[0, 0]


def test_als_ranking_equals_cli(small):
    want = cli(small, "als", "--split", "last:2", "--k", "5")
    got = rlrec.mf_fit(small, model="als", split="last:2", k=5, **KEYS["als"])
    for key in ("ndcg@5", "recall@5", "hr@5", "map@5"):
        assert got["metrics"][key] == want[key], key
    assert got["metrics"]["eval_users"] == want["eval_users"] > 0
    # The factors rank items: score = user . item.
    u, i = got["user_factors"], got["item_factors"]
    assert np.isfinite(u @ i.T).all()


def test_mf_fit_errors(small):
    with pytest.raises(ValueError, match=r"interactions must have shape \(n, 3\) or \(n, 4\)"):
        rlrec.mf_fit(np.zeros((5, 2)), split="random:0.2")
    with pytest.raises(ValueError, match="test|split"):
        rlrec.mf_fit(small, model="als")  # neither test nor split
    with pytest.raises(rlrec.NotFoundError):
        rlrec.mf_fit(small, model="nope", split="random:0.2")
    with pytest.raises(ValueError):
        rlrec.mf_fit(small, model="als", split="random:0.2", factors=0)
