#include "rlrec/core/rng.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace rlrec {
namespace {

TEST(Rng, SameSeedAndStreamSameSequence) {
  Rng a(42, 7), b(42, 7), c(42, 8), d(43, 7);
  for (int i = 0; i < 100; ++i) {
    uint64_t x = a.next_u64();
    EXPECT_EQ(x, b.next_u64());
    EXPECT_NE(x, c.next_u64());
    EXPECT_NE(x, d.next_u64());
  }
}

TEST(Rng, SplitIsIndependentOfParentPosition) {
  Rng a(1);
  Rng child1 = a.split(5);
  a.next_u64();
  Rng child2 = a.split(5);
  EXPECT_EQ(child1.next_u64(), child2.next_u64());
  EXPECT_NE(a.split(5).next_u64(), a.split(6).next_u64());
}

// Moments of the distributions; tolerances are 5 standard errors of the estimate.
TEST(Rng, UniformAndNormalMoments) {
  Rng r(3);
  const int n = 200000;
  double su = 0, sn = 0, sn2 = 0;
  for (int i = 0; i < n; ++i) {
    double u = r.uniform();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    su += u;
    double z = r.normal();
    sn += z;
    sn2 += z * z;
  }
  EXPECT_NEAR(su / n, 0.5, 5 * std::sqrt(1.0 / 12 / n));
  EXPECT_NEAR(sn / n, 0.0, 5 * std::sqrt(1.0 / n));
  EXPECT_NEAR(sn2 / n, 1.0, 5 * std::sqrt(2.0 / n));
}

// The ziggurat sampler against the normal CDF at several points, including the tail beyond
// r = 3.654 (handled by a separate branch); tolerance 5 binomial standard errors.
TEST(Rng, NormalMatchesCdfIncludingTails) {
  Rng r(21);
  const int n = 2000000;
  const double points[] = {-3.8, -2.0, -1.0, -0.3, 0.0, 0.5, 1.5, 3.0, 3.7};
  int below[9] = {};
  double fourth = 0;
  for (int i = 0; i < n; ++i) {
    const double z = r.normal();
    fourth += z * z * z * z;
    for (int k = 0; k < 9; ++k) below[k] += z < points[k];
  }
  for (int k = 0; k < 9; ++k) {
    const double p = 0.5 * std::erfc(-points[k] / std::sqrt(2.0));
    EXPECT_NEAR(below[k] / double(n), p, 5 * std::sqrt(p * (1 - p) / n) + 1e-7) << points[k];
  }
  EXPECT_NEAR(fourth / n, 3.0, 5 * std::sqrt(96.0 / n));  // E z^4 = 3, Var z^4 = 105 - 9
}

TEST(Rng, UniformIntIsUniform) {
  Rng r(9);
  const int n = 100000, k = 7;
  std::vector<int> counts(k);
  for (int i = 0; i < n; ++i) {
    auto v = r.uniform_int(k);
    ASSERT_LT(v, static_cast<uint64_t>(k));
    counts[v]++;
  }
  const double p = 1.0 / k, se = std::sqrt(p * (1 - p) / n);
  for (int c : counts) EXPECT_NEAR(static_cast<double>(c) / n, p, 5 * se);
}

TEST(Rng, CategoricalFollowsWeights) {
  Rng r(11);
  const double w[] = {1.0, 0.0, 3.0};
  const int n = 100000;
  int counts[3] = {0, 0, 0};
  for (int i = 0; i < n; ++i) counts[r.categorical(w, 3)]++;
  EXPECT_EQ(counts[1], 0);
  EXPECT_NEAR(counts[2] / double(n), 0.75, 5 * std::sqrt(0.75 * 0.25 / n));
}

}  // namespace
}  // namespace rlrec
