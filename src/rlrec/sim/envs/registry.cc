#include "rlrec/core/registry.h"
#include "rlrec/sim/envs/envs.h"

namespace rlrec::sim {
namespace {

constexpr EnvEntry kEnvironments[] = {
    {"interest_evolution",
     "RecSim's interest evolution: topic interests drift with clicks, budget depends on quality",
     make_interest_evolution, interest_evolution_defaults},
    {"interest_exploration",
     "RecSim's clustered bandit: two user types, two topics, myopic ranking neglects niche topics",
     make_interest_exploration, interest_exploration_defaults},
    {"long_term_satisfaction",
     "RecSim's choc/kale: clickbait engages now but lowers long-term satisfaction",
     make_long_term_satisfaction, long_term_satisfaction_defaults},
};

}  // namespace

std::span<const EnvEntry> environments() { return kEnvironments; }

const EnvEntry& find_environment(std::string_view name) {
  return registry_lookup(environments(), name, "environment");
}

std::string env_name(const Config& cfg) {
  return cfg.get_string("env", "name").value_or("interest_evolution");
}

std::unique_ptr<Environment> make_environment(const Config& cfg, uint64_t seed) {
  return find_environment(env_name(cfg)).make(cfg, seed);
}

}  // namespace rlrec::sim
