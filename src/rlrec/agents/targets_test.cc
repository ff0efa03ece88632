// The agents' TD targets and DDPG losses (targets.h, ddpg.h) on hand-worked numbers.
#include "rlrec/agents/targets.h"

#include <gtest/gtest.h>

#include "rlrec/agents/ddpg.h"

namespace rlrec::agents {
namespace {

TEST(TdTarget, BootstrapsUnlessTerminal) {
  // y = 1 + 0.9 (1 - 0) 2 = 2.8; terminal: y = r = 1; γ = 0 (myopic): y = r.
  EXPECT_DOUBLE_EQ(td_target<double>(1.0, 0.9, 0.0, 2.0), 2.8);
  EXPECT_DOUBLE_EQ(td_target<double>(1.0, 0.9, 1.0, 2.0), 1.0);
  EXPECT_DOUBLE_EQ(td_target<double>(1.0, 0.0, 0.0, 2.0), 1.0);
  // float arithmetic (Wolpertinger, full-slate Q): 0.5 + 0.5 * 1 * 3 = 2 exactly.
  EXPECT_EQ(td_target<float>(0.5f, 0.5f, 0.f, 3.f), 2.f);
}

// Two candidates with attractions v = (1, 3), no-choice attraction v0 = 1, null value q0 = 2 and
// item values Q̄ = (6, 4), so qrel = Q̄ - q0 = (4, 2); slates of k = 1.
//   SARSA on the served slate {0}:    V = 2 + 1·4 / (1 + 1) = 4.
//   Q-learning (exact) over {0}, {1}: {1} gives 2 + 3·2 / (1 + 3) = 3.5, {0} gives 4: V = 4.
//   served {1}: V = 3.5 = P(1) Q̄(1) + P(⊥) q0 = (3/4) 4 + (1/4) 2.
TEST(SlateQNextValue, SarsaUsesTheServedSlateQLearningTheBest) {
  const double v[2] = {1, 3}, qrel[2] = {4, 2};
  int32_t scratch[1];
  const int32_t s0[1] = {0}, s1[1] = {1};
  EXPECT_DOUBLE_EQ(slateq_next_value(v, qrel, 1.0, 2.0, 2, 1, s0, SlateOptimizer::kExact, scratch),
                   4.0);
  EXPECT_DOUBLE_EQ(slateq_next_value(v, qrel, 1.0, 2.0, 2, 1, s1, SlateOptimizer::kExact, scratch),
                   3.5);
  EXPECT_DOUBLE_EQ(
      slateq_next_value(v, qrel, 1.0, 2.0, 2, 1, nullptr, SlateOptimizer::kExact, scratch), 4.0);
  EXPECT_EQ(scratch[0], 0);
  // top_k ranks by v_i qrel_i = (4, 6): it picks {1}, V = 3.5 (TT is not the optimum here).
  EXPECT_DOUBLE_EQ(
      slateq_next_value(v, qrel, 1.0, 2.0, 2, 1, nullptr, SlateOptimizer::kTopK, scratch), 3.5);
  // Both items (k = 2): 2 + (1·4 + 3·2) / (1 + 1 + 3) = 4.
  int32_t both[2];
  EXPECT_DOUBLE_EQ(
      slateq_next_value(v, qrel, 1.0, 2.0, 2, 2, nullptr, SlateOptimizer::kGreedy, both), 4.0);
}

torch::Tensor t(std::vector<float> x) {
  return torch::from_blob(x.data(), {static_cast<int64_t>(x.size())}, torch::kFloat).clone();
}

TEST(Ddpg, TargetAndLosses) {
  // y = r + γ (1 - terminal) q' = (1 + 0.5·4, 2 + 0) = (3, 2).
  auto y = ddpg::target(t({1, 2}), 0.5, t({0, 1}), t({4, 6}));
  EXPECT_FLOAT_EQ(y[0].item<float>(), 3.f);
  EXPECT_FLOAT_EQ(y[1].item<float>(), 2.f);
  // Q = (1, 4): δ = (2, -2); mean squared error (4 + 4) / 2 = 4.
  auto q = t({1, 4});
  EXPECT_FLOAT_EQ(ddpg::critic_loss(q, y).item<float>(), 4.f);
  // Importance weights (1, 0.25): (1·4 + 0.25·4) / 2 = 2.5.
  EXPECT_FLOAT_EQ(ddpg::weighted_loss(y - q, t({1, 0.25f})).item<float>(), 2.5f);
  // The actor minimizes -mean Q(s, μ(s)) = -(1 + 4) / 2.
  EXPECT_FLOAT_EQ(ddpg::actor_loss(q).item<float>(), -2.5f);
}

}  // namespace
}  // namespace rlrec::agents
