"""rlrec.read_bandit_feedback, rlrec.ope.estimate and rlrec.Index against the file contents, the
`rlrec ope estimate --json` CLI and a numpy brute-force search."""

import csv
import json
import os
import subprocess

import numpy as np
import pytest

import rlrec
from conftest import ROOT

MEN = ROOT / "data" / "open_bandit" / "random" / "men" / "men.csv"


@pytest.fixture(scope="module")
def bf():
    return rlrec.read_bandit_feedback(MEN)


def uniform(bf):
    return np.full((bf["n_rounds"], bf["n_actions"], bf["len_list"]), 1.0 / bf["n_actions"])


def test_read_bandit_feedback_matches_file(bf):
    with open(MEN, newline="") as f:
        rows = list(csv.DictReader(f))
    with open(MEN.parent / "item_context.csv", newline="") as f:
        items = sorted(csv.DictReader(f), key=lambda r: int(r["item_id"]))
    assert bf["n_rounds"] == len(rows) == 10000
    assert bf["n_actions"] == len(items)
    assert bf["len_list"] == 3
    assert bf["action"].dtype == np.int32 and bf["action"].shape == (len(rows),)
    np.testing.assert_array_equal(bf["action"], [int(r["item_id"]) for r in rows])
    np.testing.assert_array_equal(bf["position"], [int(r["position"]) - 1 for r in rows])
    np.testing.assert_array_equal(bf["reward"], [float(r["click"]) for r in rows])
    np.testing.assert_array_equal(bf["pscore"], [float(r["propensity_score"]) for r in rows])
    # User features: codes in order of first appearance, per column.
    assert bf["context_names"] == [f"user_feature_{j}" for j in range(4)]
    for j, name in enumerate(bf["context_names"]):
        codes = {}
        want = [codes.setdefault(r[name], len(codes)) for r in rows]
        np.testing.assert_array_equal(bf["context"][:, j], want)
    np.testing.assert_allclose(bf["affinity"][:, 5],
                               [float(r["user-item_affinity_5"]) for r in rows], rtol=1e-6)
    assert bf["action_context_names"] == ["item_feature_0"]
    np.testing.assert_allclose(bf["action_context"][:, 0],
                               [float(r["item_feature_0"]) for r in items], rtol=1e-6)
    assert bf["action_context_categorical"].shape == (len(items), 3)
    assert bf["reward_features"].n_rounds == len(rows)


def test_read_bandit_feedback_errors(tmp_path):
    with pytest.raises(rlrec.InvalidArgumentError, match="format must be one of obd, rlrec"):
        rlrec.read_bandit_feedback(MEN, format="csv")
    with pytest.raises(rlrec.NotFoundError):
        rlrec.read_bandit_feedback(tmp_path / "none.csv")


def cli_estimates(*args):
    binary = os.environ.get("RLREC_BIN", "")
    if not binary or not os.path.exists(binary):
        pytest.skip("RLREC_BIN (the rlrec binary) not set; ctest sets it")
    out = subprocess.run([binary, "ope", "estimate", "--log", str(MEN), "--policy", "random",
                          "--json"] + list(args), check=True, capture_output=True, text=True).stdout
    return json.loads(out)["estimates"]


KEYS = ("estimate", "ci_low", "ci_high", "mean", "std", "lambda")


def test_estimate_equals_cli_all(bf):
    cli = cli_estimates("--bootstrap", "40", "--seed", "7")
    got = rlrec.ope.estimate(bf, uniform(bf), bootstrap=40, seed=7)
    assert list(got) == list(rlrec.ope.ESTIMATORS)  # the table's order (the JSON's is sorted)
    assert sorted(cli) == sorted(got)
    for name in cli:
        for key in KEYS:
            assert got[name][key] == cli[name][key], (name, key)


def test_estimate_equals_cli_options(bf):
    cli = cli_estimates("--bootstrap", "25", "--seed", "3", "--level", "0.8", "--estimators",
                        "clipped_ipw,dr", "--reward-model", "ridge", "--clip-lambda", "1.5")
    got = rlrec.ope.estimate(bf, uniform(bf), estimators=["clipped_ipw", "dr"], bootstrap=25,
                             seed=3, level=0.8, reward_model="ridge", clip_lambda=1.5)
    assert list(got) == ["clipped_ipw", "dr"]
    for name in cli:
        for key in KEYS:
            assert got[name][key] == cli[name][key], (name, key)
    assert got["clipped_ipw"]["lambda"] == 1.5


