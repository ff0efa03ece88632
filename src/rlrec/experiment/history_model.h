// Is the sequential effect of rating logs something a recommender can steer? (issue 17 item 3;
// DRR, Liu et al. 2018, arXiv 1810.12027, builds its state from the recent items because it
// assumes the next rating depends on them.) sequence_effect.h measures that the effect exists;
// this call decomposes it with the user simulator rlrec would build from the log.
//
// A biased MF (models/biased_sgd.h; factors, epochs, lr, reg as the datasim environments' defaults,
// fitted on all ratings as movielens_mf's simulator) gives the static part p̂_t = predict(u, i_t).
// For each user's ratings in time order (ties: file order) and each rating with n earlier ones:
//   y_t  = r_t − p̂_t                                  the residual the static simulator leaves
//   x1_t = mean(y_{t−n}, ..., y_{t−1})                 recent residuals: the user's "mood"
//   x2_t = mean(p̂_{t−n}, ..., p̂_{t−1}) − mean_u(p̂)    predicted quality of the recent items
//   x3_t = cos(q_{i_t}, mean(q_{i_{t−n}}, ..., q_{i_{t−1}}))   similarity to the recent items
// and the least-squares fit y_t = c0 + c1 x1 + c2 x2 + c3 x3 (one pooled regression).
// What a recommender controls: x2 and x3 depend on the items it shows, x1 does not (it is the
// rating noise of the past, whatever was shown). A history term that only rewards showing
// high-p̂ items (c2 > 0) points the same way as greedy MF; only c3 (what to show next given what
// was shown) can make a sequence-aware policy beat greedy MF, and only by c3 × the spread of x3.
// CIs: percentile bootstrap over users (95%). Held-out check: users split at random
// (holdout_fraction of them held out); the coefficients fitted on the others explain R² of the
// held-out residuals (R² = 1 − SSE / Σ(y − ȳ)²).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>

#include "rlrec/data/interactions.h"
#include "rlrec/experiment/sequence_effect.h"

namespace rlrec::experiment {

struct HistoryModelOptions {
  int64_t n = 5;     // window length
  int factors = 32;  // MF of the simulator (the datasim defaults)
  int epochs = 40;
  double lr = 0.01, reg = 0.1;
  double holdout_fraction = 0.2;  // users held out for the R² check
  int bootstrap = 500;            // resamples (0 = no CIs)
  uint64_t seed = 1;              // MF fit, user split, bootstrap
};

struct HistoryModelResult {
  int64_t n = 0, events = 0, users = 0, heldout_users = 0;
  double mf_rmse = 0;                // RMSE of the static MF on all ratings (its own training data)
  Estimate c0, c1, c2, c3;           // intercept, mood, recent quality, similarity
  double sd1 = 0, sd2 = 0, sd3 = 0;  // standard deviations of x1, x2, x3 over the events
  double residual_sd = 0;            // sd of y
  double r2_fit = 0, r2_heldout = 0;
};

// Throws rlrec::Error (kInvalidArgument) naming the option for n < 1, holdout_fraction outside
// [0, 1), bootstrap < 0, or bad MF settings; for a log with fewer than 5 usable events.
HistoryModelResult fit_history_model(const data::InteractionLog& log,
                                     const HistoryModelOptions& options);
nlohmann::json to_json(const HistoryModelResult& r);

}  // namespace rlrec::experiment
