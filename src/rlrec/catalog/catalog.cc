#include "rlrec/catalog/catalog.h"

#include "rlrec/core/registry.h"
#include "rlrec/datasim/datasim.h"
#include "rlrec/sim/envs/envs.h"

namespace rlrec::catalog {
namespace {

constexpr sim::EnvEntry kEnvironments[] = {
    {"interest_evolution",
     "RecSim's interest evolution: topic interests drift with clicks, budget depends on quality",
     sim::make_interest_evolution, sim::interest_evolution_defaults, "recsim"},
    {"interest_exploration",
     "RecSim's clustered bandit: two user types, two topics, myopic ranking neglects niche topics",
     sim::make_interest_exploration, sim::interest_exploration_defaults, "recsim"},
    {"long_term_satisfaction",
     "RecSim's choc/kale: clickbait engages now but lowers long-term satisfaction",
     sim::make_long_term_satisfaction, sim::long_term_satisfaction_defaults, "recsim"},
    {"movielens_mf",
     "rating log + MF simulator (DRR's online protocol): predicted rating of any unseen item is "
     "the reward",
     datasim::make_movielens_mf, datasim::movielens_mf_defaults, "rating_log"},
    {"movielens_replay",
     "rating log replay: candidates are the user's own train-period items, reward = logged rating",
     datasim::make_movielens_replay, datasim::movielens_replay_defaults, "rating_log"},
    {"movielens_seq",
     "rating log + MF simulator + the sequential effect fitted from the log (mood, recent "
     "quality, similarity to the last w items)",
     datasim::make_movielens_seq, datasim::movielens_seq_defaults, "rating_log"},
};

constexpr sim::PolicyEntry kPolicies[] = {
    {"random", "uniform slate of distinct candidates (RecSim RandomAgent)", false,
     sim::make_random},
    {"myopic", "top-K by the user's click score from the observed state (greedy pCTR)", false,
     sim::make_myopic},
    {"quality_oracle", "top-K by hidden item quality (privileged upper-bound reference)", true,
     sim::make_quality_oracle},
    {"softmax_myopic", "Boltzmann (Plackett-Luce) slates over the myopic score; logs propensities",
     false, sim::make_softmax_myopic},
    {"biased_softmax",
     "biased logger: Boltzmann slates preferring low-score items; logs propensities", false,
     sim::make_biased_softmax},
    {"popularity", "rating logs: items with the most train ratings first", false,
     datasim::make_popularity, "rating_log"},
    {"pmf", "rating logs: the train MF's predicted rating (b_i + p_u.q_i), greedy", false,
     datasim::make_pmf, "rating_log"},
};

constexpr AgentInfo kAgents[] = {
    {"slateq_myopic", "SlateQ with γ = 0: myopic item values, slate by choice model (MYOP)"},
    {"slateq_sarsa", "SlateQ, SARSA targets on the next served slate (Ie et al. 2019)"},
    {"slateq_qlearning", "SlateQ, Q-learning targets over the best next slate (exact optimizer)"},
    {"full_slate_q", "DQN over all ordered slates: the non-decomposed baseline (small N only)"},
    {"topk_reinforce",
     "REINFORCE with off-policy (iw) and top-K correction, GRU state (Chen et al. 2019)"},
    {"wolpertinger",
     "DDPG proto-action -> k nearest items (exact/HNSW) -> critic re-rank (Dulac-Arnold et al. "
     "2015)"},
    {"drr_n", "DRR (Liu et al. 2018), state = concatenated history embeddings (DRR-n)"},
    {"drr_p", "DRR, state with item-item products (DRR-p)"},
    {"drr_u", "DRR, state with user-item and item-item products (DRR-u)"},
    {"drr_ave", "DRR, state [u, u*g, g], g = weighted average of history (DRR-ave)"},
    {"linucb",
     "LinUCB top-K slates: ridge θ̂ᵀφ + α·sqrt(φᵀA⁻¹φ) on user-item features (Li et al. 2010)"},
    {"linear_ts", "linear Thompson sampling top-K slates: θ̃ ~ N(θ̂, v²A⁻¹) (Agrawal & Goyal 2013)"},
    {"epsilon_greedy",
     "ε-greedy ridge regression on user-item features: top-K by θ̂ᵀφ, ε random slates"},
};

template <class Span>
std::vector<std::pair<std::string, std::string>> entries_of(Span table) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& e : table) out.emplace_back(e.name, e.description);
  return out;
}

template <class Entry>
const Entry* find_or_null(std::span<const Entry> table, std::string_view name) {
  for (const auto& e : table)
    if (e.name == name) return &e;
  return nullptr;
}

}  // namespace

std::span<const sim::EnvEntry> environments() { return kEnvironments; }

const sim::EnvEntry& find_environment(std::string_view name) {
  return registry_lookup(environments(), name, "environment");
}

std::string env_name(const Config& cfg) {
  return cfg.get_string("env", "name").value_or("interest_evolution");
}

std::unique_ptr<sim::Environment> make_environment(const Config& cfg, uint64_t seed) {
  return find_environment(env_name(cfg)).make(cfg, seed);
}

std::span<const sim::PolicyEntry> policies() { return kPolicies; }

const sim::PolicyEntry& find_policy(std::string_view name) {
  return registry_lookup(policies(), name, "policy");
}

const sim::PolicyEntry* find_policy_or_null(std::string_view name) {
  return find_or_null(policies(), name);
}

std::span<const AgentInfo> agents() { return kAgents; }

const AgentInfo* find_agent_or_null(std::string_view name) { return find_or_null(agents(), name); }

std::vector<std::string> policy_and_agent_names() {
  std::vector<std::string> out = registry_names(policies());
  for (const auto& a : kAgents) out.emplace_back(a.name);
  return out;
}

std::span<const sim::ChoiceModelEntry> choice_models() { return sim::choice_models(); }
std::span<const index::IndexKind> index_kinds() { return index::index_kinds(); }
std::span<const models::MfKind> mf_models() { return models::mf_kinds(); }

std::vector<Listing> listings() {
  return {
      {"environments", entries_of(environments())}, {"choice_models", entries_of(choice_models())},
      {"policies", entries_of(policies())},         {"agents", entries_of(agents())},
      {"index_kinds", entries_of(index_kinds())},   {"mf_models", entries_of(mf_models())},
  };
}

}  // namespace rlrec::catalog
