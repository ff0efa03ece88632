// Example consumer of an installed rlrec: builds interest_evolution from a Config, evaluates a
// baseline policy, trains slateq_myopic for a few hundred steps and evaluates it greedily.
#include <cstdint>
#include <cstdio>
#include <memory>
#include <vector>

#include "rlrec/agents/agent.h"
#include "rlrec/catalog/catalog.h"
#include "rlrec/core/config.h"
#include "rlrec/core/rng.h"
#include "rlrec/eval/runner.h"
#include "rlrec/sim/environment.h"
#include "rlrec/sim/policy.h"
#include "rlrec/sim/vector_env.h"

using namespace rlrec;

int main() {
  const Config cfg = Config::parse_string(
      "[env]\nname = \"interest_evolution\"\n"
      "[agent]\nwarmup_steps = 100\nepsilon_decay_steps = 300\n");
  const uint64_t seed = 7;
  const int batch = 4;
  sim::VectorEnv env(catalog::make_environment(cfg, seed), batch, seed);

  sim::PolicyContext pctx{&env.env(), &cfg, nullptr};
  auto baseline = catalog::find_policy("myopic").make(pctx);
  std::printf("myopic        mean return %.3f\n",
              eval::run_episodes(env, *baseline, 8, seed).return_summary().mean);

  const agents::AgentContext actx{&env.env(), &cfg, "agent", seed, nullptr};
  auto agent = agents::find_agent("slateq_myopic")->make(actx);
  const int K = env.spec().slate_size;
  std::vector<uint8_t> active(batch, 1);
  std::vector<int32_t> slates(static_cast<size_t>(batch) * K);
  std::vector<Rng> rngs(batch);
  uint64_t episode = 1000;
  for (int b = 0; b < batch; ++b, ++episode) {
    env.reset(b, episode);
    rngs[b] = Rng(seed, episode);
  }
  agent->set_training(true);
  int64_t updates = 0;
  for (int step = 0; step < 100; ++step) {  // 100 batched steps = 400 environment steps
    agent->act(env.observation(active.data()), slates.data(), rngs.data());
    env.step(slates.data(), active.data());
    agents::StepOutcomes o{batch,         active.data(),    slates.data(),   env.rewards(),
                           env.choices(), env.terminated(), env.truncated(), env.responses()};
    agent->observe(o, env.observation(active.data()));
    updates += agent->update().updates;
    for (int b = 0; b < batch; ++b) {
      if (!env.done(b)) continue;
      env.reset(b, episode);
      rngs[b] = Rng(seed, episode++);
    }
  }
  agent->set_training(false);
  std::printf("slateq_myopic mean return %.3f (%lld updates)\n",
              eval::run_episodes(env, *agent, 8, seed).return_summary().mean,
              static_cast<long long>(updates));
  return updates > 0 ? 0 : 1;
}
