"""The slate estimators sips, iips, rips through rlrec.ope.estimate on the slate feedback of a
simulator log: the numbers of `rlrec ope estimate --format rlrec --json` on the same log."""

import json
import os
import subprocess

import numpy as np
import pytest

import rlrec

TARGET = "softmax_myopic:temperature=0.5"
KEYS = ("estimate", "ci_low", "ci_high", "mean", "std")


def binary():
    b = os.environ.get("RLREC_BIN", "")
    if not b or not os.path.exists(b):
        pytest.skip("RLREC_BIN (the rlrec binary) not set; ctest sets it")
    return b


@pytest.fixture(scope="module")
def log(tmp_path_factory):
    d = tmp_path_factory.mktemp("slate")
    exp = d / "exp.toml"
    exp.write_text('[env]\nname = "interest_evolution"\nmax_steps = 3\nslate_size = 3\n'
                   'num_candidates = 6\n[run]\nseed = 5\n')
    path = d / "run.log"
    subprocess.run([binary(), "log", str(exp), "--policy", "softmax_myopic", "--episodes", "80",
                    "--out", str(path)], check=True, capture_output=True)
    return path


def cli(log, *args):
    out = subprocess.run([binary(), "ope", "estimate", "--log", str(log), "--format", "rlrec",
                          "--policy", TARGET, "--json"] + list(args),
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)["estimates"]


def test_slate_estimators_equal_cli(log):
    want = cli(log, "--estimators", "sips,iips,rips", "--bootstrap", "50", "--seed", "4")
    bf = rlrec.read_bandit_feedback(log, format="rlrec", policy=TARGET)
    n, L = bf["n_steps"], bf["len_list"]
    for key in ("slate", "slate_reward", "pscore_item_position", "pscore_cascade",
                "evaluation_policy_pscore_item_position", "evaluation_policy_pscore_cascade"):
        assert bf[key].shape == (n, L), key
    np.testing.assert_array_equal(bf["evaluation_policy_pscore"],
                                  bf["evaluation_policy_pscore_cascade"][:, -1])
    got = rlrec.ope.estimate(bf, estimators="sips,iips,rips", bootstrap=50, seed=4)
    assert list(got) == ["sips", "iips", "rips"]
    for name in got:
        for k in KEYS:
            assert got[name][k] == want[name][k], (name, k)
    # The slate and the cascade differ from one another (the test can tell them apart).
    assert len({got[n]["estimate"] for n in got}) == 3
    # estimate_slate with the joint probability alone: sips, the same number; rips needs more.
    only = {k: v for k, v in bf.items() if not k.startswith("evaluation_policy_pscore_cascade")}
    only["evaluation_policy_pscore_cascade"] = None
    sips = rlrec.ope.estimate_slate(only, "sips", bootstrap=50, seed=4)["sips"]
    assert sips["estimate"] == want["sips"]["estimate"]
    with pytest.raises(ValueError, match="rips.*slot conditionals"):
        rlrec.ope.estimate_slate(only, "rips", bootstrap=50, seed=4)


def test_slate_estimators_from_the_default_seed_and_one_slot_value(log):
    want = cli(log, "--estimators", "iips", "--bootstrap", "30")
    bf = rlrec.read_bandit_feedback(log, format="rlrec", policy=TARGET)
    assert rlrec.ope.estimate(bf, estimators=["iips"], bootstrap=30)["iips"]["ci_low"] == \
        want["iips"]["ci_low"]
    # iips by hand: mean over slates of sum_l w_l r_l.
    w = bf["evaluation_policy_pscore_item_position"] / bf["pscore_item_position"]
    assert rlrec.ope.estimate(bf, estimators="iips", bootstrap=30)["iips"]["estimate"] == \
        pytest.approx((w * bf["slate_reward"]).sum(axis=1).mean(), rel=1e-12)


def test_slate_bad_input(log):
    bf = rlrec.read_bandit_feedback(log, format="rlrec", policy=TARGET)
    with pytest.raises(ValueError, match="mixes slate estimators"):
        rlrec.ope.estimate(bf, estimators="sips,ipw")
    with pytest.raises(KeyError, match="unknown slate estimator 'sipz'; did you mean 'sips'"):
        rlrec.ope.estimate_slate(bf, "sipz")
    bad = dict(bf, pscore_item_position=np.zeros_like(bf["pscore_item_position"]))
    with pytest.raises(ValueError, match=r"slate 0 slot 0: behaviour probability 0 must be in \(0, 1\]"):
        rlrec.ope.estimate(bad, estimators="iips")
    bad = dict(bf, slate_reward=bf["slate_reward"][:, :1])
    with pytest.raises(ValueError, match="must have the shape of slate_feedback"):
        rlrec.ope.estimate(bad, estimators="iips")
    bad = dict(bf, slate=bf["slate"] + 100)
    with pytest.raises(ValueError, match="out of range"):
        rlrec.ope.estimate(bad, estimators="iips")
    with pytest.raises(ValueError, match="bootstrap must be in"):
        rlrec.ope.estimate(bf, estimators="iips", bootstrap=0)
