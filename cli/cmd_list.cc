// rlrec list [REGISTRY]: prints the registries (every name a config or flag accepts).
#include <iostream>

#include "cli/commands.h"
#include "cli/common.h"
#include "rlrec/core/registry.h"
#include "rlrec/agents/agent.h"
#include "rlrec/datasim/datasim.h"
#include "rlrec/index/index.h"
#include "rlrec/models/mf.h"
#include "rlrec/sim/choice_model.h"
#include "rlrec/sim/environment.h"
#include "rlrec/sim/policy.h"

namespace rlrec::cli {
namespace {

struct Listing {
  std::string_view name;
  std::vector<std::pair<std::string, std::string>> (*entries)();
};

template <class Span>
std::vector<std::pair<std::string, std::string>> entries_of(Span table) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& e : table) out.emplace_back(e.name, e.description);
  return out;
}

const Listing kListings[] = {
    {"environments", [] { return datasim::all_environments(); }},
    {"choice_models", [] { return entries_of(sim::choice_models()); }},
    {"policies", [] { return datasim::all_policies(); }},
    {"agents", [] { return entries_of(agents::learning_agents()); }},
    {"index_kinds", [] { return entries_of(index::index_kinds()); }},
    {"mf_models", [] { return entries_of(models::mf_kinds()); }},
};

}  // namespace

void add_list_command(CLI::App& app) {
  auto which = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand("list", "List the registries: environments, choice_models, "
                                         "policies, agents, ... (or one of them)");
  cmd->add_option("registry", *which, "show only this registry");
  cmd->callback([which] {
    std::vector<std::string> names;
    for (auto& l : kListings) names.emplace_back(l.name);
    bool found = which->empty();
    for (auto& l : kListings) {
      if (!which->empty() && l.name != *which) continue;
      found = true;
      std::cout << l.name << ":\n";
      size_t w = 0;
      auto es = l.entries();
      for (auto& [n, d] : es) w = std::max(w, n.size());
      for (auto& [n, d] : es) std::cout << "  " << n << std::string(w - n.size() + 2, ' ') << d << "\n";
    }
    if (!found) throw_unknown("registry", *which, names);
  });
}

}  // namespace rlrec::cli
