// The catalogue: the one table of every kind of named component, and the one lookup for each,
// read by every command (`rlrec list` prints these tables), the Python package and the conformance
// suites. A name `rlrec list` shows works in every command that accepts its kind.
//
//   environments   simulated (RecSim's three) and built from rating logs (datasim)   [env] name
//   policies       the baselines of every environment family (rating-log baselines need a
//                  rating-log environment: a one-line error elsewhere)                 [policy]
//                  name
//   agents         the learning agents: name and description only, so the catalogue stays
//                  torch-free; agents/agent.h's find_agent builds them (its factory table lists
//                  exactly these names in this order — the agents' conformance suite checks it)
//   estimators     off-policy estimators, slate estimators included (ope/estimators.h's table)
//   choice_models, index_kinds, mf_models: the tables of sim/, index/ and models/
//
// Unknown names throw rlrec::Error (kNotFound) with the valid choices and a did-you-mean.
// The tables are plain arrays (design.md §7): no self-registration, no global state.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rlrec/core/config.h"
#include "rlrec/index/index.h"
#include "rlrec/models/mf.h"
#include "rlrec/sim/choice_model.h"
#include "rlrec/sim/environment.h"
#include "rlrec/sim/policy.h"

namespace rlrec::catalog {

// ---- environments
std::span<const sim::EnvEntry> environments();
const sim::EnvEntry& find_environment(std::string_view name);
// cfg's env.name (default "interest_evolution").
std::string env_name(const Config& cfg);
// Builds the environment named by cfg's env.name from cfg's [env] section.
std::unique_ptr<sim::Environment> make_environment(const Config& cfg, uint64_t seed);

// ---- baseline policies
std::span<const sim::PolicyEntry> policies();
const sim::PolicyEntry& find_policy(std::string_view name);
const sim::PolicyEntry* find_policy_or_null(std::string_view name);

// ---- learning agents (metadata; built by agents::find_agent)
struct AgentInfo {
  std::string_view name;
  std::string_view description;
};
std::span<const AgentInfo> agents();
const AgentInfo* find_agent_or_null(std::string_view name);
// Every name `rlrec compare` accepts in compare.agents: baseline policies, then learning agents.
std::vector<std::string> policy_and_agent_names();

// ---- the other kinds (one table each, in their modules)
std::span<const sim::ChoiceModelEntry> choice_models();
std::span<const index::IndexKind> index_kinds();
std::span<const models::MfKind> mf_models();

// Every table as (kind, [(name, description)]), in `rlrec list` order; estimators come from
// ope/estimators.h, which sits above the catalogue, so `rlrec list` appends them itself.
struct Listing {
  std::string_view kind;
  std::vector<std::pair<std::string, std::string>> entries;
};
std::vector<Listing> listings();

}  // namespace rlrec::catalog
