"""Library errors become Python exceptions of the fitting class with the same one-line message."""

import numpy as np
import pytest

import rlrec


def test_unknown_environment_is_a_key_error_with_the_library_message():
    with pytest.raises(KeyError) as e:
        rlrec.make("interest_evolutoin")
    assert isinstance(e.value, rlrec.NotFoundError) and isinstance(e.value, rlrec.Error)
    msg = str(e.value)
    assert msg.startswith("unknown environment 'interest_evolutoin'; did you mean 'interest_evolution'?")
    assert "\n" not in msg


def test_bad_key_and_bad_value_are_value_errors():
    with pytest.raises(ValueError, match="slate_siz"):
        rlrec.make("interest_evolution", slate_siz=2)
    with pytest.raises(rlrec.InvalidArgumentError, match="slate_size"):
        rlrec.make("interest_evolution", num_candidates=3, slate_size=5)
    with pytest.raises(TypeError, match="env.num_candidates"):
        rlrec.make("interest_evolution", num_candidates=object())


def test_missing_data_file_is_file_not_found():
    with pytest.raises(FileNotFoundError, match="/nonexistent/u.data"):
        rlrec.make("movielens_mf", data="/nonexistent/u.data")


def test_bad_actions_raise():
    env = rlrec.make("interest_evolution", num_candidates=10, slate_size=2)
    env.reset(seed=1)
    with pytest.raises(TypeError, match="integer"):
        env.step(np.array([0.0, 1.0]))
    with pytest.raises(TypeError, match="integer"):
        env.step(np.array([True, False]))
    with pytest.raises(ValueError, match="shape"):
        env.step(np.array([0, 1, 2]))
    with pytest.raises(ValueError, match="out of range"):
        env.step(np.array([0, 10]))
    with pytest.raises(ValueError, match="out of range"):
        env.step(np.array([-1, 0]))
    with pytest.raises(ValueError, match="out of range"):
        env.step(np.array([2**40, 0]))
    with pytest.raises(ValueError, match="duplicate position 3"):
        env.step([3, 3])
    # Nothing was stepped: the episode goes on normally.
    obs, reward, terminated, truncated, info = env.step([0, 1])
    assert info["episode_step"] == 1


def test_bad_seeds_raise():
    env = rlrec.make("interest_evolution")
    with pytest.raises(TypeError):
        env.reset(seed=1.5)
    with pytest.raises(ValueError):
        env.reset(seed=-1)
    with pytest.raises(ValueError):
        rlrec.make("interest_evolution", render_mode="human")


def test_unknown_baseline_policy():
    with pytest.raises(KeyError, match="unknown policy 'myopc'"):
        rlrec.run_baseline("myopc", episodes=2)
