"""The space classes: Gymnasium's interface (shape, dtype, seed, sample, contains)."""

import numpy as np

from rlrec import spaces


def test_slate_samples_distinct_positions_and_seeds():
    s = spaces.Slate(10, 3)
    assert s.shape == (3,) and s.dtype == np.int64
    s.seed(7)
    a = [s.sample() for _ in range(50)]
    s.seed(7)
    b = [s.sample() for _ in range(50)]
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)
        assert len(set(x.tolist())) == 3 and s.contains(x) and x in s
    assert not s.contains(np.array([1, 1, 2]))
    assert not s.contains(np.array([1, 2, 10]))
    assert not s.contains(np.array([1.0, 2.0, 3.0]))
    assert not s.contains(np.array([1, 2]))


def test_batched_slate():
    s = spaces.Slate(5, 2, batch=4)
    x = s.sample()
    assert x.shape == (4, 2) and s.contains(x)
    x[2] = [3, 3]
    assert not s.contains(x)


def test_box_and_dict():
    box = spaces.Box(-1.0, 1.0, (2, 3), np.float32)
    assert box.shape == (2, 3) and box.dtype == np.float32
    assert box.contains(box.sample())
    assert not box.contains(np.full((2, 3), 2.0, dtype=np.float32))
    d = spaces.Dict({"a": box, "b": spaces.Box(0, 9, (4,), np.int64)})
    d.seed(3)
    x = d.sample()
    assert d.contains(x)
    d.seed(3)
    np.testing.assert_array_equal(d.sample()["b"], x["b"])
    assert not d.contains({"a": x["a"]})
