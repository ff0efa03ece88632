// rlrec compare: a leaderboard. Trains (learning agents) and evaluates every agent listed in the
// experiment file on the same environment over N seeds, then prints mean return with a 95% CI over
// seeds (Student t), the relative change vs random and vs myopic, CTR and train time, and the
// paired difference of each agent to a reference (compare.reference). Every agent is evaluated on
// the same evaluation users of each seed. With --out: leaderboard.csv, leaderboard.json,
// leaderboard.png, learning_curves.png (with a learning agent), report.html and one run directory
// per learning agent and seed (train/report.h).
// A suite file ([suite], train/suite.h) runs several comparisons (one per environment) and prints a
// summary across them. The comparison itself is a library call: train/compare.h run_compare. Its
// (agent, seed) runs go to --jobs worker threads, and over the ranks of an mpirun/srun job
// (docs/distributed.md): the jobs are shared out, rank 0 prints.
#include <iostream>

#include "cli/commands.h"
#include "cli/common.h"
#include "rlrec/core/output.h"
#include "rlrec/dist/comm.h"
#include "rlrec/train/compare.h"
#include "rlrec/train/suite.h"
#include "rlrec/train/tables.h"

namespace rlrec::cli {
namespace {

struct CompareFlags {
  std::string experiment;
  std::vector<std::string> sets;
  train::CompareOptions options;
  bool json = false;
};

// One comparison's tables, as `rlrec compare` prints them.
void print_compare(const train::CompareResult& r) {
  std::cout << "environment " << r.env << ", " << r.seeds << " seed(s); each agent evaluated on "
            << r.episodes_per_seed << " episodes per seed (the same users for every agent); "
            << "95% CI over seeds (Student t)\n";
  std::cout << train::leaderboard_table(r).to_string();
  // Mean reward per step for every protocol; the ranking columns only under the offline protocol.
  std::cout << (r.protocol == "offline"
                    ? "offline protocol (each user's test items; 95% CI over seeds) and online "
                      "mean reward per step:\n"
                    : "mean reward per step:\n")
            << train::reward_table(r).to_string();
  const auto diffs = train::paired_differences(r);
  if (r.agents.size() > 1)
    std::cout << "paired difference in mean return to " << diffs.front().reference
              << " (the same seeds and evaluation users; 95% CI over seeds, or over users "
                 "with one seed):\n"
              << train::paired_table(r).to_string();
  if (!r.out.empty()) {
    bool learns = false;
    for (const auto& a : r.agents) learns = learns || a.learning;
    std::cout << "wrote " << r.out << "/leaderboard.csv, leaderboard.json, leaderboard.png, "
              << (learns ? "learning_curves.png, " : "") << "report.html\n";
  }
}

// A suite file ([suite]: several comparison files, train/suite.h): each part's tables, then the
// summary across parts. --set suite.KEY=... changes the suite; every other --set goes to the
// parts ("LABEL:section.key=value" to one part).
void run_suite(CompareFlags& f, const Config& cfg) {
  check_sections(cfg, {"suite"}, "compare");
  train::SuiteOptions o;
  o.file = f.experiment;
  o.sets = f.sets;
  o.experiment = cfg;
  o.seeds = f.options.seeds;
  o.episodes = f.options.episodes;
  o.threads = f.options.threads;
  o.jobs = f.options.jobs;
  o.out = f.options.out;
  o.resume = f.options.resume;
  const train::SuitePlan plan = train::plan_suite(o);
  for (const auto& p : plan.parts)
    check_sections(p.experiment, train::compare_sections(p.experiment),
                   str_cat("compare (suite part ", p.label, ")"));
  if (!o.out.empty())
    set_interrupt_message(str_cat("interrupted: the finished (agent, seed) runs are kept in ",
                                  o.out,
                                  "/PART/jobs; continue with the same command and --resume"));
  const train::SuiteResult r = train::run_suite(o, plan);
  set_interrupt_message("");
  if (dist::world().rank() != 0) return;
  if (f.json) {
    print_json(train::to_json(r));
    return;
  }
  for (const auto& p : r.parts) {
    std::cout << "== " << p.label << " (" << p.file << ", " << fmt(p.seconds, 1) << " s) ==\n";
    print_compare(p.result);
  }
  std::cout << "== summary: " << r.parts.size() << " environment(s), " << fmt(r.seconds, 1)
            << " s; diff = paired difference in mean return to each part's reference (its "
               "strongest baseline unless compare.reference says otherwise) ==\n"
            << train::summary_table(r).to_string();
  if (!r.out.empty()) std::cout << "wrote " << r.out << "/summary.csv, summary.json\n";
}

void run_compare(CompareFlags& f) {
  Config cfg = Config::parse_file(f.experiment);
  if (train::is_suite(cfg)) return run_suite(f, cfg);
  for (const auto& s : f.sets) cfg.set(s);
  // Every agent's section is compare's (also those of agents left out when --set
  // compare.agents=[...] picks a subset of the file); other commands' sections are noted.
  check_sections(cfg, train::compare_sections(cfg), "compare");
  f.options.experiment = cfg;
  if (!f.options.out.empty())
    set_interrupt_message(str_cat("interrupted: the finished (agent, seed) runs are kept in ",
                                  f.options.out,
                                  "/jobs; continue with the same command and --resume"));
  const train::CompareResult r = train::run_compare(f.options);
  set_interrupt_message("");
  if (dist::world().rank() != 0) return;  // over ranks: every rank has the result, rank 0 prints
  if (f.json) {
    print_json(train::to_json(r));
    return;
  }
  print_compare(r);
}

}  // namespace

void add_compare_command(CLI::App& app) {
  auto f = std::make_shared<CompareFlags>();
  auto* cmd = app.add_subcommand("compare", std::string(command_description("compare")));
  cmd->add_option("experiment", f->experiment,
                  "experiment TOML file with [env], [run], [compare] and one optional section per "
                  "agent; or a suite file ([suite] parts = [comparison files]): one table per "
                  "part, then a summary across them")
      ->required();
  cmd->add_option("--seeds", f->options.seeds, "number of seeds (default: compare.seeds)");
  cmd->add_option("--episodes", f->options.episodes,
                  "evaluation episodes per agent and seed (default: run.episodes)");
  cmd->add_option("--jobs", f->options.jobs,
                  "(agent, seed) runs at once, one worker thread each, torch single-threaded "
                  "inside; 0 = the available cores (per rank: the node's cores / its ranks), at "
                  "most one per run; 1 = one after another (default: compare.jobs, 0); results "
                  "do not depend on it");
  cmd->add_option("--threads", f->options.threads,
                  "env-stepping threads of each run; 0 = the available cores / --jobs, at least 1 "
                  "(default: run.threads); keep jobs x threads <= cores");
  cmd->add_option("--set", f->sets, "override one value: section.key=value (repeatable)");
  cmd->add_option("--out", f->options.out,
                  "directory for leaderboard.csv/.json, leaderboard.png, learning_curves.png, "
                  "report.html, runs/, jobs/ (each finished run's result, for --resume) and "
                  "behaviour_logs/ (each seed's generated [data] log; replaced by every run); "
                  "locked while the comparison runs; a non-empty directory that holds no "
                  "comparison is refused");
  cmd->add_flag("--resume", f->options.resume,
                "continue an interrupted comparison in --out: runs that finished (OUT/jobs/) are "
                "reused, the others run again (same file and flags required)");
  cmd->add_flag("--json", f->json, "print one JSON object with an 'agents' array");
  cmd->callback([f] { run_compare(*f); });
}

}  // namespace rlrec::cli
