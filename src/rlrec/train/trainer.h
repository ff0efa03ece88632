// The experiment runner: trains a learning agent in a VectorEnv, evaluates it periodically, writes
// a run directory, and resumes from its last checkpoint.
//
// Training proceeds in iterations of about run.eval_interval environment steps; an iteration ends
// when every user session in flight has finished (as Dopamine's phases), so checkpoints hold no
// mid-episode state and a resumed run matches an uninterrupted one exactly. After each iteration:
// evaluation on the fixed evaluation users (run.eval_episodes), one metrics row, a checkpoint.
//
// Run directory (when given):
//   config.toml      the effective experiment config (the file with its overrides)
//   seed, git_commit
//   metrics.jsonl    one JSON object per evaluation; metrics.csv the same as CSV
//   checkpoint/      agent state (agent/) + runner.toml + manifest.json (every file with its size
//                    and checksum, core/manifest.h); written whole as checkpoint.tmp.PID.N/,
//                    flushed to disk and swapped with the previous one in one rename
//                    (core/output.h TempDir), so that after a crash at any moment checkpoint/ is
//                    complete (latest_checkpoint() below verifies it: resume and evaluate_run_dir)
//   learning_curve.png  (gnuplot; skipped with a note on stderr if gnuplot is missing)
// Every file is written to a temporary name and renamed (core/output.h); run() writes config.toml,
// seed and git_commit on a fresh run (config.toml last), resume() checks seed and git_commit.
// metrics.* are written before the checkpoint of their iteration, so they hold every row up to the
// checkpoint, maybe one more: resume() drops rows past the checkpoint. Claiming the directory
// (lock, replace rules) is run_train's part (experiments.h).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "rlrec/agents/agent.h"
#include "rlrec/core/config.h"
#include "rlrec/core/thread_pool.h"
#include "rlrec/eval/run_config.h"
#include "rlrec/eval/runner.h"
#include "rlrec/train/plots.h"

namespace rlrec::agents {
class OfflineLearner;
}

namespace rlrec::train {

struct MetricsRow {
  int iteration = 0;
  int64_t env_steps = 0;
  int64_t updates = 0;
  double mean_return = 0, se_return = 0, ctr = 0, mean_length = 0;
  double mean_loss = 0;             // over this iteration's updates (NaN if none)
  double train_seconds = 0;         // cumulative training wall time (evaluation excluded)
  double updates_per_second = 0;    // this iteration
  double env_steps_per_second = 0;  // this iteration, training (act + step + observe + update)
};

// An agent named by a config section: the section's `name` key picks the registry entry (default:
// the section name itself). Throws with a did-you-mean for unknown names.
struct AgentSpec {
  std::string label;    // what tables show
  std::string section;  // config section with its keys
  std::string entry;    // registry name
};
AgentSpec agent_spec(const Config& cfg, const std::string& section,
                     const std::string& fallback_label);
bool is_learning_agent(const std::string& entry);
// Checks, without building anything, that every key of a learning agent's section is one its
// registry entry knows (plus `name`), and that a [data] section has only log keys: typos are then
// reported before a comparison starts its first run, not when it reaches that agent. The values
// are checked when the agent is built. Throws kInvalidArgument with a did-you-mean.
void check_agent_keys(const Config& cfg, const AgentSpec& spec);

// The checkpoint to load from run_dir: run_dir/checkpoint, verified against its manifest (every
// file's size and checksum; throws kCorrupt naming the file that differs); "" when there is none.
// The agent's state is in CHECKPOINT/agent, the runner's counters in CHECKPOINT/runner.toml.
std::string latest_checkpoint(const std::string& run_dir);
// Verifies the checkpoint directory `ck` (as latest_checkpoint does).
void verify_checkpoint(const std::string& ck);
// Whether `name` is an entry a run directory may hold (config.toml, metrics.csv, checkpoint, their
// temporaries and lock files, ...), and the first entry of `run_dir` that is not (or a config.toml
// rlrec did not write); "" when every entry is a run's.
bool is_run_entry(const std::string& name);
std::string foreign_entry(const std::string& run_dir);

// A learning agent built as Trainer builds it, and the training VectorEnv it was made for: the
// environment of the run seed (catalog::make_environment(cfg, run.seed)), run.train_batch slots,
// training users (train_env_seed), agent seed agent_seed(run.seed). No [data] log is attached.
// The agent may keep a pointer to the environment: keep `env` alive as long as `agent`.
struct TrainingAgent {
  std::unique_ptr<sim::VectorEnv> env;
  std::unique_ptr<agents::Agent> agent;
};
TrainingAgent make_training_agent(const Config& cfg, const AgentSpec& spec,
                                  const eval::RunConfig& run, ThreadPool& pool);

// The evaluation environment of a run: the environment of the run seed with run.batch slots on
// the evaluation users (eval_env_seed). One serves every evaluation of a run (run_episodes uses
// min(batch, episodes) slots).
std::unique_ptr<sim::VectorEnv> make_eval_env(const Config& cfg, const eval::RunConfig& run,
                                              ThreadPool& pool);
// Evaluates `agent` greedily (set_training(false), then back to true) for `episodes` episodes of
// eval_env with the policy streams eval_policy_seed(run.seed): what Trainer::evaluate does.
// progress: the label of the progress line on a terminal ("" for none).
eval::EpisodeResults evaluate_agent(sim::VectorEnv& eval_env, agents::Agent& agent,
                                    const eval::RunConfig& run, int64_t episodes,
                                    const std::string& progress = "");

class Trainer {
 public:
  // run_dir: "" for no run directory (compare without --out).
  // shared_log_dir: see attach_offline_data (rlrec compare shares one log per seed).
  Trainer(const Config& cfg, AgentSpec spec, eval::RunConfig run, ThreadPool& pool,
          std::string run_dir, const std::string& shared_log_dir = "");
  ~Trainer();

