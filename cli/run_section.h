// The [run] section of the torch-free commands (simulate, log): read with the flag overrides, and a
// baseline policy evaluated on the evaluation users of a run seed. (RunConfig and its random
// streams: rlrec/train/run_config.h, header-only; train, eval and compare: rlrec/train/.)
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

// Reads [run] from cfg and applies the flag overrides that were given (std::nullopt = not given):
// train::read_run_section.
inline RunConfig read_run(const Config& cfg, std::optional<int64_t> episodes,
                          std::optional<int64_t> seed, std::optional<int> threads) {
  return train::read_run_section(cfg, episodes, seed, threads);
}

}  // namespace rlrec::cli
