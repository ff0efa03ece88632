// Agent: a learning Policy. Torch-free header: the networks live in the .cc files.
//
// Protocol, driven by the training runner (train/):
//   set_training(true);
//   loop: act(obs, slates, rngs) -> VectorEnv::step(slates) -> observe(step, next_obs) -> update()
// In training mode act() explores (e.g. ε-greedy with rngs[b]) and remembers, per row, what it
// needs to build a transition; observe() completes the transitions of the rows that stepped (the
// runner guarantees one observe() after each act() in training mode); update() runs the gradient
// steps that are due (the agent counts environment steps and decides), returning their statistics.
// In evaluation mode act() is greedy and records nothing.
// save(dir)/load(dir): everything needed to continue training bit-for-bit (networks, optimizer
// state, replay, RNG, counters). load() throws rlrec::Error (kCorrupt / kInvalidArgument) for a
// corrupt checkpoint or one written by another agent or for another environment.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "rlrec/core/config.h"
#include "rlrec/core/matrix_view.h"
#include "rlrec/sim/policy.h"
#include "rlrec/sim/vector_env.h"

namespace rlrec::agents {

// The outcome of one VectorEnv step, for the rows that were active.
struct StepOutcomes {
  int batch = 0;
  const uint8_t* active = nullptr;      // rows that stepped (nullptr: all)
  const int32_t* slates = nullptr;      // batch x K (what act() returned)
  const double* rewards = nullptr;      // batch
  const int32_t* choices = nullptr;     // batch: chosen slot or -1
  const uint8_t* terminated = nullptr;  // batch
  const uint8_t* truncated = nullptr;   // batch
  MatrixView<const float> responses;    // batch x (K * response_dim)
  bool is_active(int b) const { return active == nullptr || active[b] != 0; }
};

// Statistics of the gradient steps run by one update() call.
struct UpdateStats {
  int64_t updates = 0;       // gradient steps performed in this call
  double loss_sum = 0;       // sum of their losses
  double td_target_sum = 0;  // sum of mean TD targets (a scale check)
};

class Agent : public sim::Policy {
 public:
  virtual void set_training(bool training) = 0;
  virtual void observe(const StepOutcomes& step, const sim::Observation& next) = 0;
  virtual UpdateStats update() = 0;
  virtual void save(const std::string& dir) const = 0;
  virtual void load(const std::string& dir) = 0;
};

// What an agent factory gets: the environment (spec, choice model, observed scores), the config
// (the agent reads its own section), the agent's seed and a pool it may use in act().
struct AgentContext {
  const sim::Environment* env = nullptr;
  const Config* config = nullptr;
  std::string section = "agent";  // the config section holding this agent's keys
  uint64_t seed = 0;
  ThreadPool* pool = nullptr;
};

// The factory table of the learning agents: the same names, in the same order, as the catalogue's
// agents (rlrec/catalog/catalog.h, which holds their descriptions; the conformance suite checks
// it).
struct AgentEntry {
  std::string_view name;
  // Reads ctx.config's [ctx.section] (unknown keys rejected), validates against the env, builds.
  std::unique_ptr<Agent> (*make)(const AgentContext& ctx);
  // The section's defaults as TOML (after the variant's presets).
  std::string (*defaults)();
};

std::span<const AgentEntry> learning_agents();
// The learning agent called `name`, or nullptr (baseline policies: catalog::find_policy).
const AgentEntry* find_agent(std::string_view name);

}  // namespace rlrec::agents
