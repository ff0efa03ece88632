// Open Bandit Dataset glue: turns a data::BanditLog into BanditData + reward-model features, and
// runs the evaluation-of-OPE protocol of the Open Bandit Pipeline's OBD example (Saito et al.,
// arXiv:2008.07146, Sec. 5): estimate the value of the Bernoulli Thompson-sampling policy (bts)
// from the uniform-random logs of a campaign, and compare with its on-policy value, the mean click
// of the bts logs of the same campaign.
//
// Features for the reward model (stated choice, close to OBP's OpenBanditDataset): context =
// one-hot of every user feature (all levels); action = one-hot item id, item_feature_0 (numeric)
// and one-hot of the categorical item features; pair = the user-item affinity of the scored item
// (user-item_affinity_<a>, OBD's "context set 2" ingredient), one model per position.
//
// Bench protocol (obd_bench): B bootstrap resamples of the random log (n rounds drawn with
// replacement from Rng(seed, b)); on each, the reward model is refitted with k-fold cross-fitting
// and every estimator is computed against the bts action distribution (ZOZOTOWN prior, n_sim Monte
// Carlo draws); relative error = |V_hat - V_on| / V_on. Reported per estimator: the estimate on the
// full random log, and the mean and standard deviation over the B resamples of the estimate and of
// the relative error.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "rlrec/data/open_bandit.h"
#include "rlrec/ope/bandit_data.h"
#include "rlrec/ope/estimators.h"
#include "rlrec/ope/reward_model.h"

namespace rlrec::ope {

struct ObdBandit {
  BanditData data;
  RewardFeatures features;
};

ObdBandit obd_to_bandit(const data::BanditLog& log);

struct ObdBenchOptions {
  int bootstrap = 30;
  uint64_t seed = 12345;
  int n_sim = 100000;  // Monte Carlo draws for the bts action distribution
  RewardModelOptions model{};
  EstimatorOptions estimator{};
  std::vector<std::string> estimators = {"ipw", "clipped_ipw", "snipw",     "dm",
                                         "dr",  "sndr",        "switch_dr", "dr_os"};
};

struct ObdBenchRow {
  std::string name;
  double estimate = 0;        // on the full random log
  double relative_error = 0;  // of `estimate`
  double estimate_mean = 0, estimate_std = 0;
  double relative_error_mean = 0, relative_error_std = 0;
};

struct ObdBenchResult {
  std::string campaign;
  double ground_truth = 0;  // mean click of the bts log
  size_t rounds = 0;        // random log rounds
  size_t ground_truth_rounds = 0;
  double behaviour_value = 0;  // mean click of the random log
  std::vector<ObdBenchRow> rows;
};

// root: the OBD directory (<root>/{random,bts}/<campaign>/...).
ObdBenchResult obd_bench(const std::string& root, const std::string& campaign,
                         const ObdBenchOptions& options);

}  // namespace rlrec::ope
