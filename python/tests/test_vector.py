"""VectorEnv: Gymnasium 1.x vector API, next-step autoreset, zero-copy views, thread invariance."""

import numpy as np
import pytest

import rlrec
from conftest import env_keys


def random_actions(rng, b, n, k):
    return np.argsort(rng.random((b, n)), axis=1)[:, :k]


def run(venv, steps, seed):
    """Random-policy trajectory: stacked rewards, terminated, truncated, choices, user obs."""
    rng = np.random.default_rng(seed)
    obs, _ = venv.reset(seed=seed)
    out = []
    for _ in range(steps):
        a = random_actions(rng, venv.num_envs, venv.num_candidates, venv.slate_size)
        obs, rew, term, trunc, info = venv.step(a)
        out.append((rew, term, trunc, info["choice"], obs["user"].copy()))
    return [np.stack(x) for x in zip(*out)]


def test_api_and_spaces(env_name):
    venv = rlrec.VectorEnv(env_name, 4, seed=1, **env_keys(env_name))
    assert venv.metadata["autoreset_mode"] in ("next_step",) or "NEXT" in str(venv.metadata["autoreset_mode"])
    assert venv.num_envs == 4
    obs, info = venv.reset(seed=2)
    assert venv.observation_space.contains(obs)
    np.testing.assert_array_equal(info["episode_id"], np.arange(4))
    for _ in range(3):
        obs, rew, term, trunc, info = venv.step(venv.action_space.sample())
        assert rew.shape == (4,) and rew.dtype == np.float64
        assert term.dtype == np.bool_ and trunc.dtype == np.bool_
        assert info["choice"].shape == (4,)
        assert info["responses"].shape == (4, venv.slate_size, len(venv.response_fields))
        assert venv.observation_space.contains(obs)
    venv.close()
    assert venv.closed


def test_identical_for_any_thread_count():
    keys = dict(num_candidates=10, slate_size=2, max_steps=7)
    ref = run(rlrec.VectorEnv("interest_evolution", 33, threads=1, **keys), 20, seed=9)
    for threads in (2, 3):
        got = run(rlrec.VectorEnv("interest_evolution", 33, threads=threads, **keys), 20, seed=9)
        for a, b in zip(ref, got):
            np.testing.assert_array_equal(a, b)


def test_observations_are_readonly_views_without_copy():
    venv = rlrec.VectorEnv("interest_evolution", 8, seed=1)
    obs, _ = venv.reset(seed=1)
    ptr = obs["user"].__array_interface__["data"][0]
    fptr = obs["candidate_features"].__array_interface__["data"][0]
    before = obs["user"].copy()
    obs2, *_ = venv.step(np.tile([0, 1], (8, 1)))
    assert obs2["user"].__array_interface__["data"][0] == ptr
    assert obs2["candidate_features"].__array_interface__["data"][0] == fptr
    assert not obs2["user"].flags.writeable
    with pytest.raises(ValueError):
        obs2["user"][0, 0] = 1.0
    assert not np.array_equal(before, obs["user"])  # the same buffer, overwritten by step()
    del venv  # views keep the buffers alive
    assert np.isfinite(obs2["user"]).all()


def test_next_step_autoreset():
    venv = rlrec.VectorEnv("interest_evolution", 3, seed=4, max_steps=2)
    venv.reset(seed=4)
    a = np.tile([0, 1], (3, 1))
    _, _, term, trunc, info = venv.step(a)
    assert not (term | trunc).any() and not info["_reset"].any()
    _, rew, term, trunc, info = venv.step(a)
    assert trunc.all()  # max_steps reached: final observation returned
    obs, rew, term, trunc, info = venv.step(np.array([[5, 5]] * 3))  # ignored actions: no error
    assert info["_reset"].all() and (rew == 0).all() and not (term | trunc).any()
    assert (info["choice"] == -1).all()
    np.testing.assert_array_equal(venv.episode_ids(), np.arange(3) + 3)
    # The reset observation is the first observation of episode b + 3 of the same run seed.
    single = rlrec.make("interest_evolution", max_steps=2)
    single.reset(seed=4)
    for b in range(3):
        first, _ = single.reset(seed=4, options={"episode": b + 3})
        np.testing.assert_array_equal(obs["user"][b], first["user"])
        np.testing.assert_array_equal(obs["candidate_features"][b], first["candidate_features"])


