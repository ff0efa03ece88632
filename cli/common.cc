#include "cli/common.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
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

void print_json(const nlohmann::json& j) {
  // A path that is not UTF-8 (a file name is any bytes) is printed with U+FFFD in its place
  // instead of failing the command after its work is done (json type_error 316, exit 1).
  std::cout << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << std::endl;
}

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
  // Sentence case, except where the text starts with the program's name ("rlrec: ...").
  if (!d.empty() && d[0] >= 'a' && d[0] <= 'z' && d.rfind("rlrec", 0) != 0) {
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

namespace {

// The check every option taking a value gets (check_flag_values): no empty value, and an integer
// that does not fit its type is an error (CLI11 converts with strtoll/strtoull, which saturate:
// --episodes 9223372036854775808 became 9223372036854775807, and --seed -1 of an unsigned flag
// became 2^64 - 1).
CLI::Validator value_check(const std::string& type) {
  return CLI::Validator(
      [type](std::string& s) -> std::string {
        if (s.empty()) return "empty value; give " + (type.empty() ? "a value" : type);
        const bool is_int = type == "INT", is_uint = type == "UINT";
        if (!is_int && !is_uint) return "";
        const size_t digits = s.find_first_not_of(" \t+-");
        if (digits == std::string::npos || s[digits] < '0' || s[digits] > '9')
          return "'" + s + "' is not an integer";
        errno = 0;
        char* end = nullptr;
        if (is_uint && s.find('-') != std::string::npos && s.find('-') < digits)
          return "'" + s + "' is negative; give an integer >= 0";
        if (is_int)
          (void)std::strtoll(s.c_str(), &end, 0);
        else
          (void)std::strtoull(s.c_str(), &end, 0);
        if (errno == ERANGE)
          return "'" + s + "' does not fit in a 64-bit integer (" +
                 (is_int ? "-9223372036854775808 to 9223372036854775807"
                         : "0 to 18446744073709551615") +
                 ")";
        if (end == nullptr || *end != '\0') return "'" + s + "' is not an integer";
        return "";
      },
      "", "value_check");
}

}  // namespace

void check_flag_values(CLI::App& app) {
  for (CLI::Option* o : app.get_options()) {
    if (o->get_type_size() == 0) continue;  // a flag without a value
    std::string type = o->get_type_name();
    type = type.substr(0, type.find(':'));
    o->transform(value_check(type));  // first: before range checks, which would say less
  }
  for (CLI::App* sub : subcommands(&app)) check_flag_values(*sub);
}

std::string conversion_hint(CLI::App& app, const std::string& message) {
  // "Could not convert: --batch = 2147483648": the value passed value_check (a 64-bit integer, or
  // not an integer flag), so it is out of the flag's narrower range or not a number at all.
  const std::string prefix = "Could not convert: ";
  if (message.rfind(prefix, 0) != 0) return "";
  const size_t eq = message.find(" = ");
  if (eq == std::string::npos) return "";
  const std::string name = message.substr(prefix.size(), eq - prefix.size());
  const std::string value = message.substr(eq + 3);
  std::string type;
  std::function<void(CLI::App*)> find = [&](CLI::App* a) {
    for (const CLI::Option* o : a->get_options())
      for (const auto& n : o->get_lnames())
        if ("--" + n == name && type.empty()) type = o->get_type_name();
    for (CLI::App* sub : subcommands(a)) find(sub);
  };
  find(&app);
  type = type.substr(0, type.find(':'));
  if (type == "INT" || type == "UINT")
    return str_cat(name, " takes a 32-bit integer (", type == "INT" ? "-2147483648 to " : "0 to ",
                   type == "INT" ? "2147483647" : "4294967295", "), got ", value);
  if (type == "FLOAT") return str_cat(name, " takes a number, got '", value, "'");
  return "";
}

void require_one_rank(std::string_view command) {
  const int p = dist::world().size();
  if (p > 1)
    invalid_argument("'rlrec ", command, "' runs in one process, but this job has ", p,
                     " ranks; run it without mpirun/srun");
}

}  // namespace rlrec::cli
