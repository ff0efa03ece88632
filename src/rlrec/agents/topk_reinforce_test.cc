// topk_reinforce: the corrections on hand-worked numbers, the paper's two analytic simulations,
// the β head's stop-gradient, offline training from logs and its bad inputs.
#include "rlrec/agents/topk_reinforce.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <functional>

#include "rlrec/agents/offline.h"
#include "rlrec/agents/test_driver.h"
#include "rlrec/catalog/catalog.h"
#include "rlrec/core/error.h"
#include "rlrec/logs/log.h"

namespace rlrec::agents {
namespace {

using reinforce::Correction;
namespace fs = std::filesystem;

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(TopKReinforce, LambdaKAndCappedWeightOnHandWorkedNumbers) {
  // λ_2(0.5) = 2 · 0.5 = 1;  λ_3(0.2) = 3 · 0.8² = 1.92;  λ_1(π) = 1;  λ_K(0) = K.
  EXPECT_DOUBLE_EQ(reinforce::lambda_k(0.5, 2), 1.0);
  EXPECT_NEAR(reinforce::lambda_k(0.2, 3), 1.92, 1e-12);
  EXPECT_DOUBLE_EQ(reinforce::lambda_k(0.7, 1), 1.0);
  EXPECT_DOUBLE_EQ(reinforce::lambda_k(0.0, 16), 16.0);
  EXPECT_NEAR(reinforce::lambda_k(1.0, 4), 0.0, 1e-12);
  // min(π/β, c): 0.2/0.1 = 2 (uncapped); 0.4/0.01 = 40 -> e³ = 20.0855...
  EXPECT_DOUBLE_EQ(reinforce::capped_weight(0.2, 0.1, std::exp(3.0)), 2.0);
  EXPECT_DOUBLE_EQ(reinforce::capped_weight(0.4, 0.01, std::exp(3.0)), std::exp(3.0));
  // topk: 2 · 1.92 = 3.84; none: 1.
  EXPECT_NEAR(reinforce::example_weight(Correction::kTopK, 0.2, 0.1, std::exp(3.0), 3), 3.84,
              1e-12);
  EXPECT_DOUBLE_EQ(reinforce::example_weight(Correction::kIw, 0.2, 0.1, std::exp(3.0), 3), 2.0);
  EXPECT_DOUBLE_EQ(reinforce::example_weight(Correction::kNone, 0.2, 0.1, std::exp(3.0), 3), 1.0);
}

// Simulation 1 (Chen et al. 2019): 10 items, r(a_i) = i, β(a_i) = (11 − i)/55.
TEST(TopKReinforce, AnalyticSimulationOneOffPolicyCorrection) {
  std::vector<double> r(10), beta(10);
  for (int i = 1; i <= 10; ++i) {
    r[i - 1] = i;
    beta[i - 1] = (11.0 - i) / 55.0;
  }
  // Uncorrected: the fixed point of Σ β r (e_a − π) is π ∝ r β (tolerance 0.005 per item).
  auto plain =
      reinforce::analytic_policy(r, beta, Correction::kNone, 1, std::exp(3.0), 0.02, 20000);
  double z = 0;
  for (int i = 0; i < 10; ++i) z += r[i] * beta[i];
  for (int i = 0; i < 10; ++i) EXPECT_NEAR(plain[i], r[i] * beta[i] / z, 0.005) << "item " << i + 1;
  // Corrected (uncapped importance weights): gradient ascent on E_π[r] -> a_10.
  auto iw = reinforce::analytic_policy(r, beta, Correction::kIw, 1, 1e9, 0.02, 20000);
  EXPECT_GT(iw[9], 0.99);
  // With the paper's cap c = e³ the weight of a_10 saturates (π/β ≤ c ⇒ it stops growing at
  // π(a_10) = c/55 ≈ 0.365): the fixed point splits between a_9 and a_10 (≈ 0.59 / 0.41, a
  // bias the cap trades for variance), still far above the uncorrected policy's expected reward:
  // E_π[r] ≈ 9.4 vs Σ i²(11 − i) / Σ i(11 − i) = 1210 / 220 = 5.5.
  auto capped = reinforce::analytic_policy(r, beta, Correction::kIw, 1, std::exp(3.0), 0.02, 20000);
  auto expected_r = [&](const std::vector<double>& pi) {
    double v = 0;
    for (int i = 0; i < 10; ++i) v += pi[i] * r[i];
    return v;
  };
  EXPECT_GT(capped[8] + capped[9], 0.99);
  EXPECT_GT(expected_r(capped), 9.3);
  EXPECT_NEAR(expected_r(plain), 5.5, 0.05);
}

// Simulation 2: r(a_1) = 10, r(a_2) = 9, others 1; K = 2; uniform β.
TEST(TopKReinforce, AnalyticSimulationTwoTopKCorrection) {
  std::vector<double> r(10, 1.0), beta(10, 0.1);
  r[0] = 10;
  r[1] = 9;
  auto iw = reinforce::analytic_policy(r, beta, Correction::kIw, 2, std::exp(3.0), 0.02, 20000);
  auto topk = reinforce::analytic_policy(r, beta, Correction::kTopK, 2, std::exp(3.0), 0.02, 20000);
  EXPECT_GT(iw[0], 0.95);  // standard correction: ≈ all mass on a_1
  // Top-K maximises Σ α r with α = 1 − (1 − π)²: optimum π_1 = 10/19, π_2 = 9/19 (tolerance 0.02).
  EXPECT_NEAR(topk[0], 10.0 / 19, 0.02);
  EXPECT_NEAR(topk[1], 9.0 / 19, 0.02);
  // Reward with two slots (two draws, de-duplicated): Σ_a α(a) r(a).
  auto two_slot = [&](const std::vector<double>& pi) {
    double v = 0;
    for (int i = 0; i < 10; ++i) v += (1 - (1 - pi[i]) * (1 - pi[i])) * r[i];
    return v;
  };
  EXPECT_GT(two_slot(topk), two_slot(iw) + 3.0) << two_slot(topk) << " vs " << two_slot(iw);
}

std::unique_ptr<sim::VectorEnv> small_env(int batch, uint64_t seed, int max_steps = 30) {
  Config cfg = Config::parse_string(
      "[env]\nnum_candidates = 5\nslate_size = 2\nmax_steps = " + std::to_string(max_steps) + "\n");
  return std::make_unique<sim::VectorEnv>(catalog::make_environment(cfg, seed), batch, seed);
}

TEST(TopKReinforce, BehaviourHeadGivesNoGradientToTheEncoder) {
  auto env = small_env(2, 1);
  auto agent = agent_testing::make_agent("topk_reinforce", env->env(),
                                         "hidden = [8]\nwarmup_steps = 10\nbatch_size = 4\n", 1);
  agent_testing::drive(*agent, *env, 40, 2);
  double head = 0;
  const double enc = topk_reinforce_encoder_grad_from_beta(*agent, &head);
  EXPECT_EQ(enc, 0.0);
  EXPECT_GT(head, 0.0);
}

TEST(TopKReinforce, InvalidHyperparametersAreOneLineErrors) {
  auto env = small_env(1, 1);
  auto msg = [&](const std::string& toml) {
    return error_of([&] { agent_testing::make_agent("topk_reinforce", env->env(), toml, 1); });
  };
  EXPECT_EQ(msg("k = -1\n"), "agent.k must be in [0, 1048576] (0 = slate size), got -1");
  EXPECT_EQ(msg("cap = 0\n"), "agent.cap must be > 0, got 0.0");
  EXPECT_EQ(msg("cap = -2.5\n"), "agent.cap must be > 0, got -2.5");
  EXPECT_EQ(msg("temperature = 0\n"), "agent.temperature must be > 0, got 0.0");
  EXPECT_EQ(msg("serving_temperature = -1\n"), "agent.serving_temperature must be > 0, got -1.0");
  EXPECT_NE(msg("correction = \"topK\"\n").find("did you mean 'topk'"), std::string::npos);
  EXPECT_NE(msg("serving_top_m = 1\n").find("serving_top_m must be 0 (all) or in [slate_size 2"),
            std::string::npos);
}

// A log written by a policy of the small env; returns its path.
std::string write_log(const std::string& policy, int episodes, const std::string& name) {
  Config cfg = Config::parse_string("[env]\nnum_candidates = 5\nslate_size = 2\nmax_steps = 30\n");
  sim::VectorEnv env(catalog::make_environment(cfg, 1), 8, 5);
  sim::PolicyContext ctx{&env.env(), &cfg, nullptr};
  auto p = catalog::find_policy(policy).make(ctx);
  const std::string path =
      (fs::temp_directory_path() / (std::to_string(::getpid()) + "_" + name)).string();
  logs::LogWriter w(path, logs::make_header(env.env(), cfg, 5, policy, 6));
  logs::collect_log(env, *p, episodes, 6, w);
  w.close();
  return path;
}

TEST(TopKReinforce, LoggedPropensitiesMissingIsAnErrorWithFileAndRecord) {
  const std::string path = write_log("myopic", 5, "rlrec_reinforce_myopic.bin");
  auto env = small_env(1, 1);
  auto agent = agent_testing::make_agent("topk_reinforce", env->env(),
                                         "behaviour = \"logged\"\ncorrection = \"iw\"\n", 1);
  auto* off = dynamic_cast<OfflineLearner*>(agent.get());
  ASSERT_NE(off, nullptr);
  auto data = std::make_shared<const logs::LogData>(logs::read_log(path));
  const std::string m = error_of([&] { off->set_log(data, path); });
  EXPECT_EQ(m.rfind(path + ": record ", 0), 0u) << m;
  EXPECT_NE(m.find("propensity is unknown (-1)"), std::string::npos) << m;
  // Without a correction the propensities are not needed.
  auto none = agent_testing::make_agent("topk_reinforce", env->env(),
                                        "behaviour = \"logged\"\ncorrection = \"none\"\n", 1);
  EXPECT_NO_THROW(dynamic_cast<OfflineLearner*>(none.get())->set_log(data, path));
  fs::remove(path);
}

// Offline learning from the biased logger's data: with the off-policy correction (logged
// propensities) the learned greedy policy earns clearly more than the logger that wrote the data.
TEST(TopKReinforce, OfflineFromBiasedLogBeatsTheLogger) {
  const std::string path = write_log("biased_softmax", 150, "rlrec_reinforce_biased.bin");
  auto data = std::make_shared<const logs::LogData>(logs::read_log(path));
  auto env = small_env(1, 1);
  auto agent = agent_testing::make_agent(
      "topk_reinforce", env->env(),
      "hidden = [16]\nbatch_size = 32\nbehaviour = \"logged\"\ncorrection = \"iw\"\nlr = 0.003\n",
      3);
  auto* off = dynamic_cast<OfflineLearner*>(agent.get());
  off->set_log(data, path);
  const auto st = off->train_offline(600);
  EXPECT_EQ(st.updates, 600);
  auto e1 = small_env(16, 9), e2 = small_env(16, 9);
  const double learned = agent_testing::evaluate(*agent, *e1, 64, 4);
  Config pcfg;
  sim::PolicyContext ctx{&e2->env(), &pcfg, nullptr};
  auto logger = catalog::find_policy("biased_softmax").make(ctx);
  const double logged = agent_testing::evaluate(*logger, *e2, 64, 4);
  EXPECT_GT(learned, logged + 2.0) << "learned " << learned << " logger " << logged;
  fs::remove(path);
}

}  // namespace
}  // namespace rlrec::agents

