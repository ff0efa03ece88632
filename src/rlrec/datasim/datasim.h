// datasim: simulators and evaluation protocols built from real rating logs (MovieLens and any log
// the data loaders read), for DRR (Liu et al. 2018, arXiv 1810.12027) and the other agents.
//
// One rating log gives a RatingData (below): the log, a per-user chronological split (the first
// train_fraction of each user's ratings by timestamp are train, the rest test; splits.h's
// temporal_last_fraction), the evaluated users (stated filter: >= min_train_positives train ratings
// >= positive_rating and >= min_test_positives such test ratings; the others are counted in
// dropped_users), and two biased-MF models (models/biased_sgd.h, seeded by the environment seed):
//   mf         fitted on the train rows of every user: the embedding provider and the `pmf`
//   baseline; simulator  fitted on train + test rows (simulator = "all", the default, as the DRR
//   paper's
//              online protocol) or the same as mf (simulator = "train").
// With env.mf_model = DIR a saved `rlrec mf fit` model replaces the fitted `mf` (its ids are mapped
// to the log's; every item and user of the log must be in it, else a one-line error).
// RatingData is cached per (config, seed) inside the process, so building the environment again
// (compare builds it per agent and seed) does not refit.
//
// Embeddings (the catalogue every agent sees, fixed-corpus mode): item i has the k+1 features
// e_i = [q_i, b_i] (MF factors and item bias) and user u the k+1 vector p̃_u = [p_u, 1], so that
// p̃_u · e_i = p_u·q_i + b_i is the MF ranking score up to per-user constants.
//
// User observation (user_dim = (k+1) + n, n = env.history_length):
//   [p̃_u (k+1 floats), h_1 .. h_n]  h = the dense item ids (as floats; -1 = empty) of the user's n
//   most recent positively rated items, oldest first. At reset h holds the last n positive train
//   items; it advances on positive feedback (rating >= positive_rating): the item is appended and
//   the oldest dropped. Item ids < 2^24 so that floats hold them exactly.
//
// Environments (listed in the catalogue, rlrec/catalog/catalog.h):
//   movielens_mf      the online protocol: each episode a random evaluated user; each step
//                     num_candidates items drawn uniformly from the items not yet shown in the
//                     session and not rated by the user in train; reward = mean over the slate of
//                     the normalized simulator rating (r̂ - mid) / half, mid/half of the log's
//                     rating range ((r - 3) / 2 on 1..5); positive feedback: r̂ >= positive_rating.
//   movielens_replay  training on the logs: each episode a random evaluated user; each step
//                     num_candidates items drawn from the user's train-period items not yet shown
//                     (except the initial history); reward = mean normalized logged rating of the
//                     slate; the episode ends when fewer than num_candidates unshown items remain.
//   movielens_seq     movielens_mf's user plus the sequential effect fitted from the log (issue 17;
//                     the DRR paper's premise, measured by experiment/sequence_effect.h): the
//                     rating of item i_t after the user's last w rated (shown) items is
//                       r_t = clamp(p̂_t + c0 + c1 x1 + c2 x2 + c3 x3 + σ ε_t, min, max), ε ~ N(0,1)
//                     with p̂ the simulator MF, x1 = mean of the last w residuals r − p̂ ("mood",
//                     the simulated user's own), x2 = mean p̂ of the last w items − the user's mean
//                     p̂ over her logged rows ("recent quality"), x3 = cos(q_{i_t}, mean q of the
//                     last w items) ("similarity"): experiment/history_model.h's terms. The
//                     coefficients c0..c3 and σ (the residual sd of the fit) are fitted at
//                     construction by least squares on the rows the simulator MF was fitted on
//                     (all or train, env.simulator) of the users not held out (env.history_holdout
//                     of the users, drawn with the seed, are held out for validation), or read
//                     from the env.history_* keys (env.history_terms = "keys"). The window starts
//                     as the user's last w train rows (logged ratings); everything else
//                     (candidates, reward = normalized rating, positive feedback, observation) is
//                     movielens_mf's. Dynamics fitted to data: nothing is chosen to favour any
//                     policy.
// Responses per slot: rating (logged or simulated), positive (0/1). choice = first positive slot or
// -1. The choice model exposed for model-based agents is a multinomial logit on p̃_u·e_i.
//
// Offline protocol (evaluate_offline): for every evaluated user, the candidates are the items the
// user rated in the test period; the policy picks one item at a time (slate size 1) among the
// candidates not yet picked, from the observation above (history = last n positive train items,
// advanced on positive logged feedback), until list_length (10) picks or no candidate is left. The
// picks form the ranked list; relevant = test items with rating >= positive_rating. Metrics:
// Precision@5/@10 (hits / K) and NDCG@5/@10 (binary gains, eval/ranking_metrics.h), means over the
// evaluated users, and the mean normalized logged rating of the picks (mean_reward).
//
// Baselines (listed in the catalogue):
//   popularity  most train ratings first (ties: lower item id);
//   pmf         the train MF's predicted rating (b_i + p_u·q_i) from the observation.
// Both need a datasim environment (one-line error otherwise).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "rlrec/core/config.h"
#include "rlrec/data/interactions.h"
#include "rlrec/models/mf_model.h"
#include "rlrec/sim/environment.h"
#include "rlrec/sim/policy.h"

