// Test helpers: build an agent for an environment from TOML overrides, drive its training loop,
// evaluate it greedily. Header-only, for the agents tests.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "rlrec/agents/agent.h"
#include "rlrec/core/config.h"
#include "rlrec/eval/runner.h"
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

// Trains for at least `steps` environment steps (whole episodes), episode streams from `seed`.
inline int64_t drive(Agent& agent, sim::VectorEnv& env, int64_t steps, uint64_t seed,
                     uint64_t first_episode = 0) {
  const int B = env.batch(), K = env.spec().slate_size;
  std::vector<uint8_t> active(B, 1);
  std::vector<int32_t> slates(static_cast<size_t>(B) * K);
  std::vector<Rng> rngs(B);
  uint64_t next = first_episode;
  for (int b = 0; b < B; ++b) {
    env.reset(b, next);
    rngs[b] = Rng(seed, next++);
  }
  agent.set_training(true);
  int64_t done_steps = 0, updates = 0;
  int live = B;
  while (live > 0) {
    agent.act(env.observation(active.data()), slates.data(), rngs.data());
    env.step(slates.data(), active.data());
    StepOutcomes o{B, active.data(), slates.data(), env.rewards(), env.choices(), env.terminated(),
                   env.truncated(), env.responses()};
    agent.observe(o, env.observation(active.data()));
    updates += agent.update().updates;
    for (int b = 0; b < B; ++b) {
      if (!active[b]) continue;
      ++done_steps;
      if (!env.done(b)) continue;
      if (done_steps < steps) {
        env.reset(b, next);
        rngs[b] = Rng(seed, next++);
      } else {
        active[b] = 0;
        --live;
      }
    }
  }
  return updates;
}

inline double evaluate(sim::Policy& policy, sim::VectorEnv& env, int64_t episodes, uint64_t seed) {
  if (auto* a = dynamic_cast<Agent*>(&policy)) a->set_training(false);
  return eval::run_episodes(env, policy, episodes, seed).return_summary().mean;
}

}  // namespace rlrec::agents::agent_testing
