"""The single-session Env: Gymnasium 1.x API, spaces, seeding, info, every catalogue environment."""

import numpy as np
import pytest

import rlrec
from conftest import env_keys


def rollout(env, seed, episodes, policy=None):
    """Returns per episode (returns, lengths); policy(obs) -> slate, default action_space.sample()."""
    env.action_space.seed(seed)
    out = []
    obs, info = env.reset(seed=seed)
    for e in range(episodes):
        if e > 0:
            obs, info = env.reset()
        total, steps, done = 0.0, 0, False
        while not done:
            action = policy(obs) if policy else env.action_space.sample()
            obs, reward, terminated, truncated, info = env.step(action)
            total += reward
            steps += 1
            done = terminated or truncated
        out.append((total, steps))
    return out


def test_every_environment_follows_the_api(env_name):
    env = rlrec.make(env_name, **env_keys(env_name))
    assert set(env.metadata) >= {"render_modes"}
    obs, info = env.reset(seed=5)
    assert info["episode_id"] == 0
    assert isinstance(obs, dict)
    assert env.observation_space.contains(obs), (obs, env.observation_space)
    for value in obs.values():
        assert value.dtype in (np.float32, np.int64)
    K, N, R = env.slate_size, env.num_candidates, len(env.response_fields)
    steps = 0
    while True:
        action = env.action_space.sample()
        assert env.action_space.contains(action)
        obs, reward, terminated, truncated, info = env.step(action)
        steps += 1
        assert env.observation_space.contains(obs)
        assert isinstance(reward, float) and isinstance(terminated, bool) and isinstance(truncated, bool)
        assert -1 <= info["choice"] < K
        assert info["responses"].shape == (K, R) and info["responses"].dtype == np.float32
        assert "candidate_quality" not in info  # privileged values only when asked for
        assert info["episode_step"] == steps
        if terminated or truncated:
            break
    assert steps <= env.spec_dict["max_steps"]
    if truncated:
        assert steps == env.spec_dict["max_steps"]
    with pytest.raises(RuntimeError, match="reset"):
        env.step(env.action_space.sample())
    env.close()


def test_reset_with_a_seed_is_reproducible(env_name):
    env = rlrec.make(env_name, **env_keys(env_name))
    a = rollout(env, 3, 3)
    b = rollout(env, 3, 3)
    assert a == b
    other = rlrec.make(env_name, **env_keys(env_name))
    assert rollout(other, 3, 3) == a
    first_obs = env.reset(seed=3)[0]
    np.testing.assert_array_equal(first_obs["user"], env.reset(seed=3)[0]["user"])


def test_observations_are_copies():
    env = rlrec.make("interest_evolution", max_steps=5)
    obs, _ = env.reset(seed=1)
    kept = {k: v.copy() for k, v in obs.items()}
    env.step(np.array([0, 1]))
    for k in kept:
        np.testing.assert_array_equal(obs[k], kept[k])


def test_options_episode_starts_that_episode():
    env = rlrec.make("interest_evolution", max_steps=5)
    env.reset(seed=2)
    env.reset()
    env.reset()
    obs2, info = env.reset(seed=2, options={"episode": 2})
    assert info["episode_id"] == 2
    env.reset(seed=2)
    env.reset()
    obs2b, info = env.reset()
    assert info["episode_id"] == 2
    np.testing.assert_array_equal(obs2["user"], obs2b["user"])
    np.testing.assert_array_equal(obs2["candidate_features"], obs2b["candidate_features"])
    with pytest.raises(ValueError, match="unknown reset option"):
        env.reset(options={"episodes": 1})


def test_fixed_corpus_observes_item_ids():
    env = rlrec.make("interest_evolution", corpus_size=50, num_candidates=10, max_steps=5)
    obs, _ = env.reset(seed=4)
    assert set(obs) == {"user", "candidate_ids"}
    assert obs["candidate_ids"].dtype == np.int64 and obs["candidate_ids"].shape == (10,)
    assert env.catalogue_features.shape[0] == 50
    assert not env.catalogue_features.flags.writeable
    whole = rlrec.make("interest_evolution", corpus_size=10, num_candidates=10, max_steps=5)
    obs, _ = whole.reset(seed=4)
    np.testing.assert_array_equal(obs["candidate_ids"], np.arange(10))


def test_privileged_info_only_when_asked():
    env = rlrec.make("interest_evolution", privileged=True, max_steps=5)
    obs, info = env.reset(seed=1)
    assert info["candidate_quality"].shape == (env.num_candidates,)
    _, _, _, _, info = env.step(np.array([1, 0]))
    assert info["candidate_quality"].shape == (env.num_candidates,)
    fixed = rlrec.make("interest_evolution", privileged=True, corpus_size=10, num_candidates=10)
    _, info = fixed.reset(seed=1)
    assert info["candidate_quality"].shape == (10,)


def test_rating_log_environment_needs_its_data():
    with pytest.raises(ValueError, match="env.data"):
        rlrec.make("movielens_mf")


def test_catalogue_lists():
    assert rlrec.environments()[:3] == ["interest_evolution", "interest_exploration",
                                        "long_term_satisfaction"]
    assert "myopic" in rlrec.policies()
    assert "num_candidates" in rlrec.env_defaults("interest_evolution")
