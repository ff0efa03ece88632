#include "rlrec/agents/agent.h"
#include "rlrec/agents/full_slate_q.h"
#include "rlrec/agents/slateq.h"

namespace rlrec::agents {
namespace {

constexpr AgentEntry kAgents[] = {
    {"slateq_myopic", "SlateQ with γ = 0: myopic item values, slate by choice model (MYOP)",
     make_slateq_myopic, slateq_myopic_defaults},
    {"slateq_sarsa", "SlateQ, SARSA targets on the next served slate (Ie et al. 2019)",
     make_slateq_sarsa, slateq_sarsa_defaults},
    {"slateq_qlearning", "SlateQ, Q-learning targets over the best next slate (exact optimizer)",
     make_slateq_qlearning, slateq_qlearning_defaults},
    {"full_slate_q", "DQN over all ordered slates: the non-decomposed baseline (small N only)",
     make_full_slate_q, full_slate_q_defaults},
};

}  // namespace

std::span<const AgentEntry> learning_agents() { return kAgents; }

const AgentEntry* find_agent(std::string_view name) {
  for (const auto& e : kAgents)
    if (e.name == name) return &e;
  return nullptr;
}

std::vector<std::string> all_agent_names() {
  std::vector<std::string> out;
  for (const auto& p : sim::baseline_policies()) out.emplace_back(p.name);
  for (const auto& a : kAgents) out.emplace_back(a.name);
  return out;
}

}  // namespace rlrec::agents
