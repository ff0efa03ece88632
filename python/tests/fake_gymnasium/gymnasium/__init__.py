"""A minimal stand-in for Gymnasium 1.x (not installable on the project's machines), with just the
names rlrec's Gymnasium path uses, so that test_gymnasium_path.py can exercise that path. It is no
substitute for the real package or its env checker."""

import importlib

import numpy as np

from . import spaces, vector  # noqa: F401

registry = {}


class Env:
    metadata = {"render_modes": []}
    render_mode = None
    spec = None

    @property
    def np_random(self):
        if getattr(self, "_np_random", None) is None:
            self._np_random = np.random.default_rng()
        return self._np_random

    def reset(self, *, seed=None, options=None):
        if seed is not None:
            self._np_random = np.random.default_rng(seed)


def register(id, entry_point, kwargs=None):
    registry[id] = (entry_point, dict(kwargs or {}))


def make(id, **kwargs):
    entry_point, defaults = registry[id]
    module, name = entry_point.split(":")
    return getattr(importlib.import_module(module), name)(**{**defaults, **kwargs})
