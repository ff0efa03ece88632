"""rlrec.evaluate and rlrec.leaderboard: Python policies on the C++ runner's evaluation users."""

import json
import os
import signal
import subprocess

import numpy as np
import pytest

import rlrec

KEYS = dict(num_candidates=10, slate_size=2, max_steps=30)


def make_myopic(name, seed, keys):
    """Python re-implementation of the `myopic` baseline: the recsim environments' observed score
    clip(sum_t user[t] * item[t], -1, 1) over the topics (accumulated in topic order, in double,
    as Environment::observed_score does), top K by score, ties to the lower position."""
    catalogue = rlrec.VectorEnv(name, 1, seed=seed, **keys).catalogue_features
    topics = rlrec.make(name, **keys).spec_dict["item_dim"]

    def policy(obs):
        user = obs["user"].astype(np.float64)
        if "candidate_features" in obs:
            items = obs["candidate_features"].astype(np.float64)
        else:
            items = catalogue[obs["candidate_ids"]].astype(np.float64)
        s = np.zeros(items.shape[:2])
        for t in range(min(topics, user.shape[1])):
            s += user[:, None, t] * items[:, :, t]
        s = np.clip(s, -1.0, 1.0)
        return np.argsort(-s, axis=1, kind="stable")[:, :keys["slate_size"]]

    return policy


@pytest.mark.parametrize("batch", [1, 7, 256])
def test_python_myopic_equals_run_baseline(batch):
    policy = make_myopic("interest_evolution", 7, KEYS)
    got = rlrec.evaluate(policy, "interest_evolution", episodes=40, seed=7, batch=batch, threads=2,
                         **KEYS)
    ref = rlrec.run_baseline("myopic", "interest_evolution", episodes=40, seed=7, batch=16, **KEYS)
    np.testing.assert_array_equal(got["returns"], ref["returns"])
    np.testing.assert_array_equal(got["lengths"], ref["lengths"])
    np.testing.assert_array_equal(got["clicks"], ref["clicks"])
    assert got["steps"] == ref["steps"] and got["truncated"] == ref["truncated"]
    assert got["ctr"] == ref["ctr"]
    assert got["mean_return"] == pytest.approx(ref["returns"].mean(), rel=1e-12)
    assert got["se"] > 0 and got["ci_low"] < got["mean_return"] < got["ci_high"]


def test_baseline_name_equals_run_baseline():
    got = rlrec.evaluate("myopic", episodes=20, seed=3, **KEYS)
    ref = rlrec.run_baseline("myopic", episodes=20, seed=3, **KEYS)
    np.testing.assert_array_equal(got["returns"], ref["returns"])


def test_other_seed_gives_other_users():
    policy = make_myopic("interest_evolution", 7, KEYS)
    a = rlrec.evaluate(policy, episodes=20, seed=7, **KEYS)["returns"]
    b = rlrec.evaluate(policy, episodes=20, seed=8, **KEYS)["returns"]
    assert not np.array_equal(a, b)


def rlrec_bin():
    binary = os.environ.get("RLREC_BIN", "")
    if not binary or not os.path.exists(binary):
        pytest.skip("RLREC_BIN (the rlrec binary) not set; ctest sets it")
    return binary


def test_python_myopic_equals_rlrec_simulate():
    sets = []
    for k, v in KEYS.items():
        sets += ["--set", f"env.{k}={v}"]
    out = subprocess.run([rlrec_bin(), "simulate", "--policy", "myopic", "--episodes", "30", "--seed",
                          "5", "--json"] + sets, check=True, capture_output=True, text=True).stdout
    cli = json.loads(out)
    got = rlrec.evaluate(make_myopic("interest_evolution", 5, KEYS), episodes=30, seed=5, **KEYS)
    assert got["mean_return"] == cli["mean_return"]


def test_observation_rows_and_episode_step():
    seen = []

    def policy(obs):
        n = obs["rows"].shape[0]
        assert obs["user"].shape[0] == n and obs["user"].dtype == np.float32
        assert obs["candidate_features"].shape[:2] == (n, 10)
        assert obs["episode_step"].dtype == np.int32
        seen.append((n, obs["episode_step"].copy()))
        return np.tile(np.arange(2), (n, 1))

    r = rlrec.evaluate(policy, episodes=5, seed=1, batch=4, **KEYS)
    assert seen[0][0] == 4 and (seen[0][1] == 0).all()
    assert sum(n for n, _ in seen) == r["steps"]
    assert min(n for n, _ in seen) >= 1


def constant(slate):
    return lambda obs: np.tile(np.asarray(slate), (obs["rows"].shape[0], 1))


@pytest.mark.parametrize("policy,match", [
    (constant(np.array([0.0, 1.0])), "integer array"),
    (constant([0, 1, 2]), r"shape \(4, 2\)"),
    (lambda obs: np.zeros(2, dtype=np.int64), r"shape \(4, 2\)"),
    (constant([3, 3]), "duplicate positions"),
    (constant([0, 10]), r"position 10; positions must be in \[0, 10\)"),
    (constant([-1, 0]), "position -1"),
])
def test_bad_slates_raise_value_error(policy, match):
    with pytest.raises(ValueError, match=match) as e:
        rlrec.evaluate(policy, episodes=4, seed=1, **KEYS)
    assert "\n" not in str(e.value)


def test_callable_exception_propagates():
    class Boom(Exception):
        pass

    calls = []

    def policy(obs):
        calls.append(1)
        if len(calls) == 3:
            raise Boom("from the policy")
        return constant([0, 1])(obs)

    with pytest.raises(Boom, match="from the policy"):
        rlrec.evaluate(policy, episodes=50, seed=1, **KEYS)
    assert len(calls) == 3
    # Nothing is left locked or half-done: the next evaluation runs normally.
    again = rlrec.evaluate(constant([0, 1]), episodes=5, seed=1, **KEYS)
    assert again["returns"].shape == (5,)


