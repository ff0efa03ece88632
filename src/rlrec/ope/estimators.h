// Off-policy estimators of a target policy's value V(pi_e) = E_x E_{a~pi_e}[r] from logged bandit
// feedback (bandit_data.h), each with a seeded bootstrap confidence interval.
//
// Notation (per round i): w_i = pi_e(a_i | x_i, l_i) / pi_b(a_i | x_i, l_i);
// q_i = qhat(x_i, a_i, l_i) (reward model at the logged action); qpi_i = sum_a pi_e(a | x_i, l_i)
// qhat(x_i, a, l_i) (reward model averaged over the target policy).
//
//   ipw          V = 1/n sum_i w_i r_i                       Horvitz & Thompson 1952; Precup et al.
//   2000 clipped_ipw  V = 1/n sum_i min(w_i, lambda) r_i          Bottou et al. 2013 (JMLR 14),
//   "clipping" snipw        V = sum_i w_i r_i / sum_i w_i               Swaminathan & Joachims 2015
//   (NeurIPS) dm           V = 1/n sum_i qpi_i                         Beygelzimer & Langford 2009
//   dr           V = 1/n sum_i [qpi_i + w_i (r_i - q_i)]     Dudik, Langford & Li 2011 (ICML)
//   sndr         V = 1/n sum_i qpi_i + sum_i w_i (r_i - q_i) / sum_i w_i     (OBP's SNDR)
//   switch_dr    V = 1/n sum_i [qpi_i + w_i (r_i - q_i) 1{w_i <= lambda}]
//                Wang, Agarwal & Dudik 2017 (ICML). Deviation: as in OBP, the DM part is kept for
//                every round and only the correction is switched off (the paper also swaps
//                qpi's support to {a : w(a) > lambda}; with lambda = inf both are DR).
//   dr_os        V = 1/n sum_i [qpi_i + w~_i (r_i - q_i)],  w~ = lambda w / (w^2 + lambda)
//                Su, Dimakopoulou, Krishnamurthy & Dudik 2020 (ICML), optimistic shrinkage.
//
// Hyperparameters (clipped_ipw, switch_dr, dr_os): a fixed lambda, or (default) SLOPE, the
// Lepski-style selection of Su, Srinath & Krishnamurthy 2020 ("Adaptive Estimator Selection for
// Off-Policy Evaluation", ICML): candidates are sorted from least to most biased (decreasing
// lambda, hence decreasing variance), each with its estimate theta_k and standard error se_k (sd of
// its per-round contributions / sqrt(n)); walking down the list, candidate k is accepted while
// |theta_k - theta_j| <= se_k + se_j for every less biased j < k, and the last accepted one is
// used. (Deviation: the paper states the test with confidence widths; we use one standard error per
// candidate, a conservative choice that accepts less bias.) Grids (w_max = largest logged weight):
// clipped_ipw and switch_dr: inf and the 0.99, 0.95, 0.9, 0.8, 0.7, 0.6, 0.5 quantiles of w;
// dr_os: inf and w_max^2 * 10^k for k = 1, 0, -1, ..., -5.
//
// Every estimator is written as per-round terms: V = mean(a) + sum(b) / sum(d), with d_i = 1 for
// the not self-normalized ones. The bootstrap resamples rounds (with replacement) and recomputes
// V from the same terms (the reward model and tuned lambda are kept fixed: conditional bootstrap).
#pragma once

#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "rlrec/ope/bandit_data.h"

namespace rlrec::ope {

// Per-round quantities every estimator reads (length n each).
struct RoundInputs {
  std::vector<double> w;         // importance weight
  std::vector<double> r;         // reward
  std::vector<double> q_logged;  // qhat(x_i, a_i, l_i); 0 without a reward model
  std::vector<double> q_pi;      // sum_a pi_e(a|x_i,l_i) qhat(x_i, a, l_i); 0 without a model
  bool has_model = false;
  size_t size() const { return w.size(); }
};

// q_hat: n x n_actions row-major, qhat(x_i, a, l_i) for every action at the logged position
// (nullptr: no reward model). data and dist must be validated.
RoundInputs prepare_inputs(const BanditData& data, const ActionDist& dist,
                           const std::vector<double>* q_hat);

struct Terms {
  std::vector<double> a, b, d;                               // d empty: d_i = 1
  double lambda = std::numeric_limits<double>::quiet_NaN();  // hyperparameter used (NaN: none)
  double value() const;
};

struct EstimatorOptions {
  // Negative: tune with SLOPE; otherwise the fixed hyperparameter (inf allowed).
  double clip_lambda = -1;
  double switch_lambda = -1;
  double dros_lambda = -1;
};

struct SlateData;  // ope/slate.h

// One line of the estimator table. Bandit estimators (terms) run on per-round rows: Open Bandit
// logs, and simulator logs with one row per slot; slate estimators (slate_terms) run on whole
// slates of simulator logs only.
struct EstimatorEntry {
  std::string_view name;
  std::string_view description;
  bool needs_model;  // DM and the DR family need a reward model
  Terms (*terms)(const RoundInputs& in, const EstimatorOptions& opt);
  Terms (*slate_terms)(const SlateData& d) = nullptr;  // set: a slate estimator (terms unset)
  bool needs_target_slate = false;    // needs the target's whole-slate probabilities (sips)
  bool needs_target_cascade = false;  // needs the target's slot conditionals (rips)
};

// The estimator table: the bandit estimators ipw, clipped_ipw, snipw, dm, dr, sndr, switch_dr,
// dr_os, then the slate estimators sips, iips, rips (ope/slate.h). find_estimator searches it all.
std::span<const EstimatorEntry> all_estimators();
// The bandit estimators: the leading rows of the table, up to the first slate estimator.
std::span<const EstimatorEntry> estimators();
const EstimatorEntry& find_estimator(std::string_view name);
// Splits "ipw,dr" (or "all") into entries; unknown names throw with a did-you-mean.
// Bandit estimators only ("all" = every bandit estimator); a slate estimator's name is an error.
std::vector<const EstimatorEntry*> parse_estimator_list(std::string_view list);

struct Estimate {
  std::string name;
  double estimate = 0;  // on all rounds
  double lambda = std::numeric_limits<double>::quiet_NaN();
  int bootstrap = 0;  // resamples
  double boot_mean = 0, boot_std = 0;
  double ci_low = 0, ci_high = 0;  // percentile interval at `level`
  double level = 0.95;
};

// Estimate with a percentile bootstrap CI: B resamples of the rounds, resample b drawing from
// Rng(seed, b) (so results do not depend on threads). B must be > 0.
Estimate bootstrap_estimate(const Terms& t, std::string name, int B, uint64_t seed,
                            double level = 0.95);

// SLOPE over candidate term sets sorted from least to most biased; returns the chosen index.
size_t slope_select(std::span<const Terms> candidates);

}  // namespace rlrec::ope
