#include "cli/common.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <sstream>

#include "rlrec/catalog/catalog.h"
#include "rlrec/core/error.h"

namespace rlrec::cli {

void ConfigFlags::add_to(CLI::App& cmd) {
  cmd.add_option("experiment", experiment,
                 "experiment TOML file (same as --config; sections this "
                 "command does not read are noted, not rejected)");
  cmd.add_option(
      "--config", config_file,
      "TOML config file (the sections this command reads, e.g. [env], [policy], [run] or [mf])");
  cmd.add_option("--set", sets, "override one config value: section.key=value (repeatable)")
      ->take_all()
      ->allow_extra_args(false);
}

Config ConfigFlags::load() const {
  if (!experiment.empty() && !config_file.empty())
    invalid_argument("two config files given ('", experiment, "' and --config '", config_file,
                     "'); give one, and --set for single values");
  const std::string& file = experiment.empty() ? config_file : experiment;
  Config cfg = file.empty() ? Config() : Config::parse_file(file);
  for (const auto& s : sets) cfg.set(s);
  return cfg;
}

void check_sections(const Config& cfg, const std::vector<std::string>& allowed) {
  for (const auto& s : cfg.sections()) {
    bool ok = false;
    for (const auto& a : allowed) ok |= (a == s);
    if (ok) continue;
    std::string msg = str_cat(cfg.source(), ": unknown section [", s, "]");
    std::string near = closest_match(s, allowed);
    if (!near.empty()) msg += str_cat("; did you mean [", near, "]?");
    msg += str_cat(near.empty() ? "; valid sections: " : " valid sections: ", join(allowed));
    throw Error(ErrorCode::kInvalidArgument, msg);
  }
}

namespace {
std::vector<std::string>& pending_notes() {
  static std::vector<std::string> notes;
  return notes;
}
}  // namespace

void note(std::string text) { pending_notes().push_back(std::move(text)); }

void flush_notes() {
  for (const auto& n : pending_notes()) std::fprintf(stderr, "note: %s\n", n.c_str());
  pending_notes().clear();
}

void check_sections(const Config& cfg, const std::vector<std::string>& used,
                    std::string_view command) {
  static const std::vector<std::string> kVocabulary{"env",  "policy", "agent", "run",  "compare",
                                                    "data", "mf",     "ope",   "index"};
  const auto names = catalog::policy_and_agent_names();
  auto in = [](const std::vector<std::string>& v, const std::string& x) {
    return std::find(v.begin(), v.end(), x) != v.end();
  };
  std::vector<std::string> known = used;
  for (const auto& s : cfg.sections()) {
    if (in(used, s)) continue;
    // A section named like a used or vocabulary section ([polcy]) is a typo even if it has a name.
    const auto entry = cfg.get_string(s, "name");
    std::vector<std::string> sections = used;
    sections.insert(sections.end(), kVocabulary.begin(), kVocabulary.end());
    const bool exact = in(kVocabulary, s) || in(names, s);
    if (exact || (entry && in(names, *entry) && closest_match(s, sections).empty())) {
      known.push_back(s);
    }
  }
  check_sections(cfg, known);
  if (known.size() == used.size()) return;
  std::string unused;
  for (size_t i = used.size(); i < known.size(); ++i)
    unused += str_cat(unused.empty() ? "" : ", ", "[", known[i], "]");
  note(str_cat(cfg.source(), ": not used by rlrec ", command, ": ", unused));
}

void print_json(const nlohmann::json& j) { std::cout << j.dump(2) << std::endl; }

}  // namespace rlrec::cli
