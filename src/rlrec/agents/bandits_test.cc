// Linear bandits: the ridge math against a direct solve, the feature maps, and a linear toy
// problem where each bandit must beat random and come close to the oracle, online and offline.
#include "rlrec/agents/bandits.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <Eigen/Dense>
#include <cmath>
#include <filesystem>
#include <memory>

#include "rlrec/agents/offline.h"
#include "rlrec/agents/test_driver.h"
#include "rlrec/catalog/catalog.h"
#include "rlrec/core/error.h"
#include "rlrec/core/testing.h"
#include "rlrec/logs/log.h"
#include "rlrec/sim/environment.h"

namespace rlrec::agents {
namespace {

using bandit::FeatureMap;

TEST(RidgeModel, MeansWidthsAndSamplesMatchTheClosedForm) {
  const int d = 4;
  bandit::RidgeModel m(d, 0.5);
  Rng rng(3);
  Eigen::MatrixXd A = Eigen::MatrixXd::Identity(d, d) * 0.5;
  Eigen::VectorXd b = Eigen::VectorXd::Zero(d);
  for (int i = 0; i < 30; ++i) {
    double x[d];
    for (double& v : x) v = rng.uniform(-1, 1);
    const double y = 2 * x[0] - x[2] + rng.normal(0, 0.1);
    m.add(x, y);
    Eigen::Map<Eigen::VectorXd> v(x, d);
    A += v * v.transpose();
    b += y * v;
  }
  const double q[d] = {0.3, -0.2, 0.9, 0.1};
  double mean = 0, width = 0;
  m.means(q, 1, &mean);
  EXPECT_EQ(mean, 0.0);  // queries see the last refit (none yet: θ̂ = 0)
  m.refit();
  m.means(q, 1, &mean);
  m.widths(q, 1, &width);
  const Eigen::Map<const Eigen::VectorXd> qv(q, d);
  const Eigen::MatrixXd Ainv = A.inverse();
  EXPECT_NEAR(mean, qv.dot(Ainv * b), 1e-9);
  EXPECT_NEAR(width, std::sqrt(qv.dot(Ainv * qv)), 1e-9);
  EXPECT_NEAR(m.theta()[0], 2.0, 0.2);
  // Thompson draws: mean θ̂ and covariance v² A⁻¹ (checked on qᵀθ̃: variance v² qᵀA⁻¹q).
  const double v = 0.7;
  double s1 = 0, s2 = 0;
  const int n = 20000;
  std::vector<double> th(d);
  for (int i = 0; i < n; ++i) {
    m.sample(rng, v, th.data());
    const double z = Eigen::Map<Eigen::VectorXd>(th.data(), d).dot(qv);
    s1 += z, s2 += z * z;
  }
  const double mu = s1 / n, var = s2 / n - mu * mu;
  EXPECT_NEAR(mu, mean, 0.02);
  EXPECT_NEAR(var, v * v * width * width, 0.05 * v * v * width * width);
  // The state round-trips.
  bandit::RidgeModel c(d, 0.5);
  c.set_state(m.state());
  double mean2 = 0;
  c.means(q, 1, &mean2);
  EXPECT_EQ(mean, mean2);
}

TEST(BanditFeatures, TheThreeMaps) {
  const float u[2] = {2, 3}, x[2] = {5, 7};
  std::vector<double> f(bandit::feature_dim(FeatureMap::kOuter, 2, 2));
  ASSERT_EQ(f.size(), 9u);
  bandit::features(FeatureMap::kOuter, u, 2, x, 2, f.data());
  EXPECT_EQ(f, (std::vector<double>{1, 5, 7, 2, 10, 14, 3, 15, 21}));
  f.resize(bandit::feature_dim(FeatureMap::kProduct, 2, 2));
  bandit::features(FeatureMap::kProduct, u, 2, x, 2, f.data());
  EXPECT_EQ(f, (std::vector<double>{1, 5, 7, 10, 21}));
  f.resize(bandit::feature_dim(FeatureMap::kItem, 2, 2));
  bandit::features(FeatureMap::kItem, u, 2, x, 2, f.data());
  EXPECT_EQ(f, (std::vector<double>{1, 5, 7}));
}

// A linear contextual bandit with slates: user u ~ U[-1, 1]^3 per session, 8 fresh candidates per
// step with x ~ U[-1, 1]^3; every shown item is consumed with gain μ = 1 + 2 u·x + N(0, 0.3²)
// (response "gain"); reward = the slate's total gain. The hidden quality is μ's mean, so the
// catalogue's quality_oracle is the optimal policy; random earns 2 per step.
class LinearToyEnv final : public sim::Environment {
 public:
  LinearToyEnv() {
    spec_.name = "linear_toy";
    spec_.num_candidates = 8;
    spec_.slate_size = 2;
    spec_.user_dim = 3;
    spec_.item_dim = 3;
    spec_.response_fields = {"gain"};
    spec_.reward = "gain";
    spec_.max_steps = 10;
    spec_.user_low = spec_.item_low = -1;
    spec_.user_high = spec_.item_high = 1;
    choice_ = sim::make_choice_model("multinomial_logit", sim::ChoiceParams{});
  }
  const sim::EnvSpec& spec() const override { return spec_; }
  void set_batch(int batch) override { user_.assign(static_cast<size_t>(batch) * 3, 0.f); }
  void reset(int slot, Rng& rng, const sim::SlotBuffers& out) override {
    for (int j = 0; j < 3; ++j) user_[slot * 3 + j] = static_cast<float>(rng.uniform(-1, 1));
    draw(slot, rng, out);
  }
  sim::StepOutcome step(int slot, const int32_t* slate, Rng& rng,
                        const sim::SlotBuffers& out) override {
    sim::StepOutcome o;
    o.choice = 0;
    for (int k = 0; k < 2; ++k) {
      const double g = out.candidate_quality[slate[k]] + rng.normal(0, 0.3);
      out.responses[k] = static_cast<float>(g);
      o.reward += g;
    }
    draw(slot, rng, out);
    return o;
  }
  const sim::ChoiceModel& choice_model() const override { return *choice_; }
  double observed_score(const float* u, const float* x) const override {
    return u[0] * x[0] + u[1] * x[1] + u[2] * x[2];
  }

