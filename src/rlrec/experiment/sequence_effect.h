// DRR's premise, measured: does a user's next rating depend on the recent sequence? (Liu et al.,
// "Deep Reinforcement Learning based Recommendation with Explicit User-Item Interactions
// Modeling", 2018, motivate DRR by the claim that it does.) A library call on a rating file.
//
// For every user, ratings in time order (ties: file order). For each rating r_t with at least n
// earlier ratings and at least one other rating:
//   μ_u(−t)  the user's mean rating over all their ratings except r_t  (leave-one-out)
//   g_t      = mean(r_{t−n}, ..., r_{t−1}) − μ_u(−t)    how the recent n ratings deviate
//   y_t      = r_t − μ_u(−t)                             how the next rating deviates
// Statistics (per n):
//   slope     least-squares slope of y on g (no intercept is fitted: both are centred per user).
//             Ratings independent given the user give slope 0 in expectation (cov(y, g) = 0 with
//             the leave-one-out mean); a positive slope means the next rating follows the recent
//             mood, the sequential effect DRR's state is built to capture.
//   bins      mean y_t in three groups of events: recent ratings below the user's mean
//             (g < −band), near it (|g| <= band), above it (g > band).
//   shuffled  the same slope after permuting each user's ratings at random (the null reference:
//             it must be ~0).
// 95% CIs: percentile bootstrap over users (a user's events are dependent, so users are resampled,
// bootstrap resamples, seed `seed`).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "rlrec/data/interactions.h"

namespace rlrec::experiment {

struct SequenceEffectOptions {
  std::vector<int64_t> n{1, 3, 5, 10};  // window lengths
  double band = 0.25;                   // |g| <= band is "near the user's mean"
  int bootstrap = 500;                  // resamples (0 = no CIs)
  uint64_t seed = 1;
};

struct Estimate {
  double value = 0, lo = 0, hi = 0;  // point estimate and 95% bootstrap CI ([value, value] w/o)
};

struct SequenceEffectRow {
  int64_t n = 0;
  int64_t events = 0, users = 0;
  Estimate slope, shuffled_slope;
  Estimate below, near, above;  // mean next-rating deviation per group
  int64_t n_below = 0, n_near = 0, n_above = 0;
};

struct SequenceEffectResult {
  int64_t ratings = 0, users = 0;
  double band = 0;
  int bootstrap = 0;
  std::vector<SequenceEffectRow> rows;  // one per n
};

// Throws rlrec::Error (kInvalidArgument) naming the option for n < 1, band < 0, bootstrap < 0.
SequenceEffectResult measure_sequence_effect(const data::InteractionLog& log,
                                             const SequenceEffectOptions& options);
nlohmann::json to_json(const SequenceEffectResult& r);

}  // namespace rlrec::experiment
