"""Gymnasium 1.x-style environments over rlrec's simulators (see docs/python.md).

Env (rlrec.make(name, **env_keys)): one user session at a time.
  reset(seed=None, options=None) -> (obs, info);  step(action) -> (obs, reward, terminated,
  truncated, info). Seeds: reset(seed=s) starts the episode sequence of run seed s; the n-th episode
  after it (n = 0, 1, ...) is episode n of the C++ runner (`rlrec simulate`, eval::run_episodes)
  with run.seed = s, whatever its batch or thread count. options={"episode": e} jumps to episode e.
  Observations are copies (safe to keep).

VectorEnv(name, num_envs, seed=..., threads=..., **env_keys): num_envs sessions stepped together in
  C++ (GIL released), Gymnasium 1.x vector API, next-step autoreset: after a sub-environment ends,
  the next step() resets it (its action is ignored, reward 0, terminated = truncated = False) and
  returns its first observation. Sub-environment b runs episodes b, b + num_envs, b + 2 num_envs,
  ... of run seed `seed`, as the C++ runner's slot b does, so results do not depend on `threads`.
  Observations are read-only numpy VIEWS of the C++ buffers: no copy per step, overwritten by the
  next step()/reset() (copy what you keep), valid as long as you hold them (each view keeps the
  buffers alive, even after close() or a reset with a new seed).

Observation (dict of arrays; B = num_envs leading axis for VectorEnv):
  "user"               (user_dim,) float32 in [spec.user_low, spec.user_high]: observed user features
  "candidate_features" (N, item_dim) float32 in [item_low, item_high]   fresh-items mode
  "candidate_ids"      (N,) int64 in [0, corpus_size)                    fixed-corpus mode
                       (features of ids: env.catalogue_features, (corpus_size, item_dim))
Action: K distinct candidate positions in [0, N), display order (Slate space).
info after step: "choice" (slot in [0, K) or -1), "responses" (K, R) float32 with columns
  env.response_fields; with privileged=True also "candidate_quality" (N,) hidden qualities.
"""

import numpy as np

from . import _rlrec
from ._config import env_toml
from . import spaces

try:  # pragma: no cover - gymnasium is not installable on the project's machines
    import gymnasium as _gym
except ImportError:  # pragma: no cover
    _gym = None

_EnvBase = _gym.Env if _gym is not None else object
_VectorBase = _gym.vector.VectorEnv if _gym is not None else object


def _autoreset_mode():
    if _gym is not None:  # pragma: no cover
        mode = getattr(getattr(_gym.vector, "AutoresetMode", None), "NEXT_STEP", None)
        if mode is not None:
            return mode
    return "next_step"


def _check_seed(seed):
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed must be an int >= 0 (one run seed), got {seed!r}")
    if not 0 <= int(seed) < 2**63:
        raise ValueError(f"seed must be in [0, 2^63), got {seed}")
    return int(seed)


def _fresh_seed():
    return int(np.random.SeedSequence().entropy % (2**63))


def _observation_spaces(spec):
    s = spec
    d = {"user": spaces.Box(s["user_low"], s["user_high"], (s["user_dim"],), np.float32)}
    n = s["num_candidates"]
    if s["fixed_corpus"]:
        d["candidate_ids"] = spaces.Box(0, s["corpus_size"] - 1, (n,), np.int64)
    else:
        d["candidate_features"] = spaces.Box(s["item_low"], s["item_high"], (n, s["item_dim"]),
                                             np.float32)
    return d


def _batched(box, b):
    return spaces.Box(box.low.flat[0] if box.low.size else 0, box.high.flat[0] if box.high.size else 0,
                      (b,) + box.shape, box.dtype)


class _Shared:
    """What Env and VectorEnv share: the Core, its spec and views."""

    def _build(self, seed):
        self._core = _rlrec.Core(self._toml, self._num_envs, seed, self._threads)
        self._views = self._core.views()
        self._catalogue = self._core.catalogue()
        spec = self._core.spec
        if spec["candidates_are_catalogue"]:  # position == item id: constant broadcast views
            ids = np.arange(spec["num_candidates"], dtype=np.int64)
            self._views["candidate_ids"] = np.broadcast_to(ids, (self._num_envs, ids.size))
            self._views["candidate_quality"] = np.broadcast_to(self._catalogue["quality"],
                                                               (self._num_envs, ids.size))
        self._obs_keys = ["user", "candidate_ids" if spec["fixed_corpus"] else "candidate_features"]

    def _init_shared(self, name, num_envs, threads, privileged, env_keys, seed=None):
        self._toml = env_toml(name, env_keys)
        self._num_envs, self._threads, self._privileged = num_envs, threads, bool(privileged)
        self._seed = _fresh_seed() if seed is None else _check_seed(seed)
        self._build(self._seed)
        self.spec_dict = self._core.spec
        self.name = name
        self.num_candidates = self.spec_dict["num_candidates"]
        self.slate_size = self.spec_dict["slate_size"]
        self.response_fields = list(self.spec_dict["response_fields"])
        self.closed = False

    @property
    def catalogue_features(self):
        """(corpus_size, item_dim) float32 read-only features of item ids (fixed-corpus mode), else None."""
        return None if self._catalogue is None else self._catalogue["features"]

    @property
    def seed_value(self):
        """The run seed of the current episode sequence."""
        return self._seed

    def _reseed(self, seed):
        seed = _check_seed(seed)
        if seed != self._core.seed:
            self._build(seed)
        self._seed = seed

    def observed_scores(self):
        """The environment's observed click score of each candidate (what `myopic` ranks by):
        float64, (N,) for Env, (num_envs, N) for VectorEnv."""
        s = self._core.observed_scores()
        return s[0] if isinstance(self, Env) else s


