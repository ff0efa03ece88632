// SlateQ's item values converge to the closed-form Q values of the two-state toy MDP (toy_env.h,
// γ = 0.5, r0a = 1, r1b = 3): Q*(0,A) = 2.5, Q*(0,B) = 3, Q*(1,A) = 1.5, Q*(1,B) = 6.
// Q-learning (exact target optimizer) must reach Q*. With RecSim's bug (target network on the
// CURRENT state) Q(0,B) would converge to 0 + 0.5 V(0) = 1.5 instead of 0.5 V(1) = 3, so this test
// also guards against it.
#include "rlrec/agents/slateq.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "rlrec/agents/test_driver.h"
#include "rlrec/agents/toy_env.h"
#include "rlrec/core/testing.h"

namespace rlrec::agents {
namespace {

TEST(SlateQ, QLearningItemValuesConvergeToClosedForm) {
  auto env =
      std::make_unique<sim::VectorEnv>(std::make_unique<agent_testing::ToyEnv>(1.0, 3.0, 50), 4, 1);
  auto agent = agent_testing::make_agent(
      "slateq_qlearning", env->env(),
      "history_features = false\nhidden = [32, 32]\ngamma = 0.5\nwarmup_steps = 500\nupdate_period "
      "= 1\nbatch_size = 64\n"
      "replay_capacity = 20000\nepsilon_final = 0.3\nepsilon_decay_steps = 1000\n"
      "target_update_period = 100\nlr = 0.003\nloss = \"mse\"\n",
      3);
  agent_testing::drive(*agent, *env, 12000, 2);
  const float s0 = 0, s1 = 1, a[2] = {1, 0}, b[2] = {0, 1};
  EXPECT_NEAR(slateq_item_value(*agent, &s0, a), 2.5, 0.2);
  EXPECT_NEAR(slateq_item_value(*agent, &s0, b), 3.0, 0.2);
  EXPECT_NEAR(slateq_item_value(*agent, &s1, a), 1.5, 0.2);
  EXPECT_NEAR(slateq_item_value(*agent, &s1, b), 6.0, 0.3);
}

// Myopic SlateQ (γ = 0) learns the immediate rewards: Q̄(0,A) = 1, Q̄(0,B) = 0, Q̄(1,B) = 3.
TEST(SlateQ, MyopicItemValuesAreImmediateRewards) {
  auto env =
      std::make_unique<sim::VectorEnv>(std::make_unique<agent_testing::ToyEnv>(1.0, 3.0, 50), 4, 1);
  auto agent =
      agent_testing::make_agent("slateq_myopic", env->env(),
                                "history_features = false\nhidden = [32]\nwarmup_steps = "
                                "300\nupdate_period = 1\nbatch_size = 64\n"
                                "epsilon_final = 0.5\nepsilon_decay_steps = 500\nlr = 0.003\n",
                                3);
  agent_testing::drive(*agent, *env, 5000, 2);
  const float s0 = 0, s1 = 1, a[2] = {1, 0}, b[2] = {0, 1};
  EXPECT_NEAR(slateq_item_value(*agent, &s0, a), 1.0, 0.1);
  EXPECT_NEAR(slateq_item_value(*agent, &s0, b), 0.0, 0.1);
  EXPECT_NEAR(slateq_item_value(*agent, &s1, b), 3.0, 0.15);
}

// Prioritized replay (default off) learns the same myopic values, and its priorities are part of
// the checkpoint: a save/load round trip continues identically.
TEST(SlateQ, PrioritizedReplayLearnsAndRoundTrips) {
  auto make_env = [] {
    return std::make_unique<sim::VectorEnv>(std::make_unique<agent_testing::ToyEnv>(1.0, 3.0, 50),
                                            4, 1);
  };
  const std::string toml =
      "history_features = false\nhidden = [32]\nwarmup_steps = 300\nupdate_period = 1\nbatch_size "
      "= 64\n"
      "epsilon_final = 0.5\nepsilon_decay_steps = 500\nlr = 0.003\nprioritized = true\n";
  auto env = make_env();
  auto agent = agent_testing::make_agent("slateq_myopic", env->env(), toml, 3);
  agent_testing::drive(*agent, *env, 5000, 2);
  const float s0 = 0, s1 = 1, a[2] = {1, 0}, b[2] = {0, 1};
  EXPECT_NEAR(slateq_item_value(*agent, &s0, a), 1.0, 0.15);
  EXPECT_NEAR(slateq_item_value(*agent, &s1, b), 3.0, 0.2);
  const std::string dir = test::temp_path("slateq_per");
  agent->save(dir);
  EXPECT_TRUE(std::filesystem::exists(dir + "/priorities.txt"));
  auto copy = agent_testing::make_agent("slateq_myopic", env->env(), toml, 99);
  copy->load(dir);
  auto e1 = make_env(), e2 = make_env();
  agent_testing::drive(*agent, *e1, 300, 7, 100);
  agent_testing::drive(*copy, *e2, 300, 7, 100);
  EXPECT_EQ(slateq_item_value(*agent, &s0, b), slateq_item_value(*copy, &s0, b));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace rlrec::agents
