// Factories of the built-in environments (one .cc each); the registry table is in envs/registry.cc.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "rlrec/sim/environment.h"

namespace rlrec::sim {

std::unique_ptr<Environment> make_interest_evolution(const Config& cfg, uint64_t seed);
std::string interest_evolution_defaults();
std::unique_ptr<Environment> make_interest_exploration(const Config& cfg, uint64_t seed);
std::string interest_exploration_defaults();
std::unique_ptr<Environment> make_long_term_satisfaction(const Config& cfg, uint64_t seed);
std::string long_term_satisfaction_defaults();

}  // namespace rlrec::sim

namespace rlrec::sim {

// Test hooks: read and overwrite the hidden session state of one slot, so that tests can check the
// transition rules on fixed states. They throw kInvalidArgument if `env` is another environment.
// Setting the state does not rewrite the VectorEnv's observation buffers: the user observation
// shows the new interests only after the next step.
struct InterestEvolutionState {
  std::vector<double> interests;  // T
  double budget = 0;
};
InterestEvolutionState interest_evolution_state(const Environment& env, int slot);
void set_interest_evolution_state(Environment& env, int slot, const InterestEvolutionState& s);

struct LongTermSatisfactionState {
  double net_positive_exposure = 0;
  double budget = 0;
};
LongTermSatisfactionState long_term_satisfaction_state(const Environment& env, int slot);
void set_long_term_satisfaction_state(Environment& env, int slot,
                                      const LongTermSatisfactionState& s);

}  // namespace rlrec::sim
