#include "rlrec/models/als.h"

#include <gtest/gtest.h>

#include <Eigen/Dense>

#include "rlrec/core/error.h"
#include "rlrec/models/test_data.h"

namespace rlrec::models {
namespace {

AlsConfig small_config() {
  AlsConfig c;
  c.factors = 16;
  c.iterations = 10;
  c.reg = 0.1;
  c.alpha = 2.0;
  return c;
}

TEST(ImplicitAls, RanksHeldOutPositivesFarAboveRandom) {
  // 400 users, 300 items, 6 planted groups; 20 items per user (90% from the user's group), last 5
  // held out. A perfect group model reaches AUC ~0.9 and recall@10 ~0.2; random: 0.5 and ~0.036.
  const auto d = testing::planted_implicit(400, 300, 6, 20, 0.9, 5, 17);
  ThreadPool pool(2);
  ImplicitAls als(small_config());
  als.fit(d.train, pool);
  const BlockScorer s = mf_scorer(als.model());
  const double auc = testing::heldout_auc(s, d.train, d.test);
  const double recall = testing::recall_at(s, d.train, d.test, 10);
  const double random_recall = testing::recall_at(random_scorer(1), d.train, d.test, 10);
  const Csr ui = user_item_matrix(d.train, Duplicates::kSum);
  const double pop_recall =
      testing::recall_at(constant_scorer(item_popularity(ui)), d.train, d.test, 10);
  EXPECT_GT(auc, 0.85);
  EXPECT_GT(recall, 3 * random_recall) << "random " << random_recall;
  EXPECT_GT(recall, 2 * pop_recall) << "popularity " << pop_recall;
}

class AlsHalfStepPaths : public ::testing::TestWithParam<int64_t> {};

TEST_P(AlsHalfStepPaths, ManyCgStepsSolveTheNormalEquations) {
  // With cg_steps >= k, CG solves eq. 4 (up to rounding): compare one user half-step with a direct
  // double-precision solve of (Y^T Y + lambda I + sum alpha r y y^T) x = sum (1 + alpha r) y.
  // Parameter: the heavy-row threshold (-1: default, every row light here; 0: every row heavy,
  // solved in lockstep through the transpose).
  const int k = 4;
  const auto d = testing::planted_implicit(30, 25, 3, 6, 0.8, 0, 5);
  AlsConfig c = small_config();
  c.factors = k;
  c.cg_steps = 12;
  c.alpha = 3;
  c.reg = 0.5;
  const Csr ui = user_item_matrix(d.train, Duplicates::kSum);
  Matrix<float> Y(25, k), X(30, k, 0.0f);
  Rng rng(3, 0);
  for (auto& v : Y.storage()) v = static_cast<float>(rng.normal(0, 0.5));
  ThreadPool pool(2);
  const AlsHalfStep step(ui, k, GetParam());
  EXPECT_EQ(step.heavy_rows(), GetParam() == 0 ? 30u : 0u);
  step.run(Y.view(), X.view(), c, pool);
  for (int32_t u = 0; u < 30; ++u) {
    Eigen::MatrixXd A = Eigen::MatrixXd::Identity(k, k) * c.reg;
    Eigen::VectorXd b = Eigen::VectorXd::Zero(k);
    for (int32_t i = 0; i < 25; ++i) {
      Eigen::VectorXd y(k);
      for (int f = 0; f < k; ++f) y[f] = Y(i, f);
      A += y * y.transpose();
    }
    for (int64_t t = ui.indptr[u]; t < ui.indptr[u + 1]; ++t) {
      Eigen::VectorXd y(k);
      for (int f = 0; f < k; ++f) y[f] = Y(ui.indices[t], f);
      A += c.alpha * ui.values[t] * y * y.transpose();
      b += (1 + c.alpha * ui.values[t]) * y;
    }
    const Eigen::VectorXd x = A.ldlt().solve(b);
    for (int f = 0; f < k; ++f) EXPECT_NEAR(X(u, f), x[f], 1e-3 * (1 + std::abs(x[f]))) << u;
  }
}

INSTANTIATE_TEST_SUITE_P(LightAndHeavy, AlsHalfStepPaths,
                         ::testing::Values(int64_t{-1}, int64_t{0}));

TEST(ImplicitAls, HeavyPathIsDeterministicAcrossThreadCounts) {
  // Threshold 8: users with more than 8 items are solved in lockstep, the rest one by one.
  const auto d = testing::planted_implicit(150, 100, 4, 12, 0.8, 0, 8);
  const Csr ui = user_item_matrix(d.train, Duplicates::kSum);
  const AlsHalfStep step(ui, 16, 8);
  EXPECT_EQ(step.heavy_rows(), 150u);  // 12 items each
  AlsConfig c = small_config();
  Matrix<float> Y(100, 16);
  Rng rng(4, 0);
  for (auto& v : Y.storage()) v = static_cast<float>(rng.normal(0, 0.3));
  std::vector<std::vector<float>> results;
  for (int threads : {1, 2, 3, 5}) {
    Matrix<float> X(150, 16, 0.01f);
    ThreadPool pool(threads);
    step.run(Y.view(), X.view(), c, pool);
    results.push_back(X.storage());
  }
  for (size_t r = 1; r < results.size(); ++r) EXPECT_EQ(results[r], results[0]);
  // And the lockstep path agrees with the one-by-one path up to rounding.
  Matrix<float> light(150, 16, 0.01f);
  ThreadPool pool(1);
  AlsHalfStep(ui, 16, -1).run(Y.view(), light.view(), c, pool);
  for (size_t i = 0; i < light.storage().size(); ++i)
    EXPECT_NEAR(light.storage()[i], results[0][i], 1e-4 * (1 + std::abs(results[0][i])));
}

TEST(ImplicitAls, DeterministicPerSeedAndThreadCount) {
  const auto d = testing::planted_implicit(150, 100, 4, 12, 0.8, 0, 8);
  AlsConfig c = small_config();
  c.iterations = 3;
  auto fit = [&](int threads, int64_t seed) {
    c.seed = seed;
    ThreadPool pool(threads);
    ImplicitAls als(c);
    als.fit(d.train, pool);
    return als.take_model();
  };
  const MfModel a = fit(1, 42), b = fit(2, 42), e = fit(3, 42), other = fit(1, 7);
  EXPECT_EQ(a.user_factors.storage(), b.user_factors.storage());
  EXPECT_EQ(a.item_factors.storage(), b.item_factors.storage());
  EXPECT_EQ(a.item_factors.storage(), e.item_factors.storage());
  EXPECT_NE(a.item_factors.storage(), other.item_factors.storage());
  EXPECT_TRUE(a.user_bias.empty());
  EXPECT_EQ(a.kind, "als");
}

TEST(ImplicitAls, RejectsNegativeValues) {
  data::InteractionLog log;
  testing::add_ids(log, 2, 2);
  log.push_back(0, 0, 1, 0);
  log.push_back(1, 1, -2, 0);
  ThreadPool pool(1);
  ImplicitAls als(small_config());
  try {
    als.fit(log, pool);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              "als: value of interaction 1 (user 'u1', item 'i1') is -2; implicit ALS needs values "
              ">= 0 (confidence 1 + alpha * value)");
  }
}

}  // namespace
}  // namespace rlrec::models
