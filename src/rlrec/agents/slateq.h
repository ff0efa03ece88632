// Factories of the SlateQ variants (slateq.cc) and a test hook.
#pragma once

#include <memory>
#include <string>

#include "rlrec/agents/agent.h"

namespace rlrec::agents {

std::unique_ptr<Agent> make_slateq_myopic(const AgentContext& ctx);
std::unique_ptr<Agent> make_slateq_sarsa(const AgentContext& ctx);
std::unique_ptr<Agent> make_slateq_qlearning(const AgentContext& ctx);
std::string slateq_myopic_defaults();
std::string slateq_sarsa_defaults();
std::string slateq_qlearning_defaults();

// Q̄(s, i) of a SlateQ agent's online network (tests: convergence to closed-form values).
double slateq_item_value(Agent& agent, const float* user, const float* item);

}  // namespace rlrec::agents
