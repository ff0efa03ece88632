"""The bad-input suite through the Python API (issue 15 item 8; the classes of
tests/cli_bad_input_test.cc): paths (a directory where a file is expected, missing files,
/dev/null, non-UTF-8 names), numbers (nan, +-inf, -0, 1e300, 2**64), sizes that would allocate too
much memory, wrong dtypes, shapes and duplicates, over the Python entry points. Each case must raise
the fitting exception class with a one-line message holding every needle (the value and the
rule); none may crash the interpreter (a crash fails the whole run)."""

import os

import numpy as np
import pytest

import rlrec
from conftest import ROOT

MEN = ROOT / "data" / "open_bandit" / "random" / "men" / "men.csv"
NONUTF8 = b"/tmp/rlrec-no-such-\xff\xfe.toml"


@pytest.fixture(scope="module")
def d(tmp_path_factory):
    base = tmp_path_factory.mktemp("bad")
    (base / "adir").mkdir()
    (base / "afile").write_text("not a config, log, model or index\n")
    (base / "r.tsv").write_text("".join(f"{1 + i % 30}\t{1 + (i * 7) % 40}\t{1 + i % 5}\t{1000 + i}\n"
                                        for i in range(600)))
    return base


@pytest.fixture(scope="module")
def bf():
    b = rlrec.read_bandit_feedback(MEN)
    return {k: b[k] for k in ("n_rounds", "n_actions", "len_list", "action", "position", "reward",
                              "pscore")}


def uniform(bf):
    return np.full((bf["n_rounds"], bf["n_actions"], bf["len_list"]), 1.0 / bf["n_actions"])


def env():
    e = rlrec.make("interest_evolution", num_candidates=5, slate_size=2, max_steps=3)
    e.reset(seed=1)
    return e


def venv():
    v = rlrec.VectorEnv("interest_evolution", 3, seed=1, num_candidates=5, slate_size=2)
    v.reset()
    return v


def index():
    i = rlrec.Index("exact", dim=4)
    i.add(np.ones((3, 4), np.float32), np.arange(3, dtype=np.int64))
    return i


TRAIN = ('[env]\nname = "interest_evolution"\nmax_steps = 5\n[agent]\nname = "slateq_sarsa"\n'
         'hidden = [8]\n[run]\ntrain_steps = 10\neval_interval = 10\neval_episodes = 2\n'
         'episodes = 2\n')
COMPARE = ('[env]\nname = "interest_evolution"\nmax_steps = 5\n[run]\nepisodes = 2\n'
           '[compare]\nagents = ["random", "myopic"]\nseeds = 1\n')

