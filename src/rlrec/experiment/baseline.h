// A baseline policy of the catalogue evaluated on the evaluation users of a run seed: what
// `rlrec simulate` prints, compare's baseline rows and the Python package's run_baseline.
//
// The environment is catalog::make_environment(cfg, seed) in a VectorEnv of
// min(run.batch, run.episodes) rows seeded with eval::eval_env_seed(seed); the policy's streams are
// eval::eval_policy_seed(seed), so episode e is the same user for every policy and every caller.
// Given a communicator of several ranks (collective: every rank calls it), each rank runs its
// contiguous share of the episodes (dist::share) and every rank returns all of them, in episode
// order: the same returns, lengths and clicks as one process (steps and truncations summed,
// seconds the slowest rank's).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "rlrec/core/config.h"
#include "rlrec/core/thread_pool.h"
#include "rlrec/dist/comm.h"
#include "rlrec/eval/run_config.h"
#include "rlrec/eval/runner.h"
#include "rlrec/sim/policy.h"

namespace rlrec::experiment {

// Builds the env from cfg ([env]; its catalogue seeded by `seed`) and runs the policy `policy_name`
// (catalog::find_policy; its keys from cfg's [policy]) for run.episodes episodes. A progress bar
// with `progress_label` on a terminal (empty: none).
eval::EpisodeResults evaluate_baseline(const Config& cfg, const std::string& policy_name,
                                       const eval::RunConfig& run, uint64_t seed, ThreadPool& pool,
                                       const std::string& progress_label = "",
                                       dist::Communicator* ranks = nullptr);

// The same evaluation for a policy made by `make` from the context of the environment built here
// (the Python package's rlrec.evaluate of a Python callable): episode e is the same user as for
// evaluate_baseline with the same cfg, run and seed.
using PolicyFactory = std::function<std::unique_ptr<sim::Policy>(const sim::PolicyContext&)>;
eval::EpisodeResults evaluate_policy(const Config& cfg, const PolicyFactory& make,
                                     const eval::RunConfig& run, uint64_t seed, ThreadPool& pool,
                                     const std::string& progress_label = "",
                                     dist::Communicator* ranks = nullptr);

}  // namespace rlrec::experiment
