// Training experiments as library calls (`rlrec train` and `rlrec eval` call them; so will the
// Python package): typed options, typed results, and the JSON object of each result.
//
//   run_train         trains the [agent] of an experiment config on its [env] into a run
//                     directory (trainer.h), or continues the run of that directory (resume):
//                     the one entry point of training; Trainer is the machinery under it.
//   evaluate_run_dir  re-evaluates the agent saved in a run directory (its latest checkpoint,
//                     trainer.h latest_checkpoint) on the evaluation users of the run's seed,
//                     exactly as the run's own final evaluation (Trainer::evaluate) would. It reads
//                     RUN_DIR/config.toml and the checkpoint, and needs no training log.
//
// Errors (rlrec::Error) name config keys (run.episodes, agent.name) and files, never CLI flags.
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "rlrec/core/config.h"
#include "rlrec/eval/run_config.h"
#include "rlrec/eval/runner.h"
#include "rlrec/train/trainer.h"

namespace rlrec::train {

struct TrainOptions {
  Config experiment;        // [env], [agent] (its `name` picks the agent), [run], [data], [policy]
  std::string run_dir;      // "" = runs/AGENT-seedS
  bool resume = false;      // continue the run in run_dir from its latest checkpoint; the
                            // experiment must equal the run's config.toml
  bool force = false;       // a new run may replace the run already in run_dir
  int max_iterations = -1;  // stop after this many more iterations (-1 = run.train_steps)
  std::optional<int> threads;  // overrides run.threads
  std::string progress;        // progress-bar label on a terminal ("" = "train AGENT")
  // Called with every metrics row as soon as it exists (resumed rows first), e.g. to print it.
  std::function<void(const MetricsRow&)> on_row;
};

struct TrainResult {
  std::string run_dir;
  std::string agent;  // registry name
  std::string label;  // what tables show
  int64_t env_steps = 0;
  double train_seconds = 0;
  bool finished = false;            // reached run.train_steps
  std::vector<MetricsRow> metrics;  // every row of the run (resumed ones included)
};

// What `rlrec train` reads of an experiment before anything else: [run] (threads overriding
// run.threads), [agent]'s `name` (required) and its registry entry. run_train starts with it.
struct TrainPlan {
  eval::RunConfig run;
  AgentSpec spec;
};
TrainPlan plan_train(const Config& experiment, std::optional<int> threads = std::nullopt);
// Every check `rlrec train` makes on an experiment config before it trains, without writing or
// training anything (`rlrec config` runs it): plan_train, the keys of [agent] and [data], and the
// agent's values (it is built on the environment of the run seed, as Trainer builds it).
TrainPlan check_train_experiment(const Config& experiment);

// Checks everything (the config, the agent, the run directory, the checkpoint) before writing
// anything, then trains. The run directory is claimed for the whole run with an exclusive lock
// (core/output.h OutputLock on RUN_DIR.lock): a second writer gets kInvalidArgument naming the
// holder. A directory holding anything a run does not write is never written to (force or not);
// a new run replaces an existing run only with `force`; a resumed run must have the run's
// config.toml and seed, and starts from its verified checkpoint (rows past it are dropped).
TrainResult run_train(const TrainOptions& options);
// The JSON object of `rlrec train --json` (keys as today).
nlohmann::json to_json(const TrainResult& r);

struct EvalOptions {
  std::string run_dir;              // written by run_train
  std::optional<int64_t> episodes;  // overrides the run's run.episodes
  std::optional<int> threads;       // overrides the run's run.threads (results do not depend on it)
};

struct EvalResult {
  std::string run_dir;
  std::string agent;       // registry name
  std::string checkpoint;  // the checkpoint directory loaded
  int64_t episodes = 0;
  eval::EpisodeResults results;
};

// The agent saved in a run directory, loaded as evaluate_run_dir loads it: RUN_DIR/config.toml
// (with the episodes and threads overrides of `options`), the agent built as Trainer builds it
// (make_training_agent) and its latest verified checkpoint loaded; the agent is left in training
// mode. evaluate_run_dir evaluates it; the Python package's rlrec.load_policy acts with it.
struct LoadedRun {
  Config cfg;
  eval::RunConfig run;
  AgentSpec spec;
  std::string checkpoint;            // the checkpoint directory loaded
  std::unique_ptr<ThreadPool> pool;  // run.threads workers; the agent may use it
  TrainingAgent agent;               // its env: the training VectorEnv of the run seed
};
LoadedRun load_run_dir(const EvalOptions& options);

EvalResult evaluate_run_dir(const EvalOptions& options);
// The JSON object of `rlrec eval --json` (keys as today).
nlohmann::json to_json(const EvalResult& r);

}  // namespace rlrec::train
