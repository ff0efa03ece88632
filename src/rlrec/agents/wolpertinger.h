// Factory of the Wolpertinger agent (wolpertinger.cc) and test hooks. Torch-free.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "rlrec/agents/agent.h"

namespace rlrec::agents {

std::unique_ptr<Agent> make_wolpertinger(const AgentContext& ctx);
std::string wolpertinger_defaults();

// What the greedy policy computes for one row of an observation (tests): the actor's proto-action
// (item_dim floats, no exploration noise), the k nearest items (positions into the row's
// candidates; in catalogue mode positions are item ids), nearest first, and the critic's Q for each
// of them.
struct WolpertingerProbe {
  std::vector<float> proto;
  std::vector<int64_t> neighbours;
  std::vector<double> q;
};
// Uses the row's current session features (call before act() for that observation, or use an agent
// with history_features = false). Throws if `agent` is not a Wolpertinger agent.
WolpertingerProbe wolpertinger_probe(Agent& agent, const sim::Observation& obs, int row);
// The online critic's Q(s, e) for one (augmented) user row and one item feature row.
double wolpertinger_q(Agent& agent, const float* user, const float* item);
// The number of neighbours k the agent uses (after resolving k / k_fraction).
int64_t wolpertinger_k(Agent& agent);
// Sets the HNSW ef_search of the agent's catalogue index (benchmarks: recall/speed trade-off
// without rebuilding or retraining); false if the agent has no HNSW index.
bool wolpertinger_set_ef_search(Agent& agent, int ef);

}  // namespace rlrec::agents
