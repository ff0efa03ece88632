// Factory of the full-slate Q-learning baseline (full_slate_q.cc).
#pragma once

#include <memory>
#include <string>

#include "rlrec/agents/agent.h"

namespace rlrec::agents {

std::unique_ptr<Agent> make_full_slate_q(const AgentContext& ctx);
std::string full_slate_q_defaults();

}  // namespace rlrec::agents
