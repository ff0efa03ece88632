// Off-policy evaluation experiments as library calls (the `rlrec ope` subcommands call them; so
// will the Python package): typed options (the keys of an [ope] section, read through visit()),
// typed results (numbers, not text) and the JSON object of each result.
//
//   run_ope_estimate  a target policy's value from one log, every estimator with a seeded
//                     percentile-bootstrap CI (ope/estimators.h). Two log formats:
//                       obd    an Open Bandit Dataset csv; the target is ope.target_dist (a CSV
//                              item,position,prob), or ope.policy = "random" (uniform slates) or
//                              "bts" (Bernoulli Thompson sampling with the ZOZOTOWN prior of
//                              ope.campaign, default the log's file name, or the Beta prior file
//                              ope.prior; n_sim Monte Carlo draws). The item context is
//                              ope.item_context, default item_context.csv beside the log.
//                              dm and the DR family use a cross-fitted reward model
//                              (ope/reward_model.h, seed combine_keys(seed, "model")); the
//                              bootstrap draws from combine_keys(seed, "bootstrap").
//                       rlrec  a simulator log (logs/log.h); the target is a simulator policy spec
//                              NAME[:key=value,...] evaluated on each record's rebuilt observation
//                              (ope/sim_ope.h); values are per step; the reward model is ridge
//                              regression (simulator rewards are not 0/1 in general).
//   run_ope_bench     the Open Bandit evaluation-of-OPE protocol (ope/obd.h: the bts policy's value
//                     from the uniform-random logs of a campaign vs the bts logs' mean click).
//   run_ope_simbench  the simulator OPE benchmark (ope/sim_ope.h: relative error and CI coverage
//                     by estimator and log size, against the online value).
//
// Errors (rlrec::Error) name the [ope] key, e.g. "ope.bootstrap must be > 0 (number of resamples),
// got 0".
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "rlrec/core/config.h"
#include "rlrec/ope/estimators.h"
#include "rlrec/ope/obd.h"
#include "rlrec/ope/reward_model.h"
#include "rlrec/ope/sim_ope.h"

namespace rlrec::experiment {

// The reward model of dm and the DR family, and the estimators' hyperparameters (shared keys of
// estimate and bench).
struct OpeModelOptions {
  std::string reward_model = "logistic";  // logistic | ridge
  double model_c = 1.0;                   // LIBLINEAR C (inverse L2 strength), > 0
  int folds = 3;                          // cross-fitting folds, >= 1
  double clip_lambda = -1;                // fixed clipping threshold of clipped_ipw (< 0: SLOPE)
  double switch_lambda = -1;              // fixed threshold of switch_dr (< 0: SLOPE)
  double dros_lambda = -1;                // fixed shrinkage lambda of dr_os (< 0: SLOPE)

  void visit(FieldVisitor& v);
  void validate() const;
  ope::RewardModelOptions reward_model_options(uint64_t seed) const;
  ope::EstimatorOptions estimator_options() const {
    return {clip_lambda, switch_lambda, dros_lambda};
  }
};

struct OpeEstimateOptions {
  std::string log;             // the log file
  std::string format = "obd";  // obd | rlrec
  std::string target_dist;     // obd: target policy as CSV item,position,prob
  std::string policy;          // obd: bts | random; rlrec: a simulator policy NAME[:key=value,...]
  std::string item_context;    // obd: item context ("" = item_context.csv beside the log)
  std::string campaign;        // obd, bts: campaign of the ZOZOTOWN prior ("" = the log's name)
  std::string prior;  // obd, bts: Beta prior CSV item,alpha,beta (instead of the campaign's)
  std::string estimators = "all";  // comma-separated estimator names, or all
  int bootstrap = 200;             // bootstrap resamples of the CIs, > 0
  int64_t seed = 0;                // folds, bootstrap, Monte Carlo
  int n_sim = 100000;              // Monte Carlo draws of the bts action distribution
  double level = 0.95;             // confidence level, in (0, 1)
  OpeModelOptions model;