  // Loads the checkpoint of run_dir (which must hold one) and continues after it.
  void resume();
  // Trains until run.train_steps (or after `max_iterations` more iterations, for tests and
  // time-boxing); returns the metrics rows of the whole run (including resumed ones). on_row is
  // called with each new row once it is written and checkpointed.
  const std::vector<MetricsRow>& run(int max_iterations = -1, const std::string& progress = "",
                                     const std::function<void(const MetricsRow&)>& on_row = {});
  // Evaluates the current agent on `episodes` evaluation episodes (greedy).
  eval::EpisodeResults evaluate(int64_t episodes);

  const std::vector<MetricsRow>& metrics() const { return rows_; }
  double train_seconds() const { return train_seconds_; }
  int64_t env_steps() const { return env_steps_; }
  bool finished() const { return env_steps_ >= run_.train_steps; }
  // Whether the agent learns from a [data] log: env_steps() (and metrics' env_steps) then count
  // logged events consumed, not environment steps.
  bool learns_offline() const { return offline_ != nullptr; }
  agents::Agent& agent() { return *agent_; }
  // The config.toml the run directory records: the experiment as given for `rlrec train` (section
  // [agent]); for a run of a comparison, what `rlrec train` needs to run exactly this run and
  // `rlrec eval` / --resume read: [env], [policy], the agent's section as [agent] (name = its
  // registry entry), [run] with this run's seed, episodes and threads, and [data] only for an
  // offline learner.
  Config run_config() const;

 private:
  void iteration();
  void checkpoint() const;
  void write_metrics(bool plot = true) const;
  void write_run_files();

  Config cfg_;
  AgentSpec spec_;
  eval::RunConfig run_;
  ThreadPool& pool_;
  std::string dir_;
  std::unique_ptr<sim::VectorEnv> train_env_;
  std::unique_ptr<sim::VectorEnv> eval_env_;  // built once: the environment (and a fixed catalogue)
                                              // is identical for every evaluation of a run
  std::unique_ptr<agents::Agent> agent_;
  agents::OfflineLearner* offline_ = nullptr;  // the agent, when it learns from a [data] log
  std::vector<MetricsRow> rows_;
  int iteration_ = 0;
  int64_t env_steps_ = 0, updates_ = 0;
  uint64_t next_episode_ = 0;
  double train_seconds_ = 0;
  bool run_files_written_ = false;  // config.toml, seed, git_commit (or checked, on resume)
};

// The current git commit of the source tree rlrec was built from ("unknown" if not a git checkout).
std::string git_commit();

}  // namespace rlrec::train
