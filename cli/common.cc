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
  cmd.add_option("experiment", experiment, "experiment TOML file (same as --config; sections this "
                                           "command does not read are noted, not rejected)");
  cmd.add_option("--config", config_file, "TOML config file (the sections this command reads, e.g. [env], [policy], [run] or [mf])");
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

void check_sections(const Config& cfg, const std::vector<std::string>& used, std::string_view command) {
  static const std::vector<std::string> kVocabulary{"env", "policy", "agent", "run",  "compare",
                                                    "data", "mf",   "ope",   "index"};
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
  for (size_t i = used.size(); i < known.size(); ++i) unused += str_cat(unused.empty() ? "" : ", ", "[", known[i], "]");
  note(str_cat(cfg.source(), ": not used by rlrec ", command, ": ", unused));
}

namespace {
bool numeric(const std::string& s) {
  if (s.empty()) return false;
  char c = s[0];
  return std::isdigit(static_cast<unsigned char>(c)) || c == '-' || c == '+' || c == '.';
}
}  // namespace

std::string Table::to_string() const {
  std::vector<size_t> w(header_.size());
  for (size_t c = 0; c < header_.size(); ++c) w[c] = header_[c].size();
  for (auto& r : rows_)
    for (size_t c = 0; c < r.size() && c < w.size(); ++c) w[c] = std::max(w[c], r[c].size());
  std::ostringstream os;
  auto line = [&](const std::vector<std::string>& r, bool head) {
    for (size_t c = 0; c < w.size(); ++c) {
      std::string cell = c < r.size() ? r[c] : "";
      size_t pad = w[c] - cell.size();
      if (c) os << "  ";
      if (!head && c > 0 && numeric(cell)) os << std::string(pad, ' ') << cell;
      else os << cell << std::string(c + 1 < w.size() ? pad : 0, ' ');
    }
    os << "\n";
  };
  line(header_, true);
  size_t total = 0;
  for (auto x : w) total += x;
  os << std::string(total + 2 * (w.size() - 1), '-') << "\n";
  for (auto& r : rows_) line(r, false);
  return os.str();
}

std::string Table::to_csv() const {
  std::ostringstream os;
  auto line = [&](const std::vector<std::string>& r) {
    for (size_t c = 0; c < r.size(); ++c) {
      if (c) os << ",";
      const auto& s = r[c];
      if (s.find_first_of(",\"\n") != std::string::npos) {
        os << '"';
        for (char ch : s) os << (ch == '"' ? "\"\"" : std::string(1, ch));
        os << '"';
      } else {
        os << s;
      }
    }
    os << "\n";
  };
  line(header_);
  for (auto& r : rows_) line(r);
  return os.str();
}

std::string fmt(double v, int decimals) {
  if (std::isnan(v)) return "nan";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string fmt_pm(double mean, double half_width, int decimals) {
  return fmt(mean, decimals) + " ± " + fmt(half_width, decimals);
}

void print_json(const nlohmann::json& j) { std::cout << j.dump(2) << std::endl; }

}  // namespace rlrec::cli
