// DRR: state-module shapes and gradient flow, bad configurations, and learning on a small
// synthetic rating log (beats random under the offline protocol).
#include "rlrec/agents/drr.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "rlrec/agents/test_driver.h"
#include "rlrec/catalog/catalog.h"
#include "rlrec/core/error.h"
#include "rlrec/datasim/datasim.h"

namespace rlrec::agents {
namespace {

TEST(DrrStateModule, OutputShapesFollowThePaper) {
  const int n = 4, D = 6, U = 6, B = 3;
  // DRR-n: n D; DRR-p and DRR-u: (n + n(n-1)/2) D = (4 + 6) 6 = 60; DRR-ave: 3 D.
  EXPECT_EQ(drr_check_state_module("n", n, D, U, B).cols, n * D);
  EXPECT_EQ(drr_check_state_module("p", n, D, U, B).cols, 60);
  EXPECT_EQ(drr_check_state_module("u", n, D, U, B).cols, 60);
  EXPECT_EQ(drr_check_state_module("ave", n, D, U, B).cols, 18);
  for (const char* k : {"n", "p", "u", "ave"})
    EXPECT_EQ(drr_check_state_module(k, n, D, U, B).rows, B);
}

TEST(DrrStateModule, GradientsReachEveryWeight) {
  // DRR-n has no weights; p, u and ave have the n position weights w (and a user projection when
  // the user dimension differs from the embedding dimension).
  EXPECT_TRUE(drr_check_state_module("n", 3, 4, 4, 2).grad_norms.empty());
  for (const char* k : {"p", "u", "ave"}) {
    const auto c = drr_check_state_module(k, 3, 4, 4, 2);
    ASSERT_EQ(c.grad_norms.size(), 1u) << k;
    EXPECT_EQ(c.grad_norms[0].first, "w");
    EXPECT_GT(c.grad_norms[0].second, 0.0) << k;
  }
  for (const char* k : {"u", "ave"}) {
    const auto c = drr_check_state_module(k, 3, 4, 7, 2);
    ASSERT_EQ(c.grad_norms.size(), 3u) << k;  // w, proj.weight, proj.bias
    for (const auto& [name, norm] : c.grad_norms) EXPECT_GT(norm, 0.0) << k << " " << name;
  }
}

// A synthetic log with structure a linear scorer in MF space can learn: 60 users, 40 items in
// two groups; users of type t rate group t items 4 or 5 and the others 1 or 2 (each user rates
// 30 items at increasing timestamps; with train_fraction 0.5, 15 test items per user).
std::string synthetic_log() {
  const auto path = std::filesystem::temp_directory_path() /
                    ("rlrec_drr_synthetic_" + std::to_string(::getpid()) + ".csv");
  std::ofstream os(path);
  os << "user,item,rating,timestamp\n";
  Rng rng(3, 0);
  for (int u = 0; u < 60; ++u) {
    const int type = u % 2;
    std::vector<int> items(40);
    for (int i = 0; i < 40; ++i) items[i] = i;
    for (int i = 0; i < 30; ++i) std::swap(items[i], items[i + rng.uniform_int(40 - i)]);
    for (int j = 0; j < 30; ++j) {
      const int i = items[j];
      const int rating =
          (i % 2) == type ? (rng.uniform() < 0.8 ? 5 : 4) : (rng.uniform() < 0.5 ? 1 : 2);
      os << "u" << u << ",i" << i << "," << rating << "," << j << "\n";
    }
  }
  return path.string();
}

TEST(Drr, BeatsRandomOnASyntheticLog) {
  Config env_cfg = Config::parse_string(
      "[env]\nname = \"movielens_replay\"\ndata = \"" + synthetic_log() +
      "\"\ntrain_fraction = 0.5\nfactors = 4\nmf_epochs = 20\nmf_reg = 0.05\nmin_train_positives = "
      "2\n"
      "history_length = 3\nnum_candidates = 4\nmax_steps = 8\nsimulator = \"train\"\n");
  auto env = std::make_unique<sim::VectorEnv>(catalog::make_environment(env_cfg, 1), 4, 1);
  // The paper's actor a = tanh(MLP(s)) (residual_actor = false): an untrained actor ranks at
  // random, so the ranking must be learned from the rewards.
  auto agent = agent_testing::make_agent(
      "drr_ave", env->env(),
      "hidden = [32]\nwarmup_steps = 200\nbatch_size = 32\nreplay_capacity = 5000\n"
      "epsilon_decay_steps = 600\nlr = 0.003\nactor_lr = 0.003\nhistory_length = 3\n"
      "residual_actor = false\n",
      5);
  agent_testing::drive(*agent, *env, 1200, 2);
  agent->set_training(false);
  auto eval_env = catalog::make_environment(env_cfg, 1);
  const auto learned = datasim::evaluate_offline(*eval_env, *agent, 7);
  sim::PolicyContext ctx{eval_env.get(), nullptr, nullptr};
  auto random = catalog::find_policy("random").make(ctx);
  const auto rnd = datasim::evaluate_offline(*eval_env, *random, 7);

  // Random P@5 ≈ half the candidates relevant ≈ 0.5 (60 users: se ≈ 0.03); the type structure is
  // learnable to P@5 near 1.
  EXPECT_GT(learned.p5, rnd.p5 + 0.15) << learned.p5 << " vs random " << rnd.p5;
  EXPECT_GT(learned.ndcg10, rnd.ndcg10 + 0.1) << learned.ndcg10 << " vs random " << rnd.ndcg10;
}

// With residual_scale = 0 the residual actor's ranking vector is p̃_u = [p_u, 1], so DRR ranks
// exactly as pmf (score p_u·q_i + b_i): identical offline metrics, whatever the networks hold.
TEST(Drr, ResidualActorWithZeroScaleRanksAsPmf) {
  Config env_cfg = Config::parse_string(
      "[env]\nname = \"movielens_replay\"\ndata = \"" + synthetic_log() +
      "\"\ntrain_fraction = 0.5\nfactors = 4\nmf_epochs = 2\nmin_train_positives = 2\n"
      "history_length = 3\nnum_candidates = 4\nsimulator = \"train\"\n");
  auto env = catalog::make_environment(env_cfg, 1);
  auto agent = agent_testing::make_agent("drr_u", *env,
                                         "hidden = [8]\nresidual_scale = 0\n"
                                         "history_length = 3\n",
                                         2);
  agent->set_training(false);
  sim::PolicyContext ctx{env.get(), nullptr, nullptr};
  auto pmf = catalog::find_policy("pmf").make(ctx);
  const auto a = datasim::evaluate_offline(*env, *agent, 1),
             b = datasim::evaluate_offline(*env, *pmf, 1);
  EXPECT_EQ(a.p5, b.p5);
  EXPECT_EQ(a.ndcg10, b.ndcg10);
  EXPECT_EQ(a.mean_reward, b.mean_reward);
}

TEST(Drr, BadConfigurationsAreOneLineErrors) {
  Config env_cfg = Config::parse_string(
      "[env]\nname = \"movielens_replay\"\ndata = \"" + synthetic_log() +
      "\"\nfactors = 4\nmf_epochs = 2\nmin_train_positives = 2\nhistory_length = 3\n"
      "num_candidates = 4\nsimulator = \"train\"\n");
  auto env = catalog::make_environment(env_cfg, 1);
  auto msg = [&](const std::string& name, const std::string& toml, const sim::Environment& e) {
    try {
      agent_testing::make_agent(name, e, toml, 1);
    } catch (const Error& err) {
      return std::string(err.what());
    }
    return std::string();
  };
  EXPECT_EQ(msg("drr_ave", "history_length = 5\n", *env),
            "agent.history_length (5) must be <= env.history_length (3) on environment "
            "'movielens_replay'");
  EXPECT_EQ(msg("drr_ave", "history_length = 0\n", *env),
            "agent.history_length must be in [1, 64], got 0");
  EXPECT_NE(msg("drr_n", "state_module = \"ave\"\n", *env).find("fixed to 'n'"), std::string::npos);
  Config ie = Config::parse_string("[env]\nnum_candidates = 5\n");
  auto other = catalog::make_environment(ie, 1);
  EXPECT_NE(msg("drr_ave", "fine_tune_embeddings = true\n", *other).find("needs a rating-log"),
            std::string::npos);
  // Fine-tuned embeddings build and act on a rating-log environment.
  EXPECT_EQ(msg("drr_u", "fine_tune_embeddings = true\nhistory_length = 2\n", *env), "");
}

}  // namespace
}  // namespace rlrec::agents
