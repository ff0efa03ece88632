// The [run] section shared by simulate, log, train, eval and compare, and the random streams
// derived from the run seed. Header-only and torch-free (the torch-free `rlrec` binary reads it).
#pragma once

#include <cstdint>
#include <optional>

#include "rlrec/core/config.h"
#include "rlrec/core/rng.h"

namespace rlrec::eval {

struct RunConfig {
  int64_t seed = 1;              // every random stream derives from it
  int threads = 1;               // worker threads (0 = all cores); results do not depend on it
  int64_t episodes = 2000;       // evaluation episodes (simulate, eval, compare's final evaluation)
  int batch = 256;               // users simulated per step during evaluation
  int64_t train_steps = 100000;  // environment steps (user-steps) of training
  int64_t eval_interval = 20000;  // training steps between evaluations (one iteration)
  int64_t eval_episodes = 500;    // episodes of each periodic evaluation (the learning curve)
  int train_batch = 16;           // users simulated in parallel during training

  void visit(FieldVisitor& v) {
    v.field("seed", seed, "run seed; every random stream derives from it");
    v.field("threads", threads, "worker threads (0 = all cores); results do not depend on it");
    v.field("episodes", episodes, "evaluation episodes (simulate, eval, final evaluation)");
    v.field("batch", batch, "users simulated per step during evaluation");
    v.field("train_steps", train_steps, "environment steps of training (learning agents)");
    v.field("eval_interval", eval_interval, "training steps between periodic evaluations");
    v.field("eval_episodes", eval_episodes, "episodes of each periodic evaluation");
    v.field("train_batch", train_batch, "users simulated in parallel during training");
  }
  void validate() const {
    check_range("run.seed", seed, 0, INT64_MAX);
    check_range("run.threads", threads, 0, 1024);
    check_range("run.episodes", episodes, 1, int64_t{1} << 40);
    check_range("run.batch", batch, 1, 1 << 20);
    check_range("run.train_steps", train_steps, 0, int64_t{1} << 50);
    check_range("run.eval_interval", eval_interval, 1, int64_t{1} << 50);
    check_range("run.eval_episodes", eval_episodes, 1, int64_t{1} << 40);
    check_range("run.train_batch", train_batch, 1, 1 << 16);
  }
};

// Reads [run] of cfg, applies the overrides that are set (std::nullopt = keep the file's value; a
// -1 sentinel would make e.g. an episodes override of -1 silently mean the default instead of an
// error), then validates (errors name run.KEY).
inline RunConfig read_run_section(const Config& cfg, std::optional<int64_t> episodes = std::nullopt,
                                  std::optional<int64_t> seed = std::nullopt,
                                  std::optional<int> threads = std::nullopt) {
  RunConfig run;
  read_section(cfg, "run", run, {});
  if (episodes) run.episodes = *episodes;
  if (seed) run.seed = *seed;
  if (threads) run.threads = *threads;
  run.validate();
  return run;
}

// Streams derived from the run seed. Evaluation uses the same users for every agent and every
// evaluation of a run (common random numbers); training uses other users.
inline uint64_t eval_env_seed(uint64_t seed) { return combine_keys(seed, hash_name("eval/env")); }
inline uint64_t eval_policy_seed(uint64_t seed) {
  return combine_keys(seed, hash_name("eval/policy"));
}
inline uint64_t train_env_seed(uint64_t seed) { return combine_keys(seed, hash_name("train/env")); }
inline uint64_t train_policy_seed(uint64_t seed) {
  return combine_keys(seed, hash_name("train/policy"));
}
inline uint64_t agent_seed(uint64_t seed) { return combine_keys(seed, hash_name("agent")); }

}  // namespace rlrec::eval
