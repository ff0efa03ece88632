"""A Python loop of a fixed policy gives the C++ runner's returns for the same seed."""

import json
import os
import subprocess

import numpy as np
import pytest

import rlrec

KEYS = dict(num_candidates=10, slate_size=2, max_steps=30)


def python_returns(env, seed, episodes, choose):
    returns = []
    obs, info = env.reset(seed=seed)
    for e in range(episodes):
        if e:
            obs, info = env.reset()
        total, done = 0.0, False
        while not done:
            obs, reward, terminated, truncated, info = env.step(choose(env, obs, info))
            total += reward
            done = terminated or truncated
        returns.append(total)
    return np.array(returns)


def myopic(env, obs, info):
    return np.argsort(-env.observed_scores(), kind="stable")[:env.slate_size]


def oracle(env, obs, info):
    return np.argsort(-info["candidate_quality"].astype(np.float64), kind="stable")[:env.slate_size]


@pytest.mark.parametrize("name", ["interest_evolution", "interest_exploration", "long_term_satisfaction"])
def test_myopic_loop_equals_run_episodes(name):
    env = rlrec.make(name, **KEYS)
    got = python_returns(env, 7, 12, myopic)
    ref = rlrec.run_baseline("myopic", name, episodes=12, seed=7, batch=5, threads=2, **KEYS)
    np.testing.assert_array_equal(got, ref["returns"])


def test_privileged_oracle_loop_equals_run_episodes():
    env = rlrec.make("interest_evolution", privileged=True, **KEYS)
    got = python_returns(env, 3, 8, oracle)
    ref = rlrec.run_baseline("quality_oracle", "interest_evolution", episodes=8, seed=3, **KEYS)
    np.testing.assert_array_equal(got, ref["returns"])


def test_equals_rlrec_simulate():
    binary = os.environ.get("RLREC_BIN", "")
    if not binary or not os.path.exists(binary):
        pytest.skip("RLREC_BIN (the rlrec binary) not set; ctest sets it")
    sets = []
    for k, v in KEYS.items():
        sets += ["--set", f"env.{k}={v}"]
    out = subprocess.run([binary, "simulate", "--policy", "myopic", "--episodes", "20", "--seed", "5",
                          "--json"] + sets, check=True, capture_output=True, text=True).stdout
    cli = json.loads(out)
    got = python_returns(rlrec.make("interest_evolution", **KEYS), 5, 20, myopic)
    assert got.mean() == pytest.approx(cli["mean_return"], rel=1e-12, abs=1e-12)
