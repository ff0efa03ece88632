#include "rlrec/agents/agent.h"
#include "rlrec/agents/drr.h"
#include "rlrec/agents/full_slate_q.h"
#include "rlrec/agents/slateq.h"
#include "rlrec/agents/topk_reinforce.h"
#include "rlrec/agents/wolpertinger.h"
#include "rlrec/datasim/datasim.h"

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
    {"topk_reinforce", "REINFORCE with off-policy (iw) and top-K correction, GRU state (Chen et al. 2019)",
     make_topk_reinforce, topk_reinforce_defaults},
    {"wolpertinger", "DDPG proto-action -> k nearest items (exact/HNSW) -> critic re-rank (Dulac-Arnold et al. 2015)",
     make_wolpertinger, wolpertinger_defaults},
    {"drr_n", "DRR (Liu et al. 2018), state = concatenated history embeddings (DRR-n)", make_drr_n, drr_n_defaults},
    {"drr_p", "DRR, state with item-item products (DRR-p)", make_drr_p, drr_p_defaults},
    {"drr_u", "DRR, state with user-item and item-item products (DRR-u)", make_drr_u, drr_u_defaults},
    {"drr_ave", "DRR, state [u, u*g, g], g = weighted average of history (DRR-ave)", make_drr_ave, drr_ave_defaults},
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
  for (const auto& p : datasim::all_policies()) out.emplace_back(p.first);
  for (const auto& a : kAgents) out.emplace_back(a.name);
  return out;
}

}  // namespace rlrec::agents
