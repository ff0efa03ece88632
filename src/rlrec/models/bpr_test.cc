#include "rlrec/models/bpr.h"

#include <gtest/gtest.h>

#include "rlrec/core/error.h"
#include "rlrec/models/test_data.h"

namespace rlrec::models {
namespace {

BprConfig small_config() {
  BprConfig c;
  c.factors = 16;
  c.epochs = 40;
  c.lr = 0.05;
  c.reg = 0.005;
  c.init_std = 0.1;
  c.blocks = 4;
  return c;
}

TEST(Bpr, RanksHeldOutPositivesFarAboveRandom) {
  // Same planted groups as the ALS test (see als_test.cc for the reference numbers).
  const auto d = testing::planted_implicit(400, 300, 6, 20, 0.9, 5, 17);
  ThreadPool pool(2);
  Bpr bpr(small_config());
  bpr.fit(d.train, pool);
  const BlockScorer s = mf_scorer(bpr.model());
  const double auc = testing::heldout_auc(s, d.train, d.test);
  const double recall = testing::recall_at(s, d.train, d.test, 10);
  const double random_recall = testing::recall_at(random_scorer(1), d.train, d.test, 10);
  EXPECT_GT(auc, 0.85);
  EXPECT_GT(recall, 3 * random_recall) << "random " << random_recall;
  EXPECT_EQ(bpr.skipped_samples(), 0);
}

TEST(Bpr, DeterministicPerSeedAndThreadCount) {
  const auto d = testing::planted_implicit(150, 100, 4, 12, 0.8, 0, 8);
  BprConfig c = small_config();
  c.epochs = 4;
  auto fit = [&](int threads, int64_t seed) {
    c.seed = seed;
    ThreadPool pool(threads);
    Bpr bpr(c);
    bpr.fit(d.train, pool);
    return bpr.take_model();
  };
  const MfModel a = fit(1, 42), b = fit(2, 42), e = fit(3, 42), other = fit(2, 5);
  EXPECT_EQ(a.user_factors.storage(), b.user_factors.storage());
  EXPECT_EQ(a.item_factors.storage(), b.item_factors.storage());
  EXPECT_EQ(a.item_bias, b.item_bias);
  EXPECT_EQ(a.item_factors.storage(), e.item_factors.storage());
  EXPECT_NE(a.item_factors.storage(), other.item_factors.storage());
  EXPECT_EQ(a.item_bias.size(), 100u);
  EXPECT_TRUE(a.user_bias.empty());
}

TEST(Bpr, CountsTriplesWithoutANegative) {
  // u0 has every item, so none of its 10 triples finds a negative; u1's one triple does (9 of 10
  // items are negatives: failing 10 draws has probability 1e-10).
  data::InteractionLog log;
  testing::add_ids(log, 2, 10);
  for (int i = 0; i < 10; ++i) log.push_back(0, i, 1, 0);
  log.push_back(1, 3, 1, 0);
  BprConfig c = small_config();
  c.blocks = 1;
  c.epochs = 2;
  ThreadPool pool(1);
  Bpr bpr(c);
  bpr.fit(log, pool);
  EXPECT_EQ(bpr.skipped_samples(), 20);
}

TEST(Bpr, RejectsLogsWithoutPositives) {
  data::InteractionLog log;
  testing::add_ids(log, 1, 2);
  log.push_back(0, 0, 0, 0);
  ThreadPool pool(1);
  Bpr bpr(small_config());
  try {
    bpr.fit(log, pool);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              "bpr: the training log has no positive (value > 0) interactions");
  }
}

}  // namespace
}  // namespace rlrec::models
