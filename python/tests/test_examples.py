"""The Python examples (examples/python/) run, shrunk: the leaderboard and the PyTorch agent."""

import importlib.util

import numpy as np
import pytest

import rlrec
from conftest import ROOT

EXAMPLES = ROOT / "examples" / "python"


def load(name):
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_leaderboard_example(capsys):
    ex = load("leaderboard")
    rows = ex.main(["--seeds", "2", "--episodes", "20"])
    assert [r["name"] for r in rows] == ["diverse", "random", "myopic", "quality_oracle"]
    out = capsys.readouterr().out
    assert "diverse" in out and "diff vs myopic" in out
    by = {r["name"]: r for r in rows}
    ref = rlrec.evaluate("random", ex.ENV, episodes=20, seed=2, **ex.KEYS)
    assert by["random"]["seed_returns"][1] == ref["mean_return"]
    assert by["diverse"]["mean_return"] > by["random"]["mean_return"]


def test_diverse_slates_are_valid_and_start_with_the_best():
    ex = load("leaderboard")
    rng = np.random.default_rng(0)
    obs = {"user": rng.uniform(-1, 1, (5, 20)).astype(np.float32),
           "candidate_features": rng.uniform(-1, 1, (5, 10, 20)).astype(np.float32)}
    s = ex.diverse(obs)
    assert s.shape == (5, 3)
    assert all(len(set(row)) == 3 for row in s.tolist())
    best = np.argmax(np.einsum("bd,bnd->bn", obs["user"].astype(np.float64),
                               obs["candidate_features"].astype(np.float64)), axis=1)
    np.testing.assert_array_equal(s[:, 0], best)


def test_torch_agent_beats_random():
    pytest.importorskip("torch", reason="PyTorch for Python not installed (Debian: python3-torch)")
    ex = load("torch_agent")
    import torch
    torch.set_num_threads(1)
    res = ex.run(steps=20000, episodes=200, seed=3, log=None)
    agent, random = res["agent"], res["random"]
    # The same evaluation users: paired per episode.
    assert agent["returns"].shape == random["returns"].shape == (200,)
    diff = agent["returns"] - random["returns"]
    s = rlrec.summarize(diff)
    assert s["ci_low"] > 0, (agent["mean_return"], random["mean_return"])
