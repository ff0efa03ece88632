#include "rlrec/ope/slate.h"

#include <gtest/gtest.h>

#include <cmath>

#include "rlrec/core/error.h"
#include "rlrec/core/rng.h"

namespace rlrec::ope {
namespace {

// A = 4 items, L = 2 slots; behaviour: uniform slates without repetition (12 slates, 1/12 each);
// target: slate (a, b) with weight (a + 1) * (4 - b) for a != b, normalized. Slot rewards are
// Bernoulli(theta(l, item)), so the slate reward is linear in slot-item indicators: SIPS, IIPS,
// RIPS and PI are all unbiased, with V = sum_s pe(s) (theta(0, s0) + theta(1, s1)).
struct World {
  static constexpr int A = 4, L = 2;
  double pe[A][A] = {};
  double theta[L][A] = {{0.1, 0.3, 0.5, 0.7}, {0.6, 0.4, 0.2, 0.05}};
  double truth = 0;
  ActionDist marg;  // target slot marginals
  World() {
    double z = 0;
    for (int a = 0; a < A; ++a)
      for (int b = 0; b < A; ++b)
        if (a != b) z += pe[a][b] = (a + 1.0) * (4.0 - b);
    marg.n_actions = A;
    marg.n_positions = L;
    marg.p.assign(A * L, 0.0);
    for (int a = 0; a < A; ++a)
      for (int b = 0; b < A; ++b) {
        pe[a][b] /= z;
        truth += pe[a][b] * (theta[0][a] + theta[1][b]);
        marg.p[a * L + 0] += pe[a][b];
        marg.p[b * L + 1] += pe[a][b];
      }
  }
  double pe_first(int a) const { return marg.p[a * L + 0]; }
  SlateData log(int n, uint64_t seed) const {
    SlateData d;
    d.n_actions = A;
    d.slate_size = L;
    Rng rng(seed, 0);
    for (int i = 0; i < n; ++i) {
      const int a = static_cast<int>(rng.uniform_int(A));
      int b = static_cast<int>(rng.uniform_int(A - 1));
      if (b >= a) ++b;
      d.item.insert(d.item.end(), {a, b});
      d.reward.push_back(rng.bernoulli(theta[0][a]));
      d.reward.push_back(rng.bernoulli(theta[1][b]));
      d.pb_slot.insert(d.pb_slot.end(), {1.0 / A, 1.0 / A});
      d.pb_cascade.insert(d.pb_cascade.end(), {1.0 / A, 1.0 / (A * (A - 1))});
      d.pe_slot.insert(d.pe_slot.end(), {marg.p[a * L], marg.p[b * L + 1]});
      d.pe_cascade.insert(d.pe_cascade.end(), {pe_first(a), pe[a][b]});
    }
    return d;
  }
};

TEST(Slate, AllEstimatorsUnbiasedOnALinearReward) {
  World w;
  const SlateData d = w.log(20000, 1);
  validate(d, "slates");
  const auto gamma = gamma_uniform_without_replacement(World::A, World::L);
  const std::pair<const char*, Terms> terms[] = {{"sips", sips_terms(d)},
                                                 {"iips", iips_terms(d)},
                                                 {"rips", rips_terms(d)},
                                                 {"pi", pi_terms(d, w.marg, gamma)}};
  for (const auto& [name, t] : terms) {
    const Estimate e = bootstrap_estimate(t, name, 200, 2);
    // 4 bootstrap standard deviations: a failure rate of ~6e-5 per estimator.
    EXPECT_NEAR(e.estimate, w.truth, 4 * e.boot_std) << name << " truth " << w.truth;
    EXPECT_GT(e.boot_std, 0.0);
  }
}

TEST(Slate, PseudoInverseWeightsReproduceTargetMarginalsExactly) {
  // The defining identity of PI: E_{pi_b}[w(s) 1_s] = Gamma Gamma^+ q = q (q lies in Gamma's
  // range), which makes PI unbiased for any slate reward linear in slot-item indicators. Checked
  // exactly by enumerating the 12 uniform slates (weight w(s) read off with reward 1 in slot 0, 0
  // in slot 1).
  World w;
  SlateData all;
  all.n_actions = World::A;
  all.slate_size = World::L;
  for (int a = 0; a < World::A; ++a)
    for (int b = 0; b < World::A; ++b) {
      if (a == b) continue;
      all.item.insert(all.item.end(), {a, b});
      all.reward.insert(all.reward.end(), {1.0, 0.0});
    }
  const Terms t = pi_terms(all, w.marg, gamma_uniform_without_replacement(World::A, World::L));
  std::vector<double> expect(World::A * World::L, 0.0);
  for (size_t i = 0; i < all.size(); ++i)
    for (int l = 0; l < World::L; ++l) expect[all.item[2 * i + l] * World::L + l] += t.b[i] / 12.0;
  for (size_t k = 0; k < expect.size(); ++k) EXPECT_NEAR(expect[k], w.marg.p[k], 1e-9) << k;
}

TEST(Slate, IipsEqualsSipsForOneSlot) {
  World w;
  SlateData d = w.log(100, 4);
  // Keep slot 0 only.
  SlateData one;
  one.n_actions = World::A;
  one.slate_size = 1;
  for (size_t i = 0; i < d.size(); ++i) {
    one.item.push_back(d.item[2 * i]);
    one.reward.push_back(d.reward[2 * i]);
    one.pb_slot.push_back(d.pb_slot[2 * i]);
    one.pe_slot.push_back(d.pe_slot[2 * i]);
    one.pb_cascade.push_back(d.pb_cascade[2 * i]);
    one.pe_cascade.push_back(d.pe_cascade[2 * i]);
  }
  EXPECT_NEAR(iips_terms(one).value(), sips_terms(one).value(), 1e-12);
  EXPECT_NEAR(rips_terms(one).value(), sips_terms(one).value(), 1e-12);
}

TEST(Slate, BadInput) {
  World w;
  SlateData d = w.log(10, 5);
  d.pb_cascade[3] = 0;
  EXPECT_THROW(validate(d, "s"), Error);
  d = w.log(10, 5);
  d.item[0] = 9;
  EXPECT_THROW(validate(d, "s"), Error);
  EXPECT_THROW(gamma_uniform_without_replacement(2, 3), Error);
}

}  // namespace
}  // namespace rlrec::ope
