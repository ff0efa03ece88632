// A comparison of agents as a library call (`rlrec compare` calls it; so will the Python package):
// trains (learning agents) and evaluates every agent of compare.agents on the same environment over
// compare.seeds seeds (run.seed, run.seed + 1, ...), every agent on the same evaluation users of
// each seed (Trainer::evaluate / the baseline's run on eval_env_seed, eval_policy_seed).
//
// Protocols (compare.protocol):
//   online   mean return, CTR and mean reward per step in [env]
//   offline  also the rating-log offline protocol (datasim::evaluate_offline: P@5/10 and
//            NDCG@5/10 on each user's test items; rating-log environments only)
// Offline learners with a [data] section that generates its log learn, per seed, from one shared
// behaviour log (train/offline_data.h SharedLogDir): OUT/behaviour_logs, or a temporary directory.
//
// With an output directory OUT (claimed with an exclusive lock, OUT.lock, for the whole comparison;
// a non-empty directory that holds no comparison is never written into): OUT/jobs/LABEL-seed-S.cbor
// (each finished (agent, seed) run's result, which `resume` reuses), OUT/runs/LABEL/seed-S (one run
// directory per learning agent and seed, trainer.h), OUT/behaviour_logs, and at the end
// leaderboard.csv (numeric columns, tables.h leaderboard_csv), leaderboard.json (to_json),
// config.toml (the effective config), leaderboard.png (mean return per agent with its CI),
// learning_curves.png (only with a learning agent: mean over seeds of each periodic evaluation with
// a 95% CI band, one panel per x unit, baselines as flat lines; plots are skipped with a note when
// gnuplot is missing) and report.html (report.h: everything in one self-contained page).
//
// Paired differences (tables.h): each agent's mean return minus the reference agent's
// (compare.reference; default the strongest baseline), paired over seeds and the shared
// evaluation users. Agent names (labels) must be unique.
//
// Concurrency: every (agent, seed) pair is one job, learning agents first (the long ones). A
// process runs compare.jobs worker threads (0 = the available cores: hardware threads / processes
// of the job on this node, at most one worker per job; 1 = one job after another in the calling
// thread); each worker takes the next job from a shared counter when its last one is done and runs
// it with its own env-stepping pool of run.threads threads (0 = the available cores / workers, at
// least 1), torch single-threaded inside. Concurrent jobs share nothing mutable: each builds its
// own environment, agent and pool; a seed's generated behaviour log is written once (the first job
// needing it; the others wait for it and read it). With workers > 1 the per-run progress bars are
// replaced by one line per finished job (on a terminal only).
// Over ranks (dist::world(), an mpirun/srun job): each rank runs its workers against the same
// job-wide counter, then the ranks exchange the results (CBOR, exact), so every rank returns the
// whole CompareResult and rank 0 alone writes the outputs. The numbers equal a one-process,
// one-worker run's: a job's result depends only on its agent and seed. Each rank generates its own
// copy of a seed's behaviour log (OUT/behaviour_logs/rank-R).
//
// Errors (rlrec::Error) name config keys (compare.agents, run.episodes, AGENT.KEY) and files; every
// agent is resolved and its section's keys checked before the first run starts.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "rlrec/core/config.h"
#include "rlrec/core/table.h"
#include "rlrec/eval/stats.h"
#include "rlrec/train/trainer.h"