def test_sub_environments_equal_single_env_episodes():
    """Sub-environment b runs episodes b, b + B, ...: each equals the single Env's episode."""
    B, keys = 4, dict(max_steps=5)
    venv = rlrec.VectorEnv("interest_evolution", B, seed=11, **keys)
    venv.reset(seed=11)
    returns = {}
    acc = np.zeros(B)
    ep = venv.episode_ids().astype(int)
    for _ in range(30):
        scores = venv.observed_scores()
        actions = np.argsort(-scores, axis=1, kind="stable")[:, :2]
        _, rew, term, trunc, info = venv.step(actions)
        for b in range(B):
            if info["_reset"][b]:
                acc[b] = 0
                ep[b] = venv.episode_ids()[b]
                continue
            acc[b] += rew[b]
            if term[b] or trunc[b]:
                returns[int(ep[b])] = acc[b]
    single = rlrec.make("interest_evolution", **keys)
    for e, value in returns.items():
        obs, _ = single.reset(seed=11, options={"episode": e})
        total, done = 0.0, False
        while not done:
            action = np.argsort(-single.observed_scores(), kind="stable")[:2]
            obs, r, t, tr, _ = single.step(action)
            total += r
            done = t or tr
        assert total == value, e


def test_reset_without_seed_starts_next_episodes():
    venv = rlrec.VectorEnv("interest_evolution", 2, seed=3)
    venv.reset()
    np.testing.assert_array_equal(venv.episode_ids(), [0, 1])
    _, info = venv.reset()
    np.testing.assert_array_equal(info["episode_id"], [2, 3])


def test_bad_vector_arguments():
    with pytest.raises(ValueError, match="num_envs"):
        rlrec.VectorEnv("interest_evolution", 0)
    with pytest.raises(ValueError, match="threads"):
        rlrec.VectorEnv("interest_evolution", 2, threads=-1)
    venv = rlrec.VectorEnv("interest_evolution", 2, seed=1)
    with pytest.raises(RuntimeError, match="reset"):
        venv.step(np.zeros((2, 2), dtype=np.int64))
    venv.reset()
    with pytest.raises(ValueError, match=r"shape \(2, 2\)"):
        venv.step(np.array([0, 1]))
    with pytest.raises(ValueError, match="duplicate position"):
        venv.step(np.array([[0, 1], [3, 3]]))


def test_action_dtypes_and_layouts_give_the_same_step():
    """int32, int64, uint8 and non-contiguous integer arrays are the same slates."""
    results = []
    base = np.array([[0, 1], [2, 3], [4, 5]])
    variants = [base.astype(np.int32), base, base.astype(np.uint8),
                np.ascontiguousarray(base[:, ::-1])[:, ::-1], base.astype(">i4"), base.tolist()]
    for actions in variants:
        venv = rlrec.VectorEnv("interest_evolution", 3, seed=5)
        venv.reset(seed=5)
        obs, rew, *_ = venv.step(actions)
        results.append((rew, obs["user"].copy()))
    for rew, user in results[1:]:
        np.testing.assert_array_equal(rew, results[0][0])
        np.testing.assert_array_equal(user, results[0][1])


def test_privileged_vector_info():
    venv = rlrec.VectorEnv("interest_evolution", 3, seed=1, privileged=True)
    venv.reset()
    *_, info = venv.step(np.tile([0, 1], (3, 1)))
    assert info["candidate_quality"].shape == (3, venv.num_candidates)
    whole = rlrec.VectorEnv("interest_evolution", 3, seed=1, privileged=True, corpus_size=10,
                            num_candidates=10)
    whole.reset()
    *_, info = whole.step(np.tile([0, 1], (3, 1)))
    assert info["candidate_quality"].shape == (3, 10)
    plain = rlrec.VectorEnv("interest_evolution", 3, seed=1)
    plain.reset()
    assert "candidate_quality" not in plain.step(np.tile([0, 1], (3, 1)))[-1]
