"""rlrec.train / compare / evaluate_run / load_policy against the CLI (`rlrec train|compare|eval
--json` on the same files), resume, the Python loop, and the libtorch shared with python3-torch."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

import rlrec
from conftest import ROOT

EXP = ROOT / "configs" / "experiments" / "slateq_qlearning.toml"
MAIN = ROOT / "configs" / "experiments" / "main.toml"
# Short training (the goldens' settings): two iterations of 750 steps.
SHORT = ["agent.warmup_steps=300", "run.train_steps=1500", "run.eval_interval=750",
         "run.eval_episodes=20", "run.episodes=40", "run.threads=1"]
ROW_KEYS = ("iteration", "env_steps", "updates", "mean_return", "se_return", "ctr")


def binary():
    b = os.environ.get("RLREC_BIN", "")
    if not b or not os.path.exists(b):
        pytest.skip("RLREC_BIN (the rlrec binary) not set; ctest sets it")
    return b


def cli_json(*args):
    out = subprocess.run([binary()] + [str(a) for a in args] + ["--json"], check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out)


def sets(extra=()):
    out = []
    for s in list(SHORT) + list(extra):
        out += ["--set", s]
    return out


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """One short Python training run and the CLI's run of the same file and settings."""
    base = tmp_path_factory.mktemp("agents")
    py = rlrec.train(EXP, out=base / "py", set=SHORT)
    cli = cli_json("train", EXP, "--out", base / "cli", *sets())
    return base, py, cli


def test_train_equals_cli(trained):
    _, py, cli = trained
    assert py["agent"] == cli["agent"] == "slateq_qlearning"
    assert py["finished"] and py["env_steps"] == cli["env_steps"] >= 1500
    assert len(py["metrics"]) == len(cli["metrics"]) == 2
    for a, b in zip(py["metrics"], cli["metrics"]):
        for k in ROW_KEYS:
            assert a[k] == b[k], k
    cols = py["columns"]
    assert cols["env_steps"].dtype == np.int64 and cols["mean_return"].dtype == np.float64
    np.testing.assert_array_equal(cols["mean_return"], [r["mean_return"] for r in cli["metrics"]])
    assert {"mean_loss", "mean_length", "train_seconds"} <= set(py["metrics"][0])


def test_train_dict_text_and_overrides_resume(trained, tmp_path):
    """The experiment as a dict and as TOML text, section keywords as overrides, and a run stopped
    after one iteration then resumed: the rows of the uninterrupted run."""
    _, py, _ = trained
    import tomllib
    exp = tomllib.loads(EXP.read_text())
    first = rlrec.train(exp, out=tmp_path / "d", max_iterations=1,
                        agent={"warmup_steps": 300}, set=SHORT[1:])
    assert len(first["metrics"]) == 1 and not first["finished"]
    assert first["metrics"][0]["mean_return"] == py["metrics"][0]["mean_return"]
    done = rlrec.train(EXP.read_text(), out=tmp_path / "d", resume=True, set=SHORT)
    assert done["finished"]
    assert [r["mean_return"] for r in done["metrics"]] == [r["mean_return"] for r in py["metrics"]]


def test_evaluate_run_equals_cli(trained):
    base, _, _ = trained
    cli = cli_json("eval", base / "cli", "--episodes", 30)
    got = rlrec.evaluate_run(base / "py", episodes=30)
    for k in ("agent", "episodes", "mean_return", "se_return", "ctr", "mean_length", "steps"):
        assert got[k] == cli[k], k
    assert got["returns"].shape == (30,)
    assert got["returns"].mean() == pytest.approx(cli["mean_return"], rel=1e-12)


def test_load_policy_evaluate_equals_cli(trained):
    base, _, _ = trained
    cli = cli_json("eval", base / "cli")  # run.episodes = 40
    policy = rlrec.load_policy(base / "py")
    assert policy.agent == "slateq_qlearning" and policy.seed == 1 and policy.episodes == 40
    r = rlrec.evaluate(policy, episodes=policy.episodes, seed=policy.seed)
    assert r["mean_return"] == cli["mean_return"]
    assert r["ctr"] == cli["ctr"] and r["steps"] == cli["steps"]
    other = rlrec.evaluate(policy, episodes=40, seed=2)  # other users: other numbers
    assert other["mean_return"] != cli["mean_return"]


def test_load_policy_in_a_python_loop(trained):
    base, _, _ = trained
    policy = rlrec.load_policy(base / "py")
    env = rlrec.make(policy.env_name, **policy.env_keys)
    obs, _ = env.reset(seed=5)
    total, done, steps = 0.0, False, 0
    while not done:
        slate = policy.act(obs)
        assert slate.shape == (env.slate_size,) and slate.dtype == np.int32
        assert env.action_space.contains(slate)
        obs, reward, terminated, truncated, info = env.step(slate)
        total += reward
        done = terminated or truncated
        steps += 1
    assert steps >= 1 and np.isfinite(total)
    venv = rlrec.VectorEnv(policy.env_name, 16, seed=3, **policy.env_keys)
    obs, _ = venv.reset()
    for _ in range(5):
        slates = policy.act(obs)
        assert slates.shape == (16, venv.slate_size)
        obs, *_ = venv.step(slates)
    # The greedy agent is deterministic on the same observation; a Python callable for evaluate.
    np.testing.assert_array_equal(policy.act(obs), policy.act(obs))
    r = rlrec.evaluate(policy, env=policy.env_name, episodes=20, seed=1, **policy.env_keys)
    assert r["returns"].shape == (20,)


