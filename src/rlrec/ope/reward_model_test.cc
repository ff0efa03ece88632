#include "rlrec/ope/reward_model.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "rlrec/core/error.h"
#include "rlrec/core/rng.h"
#include "rlrec/core/testing.h"

namespace rlrec::ope {
namespace {

// Synthetic: 2 context levels (one-hot), 3 actions (one-hot); P(click | x, a) = mu[x][a].
struct Synth {
  BanditData data;
  RewardFeatures f;
  double mu[2][3] = {{0.1, 0.5, 0.9}, {0.8, 0.4, 0.2}};
  explicit Synth(int n, uint64_t seed) {
    data.n_actions = 3;
    data.n_positions = 1;
    f.context.dim = 2;
    f.action.dim = 3;
    for (int a = 0; a < 3; ++a) {
      f.action.add(a, 1.0f);
      f.action.end_row();
    }
    Rng rng(seed, 0);
    for (int i = 0; i < n; ++i) {
      const int x = static_cast<int>(rng.uniform_int(2));
      const int a = static_cast<int>(rng.uniform_int(3));
      data.action.push_back(a);
      data.position.push_back(0);
      data.pscore.push_back(1.0 / 3);
      data.reward.push_back(rng.bernoulli(mu[x][a]) ? 1.0 : 0.0);
      f.context.add(x, 1.0f);
      f.context.end_row();
    }
  }
};

TEST(RewardModel, LogisticCrossFittedPredictionsAreProbabilities) {
  Synth s(3000, 1);
  RewardModelOptions opt;
  opt.C = 10;
  opt.folds = 3;
  FitReport rep;
  const auto q = fit_predict_cross_fitted(s.data, s.f, opt, &rep);
  ASSERT_EQ(q.size(), 3000u * 3);
  EXPECT_EQ(rep.models, 3);
  EXPECT_EQ(rep.constant_models, 0);
  for (double v : q) {
    EXPECT_GT(v, 0.0);
    EXPECT_LT(v, 1.0);
  }
  // An additive logistic model cannot fit the interaction exactly, but it must rank the actions of
  // context 0 correctly (mu 0.1 < 0.5 < 0.9) on average.
  double m[3] = {0, 0, 0};
  int cnt = 0;
  for (size_t i = 0; i < 3000; ++i)
    if (s.f.context.index[i] == 0) {
      for (int a = 0; a < 3; ++a) m[a] += q[i * 3 + a];
      ++cnt;
    }
  EXPECT_LT(m[0] / cnt, m[2] / cnt);
}

TEST(RewardModel, RidgeRecoversALinearReward) {
  // r = 0.2 + 0.5 * [a == 1] + 0.3 * [x == 1] exactly (no noise), small regularization.
  Synth s(600, 2);
  for (size_t i = 0; i < s.data.size(); ++i)
    s.data.reward[i] = 0.2 + 0.5 * (s.data.action[i] == 1) + 0.3 * (s.f.context.index[i] == 1);
  RewardModelOptions opt;
  opt.kind = "ridge";
  opt.C = 1000;
  opt.eps = 1e-6;
  const auto q = fit_predict_cross_fitted(s.data, s.f, opt);
  for (size_t i = 0; i < s.data.size(); ++i)
    for (int a = 0; a < 3; ++a) {
      const double truth = 0.2 + 0.5 * (a == 1) + 0.3 * (s.f.context.index[i] == 1);
      EXPECT_NEAR(q[i * 3 + a], truth, 0.02) << i << " " << a;
    }
}

TEST(RewardModel, SeededAndDegenerateFolds) {
  Synth s(500, 3);
  RewardModelOptions opt;
  opt.seed = 9;
  EXPECT_EQ(fit_predict_cross_fitted(s.data, s.f, opt), fit_predict_cross_fitted(s.data, s.f, opt));
  // No clicks at all: every model is the constant training mean (0).
  for (double& r : s.data.reward) r = 0;
  FitReport rep;
  const auto q = fit_predict_cross_fitted(s.data, s.f, opt, &rep);
  EXPECT_EQ(rep.constant_models, rep.models);
  for (double v : q) EXPECT_EQ(v, 0.0);
}

TEST(RewardModel, BadInput) {
  Synth s(100, 4);
  RewardModelOptions opt;
  opt.kind = "forest";
  EXPECT_THROW(fit_predict_cross_fitted(s.data, s.f, opt), Error);
  opt.kind = "logistic";
  opt.C = 0;
  EXPECT_THROW(fit_predict_cross_fitted(s.data, s.f, opt), Error);
  // Non-finite C or tolerance: an error naming the value, not a solver that never stops.
  for (double bad :
       {std::numeric_limits<double>::infinity(), std::numeric_limits<double>::quiet_NaN()}) {
    opt.C = bad;
    EXPECT_NE(test::error_of([&] { fit_predict_cross_fitted(s.data, s.f, opt); },
                             ErrorCode::kInvalidArgument)
                  .find("C must be finite and > 0"),
              std::string::npos);
    opt.C = 1;
    opt.eps = bad;
    EXPECT_NE(test::error_of([&] { fit_predict_cross_fitted(s.data, s.f, opt); },
                             ErrorCode::kInvalidArgument)
                  .find("eps must be finite and > 0"),
              std::string::npos);
    opt.eps = 1e-4;
  }
  opt.C = 1;
  s.data.reward[5] = 0.5;
  EXPECT_THROW(fit_predict_cross_fitted(s.data, s.f, opt), Error);
}

}  // namespace
}  // namespace rlrec::ope
