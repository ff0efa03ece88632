#include "rlrec/agents/slate_optim.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "rlrec/core/error.h"
#include "rlrec/core/rng.h"

namespace rlrec::agents {
namespace {

// Hand-worked: v = (1, 2, 1), q = (3, 1, 0), v0 = 1, K = 1:
// slate {0}: 3/(1+1) = 1.5; {1}: 2/(1+2) = 0.667; {2}: 0 -> best {0}.
// K = 2: {0,1}: (3+2)/(1+3) = 1.25; {0,2}: 3/3 = 1.0; {1,2}: 2/4 = 0.5 -> best {0,1}.
TEST(SlateOptim, HandWorkedValues) {
  const double v[] = {1, 2, 1}, q[] = {3, 1, 0};
  int32_t s[2];
  slate_exact(v, q, 1.0, 3, 1, s);
  EXPECT_EQ(s[0], 0);
  slate_exact(v, q, 1.0, 3, 2, s);
  EXPECT_EQ(std::set<int32_t>(s, s + 2), (std::set<int32_t>{0, 1}));
  EXPECT_DOUBLE_EQ(slate_value(v, q, 1.0, s, 2), 1.25);
}

// Top-k is not optimal in general: a high-attraction item with a low value dilutes the slate.
// v = (10, 1), q = (1, 5), v0 = 1, K = 1: top-k by v*q picks 0 (10 vs 5): value 10/11 = 0.909;
// exact picks 1: 5/2 = 2.5.
TEST(SlateOptim, TopKCanBeSuboptimalExactIsNot) {
  const double v[] = {10, 1}, q[] = {1, 5};
  int32_t a, b;
  slate_top_k(v, q, 1.0, 2, 1, &a);
  slate_exact(v, q, 1.0, 2, 1, &b);
  EXPECT_EQ(a, 0);
  EXPECT_EQ(b, 1);
}

// The exact optimizer matches brute force on random instances (values may be negative).
TEST(SlateOptim, ExactMatchesBruteForce) {
  Rng rng(5);
  for (int trial = 0; trial < 2000; ++trial) {
    const int n = 2 + static_cast<int>(rng.uniform_int(11));
    const int k = 1 + static_cast<int>(rng.uniform_int(std::min(n, 4)));
    std::vector<double> v(n), q(n);
    for (int i = 0; i < n; ++i) {
      v[i] = rng.uniform(0.0, 3.0);
      q[i] = rng.uniform(-2.0, 5.0);
    }
    const double v0 = rng.uniform(0.0, 3.0) + (trial % 7 == 0 ? 0 : 0.01);
    std::vector<int32_t> e(k), bf(k), g(k);
    slate_exact(v.data(), q.data(), v0, n, k, e.data());
    slate_brute_force(v.data(), q.data(), v0, n, k, bf.data());
    const double ve = slate_value(v.data(), q.data(), v0, e.data(), k);
    const double vb = slate_value(v.data(), q.data(), v0, bf.data(), k);
    ASSERT_NEAR(ve, vb, 1e-9) << "trial " << trial << " n " << n << " k " << k;
    // Greedy and top-k never beat the optimum, and return distinct valid positions.
    slate_greedy(v.data(), q.data(), v0, n, k, g.data());
    EXPECT_LE(slate_value(v.data(), q.data(), v0, g.data(), k), vb + 1e-9);
    std::set<int32_t> distinct(g.begin(), g.end());
    EXPECT_EQ(static_cast<int>(distinct.size()), k);
    for (int32_t p : g) EXPECT_TRUE(p >= 0 && p < n);
  }
}

TEST(SlateOptim, UnknownNameHasDidYouMean) {
  try {
    parse_slate_optimizer("exakt");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("did you mean 'exact'?"), std::string::npos);
  }
}

}  // namespace
}  // namespace rlrec::agents
