#include "cli/common.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <iostream>
#include <sstream>

#include "rlrec/catalog/catalog.h"
#include "rlrec/core/error.h"
#include "rlrec/dist/comm.h"

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

namespace {
std::vector<CLI::App*> subcommands(CLI::App* app) {
  return app->get_subcommands(std::function<bool(CLI::App*)>([](CLI::App*) { return true; }));
}

}  // namespace

std::string typo_hint(CLI::App& app, int argc, char** argv) {
  CLI::App* cur = &app;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--", 0) == 0) {
      a = a.substr(0, a.find('='));
      if (a == "--" || cur->get_option_no_throw(a)) continue;
      std::vector<std::string> names;
      for (const CLI::Option* o : cur->get_options())
        for (const auto& n : o->get_lnames()) names.push_back("--" + n);
      const std::string m = closest_match(a, names);
      if (!m.empty()) return "did you mean '" + m + "'? (unknown flag '" + a + "')";
      continue;
    }
    if (a.empty() || a[0] == '-') continue;
    const auto subs = subcommands(cur);
    const auto sub =
        std::find_if(subs.begin(), subs.end(), [&](CLI::App* c) { return c->get_name() == a; });
    if (sub != subs.end()) {
      cur = *sub;
      continue;
    }
    const auto opts = cur->get_options();
    if (subs.empty() || std::any_of(opts.begin(), opts.end(),
                                    [](const CLI::Option* o) { return !o->nonpositional(); }))
      continue;  // a value or a positional argument
    std::vector<std::string> names;
    for (const CLI::App* c : subs) names.push_back(c->get_name());
    const std::string m = closest_match(a, names);
    if (!m.empty()) return "did you mean '" + m + "'? (unknown subcommand '" + a + "')";
    return "";
  }
  return "";
}

void tidy_help(CLI::App& app) {
  std::string d = app.get_description();
  if (!d.empty() && d[0] >= 'a' && d[0] <= 'z') {
    d[0] = static_cast<char>(d[0] - 'a' + 'A');
    app.description(d);
  }
  for (CLI::Option* o : app.get_options()) {
    // A range check adds "INT in [1 - 4294967296]" to the type: keep the type (the range is in
    // the error message); value sets {a,b} stay, they name the accepted choices.
    const std::string t = o->get_type_name();
    const size_t colon = t.find(':');
    if (colon == std::string::npos || t.find(" in [", colon) == std::string::npos) continue;
    std::string text = t.substr(0, colon);
    if (!o->get_default_str().empty()) text += "=" + o->get_default_str();
    if (o->get_required()) text += " REQUIRED";
    o->option_text(text);
  }
  for (CLI::App* sub : subcommands(&app)) tidy_help(*sub);
}

void require_one_rank(std::string_view command) {
  const int p = dist::world().size();
  if (p > 1)
    invalid_argument("'rlrec ", command, "' runs in one process, but this job has ", p,
                     " ranks; run it without mpirun/srun");
}

}  // namespace rlrec::cli
