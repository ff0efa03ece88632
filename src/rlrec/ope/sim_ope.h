// Off-policy evaluation on simulator logs (the rlrec log format, logs/log.h) and the simulator OPE
// benchmark, where the target policy's true value is known from online runs.
//
// From a log and a target sim::Policy (evaluated on each record's rebuilt observation):
//   * slates (slate.h): s_i = the logged slate (candidate positions), slot reward r_ik = the step
//     reward if the user chose slot k, else 0 (a step with a reward but no choice puts it on slot
//     0), so sum_k r_ik = the step reward; behaviour slot marginal = marginal[k], cascade = running
//     product of conditional[k] (the logged Plackett-Luce factors), whole slate = slate_propensity;
//     target: slot_probabilities and, when the policy implements sim::SequentialPropensities,
//     its conditionals (for rips and sips; else slate_probability for sips and no rips).
//   * per-slot bandit rows (bandit_data.h): round (i, k) with action s_ik, position k, reward r_ik,
//     pscore marginal[k], target pi_e(. at k | x_i); the bandit estimators' per-row value is
//     multiplied by K to be per step (then ipw == iips exactly).
//   * reward-model features for dm and the DR family: context = observed user features, pair =
//     the scored candidate's features (ridge regression, one model per slot).
// Not covered: pi (a Plackett-Luce logger has a context-dependent Gamma).
//
// Benchmark (sim_bench): the environment is made a contextual slate bandit (env.max_steps = 1),
// so the online mean return of the target is exactly the value every estimator targets. For each
// target and log size n, `reps` logs of n steps are collected from the behaviour policy with
// independent environment seeds; each estimate's bootstrap CI is checked against the truth (from
// truth_episodes online episodes, whose standard error is reported).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "rlrec/core/config.h"
#include "rlrec/logs/log.h"
#include "rlrec/ope/estimators.h"
#include "rlrec/ope/reward_model.h"
#include "rlrec/ope/slate.h"
#include "rlrec/sim/policy.h"

namespace rlrec::ope {

struct SimOpeData {
  int num_candidates = 0, slate_size = 0;
  SlateData slate;
  bool has_target_cascade = false;  // target conditionals known (rips)
  bool has_target_slate = true;     // target slate probabilities known (sips)
  BanditData rows;
  ActionDist target;  // per row
  RewardFeatures features;
};

// Throws kInvalidArgument when the log lacks behaviour propensities (marginal/conditional -1) or
// the target does not expose slot probabilities. catalogue: needed for fixed-corpus logs.
SimOpeData sim_ope_data(const logs::LogData& log, const sim::Policy& target,
                        const sim::Catalogue* catalogue);

// Names usable on simulator logs: sips, iips, rips and every bandit estimator.
std::vector<std::string> sim_estimator_names();

// Estimates of the per-step value for each name (bootstrap CI from B resamples).
std::vector<Estimate> estimate_sim(const SimOpeData& d, const std::vector<std::string>& names,
                                   const RewardModelOptions& model, const EstimatorOptions& est,
                                   int B, uint64_t seed);

// The slate estimators among `names` (sips, iips, rips; ope/slate.h) on slates `d` alone, each as
// estimate_sim computes it (the same terms, the same bootstrap seed): the Python package's
// rlrec.ope.estimate on slate feedback. has_target_slate / has_target_cascade: whether d's target
// whole-slate probabilities (pe_cascade at the last slot) and slot conditionals are known; sips and
// rips need them. Validates d (ope/slate.h validate, naming `source`); a name that is not a slate
// estimator is an error naming the slate estimators.
std::vector<Estimate> estimate_slates(const SlateData& d, const std::vector<std::string>& names,
                                      bool has_target_slate, bool has_target_cascade, int B,
                                      uint64_t seed, const std::string& source);

// Builds target policy "NAME" or "NAME:key=value,key=value" (keys of its [policy] section) from the
// baseline registry for `env`.
std::unique_ptr<sim::Policy> make_sim_policy(const std::string& spec, const sim::Environment& env);

struct SimBenchOptions {
  std::string env_config;  // TOML with an [env] section; env.max_steps is forced to 1
  std::string behaviour = "softmax_myopic:temperature=0.5";
  std::vector<std::string> targets = {"softmax_myopic:temperature=0.2",
                                      "biased_softmax:bias=0.7,temperature=0.5"};
  std::vector<int64_t> sizes = {1000, 10000, 100000};
  int reps = 20;
  int bootstrap = 100;
  uint64_t seed = 1;
  int64_t truth_episodes = 200000;
  int64_t model_max_rounds = 10000;  // dm/DR family only on logs up to this size
  std::vector<std::string> estimators = sim_estimator_names();
  std::string work_dir;  // where temporary log files go
};

struct SimBenchRow {
  std::string target, estimator;
  int64_t size = 0;
  double truth = 0, truth_se = 0;
  double mean_estimate = 0, rmse = 0, mean_relative_error = 0, coverage = 0, mean_ci_width = 0;
  int reps = 0;
};

std::vector<SimBenchRow> sim_bench(const SimBenchOptions& options);

}  // namespace rlrec::ope
