// Test helpers: build an agent for an environment from TOML overrides, drive its training loop,
// evaluate it greedily. Header-only, for the agents tests.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "rlrec/agents/agent.h"
#include "rlrec/core/config.h"
#include "rlrec/eval/runner.h"
#include "rlrec/sim/episode_driver.h"
#include "rlrec/sim/vector_env.h"

namespace rlrec::agents::agent_testing {

inline std::unique_ptr<Agent> make_agent(const std::string& name, const sim::Environment& env,
                                         const std::string& agent_toml, uint64_t seed) {
  static Config cfg;  // the agent keeps no reference to the config after construction
  cfg = Config::parse_string("[agent]\n" + agent_toml);
  const AgentEntry* e = find_agent(name);
  AgentContext ctx{&env, &cfg, "agent", seed, nullptr};
  return e->make(ctx);
}

// Trains for at least `steps` environment steps (whole episodes), episode streams from `seed`:
// sim::drive_episodes with the sequential plan from first_episode (as the trainer runs).
inline int64_t drive(Agent& agent, sim::VectorEnv& env, int64_t steps, uint64_t seed,
                     uint64_t first_episode = 0) {
  agent.set_training(true);
  int64_t updates = 0;
  sim::EpisodeHooks hooks;
  hooks.act = [&](const sim::Observation& obs, int32_t* slates, Rng* rngs) {
    agent.act(obs, slates, rngs);
  };
  hooks.stepped = [&](const uint8_t* active, const int32_t* slates) {
    StepOutcomes o{env.batch(),   active,           slates,          env.rewards(),
                   env.choices(), env.terminated(), env.truncated(), env.responses()};
    agent.observe(o, env.observation(active));
    updates += agent.update().updates;
  };
  const auto more = [steps](int64_t done_steps) { return done_steps < steps; };
  sim::drive_episodes(env, seed, sim::EpisodePlan::sequential(first_episode, more), hooks);
  return updates;
}

inline double evaluate(sim::Policy& policy, sim::VectorEnv& env, int64_t episodes, uint64_t seed) {
  if (auto* a = dynamic_cast<Agent*>(&policy)) a->set_training(false);
  return eval::run_episodes(env, policy, episodes, seed).return_summary().mean;
}

}  // namespace rlrec::agents::agent_testing