def test_estimate_values(bf):
    dist = uniform(bf)
    est = rlrec.ope.estimate(bf, dist, estimators="ipw,snipw", bootstrap=30)
    w = (1.0 / bf["n_actions"]) / bf["pscore"]
    assert est["ipw"]["estimate"] == pytest.approx(np.mean(w * bf["reward"]), rel=1e-12)
    assert est["snipw"]["estimate"] == pytest.approx(np.sum(w * bf["reward"]) / np.sum(w), rel=1e-12)
    assert est["ipw"]["ci_low"] <= est["ipw"]["estimate"] <= est["ipw"]["ci_high"]
    # A given reward model: dm is its mean under the target.
    q = np.full(dist.shape, 0.25)
    q[:, 0, :] = 1.0
    est = rlrec.ope.estimate(bf, dist, estimators="dm", estimated_rewards_by_reg_model=q,
                             bootstrap=10)
    assert est["dm"]["estimate"] == pytest.approx((1.0 + 0.25 * (bf["n_actions"] - 1))
                                                  / bf["n_actions"], rel=1e-12)


def test_estimate_bad_input(bf):
    dist = uniform(bf)
    cases = [
        (dict(action_dist=dist.astype(np.float32)), "action_dist must have dtype float64"),
        (dict(action_dist=dist[:, :, :2]), r"action_dist must have shape \(n_rounds, n_actions"),
        (dict(action_dist=dist[0]), "action_dist must have 3 dimensions"),
        (dict(action_dist=dist, bootstrap=0), "bootstrap"),
        (dict(action_dist=dist, level=1.5), "level"),
        (dict(action_dist=dist * 2), "action_dist"),
        (dict(action_dist=dist, estimators="dm",
              estimated_rewards_by_reg_model=np.zeros((3, 3, 3))), "estimated_rewards_by_reg_model"),
    ]
    for kwargs, pattern in cases:
        with pytest.raises(ValueError, match=pattern) as info:
            rlrec.ope.estimate(bf, **kwargs)
        assert "\n" not in str(info.value)
    with pytest.raises(rlrec.NotFoundError, match="unknown estimator 'nope'"):
        rlrec.ope.estimate(bf, dist, estimators="ipw,nope")
    no_model = {k: v for k, v in bf.items() if k != "reward_features"}
    with pytest.raises(ValueError, match="need a reward model"):
        rlrec.ope.estimate(no_model, dist, estimators="dr")
    bad = dict(no_model, action=bf["action"].astype(np.float64))
    with pytest.raises(ValueError, match=r"bandit_feedback\['action'\] must be integers"):
        rlrec.ope.estimate(bad, dist, estimators="ipw")
    # Estimators that need no reward model run without reward_features.
    assert rlrec.ope.estimate(no_model, dist, estimators="ipw", bootstrap=5)["ipw"]["estimate"] > 0


def brute_force(vectors, ids, queries, k, metric):
    if metric == "ip":
        s = queries.astype(np.float64) @ vectors.astype(np.float64).T
    else:
        s = -((queries[:, None, :].astype(np.float64) - vectors[None, :, :]) ** 2).sum(-1)
    order = np.argsort(-s, axis=1, kind="stable")[:, :k]
    return ids[order], np.take_along_axis(s, order, axis=1)


@pytest.mark.parametrize("metric", ["ip", "l2"])
def test_index_exact_equals_brute_force(metric):
    rng = np.random.default_rng(4)
    vectors = rng.standard_normal((300, 12)).astype(np.float32)
    ids = rng.permutation(1000)[:300].astype(np.int64)
    queries = rng.standard_normal((20, 12)).astype(np.float32)
    ix = rlrec.Index("exact", dim=12, metric=metric)
    ix.add(vectors[:100], ids[:100])
    ix.add(vectors[100:], ids[100:])
    assert len(ix) == 300 and ix.kind == "exact" and ix.dim == 12
    got_ids, got_scores = ix.search(queries, 7)
    want_ids, want_scores = brute_force(vectors, ids, queries, 7, metric)
    assert got_ids.dtype == np.int64 and got_scores.dtype == np.float32
    np.testing.assert_array_equal(got_ids, want_ids)
    np.testing.assert_allclose(got_scores, want_scores, rtol=1e-4, atol=1e-4)
    one_ids, _ = ix.search(queries[3], 7)
    np.testing.assert_array_equal(one_ids[0], want_ids[3])