# (name, call(dir, bf) -> anything, exception class, needles that must all be in str(e)).
CASES = [
    # --- paths ---
    ("train_experiment_is_directory", lambda d, bf: rlrec.train(d / "adir"), ValueError,
     ["adir' is a directory"]),
    ("train_experiment_dev_null", lambda d, bf: rlrec.train("/dev/null"), ValueError,
     ["'/dev/null' is a device"]),
    ("train_experiment_missing", lambda d, bf: rlrec.train(d / "missing.toml"), FileNotFoundError,
     ["missing.toml", "No such file"]),
    ("train_experiment_non_utf8", lambda d, bf: rlrec.train(NONUTF8), FileNotFoundError,
     ["No such file"]),
    ("train_experiment_not_toml", lambda d, bf: rlrec.train(d / "afile"), ValueError,
     ["afile:1", "invalid TOML"]),
    ("compare_experiment_is_directory", lambda d, bf: rlrec.compare(d / "adir"), ValueError,
     ["adir' is a directory"]),
    ("compare_experiment_dev_null", lambda d, bf: rlrec.compare("/dev/null"), ValueError,
     ["'/dev/null' is a device"]),
    ("evaluate_run_is_file", lambda d, bf: rlrec.evaluate_run(d / "afile"), FileNotFoundError,
     ["afile' is not a run directory"]),
    ("evaluate_run_dev_null", lambda d, bf: rlrec.evaluate_run("/dev/null"), FileNotFoundError,
     ["'/dev/null' is not a run directory"]),
    ("evaluate_run_missing", lambda d, bf: rlrec.evaluate_run(d / "nope"), FileNotFoundError,
     ["nope' is not a run directory"]),
    ("evaluate_run_non_utf8", lambda d, bf: rlrec.evaluate_run(NONUTF8), FileNotFoundError,
     ["is not a run directory"]),
    ("load_policy_is_file", lambda d, bf: rlrec.load_policy(d / "afile"), FileNotFoundError,
     ["afile' is not a run directory"]),
    ("train_out_is_file", lambda d, bf: rlrec.train(TRAIN, out=d / "afile"), ValueError,
     ["afile", "not a directory"]),
    ("train_out_dev_null", lambda d, bf: rlrec.train(TRAIN, out="/dev/null"), ValueError,
     ["/dev/null"]),
    ("read_feedback_is_directory", lambda d, bf: rlrec.read_bandit_feedback(d / "adir"),
     FileNotFoundError, ["adir': it is a directory"]),
    ("read_feedback_dev_null", lambda d, bf: rlrec.read_bandit_feedback("/dev/null"), ValueError,
     ["/dev/null"]),
    ("read_feedback_missing", lambda d, bf: rlrec.read_bandit_feedback(d / "none.csv"),
     FileNotFoundError, ["none.csv"]),
    ("read_rlrec_log_is_directory",
     lambda d, bf: rlrec.read_bandit_feedback(d / "adir", format="rlrec", policy="random"),
     ValueError, ["adir' is a directory"]),
    ("read_rlrec_log_dev_null",
     lambda d, bf: rlrec.read_bandit_feedback("/dev/null", format="rlrec", policy="random"),
     ValueError, ["'/dev/null' is not a regular file"]),
    ("mf_fit_is_directory", lambda d, bf: rlrec.mf_fit(d / "adir", split="random:0.2"),
     FileNotFoundError, ["adir'", "is a directory"]),
    ("mf_fit_dev_null",
     lambda d, bf: rlrec.mf_fit("/dev/null", format="tsv", split="random:0.2"), ValueError,
     ["/dev/null", "empty file"]),
    ("mf_fit_missing", lambda d, bf: rlrec.mf_fit(d / "nope.tsv", split="random:0.2"),
     FileNotFoundError, ["nope.tsv"]),
    ("make_rating_data_is_directory",
     lambda d, bf: rlrec.make("movielens_mf", data=str(d / "adir")), FileNotFoundError,
     ["adir", "is a directory"]),
    # --- numbers ---
    ("evaluate_episodes_nan", lambda d, bf: rlrec.evaluate("random", episodes=float("nan")),
     ValueError, ["episodes must be an int", "nan"]),
    ("evaluate_episodes_inf", lambda d, bf: rlrec.evaluate("random", episodes=float("inf")),
     ValueError, ["episodes must be an int", "inf"]),
    ("evaluate_episodes_1e300", lambda d, bf: rlrec.evaluate("random", episodes=1e300),
     ValueError, ["episodes must be an int", "1e+300"]),
    ("evaluate_episodes_2pow64", lambda d, bf: rlrec.evaluate("random", episodes=2**64),
     ValueError, ["episodes", str(2**64)]),
    ("evaluate_episodes_minus_zero", lambda d, bf: rlrec.evaluate("random", episodes=-0.0),
     ValueError, ["episodes must be an int", "-0.0"]),
    ("evaluate_seed_2pow64", lambda d, bf: rlrec.evaluate("random", seed=2**64), ValueError,
     ["seed", str(2**64)]),
    ("make_key_nan", lambda d, bf: rlrec.make("interest_evolution", quality_std=float("nan")),
     ValueError, ["env.quality_std", "nan"]),
    ("make_key_inf", lambda d, bf: rlrec.make("interest_evolution", num_candidates=float("inf")),
     ValueError, ["env.num_candidates"]),
    ("make_key_2pow64", lambda d, bf: rlrec.make("interest_evolution", num_candidates=2**64),
     ValueError, ["env.num_candidates = " + str(2**64), "64-bit integer"]),
    ("make_key_minus_zero", lambda d, bf: rlrec.make("interest_evolution", max_steps=-0.0),
     ValueError, ["env.max_steps"]),
    ("ope_bootstrap_2pow64", lambda d, bf: rlrec.ope.estimate(bf, uniform(bf), bootstrap=2**64),
     ValueError, ["bootstrap", str(2**64)]),
    ("ope_level_nan", lambda d, bf: rlrec.ope.estimate(bf, uniform(bf), level=float("nan")),
     ValueError, ["level must be in (0, 1)", "nan"]),
    ("ope_clip_lambda_nan",
     lambda d, bf: rlrec.ope.estimate(bf, uniform(bf), "clipped_ipw", clip_lambda=float("nan")),
     ValueError, ["clip_lambda", "nan"]),
    ("ope_model_c_inf",
     lambda d, bf: rlrec.ope.estimate(bf, uniform(bf), "dm", reward_model="ridge",
                                      model_c=float("inf"),
                                      estimated_rewards_by_reg_model=None), ValueError,
     ["model_c", "inf"]),
    ("ope_pscore_zero", lambda d, bf: rlrec.ope.estimate(dict(bf, pscore=np.zeros(bf["n_rounds"])),
                                                         uniform(bf), "ipw"),
     ValueError, ["round 0: propensity 0", "must be in (0, 1]"]),
    ("ope_reward_nan",
     lambda d, bf: rlrec.ope.estimate(dict(bf, reward=np.full(bf["n_rounds"], np.nan)),
                                      uniform(bf), "ipw"),
     ValueError, ["reward", "nan"]),
    ("summarize_level_1e300", lambda d, bf: rlrec.summarize([1.0, 2.0], level=1e300), ValueError,
     ["level must be in (0, 1)", "1e+300"]),
    ("train_set_nan",
     lambda d, bf: rlrec.train(TRAIN, out=d / "r1", run={"train_steps": float("nan")}),
     ValueError, ["run.train_steps"]),
    ("train_set_2pow64", lambda d, bf: rlrec.train(TRAIN, out=d / "r2", run={"seed": 2**64}),
     ValueError, ["run.seed", str(2**64)]),
    ("train_threads_minus", lambda d, bf: rlrec.train(TRAIN, out=d / "r3", threads=-1),
     ValueError, ["threads must be in [0, 1024]", "-1"]),
    ("compare_seeds_zero", lambda d, bf: rlrec.compare(COMPARE, seeds=0), ValueError,
     ["seeds must be in [1,", "0"]),
    ("compare_episodes_2pow64", lambda d, bf: rlrec.compare(COMPARE, episodes=2**64), ValueError,
     ["episodes must be in", str(2**64)]),
    ("mf_fit_factors_inf",
     lambda d, bf: rlrec.mf_fit(d / "r.tsv", split="random:0.2", factors=float("inf")),
     ValueError, ["mf.factors"]),
    ("mf_fit_lr_nan",
     lambda d, bf: rlrec.mf_fit(d / "r.tsv", model="biased_sgd", split="random:0.2",
                                lr=float("nan")), ValueError, ["mf.lr", "nan"]),
    ("index_dim_2pow64", lambda d, bf: rlrec.Index("exact", dim=2**64), ValueError,
     ["dim", str(2**64)]),
    # --- sizes that drive memory ---
    ("vector_env_huge", lambda d, bf: rlrec.VectorEnv("interest_evolution", 2**30), ValueError,
     ["a batch of 1073741824 sessions", "of memory"]),
    ("vector_env_2pow40", lambda d, bf: rlrec.VectorEnv("interest_evolution", 2**40), ValueError,
     ["num_envs must be an int in [1, 2^31)", str(2**40)]),
    ("make_corpus_huge", lambda d, bf: rlrec.make("interest_evolution", corpus_size=2**40),
     ValueError, ["corpus_size"]),
    ("ope_bootstrap_huge", lambda d, bf: rlrec.ope.estimate(bf, uniform(bf), bootstrap=2**31 - 1),
     ValueError, ["ope.bootstrap must be <= 1000000", "2147483647"]),
    ("train_replay_huge",
     lambda d, bf: rlrec.train(TRAIN, out=d / "r4", agent={"replay_capacity": 2**40}),
     ValueError, ["replay_capacity"]),
    ("index_search_k_huge", lambda d, bf: index().search(np.ones((1, 4), np.float32), 2**40),
     ValueError, ["k", str(2**40)]),
    # --- dtypes, shapes, duplicates ---
    ("step_float_action", lambda d, bf: env().step(np.array([0.0, 1.0])), TypeError,
     ["dtype float64"]),
    ("step_wrong_shape", lambda d, bf: env().step(np.array([0, 1, 2])), ValueError,
     ["shape", "(3,)"]),
    ("step_duplicate", lambda d, bf: env().step(np.array([1, 1])), ValueError, ["1", "distinct"]),
    ("step_out_of_range", lambda d, bf: env().step(np.array([0, 7])), ValueError, ["7"]),
    ("vector_step_wrong_shape", lambda d, bf: venv().step(np.zeros((2, 2), np.int64)), ValueError,
     ["(3, 2)", "(2, 2)"]),
    ("vector_step_2pow40", lambda d, bf: venv().step(np.full((3, 2), 2**40, np.int64)), ValueError,
     ["-1"]),
    ("ope_action_dist_float32",
     lambda d, bf: rlrec.ope.estimate(bf, uniform(bf).astype(np.float32)), ValueError,
     ["action_dist must have dtype float64", "float32"]),
    ("ope_action_dist_shape", lambda d, bf: rlrec.ope.estimate(bf, uniform(bf)[:10]), ValueError,
     ["action_dist must have shape", "(10,"]),
    ("ope_action_float", lambda d, bf: rlrec.ope.estimate(dict(bf, action=bf["action"] + 0.5),
                                                          uniform(bf)), ValueError,
     ["bandit_feedback['action'] must be integers", "float64"]),
    ("ope_missing_key", lambda d, bf: rlrec.ope.estimate({k: v for k, v in bf.items()
                                                          if k != "pscore"}, uniform(bf)),
     ValueError, ["bandit_feedback has no 'pscore'"]),
    ("ope_unknown_estimator", lambda d, bf: rlrec.ope.estimate(bf, uniform(bf), "ipv"), KeyError,
     ["unknown estimator 'ipv'", "ipw"]),
    ("index_add_duplicate_ids",
     lambda d, bf: rlrec.Index("exact", dim=2).add(np.ones((2, 2), np.float32),
                                                   np.array([3, 3], np.int64)), ValueError,
     ["item id 3 appears twice", "ids must be unique"]),
    ("index_add_wrong_dim",
     lambda d, bf: index().add(np.ones((2, 5), np.float32), np.array([7, 8], np.int64)),
     ValueError, ["4 columns", "(2, 5)"]),
    ("evaluate_policy_duplicates",
     lambda d, bf: rlrec.evaluate(lambda o: np.zeros((len(o["rows"]), 2), np.int64), episodes=2),
     ValueError, ["duplicate positions", "distinct"]),
    ("evaluate_policy_float",
     lambda d, bf: rlrec.evaluate(lambda o: np.zeros((len(o["rows"]), 2)), episodes=2), ValueError,
     ["integer array", "float64"]),
    ("train_dict_not_sections", lambda d, bf: rlrec.train({"env": "interest_evolution"}),
     ValueError, ["section names to dicts", "'env'"]),
    ("train_unknown_agent",
     lambda d, bf: rlrec.train(TRAIN.replace("slateq_sarsa", "slateq_sarza"), out=d / "r5"),
     KeyError, ["slateq_sarza", "did you mean 'slateq_sarsa'"]),
    ("train_override_not_dict", lambda d, bf: rlrec.train(TRAIN, run=5), ValueError,
     ["run= must be a dict", "5"]),
    ("compare_unknown_key", lambda d, bf: rlrec.compare(COMPARE, compare={"seedz": 2}), ValueError,
     ["seedz"]),
    ("read_feedback_unknown_format", lambda d, bf: rlrec.read_bandit_feedback(MEN, format="csv"),
     ValueError, ["format must be one of obd, rlrec", "csv"]),
]


@pytest.mark.parametrize("name,call,cls,needles", CASES, ids=[c[0] for c in CASES])
def test_bad_input(name, call, cls, needles, d, bf):
    with pytest.raises(cls) as info:
        call(d, bf)
    msg = str(info.value)
    assert "\n" not in msg.strip(), f"not one line: {msg!r}"
    for n in needles:
        assert n in msg, f"{n!r} not in {msg!r}"


def test_suite_size():
    assert len(CASES) >= 40
    assert len({c[0] for c in CASES}) == len(CASES)
