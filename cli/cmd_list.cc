// rlrec list [REGISTRY]: prints the catalogue (every name a config or flag accepts), one table per
// kind, plus the off-policy estimators.
#include <iostream>

#include "cli/commands.h"
#include "cli/common.h"
#include "rlrec/catalog/catalog.h"
#include "rlrec/ope/estimators.h"

namespace rlrec::cli {

void add_list_command(CLI::App& app) {
  auto which = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand("list", std::string(command_description("list")));
  cmd->add_option("registry", *which, "show only this registry");
  cmd->callback([which] {
    auto listings = catalog::listings();
    catalog::Listing est{"estimators", {}};
    for (const auto& e : ope::all_estimators()) est.entries.emplace_back(e.name, e.description);
    listings.push_back(std::move(est));
    std::vector<std::string> names;
    for (auto& l : listings) names.emplace_back(l.kind);
    bool found = which->empty();
    for (auto& l : listings) {
      if (!which->empty() && l.kind != *which) continue;
      found = true;
      std::cout << l.kind << ":\n";
      size_t w = 0;
      for (auto& [n, d] : l.entries) w = std::max(w, n.size());
      for (auto& [n, d] : l.entries)
        std::cout << "  " << n << std::string(w - n.size() + 2, ' ') << d << "\n";
    }
    if (!found) throw_unknown("registry", *which, names);
  });
}

}  // namespace rlrec::cli