def test_index_hnsw_recall():
    rng = np.random.default_rng(5)
    vectors = rng.standard_normal((2000, 16)).astype(np.float32)
    queries = rng.standard_normal((50, 16)).astype(np.float32)
    ix = rlrec.Index("hnsw", dim=16, ef_search=100)
    ix.add(vectors)
    got, _ = ix.search(queries, 10)
    want, _ = brute_force(vectors, np.arange(2000), queries, 10, "ip")
    recall = np.mean([len(set(g) & set(w)) / 10 for g, w in zip(got, want)])
    assert recall >= 0.9


def test_index_bad_input():
    ix = rlrec.Index("exact", dim=4)
    ix.add(np.eye(4), [0, 1, 2, 3])
    with pytest.raises(ValueError, match=r"vectors must have 4 columns"):
        ix.add(np.ones((2, 3)), [5, 6])
    with pytest.raises(ValueError, match="ids must have one id per vector row"):
        ix.add(np.ones((2, 4)), [5])
    with pytest.raises(ValueError):
        ix.add(np.ones((1, 4)), [2])  # id already in the index
    with pytest.raises(ValueError, match="k"):
        ix.search(np.ones((1, 4)), 5)
    with pytest.raises(rlrec.NotFoundError):
        rlrec.Index("nope", dim=4)
    with pytest.raises(ValueError, match="metric"):
        rlrec.Index("exact", dim=4, metric="cos")
    assert "exact" in rlrec.index_kinds() and "hnsw" in rlrec.index_kinds()


def test_rlrec_log_feedback_and_estimate(tmp_path):
    binary = os.environ.get("RLREC_BIN", "")
    if not binary or not os.path.exists(binary):
        pytest.skip("RLREC_BIN (the rlrec binary) not set; ctest sets it")
    exp = tmp_path / "exp.toml"
    exp.write_text('[env]\nname = "interest_evolution"\nmax_steps = 2\nslate_size = 2\n'
                   'num_candidates = 5\n[run]\nseed = 3\n')
    log = tmp_path / "run.log"
    subprocess.run([binary, "log", str(exp), "--policy", "softmax_myopic", "--episodes", "60",
                    "--out", str(log)], check=True, capture_output=True)
    target = "softmax_myopic:temperature=0.5"
    bf = rlrec.read_bandit_feedback(log, format="rlrec", policy=target)
    steps, K, N = bf["n_steps"], bf["len_list"], bf["n_actions"]
    assert (K, N) == (2, 5) and bf["n_rounds"] == steps * K and steps > 60
    assert bf["action_dist"].shape == (steps * K, N, K)
    np.testing.assert_allclose(bf["action_dist"].sum(axis=1), 1.0, atol=1e-9)
    np.testing.assert_array_equal(bf["action"].reshape(steps, K), bf["slate"])
    np.testing.assert_array_equal(bf["position"], np.tile(np.arange(K), steps))
    np.testing.assert_array_equal(bf["reward"].reshape(steps, K), bf["slate_reward"])
    assert bf["behaviour"] == "softmax_myopic" and bf["env"] == "interest_evolution"
    out = subprocess.run([binary, "ope", "estimate", "--log", str(log), "--format", "rlrec",
                          "--policy", target, "--estimators", "ipw,dm", "--json"],
                         check=True, capture_output=True, text=True).stdout
    cli = json.loads(out)["estimates"]
    got = rlrec.ope.estimate(bf, bf["action_dist"], estimators="ipw,dm", reward_model="ridge")
    # Python's estimates are per round (slot); the CLI's per step = K x per slot.
    for name in ("ipw", "dm"):
        assert K * got[name]["estimate"] == pytest.approx(cli[name]["estimate"], rel=1e-9)
    with pytest.raises(ValueError, match="needs policy="):
        rlrec.read_bandit_feedback(log, format="rlrec")
    with pytest.raises(rlrec.NotFoundError):
        rlrec.read_bandit_feedback(log, format="rlrec", policy="nope")
