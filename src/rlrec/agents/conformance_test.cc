// Conformance suite run over every registered learning agent: valid slates, warm-up and 200
// updates on a tiny environment, save/load round trip, determinism per seed, and beating random
// on a toy problem where learning is easy.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "rlrec/agents/agent.h"
#include "rlrec/agents/test_driver.h"
#include "rlrec/agents/toy_env.h"
#include "rlrec/catalog/catalog.h"
#include "rlrec/core/error.h"
#include "rlrec/core/testing.h"
#include "rlrec/sim/environment.h"
#include "rlrec/sim/policy.h"

namespace rlrec::agents {
namespace {

// Small, fast settings shared by every agent (all agents accept these keys).
const char* kFast =
    "hidden = [16]\nwarmup_steps = 50\nupdate_period = 1\nbatch_size = 8\n"
    "replay_capacity = 2000\nepsilon_decay_steps = 300\ntarget_update_period = 20\n";

std::string name_of(const testing::TestParamInfo<std::string>& p) { return p.param; }

// Policy-gradient agents have no ε-greedy schedule and no target network: for them the suite's
// epsilon_decay_steps and target_update_period lines are dropped (every other key is kept).
// The linear bandits (bandits.h) have no network at all: for them every key their defaults do not
// list is dropped.
std::unique_ptr<Agent> make_conf(const std::string& agent, const sim::Environment& env,
                                 const std::string& toml, uint64_t seed) {
  static const std::set<std::string> kPolicyGradient{"topk_reinforce"};
  static const std::set<std::string> kLinear{"linucb", "linear_ts", "epsilon_greedy"};
  std::vector<std::string> own;
  if (kLinear.count(agent)) own = Config::parse_string(find_agent(agent)->defaults()).keys(agent);
  std::string keys;
  std::istringstream is(toml);
  for (std::string line; std::getline(is, line);) {
    const bool value_based_only =
        line.rfind("epsilon_decay_steps", 0) == 0 || line.rfind("target_update_period", 0) == 0;
    const std::string key = line.substr(0, line.find(' '));
    if (kLinear.count(agent) && std::find(own.begin(), own.end(), key) == own.end()) continue;
    if (!(value_based_only && kPolicyGradient.count(agent))) keys += line + "\n";
  }
  return agent_testing::make_agent(agent, env, keys, seed);
}

class AgentConformance : public testing::TestWithParam<std::string> {};

std::unique_ptr<sim::VectorEnv> small_interest_evolution(int batch, uint64_t seed) {
  Config cfg = Config::parse_string("[env]\nnum_candidates = 5\nslate_size = 2\nmax_steps = 30\n");
  return std::make_unique<sim::VectorEnv>(catalog::make_environment(cfg, seed), batch, seed);
}

TEST_P(AgentConformance, ValidSlatesAndTwoHundredUpdates) {
  auto env = small_interest_evolution(4, 1);
  auto agent = make_conf(GetParam(), env->env(), kFast, 7);
  const int64_t updates = agent_testing::drive(*agent, *env, 260, 11);
  EXPECT_GE(updates, 200);
  // Greedy slates are valid (VectorEnv::step would throw otherwise) for a fresh batch.
  env->reset_all(1000);
  std::vector<int32_t> slates(4 * 2);
  std::vector<Rng> rngs(4);
  agent->set_training(false);
  agent->act(env->observation(), slates.data(), rngs.data());
  for (int b = 0; b < 4; ++b) {
    EXPECT_NO_THROW(env->check_slate(b, &slates[b * 2]));
    EXPECT_NE(slates[b * 2], slates[b * 2 + 1]);
  }
}

TEST_P(AgentConformance, DeterministicPerSeed) {
  auto run = [&](uint64_t agent_seed) {
    auto env = small_interest_evolution(3, 2);
    auto agent = make_conf(GetParam(), env->env(), kFast, agent_seed);
    agent_testing::drive(*agent, *env, 200, 5);
    auto eval_env = small_interest_evolution(4, 3);
    return agent_testing::evaluate(*agent, *eval_env, 8, 9);
  };
  EXPECT_EQ(run(1), run(1));
}

TEST_P(AgentConformance, SaveLoadRoundTrip) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("rlrec_conf_" + GetParam() + "_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  auto env = small_interest_evolution(2, 4);
  auto a = make_conf(GetParam(), env->env(), kFast, 3);
  agent_testing::drive(*a, *env, 150, 6);
  a->save(dir.string());
  auto b = make_conf(GetParam(), env->env(), kFast, 99);  // different init
  b->load(dir.string());
  // Identical greedy behaviour and identical continued training.
  auto e1 = small_interest_evolution(4, 8), e2 = small_interest_evolution(4, 8);
  EXPECT_EQ(agent_testing::evaluate(*a, *e1, 8, 1), agent_testing::evaluate(*b, *e2, 8, 1));
  auto t1 = small_interest_evolution(2, 9), t2 = small_interest_evolution(2, 9);
  agent_testing::drive(*a, *t1, 60, 12, 500);
  agent_testing::drive(*b, *t2, 60, 12, 500);
  auto f1 = small_interest_evolution(4, 10), f2 = small_interest_evolution(4, 10);
  EXPECT_EQ(agent_testing::evaluate(*a, *f1, 8, 2), agent_testing::evaluate(*b, *f2, 8, 2));
  // A checkpoint for another environment shape is rejected with a clear error.
  Config other = Config::parse_string("[env]\nnum_candidates = 6\nslate_size = 2\n");
  auto env6 = catalog::make_environment(other, 1);
  auto c = make_conf(GetParam(), *env6, kFast, 3);
  EXPECT_THROW(c->load(dir.string()), Error);
  // The manifest (kit.h) lists every part with its size and checksum: a changed byte in any part
  // is a one-line kCorrupt error naming the file, before anything is read.
  std::ifstream ms(dir / "manifest.json");
  std::stringstream manifest;
  manifest << ms.rdbuf();
  EXPECT_EQ(manifest.str().rfind("{\"format\": 1, ", 0), 0u) << manifest.str();
  EXPECT_NE(manifest.str().find("\"file\": \"state.bin\""), std::string::npos) << manifest.str();
  {
    std::fstream f(dir / "state.bin", std::ios::in | std::ios::out | std::ios::binary);
    char byte = 0;
    f.read(&byte, 1);
    byte = static_cast<char>(byte ^ 1);
    f.seekp(0);
    f.write(&byte, 1);
  }
  auto d = make_conf(GetParam(), env->env(), kFast, 3);
  try {
    d->load(dir.string());
    ADD_FAILURE() << "a corrupt state.bin was loaded";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kCorrupt);
    EXPECT_NE(std::string(e.what()).find("state.bin: checksum"), std::string::npos) << e.what();
  }
  std::filesystem::remove_all(dir);
}

// The two-state toy MDP (toy_env.h) with r0a = 2, r1b = 3: random earns 1.25 per step, myopic 2,
// the optimal long-term policy (γ = 0.9) 3. Every agent must beat random clearly.
TEST_P(AgentConformance, BeatsRandomOnToyProblem) {
  auto make_env = [](int batch, uint64_t seed) {
    return std::make_unique<sim::VectorEnv>(std::make_unique<agent_testing::ToyEnv>(2.0, 3.0, 20),
                                            batch, seed);
  };
  auto env = make_env(4, 1);
  auto agent = make_conf(
      GetParam(), env->env(),
      "hidden = [32]\nwarmup_steps = 200\nupdate_period = 1\nbatch_size = 32\ngamma = 0.9\n"
      "replay_capacity = 5000\nepsilon_decay_steps = 1500\ntarget_update_period = 50\nlr = 0.005\n",
      5);
  agent_testing::drive(*agent, *env, 4000, 3);
  auto e1 = make_env(16, 2), e2 = make_env(16, 2);
  const double learned = agent_testing::evaluate(*agent, *e1, 64, 4);
  sim::PolicyContext ctx{&e2->env(), nullptr, nullptr};
  auto random = catalog::find_policy("random").make(ctx);
  const double rand_return = agent_testing::evaluate(*random, *e2, 64, 4);
  // 20-step episodes: random ≈ 25 (se ≈ 1), myopic ≈ 40, optimal ≈ 57.
  EXPECT_GT(learned, rand_return + 8) << "learned " << learned << " random " << rand_return;
}

std::vector<std::string> agent_names() {
  std::vector<std::string> out;
  for (const auto& a : learning_agents()) out.emplace_back(a.name);
  return out;
}

INSTANTIATE_TEST_SUITE_P(AllAgents, AgentConformance, testing::ValuesIn(agent_names()), name_of);

// The factory table and the catalogue list the same agents in the same order (the catalogue is
// what `rlrec list`, name checks and the torch-free CLI read).
TEST(AgentTable, MatchesTheCatalogue) {
  std::vector<std::string> cat;
  for (const auto& a : catalog::agents()) cat.emplace_back(a.name);
  EXPECT_EQ(agent_names(), cat);
}

TEST(AgentRegistry, UnknownKeyAndBadHyperparametersAreOneLineErrors) {
  auto env = small_interest_evolution(1, 1);
  auto msg = [&](const std::string& name, const std::string& toml) {
    return test::error_of([&] { agent_testing::make_agent(name, env->env(), toml, 1); });
  };
  EXPECT_NE(msg("slateq_sarsa", "gama = 0.9\n").find("did you mean 'agent.gamma'"),
            std::string::npos);
  EXPECT_EQ(msg("slateq_sarsa", "gamma = 1.5\n"), "agent.gamma must be in [0.0, 1.0], got 1.5");
  EXPECT_EQ(msg("slateq_qlearning", "lr = 0\n"), "agent.lr must be > 0, got 0.0");
  EXPECT_NE(msg("slateq_sarsa", "slate_optimizer = \"greedyy\"\n").find("did you mean 'greedy'"),
            std::string::npos);
  // SlateQ needs a conditional-logit choice model.
  Config casc = Config::parse_string("[env]\nchoice_model = \"exponential_cascade\"\n");
  auto cenv = catalog::make_environment(casc, 1);
  try {
    agent_testing::make_agent("slateq_sarsa", *cenv, "", 1);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("conditional-logit"), std::string::npos);
  }
}

}  // namespace
}  // namespace rlrec::agents
