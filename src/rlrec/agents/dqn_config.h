// Hyperparameters shared by the value-based agents (SlateQ, full-slate Q): network, replay, update
// cadence, target network, ε-greedy exploration. Torch-free. Each agent's config struct embeds one
// and adds its own keys.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "rlrec/agents/agent.h"
#include "rlrec/agents/replay.h"
#include "rlrec/core/config.h"
#include "rlrec/sim/policy.h"
#include "rlrec/sim/vector_env.h"

namespace rlrec::agents {

struct DqnConfig {
  double gamma = 0.99;
  std::vector<int64_t> hidden{256, 32};
  int batch_size = 32;
  int64_t replay_capacity = 100000;
  int64_t warmup_steps = 5000;
  int64_t update_period = 4;
  int64_t target_update_period = 1000;
  double epsilon_final = 0.01;
  int64_t epsilon_decay_steps = 50000;
  double epsilon_eval = 0.0;

  void visit(FieldVisitor& v) {
    v.field("gamma", gamma, "discount factor in [0, 1]");
    v.field("hidden", hidden, "hidden layer sizes of the value network");
    v.field("batch_size", batch_size, "transitions per gradient step");
    v.field("replay_capacity", replay_capacity, "transitions kept in the replay buffer");
    v.field("warmup_steps", warmup_steps, "env steps of pure exploration before learning");
    v.field("update_period", update_period, "env steps per gradient step");
    v.field("target_update_period", target_update_period,
            "gradient steps between hard target-network copies");
    v.field("epsilon_final", epsilon_final, "exploration rate after the decay");
    v.field("epsilon_decay_steps", epsilon_decay_steps,
            "env steps of linear ε decay after warm-up");
    v.field("epsilon_eval", epsilon_eval, "exploration rate in evaluation");
  }

  void validate(const std::string& s) const {
    check_range(s + ".gamma", gamma, 0.0, 1.0);
    if (hidden.empty()) invalid_argument(s, ".hidden must list at least one layer size");
    for (auto h : hidden) check_range(s + ".hidden", h, 1, 65536);
    check_range(s + ".batch_size", batch_size, 1, 1 << 20);
    check_range(s + ".replay_capacity", replay_capacity, 1, int64_t{1} << 32);
    check_range(s + ".warmup_steps", warmup_steps, 0, INT64_MAX);
    check_range(s + ".update_period", update_period, 1, INT64_MAX);
    check_range(s + ".target_update_period", target_update_period, 1, INT64_MAX);
    check_range(s + ".epsilon_final", epsilon_final, 0.0, 1.0);
    check_range(s + ".epsilon_decay_steps", epsilon_decay_steps, 1, INT64_MAX);
    check_range(s + ".epsilon_eval", epsilon_eval, 0.0, 1.0);
  }

  LinearSchedule epsilon() const { return {warmup_steps, epsilon_decay_steps, 1.0, epsilon_final}; }
  // Gradient steps due after `env_steps` environment steps.
  int64_t updates_due(int64_t env_steps) const {
    return env_steps < warmup_steps ? 0 : (env_steps - warmup_steps) / update_period;
  }
};

// Runs `step` (one gradient step: increments `updates` and returns {loss, mean target}) until
// `updates` reaches `due`, summing the statistics. The update() loop of the replay-based agents.
template <class Step>
UpdateStats run_due_updates(int64_t due, const int64_t& updates, Step&& step) {
  UpdateStats st;
  while (updates < due) {
    const auto [loss, mean_target] = step();
    ++st.updates;
    st.loss_sum += loss;
    st.td_target_sum += mean_target;
  }
  return st;
}

// ε-greedy split of a batch: each active row explores with probability eps (a uniform slate drawn
// from rngs[b]); the other active rows are listed in `greedy`, to be scored in one forward pass.
inline void explore_or_collect(const sim::Observation& obs, double eps, Rng* rngs, int32_t* slates,
                               std::vector<int>& greedy) {
  greedy.clear();
  const int N = obs.num_candidates, K = obs.slate_size;
  for (int b = 0; b < obs.batch; ++b) {
    if (!obs.is_active(b)) continue;
    if (eps > 0 && rngs[b].uniform() < eps)
      sim::random_slate(rngs[b], N, K, slates + b * K);
    else
      greedy.push_back(b);
  }
}

}  // namespace rlrec::agents
