// Factories of the built-in environments (one .cc each); the registry table is in envs/registry.cc.
#pragma once

#include <memory>
#include <string>

#include "rlrec/sim/environment.h"

namespace rlrec::sim {

std::unique_ptr<Environment> make_interest_evolution(const Config& cfg, uint64_t seed);
std::string interest_evolution_defaults();
std::unique_ptr<Environment> make_interest_exploration(const Config& cfg, uint64_t seed);
std::string interest_exploration_defaults();
std::unique_ptr<Environment> make_long_term_satisfaction(const Config& cfg, uint64_t seed);
std::string long_term_satisfaction_defaults();

}  // namespace rlrec::sim