namespace rlrec::datasim {

// The [env] keys shared by the datasim environments.
struct RatingEnvConfig {
  std::string data;              // rating file (u.data, ratings.dat, ratings.csv, ...)
  std::string format = "auto";   // data/loaders.h format name
  double train_fraction = 0.8;   // first fraction of each user's ratings (by time) is train
  int min_train_positives = 5;   // evaluated users: positive train ratings at least this
  int min_test_positives = 1;    // ... and positive test ratings at least this
  double positive_rating = 4.0;  // rating >= this is positive feedback / relevant
  int history_length = 5;        // n: positive items in the observation
  int factors = 32;              // MF latent dimension k
  int mf_epochs = 40;            // biased_sgd epochs
  double mf_lr = 0.01, mf_reg = 0.1;
  std::string mf_model;  // saved `rlrec mf fit` directory replacing the train MF ("" = fit)
  std::string simulator = "all";  // movielens_mf: simulator MF fitted on "all" rows or "train" rows
  int num_candidates = 100;       // candidates per step
  int slate_size = 1;             // K
  int max_steps = 20;             // episode truncation

  void visit(FieldVisitor& v);
  void validate() const;
};

struct RatingData {
  RatingEnvConfig config;
  data::InteractionLog log;
  // Per dense user: items and ratings in chronological order.
  std::vector<std::vector<int32_t>> train_items, test_items;
  std::vector<std::vector<float>> train_ratings, test_ratings;
  std::vector<int32_t> users;  // evaluated users (ascending dense ids)
  int64_t dropped_users = 0;   // users failing the positives filter
  float min_rating = 0, max_rating = 0;
  models::MfModel mf, simulator;
  std::vector<int64_t> popularity;    // train ratings per item
  sim::Catalogue catalogue;           // num_items x (k+1): [q_i, b_i]
  std::vector<float> user_embedding;  // num_users x (k+1): [p_u, 1]

  int dim() const { return config.factors + 1; }
  int32_t num_items() const { return log.num_items(); }
  double normalized(double rating) const;  // to [-1, 1]: (r - mid) / half
  bool positive(double rating) const { return rating >= config.positive_rating; }
  // The last n positive train items of `user`, oldest first, -1 padded in front (n entries).
  std::vector<int32_t> initial_history(int32_t user) const;
  std::string summary() const;  // one line: users, items, ratings, dropped users
};

// Loads (or returns the cached) RatingData for `cfg` and `seed`. Throws rlrec::Error for bad input.
std::shared_ptr<const RatingData> rating_data(const RatingEnvConfig& cfg, uint64_t seed);

// movielens_seq's [env] keys: the shared keys plus the history terms.
struct SeqEnvConfig {
  RatingEnvConfig rating;
  int history_window = 5;             // w: rated items the history terms look back on
  std::string history_terms = "fit";  // "fit" (at construction) or "keys" (the values below)
  double history_holdout = 0.2;       // fraction of users left out of the fit (validation users)
  // Used with history_terms = "keys" (defaults: the MovieLens 100K fit, docs/drr.md).
  double history_intercept = -0.015, history_mood = 0.219, history_quality = 0.101,
         history_similarity = 0.110, history_noise_sd = 0.808;