namespace rlrec::agents {
namespace {

// The Boltzmann serving policy's propensities: slot rows sum to 1, the first K' slots are
// deterministic, the slate probability is the product of the conditionals, and a log written with
// the agent as behaviour policy carries them.
TEST(TopKReinforce, ServedPropensitiesAreConsistentAndLogged) {
  auto env = small_env(2, 3);
  auto agent = agent_testing::make_agent(
      "topk_reinforce", env->env(),
      "hidden = [8]\nwarmup_steps = 10\nbatch_size = 4\neval_serving = \"boltzmann\"\n"
      "serving_top_m = 4\nserving_deterministic = 1\nsoftmax = \"sampled\"\nnum_sampled = 3\n",
      2);
  agent_testing::drive(*agent, *env, 60, 4);  // also runs sampled-softmax updates
  agent->set_training(false);
  env->reset_all(100);
  const auto obs = env->observation();
  std::vector<int32_t> slates(4);
  std::vector<Rng> rngs{Rng(1, 1), Rng(1, 2)};
  agent->act(obs, slates.data(), rngs.data());
  std::vector<double> probs(2 * 5);
  for (int b = 0; b < 2; ++b) {
    ASSERT_TRUE(agent->slot_probabilities(obs, b, probs.data()));
    for (int k = 0; k < 2; ++k) {
      double sum = 0;
      for (int i = 0; i < 5; ++i) sum += probs[k * 5 + i];
      EXPECT_NEAR(sum, 1.0, 1e-9);
    }
    EXPECT_DOUBLE_EQ(probs[slates[b * 2]], 1.0);  // K' = 1: slot 0 is deterministic
    const double sp = agent->slate_probability(obs, b, &slates[b * 2]);
    EXPECT_NEAR(sp, probs[5 + slates[b * 2 + 1]], 1e-9);  // = P(slot 1) given the fixed slot 0
  }
  const std::string path = (fs::temp_directory_path() /
                            ("rlrec_reinforce_served_" + std::to_string(::getpid()) + ".bin"))
                               .string();
  Config none;
  auto lenv = small_env(2, 5, 5);
  logs::LogWriter w(path, logs::make_header(lenv->env(), none, 5, "topk_reinforce", 1));
  logs::collect_log(*lenv, *agent, 3, 1, w);
  w.close();
  auto d = logs::read_log(path);
  ASSERT_GT(d.size, 0);
  for (int64_t i = 0; i < d.size; ++i) {
    EXPECT_DOUBLE_EQ(d.marginal[i * 2], 1.0);
    EXPECT_GT(d.slate_propensity[i], 0.0);
    EXPECT_NEAR(d.slate_propensity[i], d.conditional[i * 2] * d.conditional[i * 2 + 1], 1e-12);
  }
  fs::remove(path);
}

}  // namespace
}  // namespace rlrec::agents