def test_ctrl_c_raises_keyboard_interrupt():
    calls = []

    def policy(obs):
        calls.append(1)
        if len(calls) == 2:
            os.kill(os.getpid(), signal.SIGINT)
        return constant([0, 1])(obs)

    with pytest.raises(KeyboardInterrupt):
        rlrec.evaluate(policy, episodes=200, seed=1, **KEYS)
    assert len(calls) <= 3


def test_bad_arguments():
    with pytest.raises(ValueError, match=r"episodes must be an int in \[1, 1099511627776\], got 0"):
        rlrec.evaluate("myopic", episodes=0, **KEYS)
    with pytest.raises(ValueError, match="policy must be a callable"):
        rlrec.evaluate(42, **KEYS)
    with pytest.raises(rlrec.NotFoundError):
        rlrec.evaluate("no_such_policy", **KEYS)


def test_summarize_is_student_t():
    s = rlrec.summarize([1.0, 2.0, 3.0, 4.0])
    assert s["n"] == 4 and s["mean"] == 2.5
    assert s["se"] == pytest.approx(np.std([1, 2, 3, 4], ddof=1) / 2)
    # t_{0.975, 3} = 3.182446...
    assert s["ci_high"] - s["mean"] == pytest.approx(3.182446305 * s["se"], rel=1e-6)


def write_experiment(path, agents, seeds, episodes):
    lines = ["[env]", 'name = "interest_evolution"'] + [f"{k} = {v}" for k, v in KEYS.items()]
    lines += ["[run]", "seed = 1", f"episodes = {episodes}", "[compare]",
              "agents = [" + ", ".join(f'"{a}"' for a in agents) + "]", f"seeds = {seeds}"]
    path.write_text("\n".join(lines) + "\n")


@pytest.mark.parametrize("seeds", [1, 3])
def test_leaderboard_equals_rlrec_compare(tmp_path, seeds):
    binary = rlrec_bin()
    agents = ["random", "myopic", "quality_oracle"]
    exp = tmp_path / "exp.toml"
    write_experiment(exp, agents, seeds, 25)
    cli = json.loads(subprocess.run([binary, "compare", str(exp), "--json"], check=True,
                                    capture_output=True, text=True).stdout)
    rows = rlrec.leaderboard({a: a for a in agents}, seeds=seeds, episodes=25, seed=1, **KEYS)
    assert [r["name"] for r in rows] == [a["name"] for a in cli["agents"]]
    for row, a in zip(rows, cli["agents"]):
        assert row["seed_returns"] == a["seed_returns"]
        for key in ("mean_return", "ci_low", "ci_high", "ctr"):
            assert row[key] == pytest.approx(a[key], rel=1e-12, abs=1e-12), key
        d, c = row["diff_vs_reference"], a["diff_vs_reference"]
        assert d["reference"] == c["reference"] == cli["reference"]
        assert d["mean"] == pytest.approx(c["mean"], rel=1e-12, abs=1e-12)
        assert d["pairs"] == c["pairs"]
        if c["ci_low"] is None:
            assert d["ci_low"] is None
        else:
            assert d["ci_low"] == pytest.approx(c["ci_low"], rel=1e-12, abs=1e-12)
            assert d["ci_high"] == pytest.approx(c["ci_high"], rel=1e-12, abs=1e-12)
            assert d["ci_over"] == c["ci_over"]


def test_leaderboard_with_python_policy():
    rows = rlrec.leaderboard({"mine": make_myopic("interest_evolution", 1, KEYS), "random": "random",
                              "myopic": "myopic"}, seeds=2, episodes=20, **KEYS)
    by = {r["name"]: r for r in rows}
    assert by["mine"]["seed_returns"] == by["myopic"]["seed_returns"]
    assert by["mine"]["diff_vs_reference"]["reference"] == "myopic"
    assert by["mine"]["diff_vs_reference"]["mean"] == 0.0
    assert by["random"]["diff_vs_reference"]["mean"] < 0
    with pytest.raises(ValueError, match="reference must be one of the policies"):
        rlrec.leaderboard({"random": "random"}, seeds=1, episodes=2, reference="x", **KEYS)


@pytest.mark.parametrize("corpus_size", [40, 10])  # fixed corpus; candidates = the whole catalogue
def test_python_myopic_fixed_corpus(corpus_size):
    name, keys = "interest_evolution", dict(KEYS, corpus_size=corpus_size)
    policy = make_myopic(name, 4, keys)
    got = rlrec.evaluate(policy, name, episodes=24, seed=4, batch=5, **keys)
    ref = rlrec.run_baseline("myopic", name, episodes=24, seed=4, **keys)
    np.testing.assert_array_equal(got["returns"], ref["returns"])


def test_leaderboard_default_reference():
    mine, other = constant([0, 1]), constant([2, 3])
    rows = rlrec.leaderboard({"mine": mine, "oracle": "quality_oracle"}, seeds=1, episodes=6, **KEYS)
    assert rows[0]["diff_vs_reference"]["reference"] == "oracle"  # privileged only when no other
    rows = rlrec.leaderboard({"a": mine, "b": other}, seeds=1, episodes=6, **KEYS)
    assert rows[1]["diff_vs_reference"]["reference"] == "a"  # no baseline: the first policy
    assert rows[1]["diff_vs_reference"]["pairs"] == 6 and rows[1]["diff_vs_reference"]["ci_over"] == "users"