 private:
  void draw(int slot, Rng& rng, const sim::SlotBuffers& out) {
    std::copy_n(&user_[slot * 3], 3, out.user);
    for (int i = 0; i < 8; ++i) {
      float* x = out.candidate_features + i * 3;
      for (int j = 0; j < 3; ++j) x[j] = static_cast<float>(rng.uniform(-1, 1));
      out.candidate_quality[i] = static_cast<float>(1 + 2 * observed_score(out.user, x));
      if (out.candidate_ids) out.candidate_ids[i] = i;
    }
  }
  sim::EnvSpec spec_;
  std::unique_ptr<sim::ChoiceModel> choice_;
  std::vector<float> user_;
};

std::unique_ptr<sim::VectorEnv> toy(int batch, uint64_t seed) {
  return std::make_unique<sim::VectorEnv>(std::make_unique<LinearToyEnv>(), batch, seed);
}

double baseline_return(const char* name, uint64_t seed) {
  auto env = toy(16, seed);
  sim::PolicyContext ctx{&env->env(), nullptr, nullptr};
  auto p = catalog::find_policy(name).make(ctx);
  return agent_testing::evaluate(*p, *env, 200, 4);
}

class BanditToy : public testing::TestWithParam<std::string> {};

TEST_P(BanditToy, BeatsRandomAndApproachesTheOracleOnline) {
  auto env = toy(4, 1);
  const std::string eps =
      GetParam() == "epsilon_greedy" ? "epsilon_decay_steps = 500\nepsilon_final = 0.02\n" : "";
  auto agent = agent_testing::make_agent(GetParam(), env->env(), "target = \"gain\"\n" + eps, 5);
  agent_testing::drive(*agent, *env, 2000, 3);
  auto eval = toy(16, 2);
  const double learned = agent_testing::evaluate(*agent, *eval, 200, 4);
  const double random = baseline_return("random", 2), oracle = baseline_return("quality_oracle", 2);
  // 10 steps x 2 items: random ≈ 20, oracle ≈ 20 + 2·E[top-2 of 8 of 2u·x]·10 ≈ 46.
  EXPECT_GT(oracle, random + 15);
  EXPECT_GT(learned, random + 0.9 * (oracle - random))
      << "learned " << learned << " random " << random << " oracle " << oracle;
}

// The rating-log offline protocol (datasim::evaluate_offline) shows each user's test items, any
// number of them, one pick at a time: the bandit acts on the observation's sizes, not the
// environment's (it read 8 candidates and wrote 2 picks before, past both buffers).
TEST_P(BanditToy, ActsOnTheObservationsOwnCandidateCountAndSlateSize) {
  auto env = toy(1, 3);
  auto agent = agent_testing::make_agent(GetParam(), env->env(), "target = \"gain\"\n", 5);
  agent->set_training(false);
  const std::vector<float> user{0.5f, -0.2f, 0.1f};
  for (int n : {3, 1, 12}) {
    std::vector<float> items(static_cast<size_t>(n) * 3);
    for (size_t i = 0; i < items.size(); ++i) items[i] = static_cast<float>(i % 5) / 5 - 0.4f;
    sim::Observation obs;
    obs.batch = 1;
    obs.num_candidates = n;
    obs.slate_size = 1;
    obs.user_dim = 3;
    obs.item_dim = 3;
    obs.user = user.data();
    obs.candidate_features = items.data();
    int32_t pick = -1;
    Rng rng(1);
    agent->act(obs, &pick, &rng);
    EXPECT_GE(pick, 0) << n << " candidates";
    EXPECT_LT(pick, n) << n << " candidates";
  }
}

TEST_P(BanditToy, LearnsOfflineFromARandomLog) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("rlrec_bandit_" + GetParam() + "_" + std::to_string(::getpid()) + ".log");
  {
    auto env = toy(8, 11);
    sim::PolicyContext ctx{&env->env(), nullptr, nullptr};
    auto random = catalog::find_policy("random").make(ctx);
    logs::LogWriter w(path.string(), logs::make_header(env->env(), Config(), 11, "random", 12));
    logs::collect_log(*env, *random, 150, 12, w);
    w.close();
  }
  auto env = toy(1, 1);
  auto agent = agent_testing::make_agent(GetParam(), env->env(),
                                         "target = \"gain\"\nupdate_period = 100\n"
                                         "data_section = \"data\"\n",
                                         5);
  OfflineLearner* off = as_offline_learner(*agent);
  ASSERT_NE(off, nullptr);
  EXPECT_EQ(off->data_section(), "data");
  off->set_log(std::make_shared<const logs::LogData>(logs::read_log(path.string())), path.string());
  const UpdateStats st = off->train_offline(1500);  // the whole log
  EXPECT_EQ(st.updates, 15);
  auto eval = toy(16, 2);
  const double learned = agent_testing::evaluate(*agent, *eval, 200, 4);
  const double random = baseline_return("random", 2), oracle = baseline_return("quality_oracle", 2);
  EXPECT_GT(learned, random + 0.9 * (oracle - random))
      << "learned " << learned << " random " << random << " oracle " << oracle;
  std::filesystem::remove(path);
}

INSTANTIATE_TEST_SUITE_P(Bandits, BanditToy,
                         testing::Values("linucb", "linear_ts", "epsilon_greedy"),
                         [](const testing::TestParamInfo<std::string>& p) { return p.param; });

TEST(BanditConfig, BadKeysAreOneLineErrors) {
  auto env = toy(1, 1);
  auto msg = [&](const std::string& name, const std::string& toml) {
    return test::error_of([&] { agent_testing::make_agent(name, env->env(), toml, 1); });
  };
  EXPECT_NE(msg("linucb", "target = \"click\"\n").find("agent.target"), std::string::npos);
  EXPECT_NE(msg("linucb", "target = \"click\"\n").find("gain"), std::string::npos);
  EXPECT_EQ(msg("linucb", "ridge = 0\n"), "agent.ridge must be > 0, got 0.0");
  EXPECT_NE(msg("linucb", "scale = 1\n").find("agent.scale"), std::string::npos);     // TS only
  EXPECT_NE(msg("linear_ts", "alpha = 1\n").find("agent.alpha"), std::string::npos);  // UCB only
  EXPECT_NO_THROW(
      agent_testing::make_agent("epsilon_greedy", env->env(), "epsilon_final = 0.1\n", 1));
}

}  // namespace
}  // namespace rlrec::agents