def compare_numbers(j):
    """The leaderboard without wall times (the rest is deterministic)."""
    drop = {"train_seconds", "eval_seconds", "updates_per_second", "train_env_steps_per_second"}
    return [{k: v for k, v in a.items() if k not in drop} for a in j["agents"]]


def test_compare_equals_cli():
    agents = 'compare.agents=["random","myopic","quality_oracle"]'
    cli = cli_json("compare", MAIN, "--seeds", 2, "--episodes", 60, "--set", agents)
    got = rlrec.compare(MAIN, seeds=2, episodes=60, set=[agents])
    assert compare_numbers(got) == compare_numbers(cli)
    assert [a["name"] for a in got["agents"]] == ["random", "myopic", "quality_oracle"]
    assert got["reference"] == cli["reference"] and got["seeds"] == 2


def test_compare_with_a_learning_agent_equals_cli(tmp_path):
    exp = tmp_path / "exp.toml"
    exp.write_text('[env]\nname = "interest_evolution"\nnum_candidates = 10\nslate_size = 2\n'
                   '[slateq_qlearning]\nwarmup_steps = 300\n'
                   '[run]\nseed = 1\ntrain_steps = 800\neval_interval = 800\neval_episodes = 10\n'
                   '[compare]\nagents = ["random", "slateq_qlearning"]\nseeds = 1\n')
    cli = cli_json("compare", exp, "--episodes", 30)
    got = rlrec.compare(exp.read_text(), episodes=30, out=tmp_path / "out")
    assert compare_numbers(got) == compare_numbers(cli)
    assert got["agents"][1]["updates"] > 0
    assert (tmp_path / "out" / "leaderboard.json").exists()


SUB_ENV = dict(os.environ, PYTHONDONTWRITEBYTECODE="1",
               PYTHONPATH=os.path.dirname(os.path.dirname(os.path.abspath(rlrec.__file__))))


def run_python(code, tmp_path):
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=SUB_ENV, cwd=tmp_path, timeout=300)


def test_import_rlrec_is_torch_free(tmp_path):
    r = run_python("import sys, rlrec\n"
                   "assert 'rlrec._rlrec_agents' not in sys.modules\n"
                   "maps = open('/proc/self/maps').read()\n"
                   "assert 'libtorch' not in maps, 'libtorch loaded by import rlrec'\n"
                   "print('ok')", tmp_path)
    assert r.returncode == 0 and r.stdout.strip() == "ok", r.stderr


@pytest.mark.parametrize("torch_first", [True, False])
def test_one_libtorch_with_python3_torch(trained, tmp_path, torch_first):
    """python3-torch and _rlrec_agents load the same libtorch, in either order, and both work."""
    pytest.importorskip("torch")
    base, _, _ = trained
    use_torch = "import torch\nt = float(torch.nn.Linear(3, 1)(torch.ones(2, 3)).sum())\n"
    use_rlrec = (f"import rlrec\nr = rlrec.evaluate_run({str(base / 'py')!r}, episodes=5)\n"
                 f"p = rlrec.load_policy({str(base / 'py')!r})\n")
    code = (use_torch + use_rlrec if torch_first else use_rlrec + use_torch) + (
        "import re\n"
        "libs = set(re.findall(r'\\S*libtorch_cpu\\S*', open('/proc/self/maps').read()))\n"
        "assert len(libs) == 1, libs\n"
        "print('ok', r['episodes'])")
    r = run_python(code, tmp_path)
    assert r.returncode == 0 and r.stdout.split() == ["ok", "5"], r.stderr[-2000:]


def test_agents_bad_input(trained, tmp_path):
    base, _, _ = trained
    with pytest.raises(rlrec.NotFoundError, match="is not a run directory"):
        rlrec.evaluate_run(tmp_path)
    with pytest.raises(rlrec.NotFoundError, match="is not a run directory"):
        rlrec.load_policy(tmp_path / "missing")
    policy = rlrec.load_policy(base / "py")
    obs, _ = rlrec.make(policy.env_name, **policy.env_keys).reset(seed=1)
    with pytest.raises(ValueError, match=r"obs\['user'\] must have shape"):
        policy.act({**obs, "user": obs["user"][:-1]})
    with pytest.raises(ValueError, match="observations must be finite"):
        policy.act({**obs, "user": np.full_like(obs["user"], np.nan)})
    with pytest.raises(ValueError, match="has no 'candidate_features'"):
        policy.act({"user": obs["user"]})
    with pytest.raises(ValueError, match="must be a float array"):
        policy.act({**obs, "user": obs["user"].astype(str)})
