"""Shared fixtures of the Python tests (run by ctest's Python.pytest with PYTHONPATH set to the
build's python/ directory, or by hand:
    PYTHONPATH=build/release/python /usr/bin/python3 -m pytest -q python/tests)."""

import os
import pathlib

import pytest

import rlrec

ROOT = pathlib.Path(__file__).resolve().parents[2]
DATA_DIR = pathlib.Path(os.environ.get("RLREC_SHARED_DATA_DIR", ROOT.parent / "shared" / "data"))
MOVIELENS = DATA_DIR / "movielens-100k" / "u.data"

# Small, fast settings per environment (rating-log ones also need the data file).
RATING_KEYS = dict(factors=4, mf_epochs=2, num_candidates=8, slate_size=2, max_steps=6)


def env_keys(name):
    """make() keys for `name`; skips the test when its data file is absent."""
    family = dict((n, f) for n, _, f in rlrec.environment_info())[name]
    if family == "rating_log":
        if not MOVIELENS.exists():
            pytest.skip(f"MovieLens 100k not found at {MOVIELENS} (rating-log environments need it)")
        return dict(data=str(MOVIELENS), **RATING_KEYS)
    return dict(max_steps=8)


@pytest.fixture(params=rlrec.environments())
def env_name(request):
    return request.param
