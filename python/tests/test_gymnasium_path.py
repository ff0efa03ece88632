"""rlrec's Gymnasium path (taken when `import gymnasium` works), run against a minimal stand-in
(fake_gymnasium/): base classes, spaces, registration as rlrec/<name>-v0, AutoresetMode. The real
Gymnasium and its env checker are not installable here (docs/python.md says what is unverified)."""

import os
import pathlib
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent

SCRIPT = r'''
import numpy as np
import gymnasium
import rlrec
from rlrec import spaces

assert spaces.HAVE_GYMNASIUM
assert issubclass(rlrec.Env, gymnasium.Env) and issubclass(rlrec.VectorEnv, gymnasium.vector.VectorEnv)
for name in rlrec.environments():
    assert f"rlrec/{name}-v0" in gymnasium.registry, name
env = gymnasium.make("rlrec/interest_evolution-v0", max_steps=4)
assert isinstance(env, rlrec.Env)
assert isinstance(env.observation_space, gymnasium.spaces.Dict)
assert isinstance(env.observation_space["user"], gymnasium.spaces.Box)
assert isinstance(env.action_space, gymnasium.spaces.MultiDiscrete)
obs, info = env.reset(seed=3)
assert env.np_random is not None and env.observation_space.contains(obs)
for _ in range(200):
    a = env.action_space.sample()
    assert len(set(a.tolist())) == env.slate_size and env.action_space.contains(a)
    assert not env.action_space.contains(np.array([1, 1]))
    obs, r, term, trunc, info = env.step(a)
    assert env.observation_space.contains(obs)
    if term or trunc:
        obs, info = env.reset()
venv = rlrec.VectorEnv("interest_evolution", 4, seed=1)
assert venv.metadata["autoreset_mode"] == gymnasium.vector.AutoresetMode.NEXT_STEP
obs, info = venv.reset(seed=1)
assert venv.observation_space.contains(obs)
obs, r, term, trunc, info = venv.step(venv.action_space.sample())
assert venv.observation_space.contains(obs)
venv.close()
assert venv.closed
print("ok")
'''


def test_gymnasium_path_with_a_stand_in():
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(HERE / "fake_gymnasium"), env.get("PYTHONPATH", "")])
    out = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"
