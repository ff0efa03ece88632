"""Observation and action spaces with Gymnasium's interface.

When ``gymnasium`` is importable, :class:`Box` and :class:`Dict` are ``gymnasium.spaces.Box`` and
``gymnasium.spaces.Dict`` and :class:`Slate` subclasses ``gymnasium.spaces.MultiDiscrete``; otherwise
these small classes stand in, with the same attributes and methods: ``shape``, ``dtype``,
``seed(seed)``, ``sample()``, ``contains(x)`` (and ``x in space``), ``np_random``.

Slate(n, k): K *distinct* positions in [0, n), in display order (shape (k,), int64). A batch of B
slates (the vector environment's action space) is Slate(n, k, batch=B): shape (B, k).
"""

import numpy as np

try:  # pragma: no cover - gymnasium is not installable on the project's machines
    import gymnasium as _gym
except ImportError:  # pragma: no cover
    _gym = None

HAVE_GYMNASIUM = _gym is not None


class _Space:
    """Gymnasium's Space interface: shape, dtype, seed(), sample(), contains()."""

    def __init__(self, shape, dtype, seed=None):
        self._shape = None if shape is None else tuple(shape)
        self.dtype = None if dtype is None else np.dtype(dtype)
        self._np_random = None
        if seed is not None:
            self.seed(seed)

    @property
    def shape(self):
        return self._shape

    @property
    def np_random(self):
        if self._np_random is None:
            self.seed()
        return self._np_random

    def seed(self, seed=None):
        self._np_random = np.random.default_rng(seed)
        return [seed]

    def __contains__(self, x):
        return self.contains(x)


class _Box(_Space):
    def __init__(self, low, high, shape=None, dtype=np.float32, seed=None):
        if shape is None:
            shape = np.shape(low) if np.ndim(low) else np.shape(high)
        super().__init__(shape, dtype, seed)
        self.low = np.full(self.shape, low, dtype=self.dtype)
        self.high = np.full(self.shape, high, dtype=self.dtype)

    def sample(self):
        if self.dtype.kind in "iu":
            return self.np_random.integers(self.low, self.high, endpoint=True, dtype=self.dtype)
        return self.np_random.uniform(self.low, self.high).astype(self.dtype)

    def contains(self, x):
        x = np.asarray(x)
        return (x.shape == self.shape and np.can_cast(x.dtype, self.dtype)
                and bool(np.all(x >= self.low)) and bool(np.all(x <= self.high)))

    def __repr__(self):
        lo, hi = (self.low.flat[0], self.high.flat[0]) if self.low.size else ("", "")
        return f"Box({lo}, {hi}, {self.shape}, {self.dtype})"


class _Dict(_Space):
    def __init__(self, spaces, seed=None):
        self.spaces = dict(spaces)
        super().__init__(None, None, None)
        if seed is not None:
            self.seed(seed)

    def seed(self, seed=None):
        seeds = np.random.SeedSequence(seed).spawn(len(self.spaces))
        for s, ss in zip(self.spaces.values(), seeds):
            s.seed(int(ss.generate_state(1)[0]))
        self._np_random = np.random.default_rng(seed)
        return [seed]

    def sample(self):
        return {k: s.sample() for k, s in self.spaces.items()}

    def contains(self, x):
        return (isinstance(x, dict) and set(x) == set(self.spaces)
                and all(s.contains(x[k]) for k, s in self.spaces.items()))

    def __getitem__(self, key):
        return self.spaces[key]

    def keys(self):
        return self.spaces.keys()

    def items(self):
        return self.spaces.items()

    def __repr__(self):
        return "Dict(" + ", ".join(f"{k!r}: {s!r}" for k, s in self.spaces.items()) + ")"


def _sample_slates(rng, n, k, batch):
    """Uniform slates: k distinct positions of n, random order; (batch, k) or (k,) if batch None."""
    rows = 1 if batch is None else batch
    out = np.argsort(rng.random((rows, n)), axis=1)[:, :k].astype(np.int64)
    return out[0] if batch is None else out


def _slate_contains(x, n, k, batch):
    x = np.asarray(x)
    shape = (k,) if batch is None else (batch, k)
    if x.shape != shape or x.dtype.kind not in "iu":
        return False
    if x.size and (x.min() < 0 or x.max() >= n):
        return False
    rows = x.reshape(-1, k)
    s = np.sort(rows, axis=1)
    return bool(np.all(s[:, 1:] != s[:, :-1]))


if _gym is not None:  # pragma: no cover - exercised only where gymnasium is installed
    Box = _gym.spaces.Box
    Dict = _gym.spaces.Dict

    class Slate(_gym.spaces.MultiDiscrete):
        """K distinct positions in [0, n): MultiDiscrete([n]*k) whose samples never repeat."""

        def __init__(self, n, k, batch=None, seed=None):
            self.n_candidates, self.k, self.batch = int(n), int(k), batch
            shape = (self.k,) if batch is None else (batch, self.k)
            super().__init__(np.full(shape, self.n_candidates, dtype=np.int64), dtype=np.int64,
                             seed=seed)

        def sample(self, mask=None, probability=None):
            return _sample_slates(self.np_random, self.n_candidates, self.k, self.batch)

        def contains(self, x):
            return _slate_contains(x, self.n_candidates, self.k, self.batch)
else:
    Box = _Box
    Dict = _Dict

    class Slate(_Space):
        """K distinct positions in [0, n), display order; shape (k,) or (batch, k), int64."""

        def __init__(self, n, k, batch=None, seed=None):
            self.n_candidates, self.k, self.batch = int(n), int(k), batch
            super().__init__((self.k,) if batch is None else (batch, self.k), np.int64, seed)
            self.nvec = np.full(self.shape, self.n_candidates, dtype=np.int64)

        def sample(self):
            return _sample_slates(self.np_random, self.n_candidates, self.k, self.batch)

        def contains(self, x):
            return _slate_contains(x, self.n_candidates, self.k, self.batch)

        def __repr__(self):
            b = "" if self.batch is None else f", batch={self.batch}"
            return f"Slate({self.n_candidates}, {self.k}{b})"