namespace rlrec::train {

// The [compare] section.
struct CompareConfig {
  std::vector<std::string> agents{"random", "myopic", "quality_oracle"};
  int seeds = 5;
  std::string protocol = "online";
  std::string reference;  // the agent paired differences are taken to ("" = strongest baseline)
  int jobs = 0;           // concurrent (agent, seed) runs per process (0 = the available cores)
  void visit(FieldVisitor& v);
  void validate() const;
};

struct CompareOptions {
  // [env], [run], [compare], [data], [policy] and one optional section per agent: an entry of
  // compare.agents is a baseline policy, a learning agent, or a section whose `name` key picks one.
  Config experiment;
  std::optional<int> seeds;         // overrides compare.seeds
  std::optional<int64_t> episodes;  // overrides run.episodes
  std::optional<int> threads;       // overrides run.threads (results do not depend on it)
  std::optional<int> jobs;          // overrides compare.jobs (results do not depend on it)
  std::string out;                  // output directory ("" = none: nothing is written)
  // Continue an interrupted comparison in `out`: every (agent, seed) run whose result is in
  // OUT/jobs/ (written when that run finished, verified by checksum, and only reused when the
  // configuration's fingerprint matches) is taken as is; the others run again from the start.
  bool resume = false;
};

// The sections of `experiment` that are a comparison's: env, run, compare, data, policy, the
// sections of compare.agents, and every other agent section (one whose `name` key, or its own name
// without one, names a catalogue policy or learning agent: an agent left out of this run). For
// the entry convention: the CLI notes the other sections.
std::vector<std::string> compare_sections(const Config& experiment);

struct CompareAgentResult {
  AgentSpec spec;           // label, section, registry entry
  bool privileged = false;  // a baseline that reads hidden state (an oracle)
  bool learning = false;
  bool learns_offline = false;  // a learner of a [data] log: its curves' x counts logged events
  std::vector<double> seed_returns, seed_ctr;             // per seed: mean return, CTR
  std::vector<double> seed_reward;                        // per seed: online mean reward per step
  std::vector<std::vector<double>> seed_episode_returns;  // per seed, per evaluation episode
  std::vector<double> seed_p5, seed_p10, seed_n5, seed_n10;  // per seed, offline protocol only
  double train_seconds = 0, eval_seconds = 0;                // over seeds
  int64_t train_steps = 0, updates = 0;                      // over seeds
  std::vector<std::vector<MetricsRow>> curves;               // per seed (learning agents)
  eval::Summary summary;  // of seed_returns, 95% Student t CI over seeds
};

struct CompareResult {
  std::string env;  // env.name
  std::string protocol;
  int seeds = 0;
  int64_t episodes_per_seed = 0, train_steps = 0;
  std::vector<CompareAgentResult> agents;  // in compare.agents order
  std::string reference;                   // compare.reference ("" = strongest baseline)
  int threads = 0;  // env-stepping threads of each run (results do not depend on it)
  int jobs = 0;     // concurrent runs per process (results do not depend on it)
  std::string out;  // the output directory written ("" = none)
};

// What run_compare resolves before any work: [compare] and [run] with the overrides, and every
// agent of compare.agents (its entry, whether it learns, the keys of its section and of [data];
// each listed once; compare.reference among them), the environment built once.
struct ComparePlan {
  CompareConfig compare;
  eval::RunConfig run;
  CompareResult result;  // env, protocol, seeds, ... and agents' specs; nothing measured yet
};
ComparePlan plan_compare(const CompareOptions& options);
// Every check of run_compare before its first run, without training or writing anything (`rlrec
// config` runs it): plan_compare, then each learning agent is built on the environment of the run
// seed (its values are checked there), so a bad value of the last agent fails before the first
// one trains. Returns the plan.
ComparePlan check_compare_experiment(const CompareOptions& options);

CompareResult run_compare(const CompareOptions& options);

// The JSON object of `rlrec compare --json` and leaderboard.json (the keys of before, plus
// "reference", and per agent "seed_ctr", "ctr_ci_low", "ctr_ci_high", "diff_vs_reference").
nlohmann::json to_json(const CompareResult& r);

// A table of text cells (the CLI aligns it; leaderboard.csv is its CSV).
// agent, mean return, 95% CI, vs random, vs myopic, CTR, train s, updates/s, eval s.
// A CI is "n/a" with fewer than 2 seeds.
Table leaderboard_table(const CompareResult& r);
// agent, mean reward/step, 95% CI (+ P@5, P@10, 95% CI, NDCG@5, NDCG@10, 95% CI when offline).
Table reward_table(const CompareResult& r);

}  // namespace rlrec::train
