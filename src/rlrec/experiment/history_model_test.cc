// The history-model decomposition: a mood (autocorrelated residual) is found as mood and not as
// similarity; without one the mood coefficient is ~0; bad options are named; MovieLens when
// present.
#include "rlrec/experiment/history_model.h"

#include <gtest/gtest.h>

#include <array>
#include <filesystem>
#include <vector>

#include "rlrec/core/error.h"
#include "rlrec/core/rng.h"
#include "rlrec/core/testing.h"
#include "rlrec/data/loaders.h"

namespace rlrec::experiment {
namespace {

// 300 users x 50 ratings of 200 items with 2 latent factors: r = 3.5 + p_u.q_i + mood + noise,
// mood_t = rho mood_{t-1} + shock (independent of the items shown).
data::InteractionLog synthetic(double rho, uint64_t seed) {
  data::InteractionLog log;
  Rng rng(seed);
  std::vector<std::array<double, 2>> q(200);
  for (auto& v : q) v = {rng.normal(0, 0.7), rng.normal(0, 0.7)};
  for (int i = 0; i < 200; ++i) log.items.add(std::to_string(i));
  for (int u = 0; u < 300; ++u) {
    const int32_t du = log.users.add(std::to_string(u));
    const double p0 = rng.normal(0, 0.7), p1 = rng.normal(0, 0.7);
    double mood = 0;
    std::vector<int32_t> items(200);
    for (int i = 0; i < 200; ++i) items[i] = i;
    for (int t = 0; t < 50; ++t) {
      std::swap(items[t], items[t + rng.uniform_int(200 - t)]);
      const int32_t i = items[t];
      mood = rho * mood + rng.normal(0, 0.5);
      const double r = 3.5 + p0 * q[i][0] + p1 * q[i][1] + mood + rng.normal(0, 0.3);
      log.push_back(du, i, static_cast<float>(r), t);
    }
  }
  return log;
}

TEST(HistoryModel, FindsAMoodAsMood) {
  HistoryModelOptions o;
  o.n = 3, o.factors = 4, o.bootstrap = 100;
  const auto r = fit_history_model(synthetic(0.8, 1), o);
  EXPECT_EQ(r.users, 300);
  EXPECT_EQ(r.events, 300 * (50 - 3));
  EXPECT_GT(r.heldout_users, 30);
  EXPECT_LT(r.heldout_users, 100);
  EXPECT_GT(r.c1.lo, 0.1);  // recent residuals predict the next one
  EXPECT_LE(r.c1.lo, r.c1.value);
  EXPECT_GE(r.c1.hi, r.c1.value);
  EXPECT_GT(r.r2_heldout, 0.02);
  EXPECT_LT(std::abs(r.c3.value), 0.1);  // items are shown at random: no similarity effect
}

TEST(HistoryModel, NoMoodWithoutOne) {
  HistoryModelOptions o;
  o.n = 3, o.factors = 4, o.bootstrap = 100;
  const auto r = fit_history_model(synthetic(0.0, 2), o);
  EXPECT_LT(std::abs(r.c1.value), 0.08);
  EXPECT_LT(r.r2_heldout, 0.02);
}

TEST(HistoryModel, Deterministic) {
  HistoryModelOptions o;
  o.n = 2, o.factors = 3, o.bootstrap = 20;
  const auto log = synthetic(0.5, 3);
  EXPECT_EQ(to_json(fit_history_model(log, o)).dump(), to_json(fit_history_model(log, o)).dump());
}

TEST(HistoryModel, NamesBadOptions) {
  const auto log = synthetic(0.0, 4);
  HistoryModelOptions o;
  o.n = 0;
  EXPECT_NE(test::error_of([&] { fit_history_model(log, o); }).find("history.n"),
            std::string::npos);
  o = {};
  o.holdout_fraction = 1;
  EXPECT_NE(test::error_of([&] { fit_history_model(log, o); }).find("history.holdout_fraction"),
            std::string::npos);
  o = {};
  o.bootstrap = -1;
  EXPECT_NE(test::error_of([&] { fit_history_model(log, o); }).find("history.bootstrap"),
            std::string::npos);
}

TEST(HistoryModel, MovieLens100k) {
  const std::string path = std::string(RLREC_SHARED_DATA_DIR) + "/movielens-100k/u.data";
  if (!std::filesystem::exists(path))
    GTEST_SKIP() << path << " not found (MovieLens 100K is not shipped: see README)";
  HistoryModelOptions o;
  o.bootstrap = 50;
  const auto r = fit_history_model(data::load_interactions(path), o);
  EXPECT_EQ(r.users, 943);
  EXPECT_GT(r.c1.lo, 0.0);  // the measured effect exists (docs/drr.md gives the numbers)
  EXPECT_GT(r.r2_heldout, 0.0);
}

}  // namespace
}  // namespace rlrec::experiment
