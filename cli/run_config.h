// The [run] section shared by simulate and compare, and helpers to build envs/policies from config.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "rlrec/core/config.h"
#include "rlrec/core/rng.h"
#include "rlrec/core/thread_pool.h"
#include "rlrec/eval/runner.h"
#include "rlrec/sim/policy.h"
#include "rlrec/sim/vector_env.h"

namespace rlrec::cli {

struct RunConfig {
  int64_t episodes = 2000;  // evaluation episodes per policy (and per seed in compare)
  int64_t seed = 1;         // run seed: every random stream derives from it
  int threads = 1;          // worker threads (0 = all cores); results do not depend on it
  int batch = 256;          // users simulated per VectorEnv step
  void visit(FieldVisitor& v) {
    v.field("episodes", episodes, "evaluation episodes (per policy and seed)");
    v.field("seed", seed, "run seed; every random stream derives from it");
    v.field("threads", threads, "worker threads (0 = all cores); results do not depend on it");
    v.field("batch", batch, "users simulated per step of the batched environment");
  }
  void validate() const {
    check_range("run.episodes", episodes, 1, int64_t{1} << 40);
    check_range("run.seed", seed, 0, INT64_MAX);
    check_range("run.threads", threads, 0, 1024);
    check_range("run.batch", batch, 1, 1 << 20);
  }
};

// Streams derived from the run seed.
inline uint64_t env_seed(uint64_t seed) { return combine_keys(seed, hash_name("env")); }
inline uint64_t policy_seed(uint64_t seed) { return combine_keys(seed, hash_name("policy")); }

// Result of evaluating one policy with one seed.
struct PolicyRun {
  std::string policy;
  eval::EpisodeResults results;
};

// Builds the env from cfg ([env]) with catalogue seed `seed`, and evaluates the baseline policy
// `policy_name` for run.episodes episodes.
PolicyRun evaluate_baseline(const Config& cfg, const std::string& policy_name, const RunConfig& run,
                            uint64_t seed, ThreadPool& pool, const std::string& progress_label);

}  // namespace rlrec::cli