  void visit(FieldVisitor& v);
  void validate() const;
};

// The fitted (or given) history terms of movielens_seq and what the fit saw.
struct HistoryTerms {
  int window = 5;
  double c0 = 0, c1 = 0, c2 = 0, c3 = 0, noise_sd = 0;
  bool fitted = false;
  int64_t events = 0, fit_users = 0;    // events and users of the fit (0 with "keys")
  double r2 = 0;                        // R² of the fit on its events
  std::vector<uint8_t> heldout;         // per dense user: left out of the fit
  std::vector<double> mean_prediction;  // per dense user: mean simulator p̂ over her fit rows
};

// Fits (or reads) the terms for `cfg` on `d` (d.config must be cfg.rating). Throws rlrec::Error
// when fewer than 5 events are left to fit.
HistoryTerms history_terms(const RatingData& d, const SeqEnvConfig& cfg, uint64_t seed);

// The history-term features (x1, x2, x3) of `item` after the window (items, residuals; oldest
// first; any length, empty = zeros) of `user`, and the simulated rating given a standard normal
// draw `eps` (clamped to the log's rating range).
struct HistoryFeatures {
  double x1 = 0, x2 = 0, x3 = 0;
};
HistoryFeatures history_features(const RatingData& d, const HistoryTerms& h, int32_t user,
                                 std::span<const int32_t> items, std::span<const double> residuals,
                                 int32_t item);
double sequential_rating(const RatingData& d, const HistoryTerms& h, int32_t user,
                         std::span<const int32_t> items, std::span<const double> residuals,
                         int32_t item, double eps);

// Validation on held-out users (issue 17): every user with h.heldout set re-rates her logged item
// sequence (the simulator's rows in time order) with the movielens_seq user; the first w ratings
// are the logged ones (the starting window), the rest simulated, noise from Rng(seed, user).
// Returns the simulated log; `logged` (if given) receives the same users' logged ratings (same
// rows, same timestamps, same id maps).
data::InteractionLog simulate_heldout_sequences(const RatingData& d, const HistoryTerms& h,
                                                uint64_t seed, data::InteractionLog* logged);

// The data behind a datasim environment, or nullptr for any other environment.
const RatingData* rating_data_of(const sim::Environment& env);

// Writes the observation user row for `user` with history `history` (n ids, -1 = empty).
void write_user_row(const RatingData& d, int32_t user, const int32_t* history, float* out);

// The factories the catalogue lists (rlrec/catalog/catalog.h): the environments and their [env]
// defaults as TOML, and the rating-log baselines.
std::unique_ptr<sim::Environment> make_movielens_mf(const Config& cfg, uint64_t seed);
std::unique_ptr<sim::Environment> make_movielens_replay(const Config& cfg, uint64_t seed);
std::string movielens_mf_defaults();
std::string movielens_replay_defaults();
std::unique_ptr<sim::Environment> make_movielens_seq(const Config& cfg, uint64_t seed);
std::string movielens_seq_defaults();
SeqEnvConfig read_seq_config(const Config& cfg);  // the [env] section, validated
// The history terms of a movielens_seq environment, or nullptr for any other environment.
const HistoryTerms* history_terms_of(const sim::Environment& env);
std::unique_ptr<sim::Policy> make_popularity(const sim::PolicyContext& ctx);
std::unique_ptr<sim::Policy> make_pmf(const sim::PolicyContext& ctx);

struct OfflineResults {
  int64_t users = 0;
  double p5 = 0, p10 = 0, ndcg5 = 0, ndcg10 = 0;
  double mean_reward = 0;  // mean normalized logged rating of the picks
  int64_t picks = 0;
};
// The offline protocol above, for `policy` on the data of the datasim environment `env`
// (throws if env is not one). Rng streams: Rng(policy_seed, user).
OfflineResults evaluate_offline(const sim::Environment& env, sim::Policy& policy,
                                uint64_t policy_seed, int list_length = 10);

}  // namespace rlrec::datasim