class Env(_Shared, _EnvBase):
    """One rlrec environment with Gymnasium 1.x semantics (module docstring)."""

    metadata = {"render_modes": []}
    render_mode = None

    def __init__(self, name="interest_evolution", privileged=False, render_mode=None, **env_keys):
        if render_mode is not None:
            raise ValueError(f"render_mode {render_mode!r} is not supported (rlrec renders nothing)")
        self._init_shared(name, 1, 1, privileged, env_keys)
        self.observation_space = spaces.Dict(_observation_spaces(self.spec_dict))
        self.action_space = spaces.Slate(self.num_candidates, self.slate_size)
        self._next_episode = 0
        self._started = False
        self._done = False

    def _obs(self):
        return {k: np.array(self._views[k][0]) for k in self._obs_keys}

    def _quality_row(self):
        return np.array(self._views["candidate_quality"][0])

    def reset(self, *, seed=None, options=None):
        if _gym is not None:  # pragma: no cover - seeds self.np_random as Gymnasium expects
            super().reset(seed=seed)
        if seed is not None:
            self._reseed(seed)
            self._next_episode = 0
        episode = self._next_episode
        if options:
            unknown = set(options) - {"episode"}
            if unknown:
                raise ValueError(f"unknown reset option(s) {sorted(unknown)}; known: episode")
            if "episode" in options:
                episode = _check_seed(options["episode"])
        self._core.reset_slot(0, episode)
        self._next_episode = episode + 1
        self._started, self._done = True, False
        info = {"episode_id": episode}
        if self._privileged:
            info["candidate_quality"] = self._quality_row()
        return self._obs(), info

    def step(self, action):
        if not self._started:
            raise RuntimeError("step() before reset(): call reset() first")
        if self._done:
            raise RuntimeError("step() after the episode ended (terminated or truncated): call reset()")
        self._core.step(np.asarray(action))
        v = self._views
        terminated, truncated = bool(v["terminated"][0]), bool(v["truncated"][0])
        self._done = terminated or truncated
        info = {"choice": int(v["choices"][0]), "responses": np.array(v["responses"][0]),
                "episode_step": int(self._core.episode_steps()[0])}
        if self._privileged:
            info["candidate_quality"] = self._quality_row()
        return self._obs(), float(v["rewards"][0]), terminated, truncated, info

    def render(self):
        return None

    def close(self):
        self.closed = True

    def __repr__(self):
        return f"rlrec.Env({self.name!r}, N={self.num_candidates}, K={self.slate_size})"


class VectorEnv(_Shared, _VectorBase):
    """num_envs sessions stepped in C++ (module docstring): Gymnasium 1.x vector API, next-step
    autoreset, observations as read-only views of the C++ buffers."""

    render_mode = None

    def __init__(self, name="interest_evolution", num_envs=1, seed=None, threads=1, privileged=False,
                 **env_keys):
        if (isinstance(num_envs, bool) or not isinstance(num_envs, (int, np.integer))
                or not 1 <= num_envs < 2**31):
            raise ValueError(f"num_envs must be an int in [1, 2^31), got {num_envs!r}")
        if isinstance(threads, bool) or not isinstance(threads, (int, np.integer)) or threads < 0:
            raise ValueError(f"threads must be an int >= 0 (0 = all cores), got {threads!r}")
        self._init_shared(name, int(num_envs), int(threads), privileged, env_keys, seed)
        self.num_envs = int(num_envs)
        self.metadata = {"autoreset_mode": _autoreset_mode(), "render_modes": []}
        single = _observation_spaces(self.spec_dict)
        self.single_observation_space = spaces.Dict(single)
        self.observation_space = spaces.Dict({k: _batched(b, self.num_envs) for k, b in single.items()})
        self.single_action_space = spaces.Slate(self.num_candidates, self.slate_size)
        self.action_space = spaces.Slate(self.num_candidates, self.slate_size, batch=self.num_envs)
        self._started = False

    @property
    def threads(self):
        return self._core.threads

    def _obs(self):
        return {k: self._views[k] for k in self._obs_keys}

    def episode_ids(self):
        """The episode number each sub-environment is running (uint64 array)."""
        return self._core.episodes()

    def reset(self, *, seed=None, options=None):
        if options:
            raise ValueError(f"unknown reset option(s) {sorted(options)}; VectorEnv takes none")
        if seed is not None or not self._started:
            if seed is not None:
                self._reseed(seed)
            self._core.reset_all(0)
        else:  # every sub-environment starts its next episode
            for b, e in enumerate(self._core.episodes()):
                self._core.reset_slot(b, int(e) + self.num_envs)
        self._started = True
        return self._obs(), {"episode_id": self._core.episodes()}

    def step(self, actions):
        if not self._started:
            raise RuntimeError("step() before reset(): call reset() first")
        was_reset = self._core.step_autoreset(np.asarray(actions))
        v = self._views
        info = {"choice": v["choices"].copy(), "responses": v["responses"].copy(), "_reset": was_reset}
        if self._privileged:
            info["candidate_quality"] = v["candidate_quality"]
        return (self._obs(), v["rewards"].copy(), v["terminated"].copy(), v["truncated"].copy(), info)

    def render(self):
        return None

    def close(self, **kwargs):
        self.closed = True

    def __repr__(self):
        return (f"rlrec.VectorEnv({self.name!r}, num_envs={self._num_envs}, threads={self.threads}, "
                f"N={self.num_candidates}, K={self.slate_size})")
