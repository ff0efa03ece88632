// A suite of comparisons: several environments in one experiment file and one command (`rlrec
// compare SUITE.toml`), each a comparison of compare.h, with one table per environment and a
// summary across them (issue 17 item 5: the article's leaderboard,
// configs/experiments/article.toml).
//
// A suite file holds a [suite] section and nothing else:
//   [suite]
//   parts = ["article_interest_evolution.toml", "wolpertinger_k_sweep.toml"]  # comparison files,
//                                             # relative to the suite file's directory
//   labels = ["slateq", "wolpertinger"]       # optional: one per part (default: each file's stem)
//   set = ["wolpertinger:run.train_steps=20000"]   # optional overrides, as SuiteOptions::sets
//   skip = ["wolpertinger"]                   # optional: labels of parts to leave out (their
//                                             # overrides are then skipped too)
// Each part runs as run_compare on its own file. Overrides (the suite's `set`, then the caller's
// `sets`): "section.key=value" applies to every part, "LABEL:section.key=value" to one part, and
// a caller's "suite.key=value" to the [suite] section itself (e.g. suite.skip=['drr']).
//
// Every part is planned and checked (check_compare_experiment: every agent built once) before the
// first part runs, so a bad value in the last part fails at once.
//
// With an output directory OUT (claimed with an exclusive lock, OUT.lock; a non-empty directory
// that holds no suite is never written into): OUT/LABEL/ (each part's comparison directory,
// compare.h), and at the end OUT/summary.csv and OUT/summary.json (to_json). `resume` is passed to
// every part (parts whose comparison finished are reused run by run).
//
// Summary rows: one per (part, agent), in part then compare.agents order: the part's label and
// environment, the agent, its mean return with the 95% CI over seeds, its paired difference to the
// part's reference agent (compare.reference, default the strongest baseline; tables.h) with its
// 95% CI, and its training seconds.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "rlrec/core/config.h"
#include "rlrec/core/table.h"
#include "rlrec/train/compare.h"

namespace rlrec::train {

// The [suite] section.
struct SuiteConfig {
  std::vector<std::string> parts;
  std::vector<std::string> labels;
  std::vector<std::string> set;
  std::vector<std::string> skip;
  void visit(FieldVisitor& v);
  void validate() const;
};

// Whether an experiment file is a suite (it has a [suite] section).
bool is_suite(const Config& experiment);

struct SuiteOptions {
  std::string file;   // the suite file (parts are relative to its directory)
  Config experiment;  // its contents
  std::vector<std::string>
      sets;                  // overrides: "suite.key=v", "section.key=v", "LABEL:section.key=v"
  std::optional<int> seeds;  // as CompareOptions, for every part
  std::optional<int64_t> episodes;
  std::optional<int> threads;
  std::optional<int> jobs;  // concurrent (agent, seed) runs within each part (compare.jobs)
  std::string out;          // "" = nothing is written
  bool resume = false;
};

struct SuitePart {
  std::string label, file;  // file: the path it was read from
  Config experiment;        // the part's file with the overrides applied
};

struct SuitePlan {
  std::vector<SuitePart> parts;
};
// Reads [suite] and every part file, applies the overrides. Errors (kInvalidArgument, kNotFound)
// name suite.parts / suite.labels / suite.set, the override, or the part file.
SuitePlan plan_suite(const SuiteOptions& options);

struct SuitePartResult {
  std::string label, file;
  CompareResult result;
  double seconds = 0;  // wall time of the part
};

struct SuiteResult {
  std::vector<SuitePartResult> parts;
  double seconds = 0;  // wall time of the whole suite
  std::string out;     // the output directory written ("" = none)
};

// Checks every part (check_compare_experiment), then runs them in order.
SuiteResult run_suite(const SuiteOptions& options, const SuitePlan& plan);

// The summary: part, environment, agent, mean return, 95% CI, reference, diff vs reference,
// 95% CI (paired), train s. A CI is "n/a" where compare's tables have none.
Table summary_table(const SuiteResult& r);
// summary.csv: the same rows, numbers only (empty cells where there is no CI).
std::string summary_csv(const SuiteResult& r);
// {"seconds", "parts": [{"label", "file", "seconds", "comparison": compare's to_json}],
//  "summary": [{"part", "env", "agent", "privileged", "learning", "mean_return", "ci_low",
//               "ci_high", "reference", "diff_vs_reference", "diff_ci_low", "diff_ci_high",
//               "train_seconds"}]}
nlohmann::json to_json(const SuiteResult& r);

}  // namespace rlrec::train
