#include "rlrec/train/suite.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <optional>
#include <set>

#include "rlrec/core/error.h"
#include "rlrec/core/output.h"
#include "rlrec/core/stopwatch.h"
#include "rlrec/dist/comm.h"
#include "rlrec/train/tables.h"

namespace rlrec::train {

void SuiteConfig::visit(FieldVisitor& v) {
  v.field("parts", parts, "comparison experiment files, relative to the suite file's directory");
  v.field("labels", labels, "one label per part (default: each file's name without .toml)");
  v.field("set", set,
          "overrides of the parts: \"section.key=value\" (every part) or "
          "\"LABEL:section.key=value\" (one part)");
  v.field("skip", skip, "labels of parts to leave out (with their overrides)");
}

void SuiteConfig::validate() const {
  if (parts.empty()) invalid_argument("suite.parts is empty; list at least one comparison file");
  if (!labels.empty() && labels.size() != parts.size())
    invalid_argument("suite.labels has ", labels.size(), " labels for ", parts.size(),
                     " parts; give one label per part or none");
}

bool is_suite(const Config& experiment) { return experiment.has_section("suite"); }

namespace {

// The label of an override "LABEL:section.key=value" ("" for one that applies to every part): the
// text before a ':' that comes before the first '=' and the first '.'.
std::pair<std::string, std::string> split_override(const std::string& s) {
  const size_t colon = s.find(':');
  if (colon == std::string::npos || colon > s.find('=') || colon > s.find('.')) return {"", s};
  return {s.substr(0, colon), s.substr(colon + 1)};
}

// A directory a suite may write into: absent, empty, or a suite's (summary.* or a part's
// comparison directory).
void check_suite_dir(const std::string& out, const std::vector<SuitePart>& parts) {
  namespace fs = std::filesystem;
  if (!fs::exists(out)) return;
  if (!fs::is_directory(out))
    invalid_argument("suite output directory '", out, "' exists and is not a directory");
  if (fs::is_empty(out)) return;
  for (const char* own : {"summary.json", "summary.csv"})
    if (fs::exists(fs::path(out) / own)) return;
  for (const auto& p : parts)
    if (fs::exists(fs::path(out) / p.label / "leaderboard.json") ||
        fs::exists(fs::path(out) / p.label / "jobs"))
      return;
  invalid_argument("suite output directory '", out,
                   "' is not empty and holds no suite (no summary.json, summary.csv or part "
                   "comparison); choose a new or empty directory");
}

CompareOptions part_options(const SuiteOptions& o, const SuitePart& p) {
  CompareOptions c;
  c.experiment = p.experiment;
  c.seeds = o.seeds;
  c.episodes = o.episodes;
  c.threads = o.threads;
  c.jobs = o.jobs;
  c.resume = o.resume;
  if (!o.out.empty()) c.out = (std::filesystem::path(o.out) / p.label).string();
  return c;
}

std::string interval_or_na(bool has, double low, double high) {
  return has ? str_cat("[", fmt(low, 2), ", ", fmt(high, 2), "]") : std::string("n/a");
}

struct Row {
  const SuitePartResult* part;
  const CompareAgentResult* agent;
  PairedDifference diff;
};

std::vector<Row> summary_rows(const SuiteResult& r) {
  std::vector<Row> rows;
  for (const auto& p : r.parts) {
    const auto diffs = paired_differences(p.result);
    for (size_t i = 0; i < p.result.agents.size(); ++i)
      rows.push_back({&p, &p.result.agents[i], diffs[i]});
  }
  return rows;
}

}  // namespace

SuitePlan plan_suite(const SuiteOptions& o) {
  // Overrides of [suite] itself first (they may change the parts); the others go to the parts.
  Config file = o.experiment;
  std::vector<std::string> part_sets;
  for (const auto& s : o.sets) {
    if (s.rfind("suite.", 0) == 0)
      file.set(s);
    else
      part_sets.push_back(s);
  }
  SuiteConfig suite;
  read_section(file, "suite", suite);
  suite.validate();
  SuitePlan plan;
  const auto dir = std::filesystem::path(o.file).parent_path();
  std::set<std::string> seen;
  for (size_t i = 0; i < suite.parts.size(); ++i) {
    SuitePart p;
    const std::filesystem::path file(suite.parts[i]);
    p.file = (file.is_absolute() || dir.empty() ? file : dir / file).string();
    p.label = suite.labels.empty() ? file.stem().string() : suite.labels[i];
    if (p.label.empty() || p.label.find_first_of("/:= ") != std::string::npos)
      invalid_argument("suite label '", p.label,
                       "' must be non-empty and hold no '/', ':', '=' or space");
    if (!seen.insert(p.label).second)
      invalid_argument("suite label '", p.label,
                       "' is used twice; give the parts distinct suite.labels");
    if (std::find(suite.skip.begin(), suite.skip.end(), p.label) != suite.skip.end()) continue;
    p.experiment = Config::parse_file(p.file);
    if (p.experiment.has_section("suite"))
      invalid_argument("suite part '", p.file, "' is a suite itself; parts are comparison files");
    plan.parts.push_back(std::move(p));
  }
  std::string valid;
  for (const auto& l : seen) valid += (valid.empty() ? "" : ", ") + l;
  for (const auto& l : suite.skip)
    if (!seen.count(l)) invalid_argument("suite.skip names part '", l, "'; the parts are: ", valid);
  if (plan.parts.empty())
    invalid_argument("suite.skip leaves out every part; keep at least one of: ", valid);
  std::vector<std::string> sets = suite.set;
  sets.insert(sets.end(), part_sets.begin(), part_sets.end());
  for (const auto& s : sets) {
    const auto [label, assignment] = split_override(s);
    if (!label.empty() && !seen.count(label))
      invalid_argument("override '", s, "' names part '", label, "'; the parts are: ", valid);
    for (auto& p : plan.parts)
      if (label.empty() || label == p.label) p.experiment.set(assignment);
  }
  return plan;
}

SuiteResult run_suite(const SuiteOptions& o, const SuitePlan& plan) {
  const auto t0 = std::chrono::steady_clock::now();
  for (const auto& p : plan.parts) {
    try {
      check_compare_experiment(part_options(o, p));
    } catch (const Error& e) {
      throw Error(e.code(), str_cat("suite part ", p.label, " (", p.file, "): ", e.what()));
    }
  }
  const bool writes = !o.out.empty() && dist::world().rank() == 0;
  std::optional<OutputLock> claim;
  if (writes) {
    check_suite_dir(o.out, plan.parts);
    std::filesystem::create_directories(o.out);
    claim.emplace(o.out, "suite output directory");
  }
  SuiteResult r;
  r.out = o.out;
  for (const auto& p : plan.parts) {
    const auto tp = std::chrono::steady_clock::now();
    SuitePartResult part;
    part.label = p.label;
    part.file = p.file;
    part.result = run_compare(part_options(o, p));
    part.seconds = seconds_since(tp);
    r.parts.push_back(std::move(part));
  }
  r.seconds = seconds_since(t0);
  if (writes) {
    write_file_atomically(std::filesystem::path(o.out) / "summary.csv", summary_csv(r));
    write_file_atomically(std::filesystem::path(o.out) / "summary.json", to_json(r).dump(2) + "\n");
  }
  return r;
}

Table summary_table(const SuiteResult& r) {
  Table t({"part", "environment", "agent", "mean return", "95% CI", "reference", "diff",
           "95% CI (paired)", "train s"});
  for (const auto& row : summary_rows(r)) {
    const auto& a = *row.agent;
    const bool is_ref = a.spec.label == row.diff.reference;
    t.add_row({row.part->label, row.part->result.env,
               a.spec.label + (a.privileged ? " (oracle)" : ""), fmt(a.summary.mean, 2),
               interval_or_na(a.seed_returns.size() >= 2, a.summary.ci_low, a.summary.ci_high),
               row.diff.reference, is_ref ? "-" : fmt(row.diff.mean, 2),
               is_ref ? "-" : interval_or_na(row.diff.has_ci, row.diff.ci_low, row.diff.ci_high),
               fmt(a.train_seconds, 1)});
  }
  return t;
}

std::string summary_csv(const SuiteResult& r) {
  auto num = [](double v) { return csv_cell(v); };
  Table t({"part", "env", "agent", "privileged", "learning", "mean_return", "ci_low", "ci_high",
           "reference", "diff_vs_reference", "diff_ci_low", "diff_ci_high", "train_seconds"});
  for (const auto& row : summary_rows(r)) {
    const auto& a = *row.agent;
    const bool ci = a.seed_returns.size() >= 2;
    t.add_row({row.part->label, row.part->result.env, a.spec.label, a.privileged ? "1" : "0",
               a.learning ? "1" : "0", num(a.summary.mean), ci ? num(a.summary.ci_low) : "",
               ci ? num(a.summary.ci_high) : "", row.diff.reference, num(row.diff.mean),
               row.diff.has_ci ? num(row.diff.ci_low) : "",
               row.diff.has_ci ? num(row.diff.ci_high) : "", num(a.train_seconds)});
  }
  return t.to_csv();
}

nlohmann::json to_json(const SuiteResult& r) {
  nlohmann::json j;
  j["seconds"] = r.seconds;
  j["parts"] = nlohmann::json::array();
  for (const auto& p : r.parts)
    j["parts"].push_back({{"label", p.label},
                          {"file", p.file},
                          {"seconds", p.seconds},
                          {"comparison", to_json(p.result)}});
  auto num = [](double v) { return std::isnan(v) ? nlohmann::json(nullptr) : nlohmann::json(v); };
  j["summary"] = nlohmann::json::array();
  for (const auto& row : summary_rows(r)) {
    const auto& a = *row.agent;
    const bool ci = a.seed_returns.size() >= 2;
    j["summary"].push_back({{"part", row.part->label},
                            {"env", row.part->result.env},
                            {"agent", a.spec.label},
                            {"privileged", a.privileged},
                            {"learning", a.learning},
                            {"mean_return", num(a.summary.mean)},
                            {"ci_low", ci ? num(a.summary.ci_low) : nullptr},
                            {"ci_high", ci ? num(a.summary.ci_high) : nullptr},
                            {"reference", row.diff.reference},
                            {"diff_vs_reference", num(row.diff.mean)},
                            {"diff_ci_low", row.diff.has_ci ? num(row.diff.ci_low) : nullptr},
                            {"diff_ci_high", row.diff.has_ci ? num(row.diff.ci_high) : nullptr},
                            {"train_seconds", a.train_seconds}});
  }
  return j;
}

}  // namespace rlrec::train