  void visit(FieldVisitor& v);
  void validate() const;
};

struct OpeEstimateResult {
  OpeEstimateOptions options;  // as run
  size_t rounds = 0;           // obd: rounds; rlrec: steps
  // obd only:
  size_t rows_read = 0, rows_rejected = 0;
  size_t n_actions = 0;
  int n_positions = 0;
  std::string policy_description;  // e.g. "bts (ZOZOTOWN prior, men)"
  double mean_weight = 0;
  bool reward_model_fitted = false;  // some estimator needed the reward model
  ope::FitReport fit;
  // rlrec only:
  std::string env, behaviour;  // the log's environment and logging policy
  std::vector<ope::Estimate> estimates;
};

OpeEstimateResult run_ope_estimate(const OpeEstimateOptions& options);
// The bandit estimators of run_ope_estimate (format obd) on given rounds and target (what the
// obd path runs after loading; the Python package's rlrec.ope.estimate): dm and the DR family use
// q_hat (n x n_actions, qhat at the logged position) when given, else a reward model cross-fitted
// on `features` exactly as run_ope_estimate fits it; with neither, asking for them is an error.
// Reads o.estimators, bootstrap, seed, level and model (not log, policy, target_dist); fills
// estimates, mean_weight, reward_model_fitted, fit, rounds, n_actions and n_positions.
OpeEstimateResult estimate_bandit(const ope::BanditData& data, const ope::ActionDist& dist,
                                  const ope::RewardFeatures* features,
                                  const std::vector<double>* q_hat, const OpeEstimateOptions& o);
// The JSON object of `rlrec ope estimate --json` (keys in today's order; non-finite lambda = null).
nlohmann::json to_json(const OpeEstimateResult& r);
// The readable report `rlrec ope` prints (a header line, a table, a footnote).
std::string to_text(const OpeEstimateResult& r);

// A simulator log's OPE inputs for target policy spec `policy` (NAME[:key=value,...]), as
// run_ope_estimate with ope.format = "rlrec" builds them (ope/sim_ope.h sim_ope_data: per-slot
// bandit rows, the target's action distribution on them, slates, reward-model features).
struct SimLogInfo {
  std::string env, behaviour;  // the log's environment and logging policy
  int64_t steps = 0;           // records
};
ope::SimOpeData load_sim_ope_data(const std::string& log, const std::string& policy,
                                  SimLogInfo* info = nullptr);

struct OpeBenchOptions {
  std::string data;                // the Open Bandit Dataset directory (random/, bts/)
  std::string campaign;            // men | women | all
  std::string estimators = "all";  // comma-separated bandit estimators, or all
  int bootstrap = 30;              // bootstrap resamples of the random log, > 0
  int64_t seed = 12345;
  int n_sim = 100000;  // Monte Carlo draws of the bts action distribution
  OpeModelOptions model;

  void visit(FieldVisitor& v);
  void validate() const;
};

struct OpeBenchResult {
  OpeBenchOptions options;  // as run
  ope::ObdBenchResult bench;
};

OpeBenchResult run_ope_bench(const OpeBenchOptions& options);
nlohmann::json to_json(const OpeBenchResult& r);
// The readable report `rlrec ope` prints (a header line, a table, a footnote).
std::string to_text(const OpeBenchResult& r);

struct OpeSimBenchOptions {
  std::vector<std::string>
      env_overrides;  // "env.KEY=VALUE" applied to [env] name = "interest_evolution"
  std::string behaviour = ope::SimBenchOptions{}.behaviour;  // logging policy NAME[:key=value,...]
  std::vector<std::string> targets = ope::SimBenchOptions{}.targets;
  std::vector<int64_t> sizes = ope::SimBenchOptions{}.sizes;  // log sizes in steps
  int reps = ope::SimBenchOptions{}.reps;                     // independent logs per (target, size)
  int bootstrap = ope::SimBenchOptions{}.bootstrap;           // resamples per estimate
  int64_t truth_episodes = ope::SimBenchOptions{}.truth_episodes;
  int64_t model_max_rounds =
      ope::SimBenchOptions{}.model_max_rounds;  // dm/DR family up to this size
  std::string estimators = "all";  // comma-separated estimator names (slate ones included), or all
  int64_t seed = static_cast<int64_t>(ope::SimBenchOptions{}.seed);

  void visit(FieldVisitor& v);
  void validate() const;
};

struct OpeSimBenchResult {
  OpeSimBenchOptions options;  // as run
  std::vector<ope::SimBenchRow> rows;
};

OpeSimBenchResult run_ope_simbench(const OpeSimBenchOptions& options);
nlohmann::json to_json(const OpeSimBenchResult& r);
// The readable report `rlrec ope` prints (a header line, a table, a footnote).
std::string to_text(const OpeSimBenchResult& r);

// "ipw,dr" -> {"ipw", "dr"} (no check of the names).
std::vector<std::string> split_names(const std::string& list);

}  // namespace rlrec::experiment
