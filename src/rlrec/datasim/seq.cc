// movielens_seq's user: the static MF simulator plus the sequential effect fitted from the log
// (rules and equations in datasim.h; the terms are experiment/history_model.h's, whose pooled
// least-squares fit this repeats on the environment's own simulator MF and users).
#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <vector>

#include "rlrec/core/error.h"
#include "rlrec/core/rng.h"
#include "rlrec/datasim/datasim.h"

namespace rlrec::datasim {

void SeqEnvConfig::visit(FieldVisitor& v) {
  rating.visit(v);
  v.field("history_window", history_window,
          "w: rated items the history terms (mood, recent quality, similarity) look back on");
  v.field("history_terms", history_terms,
          "\"fit\": fit the history coefficients on the log at construction; \"keys\": use "
          "env.history_intercept/mood/quality/similarity/noise_sd");
  v.field("history_holdout", history_holdout,
          "fraction of users left out of the fit (drawn with the seed; the validation users)");
  v.field("history_intercept", history_intercept, "c0 (history_terms = \"keys\")");
  v.field("history_mood", history_mood,
          "c1, on the mean of the last w residuals (history_terms = \"keys\")");
  v.field(
      "history_quality", history_quality,
      "c2, on the last w items' mean MF prediction minus the user's (history_terms = \"keys\")");
  v.field("history_similarity", history_similarity,
          "c3, on cos(item, mean of the last w items' factors) (history_terms = \"keys\")");
  v.field("history_noise_sd", history_noise_sd,
          "σ, sd of the rating noise (history_terms = \"keys\"; fitted: the fit's residual sd)");
}

void SeqEnvConfig::validate() const {
  rating.validate();
  check_range("env.history_window", history_window, 1, 1000);
  check_one_of("env.history_terms", history_terms, {"fit", "keys"});
  if (!(history_holdout >= 0 && history_holdout < 1))
    invalid_argument("env.history_holdout must be in [0, 1), got ", format_double(history_holdout));
  for (const auto& [key, value] : {std::pair{"env.history_intercept", history_intercept},
                                   {"env.history_mood", history_mood},
                                   {"env.history_quality", history_quality},
                                   {"env.history_similarity", history_similarity}})
    check_range(key, value, -10.0, 10.0);
  check_range("env.history_noise_sd", history_noise_sd, 0.0, 100.0);
}

namespace {

// The user's simulator rows in time order: train then test (the split is chronological per user)
// when the simulator saw all rows, train only otherwise.
void user_rows(const RatingData& d, int32_t u, std::vector<int32_t>& items,
               std::vector<float>& ratings) {
  items = d.train_items[u];
  ratings = d.train_ratings[u];
  if (d.config.simulator == "all") {
    items.insert(items.end(), d.test_items[u].begin(), d.test_items[u].end());
    ratings.insert(ratings.end(), d.test_ratings[u].begin(), d.test_ratings[u].end());
  }
}

}  // namespace

HistoryFeatures history_features(const RatingData& d, const HistoryTerms& h, int32_t user,
                                 std::span<const int32_t> items, std::span<const double> residuals,
                                 int32_t item) {
  HistoryFeatures f;
  const size_t n = items.size();
  if (n == 0) return f;
  const models::MfModel& mf = d.simulator;
  const int k = mf.factors();
  thread_local std::vector<double> mean_q;
  mean_q.assign(static_cast<size_t>(k), 0.0);
  for (size_t j = 0; j < n; ++j) {
    f.x1 += residuals[j];
    f.x2 += mf.predict(user, items[j]);
    const float* q = mf.item_factors.row(static_cast<size_t>(items[j]));
    for (int c = 0; c < k; ++c) mean_q[c] += q[c];
  }
  f.x1 /= static_cast<double>(n);
  f.x2 = f.x2 / static_cast<double>(n) - h.mean_prediction[static_cast<size_t>(user)];
  const float* q = mf.item_factors.row(static_cast<size_t>(item));
  double dot = 0, qq = 0, mm = 0;
  for (int c = 0; c < k; ++c)
    dot += q[c] * mean_q[c], qq += q[c] * q[c], mm += mean_q[c] * mean_q[c];
  f.x3 = qq > 0 && mm > 0 ? dot / std::sqrt(qq * mm) : 0.0;
  return f;
}

double sequential_rating(const RatingData& d, const HistoryTerms& h, int32_t user,
                         std::span<const int32_t> items, std::span<const double> residuals,
                         int32_t item, double eps) {
  const HistoryFeatures f = history_features(d, h, user, items, residuals, item);
  const double r = d.simulator.predict(user, item) + h.c0 + h.c1 * f.x1 + h.c2 * f.x2 +
                   h.c3 * f.x3 + h.noise_sd * eps;
  return std::clamp(r, static_cast<double>(d.min_rating), static_cast<double>(d.max_rating));
}

HistoryTerms history_terms(const RatingData& d, const SeqEnvConfig& cfg, uint64_t seed) {
  HistoryTerms h;
  h.window = cfg.history_window;
  const int32_t U = d.log.num_users();
  h.heldout.assign(static_cast<size_t>(U), 0);
  h.mean_prediction.assign(static_cast<size_t>(U), 0.0);
  Rng split(seed, hash_name("movielens_seq/holdout"));
  std::vector<int32_t> items;
  std::vector<float> ratings;
  for (int32_t u = 0; u < U; ++u) {
    h.heldout[u] = split.uniform() < cfg.history_holdout ? 1 : 0;  // drawn for every user
    user_rows(d, u, items, ratings);
    double s = 0;
    for (int32_t i : items) s += d.simulator.predict(u, i);
    h.mean_prediction[u] = items.empty() ? 0.0 : s / static_cast<double>(items.size());
  }
  if (cfg.history_terms == "keys") {
    h.c0 = cfg.history_intercept, h.c1 = cfg.history_mood, h.c2 = cfg.history_quality;
    h.c3 = cfg.history_similarity, h.noise_sd = cfg.history_noise_sd;
    return h;
  }
  // Pooled least squares of y_t = r_t − p̂_t on z = [x1, x2, x3, 1] over the events with w
  // earlier rows of the users not held out (normal equations; 4 x 4).
  const auto w = static_cast<size_t>(cfg.history_window);
  Eigen::Matrix4d zz = Eigen::Matrix4d::Zero();
  Eigen::Vector4d zy = Eigen::Vector4d::Zero();
  double yy = 0;
  std::vector<double> resid;
  for (int32_t u = 0; u < U; ++u) {
    if (h.heldout[u]) continue;
    user_rows(d, u, items, ratings);
    if (items.size() <= w) continue;
    resid.resize(items.size());
    for (size_t t = 0; t < items.size(); ++t)
      resid[t] = ratings[t] - d.simulator.predict(u, items[t]);
    for (size_t t = w; t < items.size(); ++t) {
      const HistoryFeatures f =
          history_features(d, h, u, std::span(items).subspan(t - w, w),
                           std::span<const double>(resid).subspan(t - w, w), items[t]);
      const Eigen::Vector4d z(f.x1, f.x2, f.x3, 1.0);
      zz += z * z.transpose();
      zy += z * resid[t];
      yy += resid[t] * resid[t];
      ++h.events;
    }
    ++h.fit_users;
  }
  if (h.events < 5)
    invalid_argument("movielens_seq: ", h.events, " ratings with env.history_window (",
                     cfg.history_window,
                     ") earlier ones among the fitted users; need at least 5 (lower "
                     "env.history_window or env.history_holdout)");
  const Eigen::Vector4d c = zz.ldlt().solve(zy);
  const double ne = static_cast<double>(h.events);
  const double sse = std::max(0.0, yy - 2 * c.dot(zy) + c.dot(zz * c));
  const double sst = yy - zy(3) * zy(3) / ne;
  h.c1 = c(0), h.c2 = c(1), h.c3 = c(2), h.c0 = c(3);
  h.noise_sd = std::sqrt(sse / ne);
  h.r2 = sst > 0 ? 1 - sse / sst : 0.0;
  h.fitted = true;
  return h;
}

data::InteractionLog simulate_heldout_sequences(const RatingData& d, const HistoryTerms& h,
                                                uint64_t seed, data::InteractionLog* logged) {
  data::InteractionLog sim;
  sim.users = d.log.users;
  sim.items = d.log.items;
  if (logged) *logged = sim;
  const auto w = static_cast<size_t>(h.window);
  std::vector<int32_t> items;
  std::vector<float> ratings;
  std::vector<double> resid;
  for (int32_t u = 0; u < d.log.num_users(); ++u) {
    if (!h.heldout[u]) continue;
    user_rows(d, u, items, ratings);
    Rng rng(seed, static_cast<uint64_t>(u));
    resid.assign(items.size(), 0.0);
    for (size_t t = 0; t < items.size(); ++t) {
      double r = ratings[t];
      if (t >= w) {
        const size_t from = t - w;
        r = sequential_rating(d, h, u, std::span(items).subspan(from, w),
                              std::span<const double>(resid).subspan(from, w), items[t],
                              rng.normal());
      }
      resid[t] = r - d.simulator.predict(u, items[t]);
      sim.push_back(u, items[t], static_cast<float>(r), static_cast<int64_t>(t));
      if (logged) logged->push_back(u, items[t], ratings[t], static_cast<int64_t>(t));
    }
  }
  return sim;
}

}  // namespace rlrec::datasim
