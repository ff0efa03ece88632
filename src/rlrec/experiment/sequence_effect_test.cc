// The sequence-effect statistic: zero on ratings independent given the user (and on the shuffled
// control), positive where the next rating follows the recent ones; MovieLens 100K when present.
#include "rlrec/experiment/sequence_effect.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "rlrec/core/error.h"
#include "rlrec/core/rng.h"
#include "rlrec/data/loaders.h"

namespace rlrec::experiment {
namespace {

// 300 users x 60 ratings: r = user mean + mood + noise, mood_t = rho mood_{t-1} + shock.
data::InteractionLog synthetic(double rho, uint64_t seed) {
  data::InteractionLog log;
  Rng rng(seed);
  for (int u = 0; u < 300; ++u) {
    const int32_t du = log.users.add(std::to_string(u));
    const double mu = rng.uniform(2.5, 4.5);
    double mood = 0;
    for (int t = 0; t < 60; ++t) {
      mood = rho * mood + rng.normal(0, 0.6);
      const int32_t di = log.items.add(std::to_string(u * 100 + t));
      log.push_back(du, di, static_cast<float>(mu + mood + rng.normal(0, 0.5)), t);
    }
  }
  return log;
}

TEST(SequenceEffect, ZeroWithoutASequentialEffect) {
  SequenceEffectOptions o;
  o.n = {1, 5};
  o.bootstrap = 200;
  const auto r = measure_sequence_effect(synthetic(0.0, 1), o);
  ASSERT_EQ(r.rows.size(), 2u);
  for (const auto& row : r.rows) {
    EXPECT_EQ(row.users, 300);
    EXPECT_EQ(row.events, 300 * (60 - row.n));
    EXPECT_EQ(row.n_below + row.n_near + row.n_above, row.events);
    EXPECT_LT(row.slope.lo, 0.0) << row.n;
    EXPECT_GT(row.slope.hi, 0.0) << row.n;
    EXPECT_LT(std::abs(row.slope.value), 0.05);
  }
}

TEST(SequenceEffect, PositiveWithAMood) {
  SequenceEffectOptions o;
  o.n = {3};
  o.bootstrap = 200;
  const auto r = measure_sequence_effect(synthetic(0.8, 2), o);
  const auto& row = r.rows[0];
  EXPECT_GT(row.slope.lo, 0.2);
  EXPECT_LT(row.shuffled_slope.lo, 0.0);
  EXPECT_GT(row.shuffled_slope.hi, 0.0);
  EXPECT_LT(row.below.hi, 0.0);  // after low recent ratings the next one is below the mean
  EXPECT_GT(row.above.lo, 0.0);
  EXPECT_LE(row.slope.lo, row.slope.value);
  EXPECT_GE(row.slope.hi, row.slope.value);
}

TEST(SequenceEffect, BadOptionsAreOneLineErrors) {
  SequenceEffectOptions o;
  o.n = {0};
  EXPECT_THROW(measure_sequence_effect(synthetic(0, 1), o), Error);
  o.n = {1};
  o.band = -1;
  EXPECT_THROW(measure_sequence_effect(synthetic(0, 1), o), Error);
}

// MovieLens 100K (skipped where the data is absent): the statistic is defined and the shuffled
// control covers 0. The measured values are in docs/drr.md.
TEST(SequenceEffect, MovieLens100k) {
  const std::string path = std::string(RLREC_SHARED_DATA_DIR) + "/movielens-100k/u.data";
  if (!std::filesystem::exists(path))
    GTEST_SKIP() << path << " not found (MovieLens 100K is not shipped: see README)";
  SequenceEffectOptions o;
  o.n = {5};
  o.bootstrap = 100;
  const auto r = measure_sequence_effect(data::load_interactions(path), o);
  EXPECT_EQ(r.ratings, 100000);
  EXPECT_EQ(r.users, 943);
  const auto& row = r.rows[0];
  EXPECT_LT(row.shuffled_slope.lo, 0.0);
  EXPECT_GT(row.shuffled_slope.hi, 0.0);
}

}  // namespace
}  // namespace rlrec::experiment
