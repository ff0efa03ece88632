// Evaluation (target) policies for off-policy estimation, as action distributions (bandit_data.h).
//
// * Bernoulli Thompson sampling (Thompson 1933; Chapelle & Li 2011, "An Empirical Evaluation of
//   Thompson Sampling", NeurIPS) with a Beta(alpha_a, beta_a) posterior per item and a list of L
//   positions: each draw samples theta_a ~ Beta(alpha_a, beta_a) for every item and shows the L
//   items with the largest theta in decreasing order. Its action distribution
//   pi(a at l) = P(a has the (l+1)-th largest theta) has no closed form, so it is estimated by
//   Monte Carlo over n_sim draws, as OBP (BernoulliTS.compute_batch_action_dist) does for the Open
//   Bandit Dataset; the policy is context free (one table for all rounds). Beta draws are X/(X+Y)
//   with X ~ Gamma(alpha), Y ~ Gamma(beta) (Marsaglia & Tsang 2000, "A simple method for generating
//   gamma variables", ACM TOMS 26; shape < 1 via Gamma(a+1) U^(1/a)).
// * The ZOZOTOWN production prior for the OBD campaigns (OBP's obp/policy/conf/prior_bts.yaml,
//   st-tech/zr-obp, Apache-2.0): the Beta parameters the logged "bts" policy used.
// * A target distribution file (--target-dist): CSV with header `item,position,prob`; item is an
//   action id in [0, n_actions), position is 0-based in [0, n_positions); pairs not listed have
//   probability 0. Rules (errors name file:line): numeric fields, known item and position, prob in
//   [0, 1], no duplicate pair, and each position's probabilities sum to 1 within 1e-6.
// * Any sim::Policy exposing slot_probabilities (sim/policy.h), per observation row.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "rlrec/ope/bandit_data.h"
#include "rlrec/sim/policy.h"

namespace rlrec::ope {

struct BetaPrior {
  std::vector<double> alpha, beta;  // one per item, each > 0
};

// The ZOZOTOWN Thompson-sampling prior for campaign "all", "men" or "women".
BetaPrior zozotown_prior(std::string_view campaign);

// Reads a prior file: CSV with header `item,alpha,beta`, items 0..n-1 each once.
BetaPrior read_beta_prior(const std::string& path);

// Monte Carlo action distribution of Bernoulli TS: n_actions = prior size, n_positions = L <= n,
// from n_sim draws of Rng(seed, hash_name("ope.bts")).
ActionDist bernoulli_ts_action_dist(const BetaPrior& prior, int n_positions, int n_sim,
                                    uint64_t seed);

// Uniform random slates without repetition: pi(a at l) = 1 / n_actions.
ActionDist uniform_action_dist(int n_actions, int n_positions);

// Reads a --target-dist CSV (rules above) for a log with n_actions x n_positions.
ActionDist read_target_dist(const std::string& path, int n_actions, int n_positions);

// Per-round distribution over candidate positions from policy.slot_probabilities for every active
// row of obs: n_actions = obs.num_candidates, n_positions = obs.slate_size, round i = row i.
// Throws kNotSupported if the policy does not expose probabilities, kInvalidArgument if a row's
// probabilities are not a distribution.
ActionDist action_dist_from_policy(const sim::Policy& policy, const sim::Observation& obs);

// Gamma(shape, 1) and Beta(a, b) draws (exposed for tests).
double sample_gamma(Rng& rng, double shape);
double sample_beta(Rng& rng, double a, double b);

}  // namespace rlrec::ope
