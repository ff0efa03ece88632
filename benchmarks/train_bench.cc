// Training throughput of the learning agents: gradient updates/s on one thread (torch
// single-threaded), at each agent's default sizes, on interest_evolution with N = 10 candidates and
// slates of K = 2 (the SlateQ comparison's environment, configs/experiments/
// slateq_interest_evolution.toml).
//
//   BM_Update/<agent>   time spent in update() only (manual time: the thread's CPU time), one
//   gradient step per
//                       environment step (update_period = 1) after a 2000-step warm-up that fills
//                       the replay; acting, environment steps and observe() run between the timed
//                       calls but are not timed. items/s = gradient updates/s.
//   BM_Train/<agent>    the whole training loop (act -> step -> observe -> update) per environment
//                       step with the agent's own update_period, after 6000 untimed steps (past
//                       every default warm-up); items/s = environment steps/s.
//
// The agent's defaults are kept except update_period and warmup_steps (BM_Update), so the network
// sizes, batch sizes, optimizers and targets are those a run uses. Benchmarks only: never a unit
// test. benchmarks/slateq_torch_anchor.py runs BM_Update/slateq_sarsa next to a lean PyTorch
// script of the same update and prints the ratio.
#include <benchmark/benchmark.h>
#include <time.h>

#include <memory>
#include <string>
#include <vector>

#include "rlrec/agents/agent.h"
#include "rlrec/agents/kit.h"
#include "rlrec/catalog/catalog.h"
#include "rlrec/core/config.h"
#include "rlrec/sim/environment.h"
#include "rlrec/sim/vector_env.h"

namespace {

using namespace rlrec;

constexpr int64_t kWarmup = 2000;

// CPU time of the calling thread: the machine is shared, and wall time would count the time other
// processes hold the core (cache sharing still adds noise: report medians and the load).
double thread_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

struct Loop {
  std::unique_ptr<sim::VectorEnv> env;
  std::unique_ptr<agents::Agent> agent;
  std::vector<int32_t> slates;
  std::vector<Rng> rngs;
  uint64_t next_episode = 0;

  Loop(const std::string& name, const std::string& overrides) {
    Config env_cfg = Config::parse_string(
        "[env]\nname = \"interest_evolution\"\nnum_candidates = 10\nslate_size = 2\n");
    env = std::make_unique<sim::VectorEnv>(catalog::make_environment(env_cfg, 1), 1, 2);
    static Config cfg;  // the agent keeps no reference to its config after construction
    cfg = Config::parse_string("[agent]\n" + overrides);
    agents::AgentContext ctx{&env->env(), &cfg, "agent", 1, nullptr};
    agent = agents::find_agent(name)->make(ctx);
    agent->set_training(true);
    slates.resize(static_cast<size_t>(env->batch()) * env->spec().slate_size);
    for (int b = 0; b < env->batch(); ++b) rngs.emplace_back(7, b);
    env->reset_all(next_episode);
    next_episode += env->batch();
  }

  // One environment step of every row, without update().
  void step() {
    agent->act(env->observation(), slates.data(), rngs.data());
    env->step(slates.data());
    const int B = env->batch();
    agents::StepOutcomes o{B,
                           nullptr,
                           slates.data(),
                           env->rewards(),
                           env->choices(),
                           env->terminated(),
                           env->truncated(),
                           env->responses()};
    agent->observe(o, env->observation());
    for (int b = 0; b < B; ++b)
      if (env->done(b)) env->reset(b, next_episode++);
  }
};

void BM_Update(benchmark::State& state, const std::string& name) {
  Loop loop(name, "update_period = 1\nwarmup_steps = " + std::to_string(kWarmup) + "\n");
  for (int64_t i = 0; i < kWarmup; ++i) loop.step();
  int64_t updates = 0;
  for (auto _ : state) {
    loop.step();
    const double t0 = thread_seconds();
    updates += loop.agent->update().updates;
    state.SetIterationTime(thread_seconds() - t0);
  }
  state.SetItemsProcessed(updates);
  // The sizes of the value networks' inputs (for slateq_torch_anchor.py): the user input with
  // session statistics (agents/kit.h UserState), item features, candidates, slate size.
  const auto& spec = loop.env->spec();
  state.counters["user_input"] = agents::UserState(spec, true).dim();
  state.counters["user_obs"] = spec.user_dim;
  state.counters["item_dim"] = spec.item_dim;
  state.counters["candidates"] = spec.num_candidates;
  state.counters["slate_size"] = spec.slate_size;
}

void BM_Train(benchmark::State& state, const std::string& name) {
  Loop loop(name, "");
  for (int64_t i = 0; i < 6000; ++i) {  // past every agent's default warm-up (not timed)
    loop.step();
    loop.agent->update();
  }
  int64_t steps = 0;
  for (auto _ : state) {
    loop.step();
    loop.agent->update();
    ++steps;
  }
  state.SetItemsProcessed(steps);
}

const char* const kAgents[] = {"slateq_sarsa", "slateq_qlearning", "wolpertinger",
                               "drr_p",        "drr_ave",          "topk_reinforce"};

const bool registered = [] {
  for (const char* a : kAgents) {
    benchmark::RegisterBenchmark((std::string("BM_Update/") + a).c_str(), BM_Update, std::string(a))
        ->UseManualTime()
        ->MinTime(2.0)
        ->Unit(benchmark::kMicrosecond);
  }
  for (const char* a : kAgents)
    benchmark::RegisterBenchmark((std::string("BM_Train/") + a).c_str(), BM_Train, std::string(a))
        ->MinTime(2.0)
        ->Unit(benchmark::kMicrosecond);
  return true;
}();

}  // namespace
