// Helpers shared by simulate, compare and eval: evaluate a baseline policy on the evaluation users
// of a run seed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "rlrec/core/config.h"
#include "rlrec/core/thread_pool.h"
#include "rlrec/eval/runner.h"
#include "rlrec/train/run_config.h"

namespace rlrec::cli {

using train::RunConfig;

// Builds the env from cfg ([env]; catalogue seeded by `seed`) and evaluates the baseline policy
// `policy_name` for run.episodes episodes on the evaluation users of `seed`.
eval::EpisodeResults evaluate_baseline(const Config& cfg, const std::string& policy_name,
                                       const RunConfig& run, uint64_t seed, ThreadPool& pool,
                                       const std::string& progress_label);

// Reads [run] from cfg and applies the flag overrides that were given (std::nullopt = not given;
// a -1 sentinel would make `--episodes -1` silently mean the default instead of an error).
RunConfig read_run(const Config& cfg, std::optional<int64_t> episodes, std::optional<int64_t> seed,
                   std::optional<int> threads);

}  // namespace rlrec::cli
