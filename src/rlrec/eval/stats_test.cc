// Tests of the reporting statistics (stats.h) against Student-t tables and hand-worked data.
#include "rlrec/eval/stats.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <vector>

namespace rlrec::eval {
namespace {

// Table values are rounded to 3 decimals, so they are matched to 5e-4.
constexpr double kTable = 5e-4;

TEST(TCritical, MatchesTheTwoSidedTable) {
  // Two-sided 95%: t_{0.975, dof}.
  EXPECT_NEAR(t_critical(0.95, 1), 12.706, kTable);
  EXPECT_NEAR(t_critical(0.95, 2), 4.303, kTable);
  EXPECT_NEAR(t_critical(0.95, 4), 2.776, kTable);
  EXPECT_NEAR(t_critical(0.95, 7), 2.365, kTable);
  EXPECT_NEAR(t_critical(0.95, 10), 2.228, kTable);
  EXPECT_NEAR(t_critical(0.95, 30), 2.042, kTable);
  EXPECT_NEAR(t_critical(0.95, 100), 1.984, kTable);
  // Large dof: the normal quantile 1.959964.
  EXPECT_NEAR(t_critical(0.95, 1000000), 1.959964, 1e-5);
  // Other levels: t_{0.995, 10} = 3.169, t_{0.95, 5} = 2.015, t_{0.995, 1} = 63.657.
  EXPECT_NEAR(t_critical(0.99, 10), 3.169, kTable);
  EXPECT_NEAR(t_critical(0.90, 5), 2.015, kTable);
  EXPECT_NEAR(t_critical(0.99, 1), 63.657, kTable);
}

TEST(TCritical, ExactClosedForms) {
  // dof 1 (Cauchy): t = tan(π·level/2); level 0.95 => tan(0.475π) = 12.7062047.
  EXPECT_NEAR(t_critical(0.95, 1), std::tan(0.475 * std::numbers::pi), 1e-6);
  // dof 2: F(t) = 1/2 + t / (2 sqrt(2 + t²)), so F(t) = (1 + L)/2 gives t = L·sqrt(2 / (1 - L²));
  // L = 0.95: 0.95·sqrt(2 / 0.0975) = 4.30265.
  EXPECT_NEAR(t_critical(0.95, 2), 0.95 * std::sqrt(2 / (1 - 0.95 * 0.95)), 1e-6);
}

TEST(TCdf, SymmetryAndClosedForms) {
  for (double dof : {1.0, 2.0, 5.0, 30.0}) {
    EXPECT_NEAR(t_cdf(0.0, dof), 0.5, 1e-12) << dof;
    for (double t : {0.3, 1.0, 2.5, 7.0}) EXPECT_NEAR(t_cdf(-t, dof), 1 - t_cdf(t, dof), 1e-12);
  }
  // dof 1: F(t) = 1/2 + atan(t)/π; F(1) = 0.75.
  EXPECT_NEAR(t_cdf(1.0, 1), 0.75, 1e-10);
  EXPECT_NEAR(t_cdf(3.0, 1), 0.5 + std::atan(3.0) / std::numbers::pi, 1e-10);
  // dof 2: F(t) = 1/2 + t / (2 sqrt(2 + t²)); F(1) = 0.5 + 1/(2√3) = 0.788675.
  EXPECT_NEAR(t_cdf(1.0, 2), 0.5 + 1 / (2 * std::sqrt(3.0)), 1e-10);
  // Monotone and bounded.
  double prev = 0;
  for (double t = -20; t <= 20; t += 0.5) {
    const double f = t_cdf(t, 4);
    EXPECT_GE(f, prev);
    EXPECT_LE(f, 1.0);
    prev = f;
  }
}

TEST(Summarize, HandWorkedData) {
  // xs = 2, 4, 4, 4, 5, 5, 7, 9: mean 5; squared deviations 9+1+1+1+0+0+4+16 = 32;
  // sample variance 32/7 = 4.571429, sd 2.138090, se = sd/sqrt(8) = 0.755929;
  // t_{0.975, 7} = 2.364624 => half-width 1.787488, CI [3.212512, 6.787488].
  const std::vector<double> xs{2, 4, 4, 4, 5, 5, 7, 9};
  const Summary s = summarize(xs);
  EXPECT_EQ(s.n, 8);
  EXPECT_DOUBLE_EQ(s.mean, 5.0);
  EXPECT_NEAR(s.stddev, 2.138090, 1e-6);
  EXPECT_NEAR(s.se, 0.755929, 1e-6);
  EXPECT_NEAR(s.ci_low, 3.212512, 1e-5);
  EXPECT_NEAR(s.ci_high, 6.787488, 1e-5);
  // 99%: t_{0.995, 7} = 3.499 => half-width 2.645.
  const Summary s99 = summarize(xs, 0.99);
  EXPECT_NEAR(s99.ci_high - s99.mean, 3.499 * 0.755929, 1e-3);
}

TEST(Summarize, TwoValues) {
  // xs = 1, 3: mean 2, sd sqrt(2), se 1, t_{0.975,1} = 12.706 => CI 2 ± 12.706.
  const Summary s = summarize(std::vector<double>{1, 3});
  EXPECT_DOUBLE_EQ(s.mean, 2.0);
  EXPECT_NEAR(s.stddev, std::sqrt(2.0), 1e-12);
  EXPECT_NEAR(s.se, 1.0, 1e-12);
  EXPECT_NEAR(s.ci_low, 2 - 12.706, kTable);
  EXPECT_NEAR(s.ci_high, 2 + 12.706, kTable);
}

TEST(Summarize, DegenerateInputs) {
  const Summary empty = summarize(std::vector<double>{});
  EXPECT_EQ(empty.n, 0);
  EXPECT_EQ(empty.mean, 0.0);
  EXPECT_EQ(empty.se, 0.0);
  const Summary one = summarize(std::vector<double>{4.5});
  EXPECT_EQ(one.n, 1);
  EXPECT_EQ(one.mean, 4.5);
  EXPECT_EQ(one.stddev, 0.0);
  EXPECT_EQ(one.se, 0.0);
  EXPECT_EQ(one.ci_low, 4.5);
  EXPECT_EQ(one.ci_high, 4.5);
  const Summary constant = summarize(std::vector<double>(10, 7.0));
  EXPECT_EQ(constant.stddev, 0.0);
  EXPECT_EQ(constant.ci_low, 7.0);
  EXPECT_EQ(constant.ci_high, 7.0);
}

TEST(Summarize, StableForLargeOffsets) {
  // 1e9 + (4, 7, 13, 16): mean 1e9 + 10, variance (36 + 9 + 9 + 36) / 3 = 30. A naive
  // sum-of-squares formula loses every digit here (1e18 vs 30); Welford does not.
  const std::vector<double> xs{1e9 + 4, 1e9 + 7, 1e9 + 13, 1e9 + 16};
  const Summary s = summarize(xs);
  EXPECT_DOUBLE_EQ(s.mean, 1e9 + 10);
  EXPECT_NEAR(s.stddev * s.stddev, 30.0, 1e-6);
}

TEST(Summarize, CoverageOfTheIntervalIsNominal) {
  // Simulated check of the CI: 2000 samples of n = 5 uniform(0,1)-sums-of-12 (≈ normal, mean 6)
  // using a fixed LCG; coverage of the 95% interval must be 0.95 within 5 SE
  // (SE = sqrt(0.95·0.05/2000) = 0.0049).
  uint64_t state = 12345;
  auto uniform = [&] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<double>(state >> 11) * 0x1.0p-53;
  };
  int covered = 0;
  constexpr int kTrials = 2000;
  for (int t = 0; t < kTrials; ++t) {
    std::vector<double> xs(5);
    for (auto& x : xs) {
      x = 0;
      for (int j = 0; j < 12; ++j) x += uniform();
    }
    const Summary s = summarize(xs);
    covered += s.ci_low <= 6.0 && 6.0 <= s.ci_high;
  }
  EXPECT_NEAR(covered / static_cast<double>(kTrials), 0.95, 5 * std::sqrt(0.95 * 0.05 / kTrials));
}

}  // namespace
}  // namespace rlrec::eval
