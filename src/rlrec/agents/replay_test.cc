#include "rlrec/agents/replay.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>

#include "rlrec/core/error.h"
#include "rlrec/core/testing.h"

namespace rlrec::agents {
namespace {

TEST(Replay, RingOverwritesOldestAndSamplesStoredRows) {
  ReplayBuffer r(3, {{"x", 2}, {"y", 1}});
  for (int i = 0; i < 5; ++i) {
    const int64_t idx = r.add();
    r.row(0, idx)[0] = static_cast<float>(i);
    r.row(1, idx)[0] = static_cast<float>(10 * i);
  }
  EXPECT_EQ(r.size(), 3);
  // Rows now hold i = 3, 4, 2 at indices 0, 1, 2.
  EXPECT_EQ(r.row(0, 0)[0], 3.f);
  EXPECT_EQ(r.row(0, 1)[0], 4.f);
  EXPECT_EQ(r.row(0, 2)[0], 2.f);
  Rng rng(1);
  std::vector<int64_t> idx;
  r.sample(100, rng, idx);
  for (auto i : idx) EXPECT_TRUE(i >= 0 && i < 3);
}

TEST(Replay, SaveLoadRoundTripAndMismatch) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("rlrec_replay_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "r.bin").string();
  ReplayBuffer r(4, {{"x", 2}});
  for (int i = 0; i < 3; ++i) r.row(0, r.add())[1] = static_cast<float>(i + 1);
  r.save(path);
  ReplayBuffer s(4, {{"x", 2}});
  s.load(path);
  EXPECT_EQ(s.size(), 3);
  EXPECT_EQ(s.row(0, 2)[1], 3.f);
  // Same sampling sequence after load.
  Rng a(3), b(3);
  std::vector<int64_t> ia, ib;
  r.sample(10, a, ia);
  s.sample(10, b, ib);
  EXPECT_EQ(ia, ib);
  ReplayBuffer other(4, {{"z", 2}});
  EXPECT_THROW(other.load(path), Error);
  ReplayBuffer bigger(8, {{"x", 2}});
  EXPECT_THROW(bigger.load(path), Error);
  // Truncated file.
  std::filesystem::resize_file(path, 20);
  ReplayBuffer t(4, {{"x", 2}});
  try {
    t.load(path);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kCorrupt);
  }
  std::filesystem::remove_all(dir);
}

TEST(Replay, EpsilonScheduleCountsEnvSteps) {
  LinearSchedule s{100, 1000, 1.0, 0.1};
  EXPECT_EQ(s.value(0), 1.0);
  EXPECT_EQ(s.value(99), 1.0);
  EXPECT_NEAR(s.value(600), 0.55, 1e-12);
  EXPECT_NEAR(s.value(1100), 0.1, 1e-12);
  EXPECT_NEAR(s.value(5000), 0.1, 1e-12);
}

// Sum tree over 4 leaves p = (1, 3, 0, 4): prefix sums 0, 1, 4, 4, total 8.
TEST(SumTree, FindsTheLeafByPrefixMass) {
  SumTree t(3);  // rounded up to 4 leaves
  t.set(0, 1);
  t.set(1, 3);
  t.set(3, 4);
  EXPECT_EQ(t.total(), 8.0);
  EXPECT_EQ(t.find(0.0), 0);
  EXPECT_EQ(t.find(0.99), 0);
  EXPECT_EQ(t.find(1.0), 1);
  EXPECT_EQ(t.find(3.99), 1);
  EXPECT_EQ(t.find(4.0), 3);  // leaf 2 has no mass
  EXPECT_EQ(t.find(7.99), 3);
  t.set(1, 0.5);
  EXPECT_EQ(t.total(), 5.5);
  EXPECT_EQ(t.find(1.4), 1);
  EXPECT_EQ(t.find(1.5), 3);
}

// Proportional PER with α = 1, β = 1 on 4 rows with |δ| = (1, 3, 0, 4):
//   p = |δ| + 1e-6 ≈ (1, 3, 0, 4), Σ p ≈ 8, P ≈ (1/8, 3/8, 0, 1/2);
//   w_j = (N P_j)^-1 ≈ (2, 2/3, -, 1/2).
// Stratified draws of n = 4 cut the mass into [0,2) [2,4) [4,6) [6,8): the last three segments
// fall in rows 1, 3, 3; the first in row 0 or 1. Normalised by the largest sampled weight.
TEST(PrioritizedReplay, HandWorkedProbabilitiesAndWeights) {
  ReplayBuffer r(4, {{"x", 1}});
  PrioritizedSampler per(r, 1.0, 1.0);
  for (int i = 0; i < 4; ++i) per.added(r.add());
  EXPECT_EQ(per.max_priority(), 1.0);
  EXPECT_DOUBLE_EQ(per.probability(2), 0.25);  // all new rows: max priority, uniform
  const float td[4] = {1.f, 3.f, 0.f, 4.f};
  per.update({0, 1, 2, 3}, td);
  EXPECT_NEAR(per.probability(0), 0.125, 1e-6);
  EXPECT_NEAR(per.probability(1), 0.375, 1e-6);
  EXPECT_NEAR(per.probability(2), 0.0, 1e-6);
  EXPECT_NEAR(per.probability(3), 0.5, 1e-6);
  EXPECT_NEAR(per.max_priority(), 4.0, 1e-5);
  Rng rng(5);
  std::vector<int64_t> idx;
  std::vector<double> w;
  for (int trial = 0; trial < 20; ++trial) {
    per.sample(4, rng, idx, w);
    ASSERT_EQ(idx.size(), 4u);
    EXPECT_EQ(idx[1], 1);
    EXPECT_EQ(idx[2], 3);
    EXPECT_EQ(idx[3], 3);
    const double wmax = idx[0] == 0 ? 2.0 : 2.0 / 3.0;
    EXPECT_NEAR(w[0], (idx[0] == 0 ? 2.0 : 2.0 / 3.0) / wmax, 1e-5);
    EXPECT_NEAR(w[1], (2.0 / 3.0) / wmax, 1e-5);
    EXPECT_NEAR(w[2], 0.5 / wmax, 1e-5);
    EXPECT_NEAR(w[3], 0.5 / wmax, 1e-5);
  }
  // A new row gets the maximum priority so far.
  const int64_t next = r.add();
  per.added(next);
  EXPECT_NEAR(per.priority(next), 4.0, 1e-5);
}

// α = 0: every priority is 1 (uniform); β = 0: every weight is 1. α = 0.5: p = sqrt(|δ|).
TEST(PrioritizedReplay, AlphaAndBetaExponents) {
  ReplayBuffer r(2, {{"x", 1}});
  PrioritizedSampler uniform(r, 0.0, 0.0);
  PrioritizedSampler root(r, 0.5, 0.4);
  for (int i = 0; i < 2; ++i) {
    const int64_t k = r.add();
    uniform.added(k);
    root.added(k);
  }
  const float td[2] = {1.f, 9.f};
  uniform.update({0, 1}, td);
  root.update({0, 1}, td);
  EXPECT_DOUBLE_EQ(uniform.probability(0), 0.5);
  EXPECT_NEAR(root.probability(0), 0.25, 1e-6);  // 1 / (1 + 3)
  Rng rng(1);
  std::vector<int64_t> idx;
  std::vector<double> w;
  uniform.sample(2, rng, idx, w);
  EXPECT_EQ(w, (std::vector<double>{1.0, 1.0}));
  // β = 0.4, N = 2: w ∝ (2 P)^-0.4 = 0.5^-0.4 (row 0), 1.5^-0.4 (row 1). Segments [0, 2) and
  // [2, 4) of the mass 4: the second is always row 1; with row 0 sampled too its weight is the
  // largest and row 1's is (1.5 / 0.5)^-0.4 = 3^-0.4.
  bool saw_row0 = false;
  for (int trial = 0; trial < 20; ++trial) {
    root.sample(2, rng, idx, w);
    EXPECT_EQ(idx[1], 1);
    EXPECT_DOUBLE_EQ(w[0], 1.0);
    if (idx[0] == 0) {
      saw_row0 = true;
      EXPECT_NEAR(w[1], std::pow(3.0, -0.4), 1e-6);
    } else {
      EXPECT_DOUBLE_EQ(w[1], 1.0);
    }
  }
  EXPECT_TRUE(saw_row0);
}

TEST(PrioritizedReplay, SaveLoadRoundTripAndBadHeader) {
  const auto path = test::temp_path("per.txt");
  ReplayBuffer r(3, {{"x", 1}});
  PrioritizedSampler a(r, 0.6, 0.4);
  for (int i = 0; i < 2; ++i) a.added(r.add());
  const float td[1] = {0.3f};
  a.update({1}, td);
  a.save(path);
  PrioritizedSampler b(r, 0.6, 0.4);
  b.load(path);
  EXPECT_EQ(b.priority(0), a.priority(0));
  EXPECT_EQ(b.priority(1), a.priority(1));
  EXPECT_EQ(b.max_priority(), a.max_priority());
  ReplayBuffer bigger(5, {{"x", 1}});
  PrioritizedSampler c(bigger, 0.6, 0.4);
  EXPECT_NE(test::error_of([&] { c.load(path); }, ErrorCode::kCorrupt).find("bad header"),
            std::string::npos);
}

}  // namespace
}  // namespace rlrec::agents
