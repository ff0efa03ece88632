#include "rlrec/experiment/ope_experiment.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "rlrec/catalog/catalog.h"
#include "rlrec/core/error.h"
#include "rlrec/core/testing.h"
#include "rlrec/logs/log.h"
#include "rlrec/ope/sim_ope.h"
#include "rlrec/sim/vector_env.h"

namespace rlrec::experiment {
namespace {

const std::string kObd = std::string(RLREC_SHARED_DATA_DIR) + "/open-bandit-dataset";

using test::error_of;

TEST(OpeExperiment, OptionErrorsNameTheConfigKey) {
  OpeEstimateOptions o;
  o.log = "x.csv";
  o.policy = "bts";
  o.bootstrap = 0;
  EXPECT_EQ(error_of([&] { o.validate(); }),
            "ope.bootstrap must be > 0 (number of resamples), got 0");
  o.bootstrap = 5;
  o.level = 1.5;
  EXPECT_EQ(error_of([&] { o.validate(); }), "ope.level must be in (0, 1), got 1.5");
  o.level = 0.9;
  o.target_dist = "d.csv";
  EXPECT_NE(error_of([&] { o.validate(); }).find("exactly one of ope.target_dist"),
            std::string::npos);
  o.target_dist.clear();
  o.model.model_c = 0;
  EXPECT_EQ(error_of([&] { run_ope_estimate(o); }), "ope.model_c must be finite and > 0, got 0.0");
  o.model.model_c = 1;
  o.model.reward_model = "forest";
  EXPECT_NE(error_of([&] { o.validate(); }).find("ope.reward_model must be one of logistic, ridge"),
            std::string::npos);
  OpeBenchOptions b;
  b.data = kObd;
  b.campaign = "kids";
  EXPECT_NE(error_of([&] { run_ope_bench(b); }).find("ope.campaign must be one of men, women, all"),
            std::string::npos);
  OpeSimBenchOptions s;
  s.env_overrides = {"run.seed=1"};
  EXPECT_EQ(error_of([&] { s.validate(); }),
            "ope.env_overrides 'run.seed=1': simbench accepts env.KEY=VALUE only");
  s.env_overrides.clear();
  s.estimators = "ipw,ipx";
  EXPECT_NE(error_of([&] { s.validate(); }).find("unknown estimator 'ipx'"), std::string::npos);
  // Every key is listed once by visit() (the [ope] section of an experiment file).
  const auto keys = field_keys(OpeEstimateOptions{});
  EXPECT_EQ(keys.size(), 18u);
  EXPECT_EQ(keys.front(), "log");
  EXPECT_EQ(keys.back(), "dros_lambda");
}

TEST(OpeExperiment, SplitNamesKeepsEmptyPieces) {
  EXPECT_EQ(split_names("ipw,dr"), (std::vector<std::string>{"ipw", "dr"}));
  EXPECT_EQ(split_names("ipw,"), (std::vector<std::string>{"ipw", ""}));
}

TEST(OpeExperiment, EstimateOnOpenBanditRandomTarget) {
  const std::string log = kObd + "/random/men/men.csv";
  if (!std::filesystem::exists(log))
    GTEST_SKIP() << "Open Bandit Dataset not found at " << kObd << ", skipping";
  OpeEstimateOptions o;
  o.log = log;
  o.policy = "random";
  o.bootstrap = 10;
  o.estimators = "ipw,snipw,dm";
  const OpeEstimateResult r = run_ope_estimate(o);
  // The random logger is uniform, so is the target: every weight is 1 and ipw == snipw.
  EXPECT_NEAR(r.mean_weight, 1.0, 1e-12);
  ASSERT_EQ(r.estimates.size(), 3u);
  EXPECT_EQ(r.estimates[0].name, "ipw");
  EXPECT_NEAR(r.estimates[0].estimate, r.estimates[1].estimate, 1e-12);
  EXPECT_TRUE(r.reward_model_fitted);
  EXPECT_GT(r.fit.models, 0);
  EXPECT_EQ(r.policy_description, "random (uniform slates)");
  const nlohmann::json j = to_json(r);
  std::vector<std::string> keys;
  for (const auto& [k, v] : j.items()) keys.push_back(k);
  // nlohmann::json sorts keys; the set of keys is the contract.
  EXPECT_EQ(keys, (std::vector<std::string>{"bootstrap", "estimates", "format", "level", "log",
                                            "mean_weight", "policy", "reward_model", "rounds",
                                            "rows_read", "rows_rejected", "seed"}));
  EXPECT_EQ(j["rounds"], r.rounds);
  EXPECT_TRUE(j["estimates"]["ipw"]["lambda"].is_null());
  // Same seed, same numbers.
  EXPECT_EQ(run_ope_estimate(o).estimates[2].ci_high, r.estimates[2].ci_high);
}

TEST(OpeExperiment, EstimateBanditOnGivenRoundsAndRewards) {
  // 4 rounds, 2 actions, 1 position; the logger is uniform, the target always picks action 0.
  ope::BanditData d;
  d.n_actions = 2;
  d.action = {0, 1, 0, 1};
  d.position = {0, 0, 0, 0};
  d.reward = {1, 1, 0, 0};
  d.pscore = {0.5, 0.5, 0.5, 0.5};
  ope::ActionDist dist;
  dist.n_actions = 2;
  dist.n_positions = 1;
  dist.p = {1.0, 0.0};
  OpeEstimateOptions o;
  o.estimators = "ipw,dm";
  o.bootstrap = 20;
  const std::vector<double> q{0.75, 0.25, 0.75, 0.25, 0.75, 0.25, 0.75, 0.25};
  const OpeEstimateResult r = estimate_bandit(d, dist, nullptr, &q, o);
  ASSERT_EQ(r.estimates.size(), 2u);
  EXPECT_DOUBLE_EQ(r.estimates[0].estimate, 0.5);  // (2 * 1 + 0 + 2 * 0 + 0) / 4
  EXPECT_DOUBLE_EQ(r.estimates[1].estimate, 0.75);
  EXPECT_DOUBLE_EQ(r.mean_weight, 1.0);
  EXPECT_EQ(r.rounds, 4u);
  const std::vector<double> short_q{0.5};
  EXPECT_EQ(error_of([&] { estimate_bandit(d, dist, nullptr, &short_q, o); }),
            "estimated rewards: need n_rounds x n_actions = 8 values, got 1");
  EXPECT_NE(
      error_of([&] { estimate_bandit(d, dist, nullptr, nullptr, o); }).find("need a reward model"),
      std::string::npos);
  o.estimators = "ipw";  // no model needed
  EXPECT_DOUBLE_EQ(estimate_bandit(d, dist, nullptr, nullptr, o).estimates[0].estimate, 0.5);
}

TEST(OpeExperiment, BenchGroundTruthOnOpenBandit) {
  if (!std::filesystem::exists(kObd + "/random/men/men.csv"))
    GTEST_SKIP() << "Open Bandit Dataset not found at " << kObd << ", skipping";
  OpeBenchOptions o;
  o.data = kObd;
  o.campaign = "men";
  o.bootstrap = 2;
  o.n_sim = 2000;
  o.estimators = "ipw,snipw";
  const OpeBenchResult r = run_ope_bench(o);
  EXPECT_NEAR(r.bench.ground_truth, 0.0069, 1e-12);
  ASSERT_EQ(r.bench.rows.size(), 2u);
  const nlohmann::json j = to_json(r);
  EXPECT_EQ(j["reward_model"]["kind"], "logistic");
  EXPECT_EQ(j["seed"], 12345);
  EXPECT_TRUE(j["estimates"]["snipw"]["relative_error_std"].is_number());
}

TEST(OpeExperiment, EstimateOnSimulatorLogTargetEqualsBehaviour) {
  const Config cfg = Config::parse_string("[env]\nname = \"interest_evolution\"\nmax_steps = 1\n");
  const std::string path = ::testing::TempDir() + "ope_exp_" + std::to_string(getpid()) + ".log";
  {
    sim::VectorEnv venv(catalog::make_environment(cfg, 3), 64, 3);
    auto pol = ope::make_sim_policy("softmax_myopic", venv.env());
    logs::LogWriter w(path, logs::make_header(venv.env(), cfg, 3, "softmax_myopic", 3));
    logs::collect_log(venv, *pol, 300, 3, w);
    w.close();
  }
  OpeEstimateOptions o;
  o.log = path;
  o.format = "rlrec";
  o.policy = "softmax_myopic";
  o.bootstrap = 20;
  o.estimators = "sips,snipw,ipw";
  const OpeEstimateResult r = run_ope_estimate(o);
  std::filesystem::remove(path);
  EXPECT_EQ(r.rounds, 300u);
  EXPECT_EQ(r.behaviour, "softmax_myopic");
  ASSERT_EQ(r.estimates.size(), 3u);
  EXPECT_NEAR(r.estimates[0].estimate, r.estimates[1].estimate, 1e-9);  // all weights 1
  const nlohmann::json j = to_json(r);
  EXPECT_EQ(j["value"], "per step");
  EXPECT_FALSE(j.contains("reward_model"));
  o.target_dist = "d.csv";
  o.policy.clear();
  EXPECT_NE(error_of([&] {
              run_ope_estimate(o);
            }).find("ope.target_dist applies to ope.format = \"obd\""),
            std::string::npos);
}

TEST(OpeExperiment, SimBenchRowsPerTargetAndEstimator) {
  OpeSimBenchOptions o;
  o.sizes = {200};
  o.reps = 2;
  o.bootstrap = 5;
  o.truth_episodes = 500;
  o.estimators = "ipw,iips";
  const OpeSimBenchResult r = run_ope_simbench(o);
  ASSERT_EQ(r.rows.size(), 4u);  // 2 targets x 1 size x 2 estimators
  for (size_t i = 0; i + 1 < r.rows.size(); i += 2) {
    EXPECT_EQ(r.rows[i].target, r.rows[i + 1].target);
    EXPECT_NEAR(r.rows[i].mean_estimate, r.rows[i + 1].mean_estimate,
                1e-9);  // ipw == iips on sim logs
  }
  const nlohmann::json j = to_json(r);
  EXPECT_EQ(j["rows"].size(), 4u);
  EXPECT_EQ(j["rows"][0]["size"], 200);
}

}  // namespace
}  // namespace rlrec::experiment

namespace rlrec::experiment {
namespace {

TEST(OpeExperiment, SimBenchCountsNameTheirKeys) {
  OpeSimBenchOptions s;
  s.reps = 0;
  EXPECT_EQ(test::error_of([&] { s.validate(); }), "ope.reps must be > 0, got 0");
  s.reps = 1;
  s.bootstrap = 0;
  EXPECT_EQ(test::error_of([&] { s.validate(); }),
            "ope.bootstrap must be > 0 (number of resamples), got 0");
}

}  // namespace
}  // namespace rlrec::experiment
