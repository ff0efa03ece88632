#include "rlrec/agents/agent.h"
#include "rlrec/agents/bandits.h"
#include "rlrec/agents/drr.h"
#include "rlrec/agents/full_slate_q.h"
#include "rlrec/agents/slateq.h"
#include "rlrec/agents/topk_reinforce.h"
#include "rlrec/agents/wolpertinger.h"

namespace rlrec::agents {
namespace {

// One line per agent, in the catalogue's order (catalog::agents() has the descriptions).
constexpr AgentEntry kAgents[] = {
    {"slateq_myopic", make_slateq_myopic, slateq_myopic_defaults},
    {"slateq_sarsa", make_slateq_sarsa, slateq_sarsa_defaults},
    {"slateq_qlearning", make_slateq_qlearning, slateq_qlearning_defaults},
    {"full_slate_q", make_full_slate_q, full_slate_q_defaults},
    {"topk_reinforce", make_topk_reinforce, topk_reinforce_defaults},
    {"wolpertinger", make_wolpertinger, wolpertinger_defaults},
    {"drr_n", make_drr_n, drr_n_defaults},
    {"drr_p", make_drr_p, drr_p_defaults},
    {"drr_u", make_drr_u, drr_u_defaults},
    {"drr_ave", make_drr_ave, drr_ave_defaults},
    {"linucb", make_linucb, linucb_defaults},
    {"linear_ts", make_linear_ts, linear_ts_defaults},
    {"epsilon_greedy", make_epsilon_greedy, epsilon_greedy_defaults},
};

}  // namespace

std::span<const AgentEntry> learning_agents() { return kAgents; }

const AgentEntry* find_agent(std::string_view name) {
  for (const auto& e : kAgents)
    if (e.name == name) return &e;
  return nullptr;
}

}  // namespace rlrec::agents
