#include "rlrec/ope/estimators.h"

#include <gtest/gtest.h>

#include <cmath>

#include "rlrec/core/error.h"
#include "rlrec/core/rng.h"

namespace rlrec::ope {
namespace {

// Tiny log: 2 actions, 1 position, 4 rounds.
//   round  a  r  pscore  pi_e(0) pi_e(1)  w = pi_e(a)/pscore   qhat(0) qhat(1)
//   0      0  1  0.5     0.8     0.2      1.6                  0.6     0.2
//   1      1  0  0.5     0.8     0.2      0.4                  0.6     0.2
//   2      0  0  0.25    0.8     0.2      3.2                  0.6     0.2
//   3      1  1  0.75    0.8     0.2      0.2666..             0.6     0.2
// IPW   = (1.6*1 + 0 + 0 + 0.26667*1) / 4                      = 0.466667
// SNIPW = (1.6 + 0.26667) / (1.6 + 0.4 + 3.2 + 0.26667)        = 1.86667 / 5.46667 = 0.341463
// DM: qpi = 0.8*0.6 + 0.2*0.2 = 0.52 for every round           = 0.52
// DR = 0.52 + [1.6*(1-0.6) + 0.4*(0-0.2) + 3.2*(0-0.6) + 0.26667*(1-0.2)] / 4
//    = 0.52 + (0.64 - 0.08 - 1.92 + 0.213333) / 4 = 0.52 - 0.286667 = 0.233333
// SNDR = 0.52 + (-1.146667) / 5.466667 = 0.52 - 0.209756 = 0.310244
struct Tiny {
  BanditData data;
  ActionDist dist;
  std::vector<double> q;
  Tiny() {
    data.n_actions = 2;
    data.n_positions = 1;
    data.action = {0, 1, 0, 1};
    data.position = {0, 0, 0, 0};
    data.reward = {1, 0, 0, 1};
    data.pscore = {0.5, 0.5, 0.25, 0.75};
    dist.n_actions = 2;
    dist.n_positions = 1;
    dist.p = {0.8, 0.2};
    q = {0.6, 0.2, 0.6, 0.2, 0.6, 0.2, 0.6, 0.2};
  }
  double value(const char* name, EstimatorOptions opt = {}) const {
    const RoundInputs in = prepare_inputs(data, dist, &q);
    return find_estimator(name).terms(in, opt).value();
  }
};

TEST(Estimators, HandWorkedValues) {
  Tiny t;
  validate(t.data, "tiny");
  validate(t.dist, t.data, "tiny");
  EXPECT_NEAR(t.value("ipw"), 0.4666667, 1e-6);
  EXPECT_NEAR(t.value("snipw"), 0.3414634, 1e-6);
  EXPECT_NEAR(t.value("dm"), 0.52, 1e-12);
  EXPECT_NEAR(t.value("dr"), 0.2333333, 1e-6);
  EXPECT_NEAR(t.value("sndr"), 0.3102439, 1e-6);
}

TEST(Estimators, FixedHyperparameters) {
  Tiny t;
  EstimatorOptions opt;
  // Clip at 1: weights 1, 0.4, 1, 0.26667 -> (1 + 0.26667) / 4.
  opt.clip_lambda = 1.0;
  EXPECT_NEAR(t.value("clipped_ipw", opt), 0.3166667, 1e-6);
  // Switch at 2: round 2 (w = 3.2) loses its correction: 0.52 + (0.64 - 0.08 + 0.213333)/4.
  opt.switch_lambda = 2.0;
  EXPECT_NEAR(t.value("switch_dr", opt), 0.7133333, 1e-6);
  // Shrinkage: lambda = inf is DR, lambda = 0 is DM.
  opt.dros_lambda = std::numeric_limits<double>::infinity();
  EXPECT_NEAR(t.value("dr_os", opt), t.value("dr"), 1e-12);
  opt.dros_lambda = 0.0;
  EXPECT_NEAR(t.value("dr_os", opt), t.value("dm"), 1e-12);
  // lambda = 1: w~ = w/(w^2+1): 1.6/3.56, 0.4/1.16, 3.2/11.24, 0.26667/1.07111.
  opt.dros_lambda = 1.0;
  const double corr =
      1.6 / 3.56 * 0.4 + 0.4 / 1.16 * -0.2 + 3.2 / 11.24 * -0.6 + (0.8 / 3) / (1 + 0.64 / 9) * 0.8;
  EXPECT_NEAR(t.value("dr_os", opt), 0.52 + corr / 4, 1e-9);
  // NaN is no hyperparameter: an error, never a silent switch to SLOPE.
  opt.dros_lambda = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THROW(t.value("dr_os", opt), Error);
}

TEST(Estimators, DrEqualsDmWhenWeightsOneAndModelExact) {
  // Target == behaviour (w = 1) and qhat(x, a) == r for the logged action: the correction vanishes.
  BanditData d;
  d.n_actions = 3;
  d.n_positions = 1;
  ActionDist dist;
  dist.n_actions = 3;
  dist.n_positions = 1;
  dist.per_round = true;
  std::vector<double> q;
  Rng rng(7, 0);
  for (int i = 0; i < 200; ++i) {
    double p[3] = {0.2 + 0.1 * rng.uniform(), 0.3, 0};
    p[2] = 1 - p[0] - p[1];
    const int a = rng.categorical(p, 3);
    double qrow[3] = {rng.uniform(), rng.uniform(), rng.uniform()};
    d.action.push_back(a);
    d.position.push_back(0);
    d.pscore.push_back(p[a]);
    d.reward.push_back(qrow[a]);
    for (int k = 0; k < 3; ++k) {
      dist.p.push_back(p[k]);
      q.push_back(qrow[k]);
    }
  }
  const RoundInputs in = prepare_inputs(d, dist, &q);
  for (double w : in.w) EXPECT_DOUBLE_EQ(w, 1.0);
  const double dm = find_estimator("dm").terms(in, {}).value();
  EXPECT_NEAR(find_estimator("dr").terms(in, {}).value(), dm, 1e-12);
  EXPECT_NEAR(find_estimator("sndr").terms(in, {}).value(), dm, 1e-12);
}

TEST(Estimators, SnipwIsMeanRewardWhenTargetIsBehaviour) {
  Tiny t;
  // Per-round target = behaviour's probability of each action.
  t.dist.per_round = true;
  t.dist.p = {0.5, 0.5, 0.5, 0.5, 0.25, 0.75, 0.25, 0.75};
  t.data.pscore = {0.5, 0.5, 0.25, 0.75};
  EXPECT_NEAR(t.value("snipw"), 0.5, 1e-12);  // mean of {1, 0, 0, 1}
  EXPECT_NEAR(t.value("ipw"), 0.5, 1e-12);
}

// Simulated logs: contexts x in {0..4}, 4 actions, Bernoulli rewards with mean mu(x, a); behaviour
// softmax-ish pi_b(a|x), target pi_e(a|x). True value is computed exactly. IPW's 95% bootstrap CI
// must cover it; over 20 seeds, coverage is checked against a binomial tolerance.
TEST(Estimators, IpwUnbiasedWithinItsCi) {
  constexpr int X = 5, A = 4;
  double mu[X][A], pb[X][A], pe[X][A];
  for (int x = 0; x < X; ++x) {
    double sb = 0, se = 0;
    for (int a = 0; a < A; ++a) {
      mu[x][a] = 0.1 + 0.15 * ((x + 2 * a) % 5);
      pb[x][a] = 1.0 + a;
      pe[x][a] = 1.0 + ((a + x) % A) * 2.0;
      sb += pb[x][a];
      se += pe[x][a];
    }
    for (int a = 0; a < A; ++a) {
      pb[x][a] /= sb;
      pe[x][a] /= se;
    }
  }
  double truth = 0;
  for (int x = 0; x < X; ++x)
    for (int a = 0; a < A; ++a) truth += pe[x][a] * mu[x][a] / X;
  int covered = 0;
  const int kSeeds = 20;
  double mean_est = 0;
  for (int s = 0; s < kSeeds; ++s) {
    Rng rng(100 + s, 0);
    BanditData d;
    d.n_actions = A;
    ActionDist dist;
    dist.n_actions = A;
    dist.n_positions = 1;
    dist.per_round = true;
    for (int i = 0; i < 4000; ++i) {
      const int x = static_cast<int>(rng.uniform_int(X));
      const int a = rng.categorical(pb[x], A);
      d.action.push_back(a);
      d.position.push_back(0);
      d.pscore.push_back(pb[x][a]);
      d.reward.push_back(rng.bernoulli(mu[x][a]) ? 1.0 : 0.0);
      for (int k = 0; k < A; ++k) dist.p.push_back(pe[x][k]);
    }
    validate(d, "sim");
    validate(dist, d, "sim");
    const Terms t = find_estimator("ipw").terms(prepare_inputs(d, dist, nullptr), {});
    const Estimate e = bootstrap_estimate(t, "ipw", 200, 1000 + s);
    covered += e.ci_low <= truth && truth <= e.ci_high;
    mean_est += e.estimate / kSeeds;
    EXPECT_LT(e.ci_low, e.estimate);
    EXPECT_GT(e.ci_high, e.estimate);
  }
  // Expected 19 of 20; P(Binomial(20, 0.95) <= 15) < 0.003.
  EXPECT_GE(covered, 16);
  // The mean of 20 estimates: se ~ sd/sqrt(80000) with sd < 1.5 -> 4 se < 0.022.
  EXPECT_NEAR(mean_est, truth, 0.022);
}

TEST(Estimators, BootstrapIsSeededAndDeterministic) {
  Tiny t;
  const Terms terms = find_estimator("dr").terms(prepare_inputs(t.data, t.dist, &t.q), {});
  const Estimate a = bootstrap_estimate(terms, "dr", 50, 3);
  const Estimate b = bootstrap_estimate(terms, "dr", 50, 3);
  const Estimate c = bootstrap_estimate(terms, "dr", 50, 4);
  EXPECT_EQ(a.ci_low, b.ci_low);
  EXPECT_EQ(a.boot_std, b.boot_std);
  EXPECT_NE(a.boot_mean, c.boot_mean);
  EXPECT_THROW(bootstrap_estimate(terms, "dr", 0, 3), Error);
  EXPECT_THROW(bootstrap_estimate(terms, "dr", -5, 3), Error);
}

TEST(Estimators, SlopePicksLeastBiasedWhenCandidatesAgree) {
  // Identical candidates: all intervals intersect, the last (most biased) is chosen; a candidate
  // far outside stops the walk before it.
  Terms t;
  t.a = {0.1, 0.2, 0.3, 0.4};
  t.b = {0, 0, 0, 0};
  Terms far = t;
  for (double& x : far.a) x += 10;
  std::vector<Terms> same{t, t, t};
  EXPECT_EQ(slope_select(same), 2u);
  std::vector<Terms> broken{t, t, far, t};
  EXPECT_EQ(slope_select(broken), 1u);
}

TEST(Estimators, BadInput) {
  Tiny t;
  t.data.pscore[2] = 0.0;
  try {
    validate(t.data, "log.csv");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("log.csv: round 2: propensity 0"), std::string::npos)
        << e.what();
  }
  t.data.pscore[2] = std::nan("");
  EXPECT_THROW(validate(t.data, "log.csv"), Error);
  t.data.pscore[2] = 1.5;
  EXPECT_THROW(validate(t.data, "log.csv"), Error);
  Tiny u;
  u.dist.p = {0.8, 0.3};
  EXPECT_THROW(validate(u.dist, u.data, "dist"), Error);
  try {
    parse_estimator_list("ipw,snipv");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("did you mean 'snipw'"), std::string::npos) << e.what();
  }
  EXPECT_EQ(parse_estimator_list("all").size(), estimators().size());
  EXPECT_EQ(parse_estimator_list("dr,ipw,dr").size(), 2u);
  // DM without a reward model.
  const RoundInputs in = prepare_inputs(u.data, u.dist, nullptr);
  EXPECT_THROW(find_estimator("dm").terms(in, {}), Error);
}

}  // namespace
}  // namespace rlrec::ope
