"""Nearest-neighbour search over numpy arrays: the library's index/index.h (exact or HNSW).

    ix = rlrec.Index("exact", dim=16)            # metric "ip" (inner product) or "l2"
    ix.add(vectors, ids)                         # float32 (n, dim), int64 (n,)
    ids, scores = ix.search(queries, k=10)       # (n, k) each, best first
"""

import numpy as np

from . import _rlrec
from .errors import InvalidArgumentError


def index_kinds():
    """Names of the index implementations (`rlrec index build --kind`)."""
    return list(_rlrec._index_kinds())


class Index:
    """An index of kind "exact", "hnsw" or "auto" (index/index.h IndexConfig: metric, M,
    ef_construction, ef_search, threads, seed). Vectors and queries are converted to float32 and
    ids to int64; a wrong shape raises InvalidArgumentError (a ValueError)."""

    def __init__(self, kind="exact", dim=None, metric="ip", M=16, ef_construction=200,
                 ef_search=64, threads=1, seed=100):
        if dim is None or not 1 <= int(dim) < 2**31:
            raise InvalidArgumentError(f"dim must be in [1, 2^31) (the vectors' length), got {dim}")
        self._core = _rlrec.Index(kind, int(dim), metric, int(M), int(ef_construction),
                                  int(ef_search), int(threads), int(seed))

    @property
    def kind(self):
        return self._core.kind

    @property
    def dim(self):
        return self._core.dim

    def __len__(self):
        return len(self._core)

    @staticmethod
    def _floats(name, a):
        a = np.asarray(a)
        if a.dtype.kind not in "iuf":
            raise InvalidArgumentError(f"{name} must be numbers, got dtype {a.dtype}")
        return np.ascontiguousarray(a, dtype=np.float32)

    def add(self, vectors, ids=None):
        """Adds vectors (n, dim) with ids (n,), each >= 0 and new; default ids len(self)..+n-1."""
        vectors = self._floats("vectors", vectors)
        if ids is None:
            ids = np.arange(len(self), len(self) + (vectors.shape[0] if vectors.ndim else 0))
        ids = np.asarray(ids)
        if ids.dtype.kind not in "iu":
            raise InvalidArgumentError(f"ids must be integers, got dtype {ids.dtype}")
        self._core.add(vectors, np.ascontiguousarray(ids, dtype=np.int64))

    def search(self, queries, k):
        """(ids int64 (n, k), scores float32 (n, k)) of the k best items per query, best first;
        1 <= k <= len(self). A single query of shape (dim,) is searched as (1, dim)."""
        queries = self._floats("queries", queries)
        if queries.ndim == 1:
            queries = queries[None, :]
        return self._core.search(queries, int(k))
