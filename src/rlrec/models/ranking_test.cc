#include "rlrec/models/ranking.h"

#include <gtest/gtest.h>

#include "rlrec/core/error.h"

namespace rlrec::models {
namespace {

// Scores per (user, item) from a fixed table (users 0..2, items 0..4).
BlockScorer table_scorer() {
  static const float kScores[3][5] = {
      {0.1f, 0.9f, 0.5f, 0.9f, 0.3f},  // ties 1 and 3 -> 1 first (smaller id)
      {1.0f, 2.0f, 3.0f, 4.0f, 5.0f},
      {-1.0f, 0.0f, 0.0f, 0.0f, 0.0f},
  };
  return [](std::span<const int32_t> users, MatrixView<float> out) {
    for (size_t r = 0; r < users.size(); ++r)
      for (size_t i = 0; i < out.cols; ++i) out(r, i) = kScores[users[r]][i];
  };
}

TEST(TopK, RanksByScoreWithExclusionsTiesAndPadding) {
  // Exclusions (train items): user 0: {3}; user 1: {4, 0}; user 2: {1, 2, 3, 4}.
  const std::vector<int32_t> er = {0, 1, 1, 2, 2, 2, 2}, ec = {3, 4, 0, 1, 2, 3, 4};
  const Csr ex = build_csr(3, 5, er, ec, {}, Duplicates::kSum);
  ThreadPool pool(1);
  const std::vector<int32_t> users = {0, 1, 2};
  const Matrix<int32_t> top = top_k(users, 5, 3, table_scorer(), &ex, pool);
  // user 0 without item 3: 1 (0.9), 2 (0.5), 4 (0.3)
  EXPECT_EQ(top(0, 0), 1);
  EXPECT_EQ(top(0, 1), 2);
  EXPECT_EQ(top(0, 2), 4);
  // user 1 without 4 and 0: 3, 2, 1
  EXPECT_EQ(top(1, 0), 3);
  EXPECT_EQ(top(1, 1), 2);
  EXPECT_EQ(top(1, 2), 1);
  // user 2: only item 0 is eligible -> [0, -1, -1]
  EXPECT_EQ(top(2, 0), 0);
  EXPECT_EQ(top(2, 1), -1);
  EXPECT_EQ(top(2, 2), -1);
  // Without exclusions, user 0's tie 1 vs 3 goes to the smaller id.
  const std::vector<int32_t> u0 = {0};
  const Matrix<int32_t> t2 = top_k(u0, 5, 2, table_scorer(), nullptr, pool);
  EXPECT_EQ(t2(0, 0), 1);
  EXPECT_EQ(t2(0, 1), 3);
}

TEST(TopK, SameResultForAnyThreadCountAndBlocking) {
  // 1000 users (4 blocks of 256) x 300 items with random scores.
  std::vector<int32_t> users(1000);
  for (int32_t u = 0; u < 1000; ++u) users[u] = u;
  ThreadPool one(1), two(2), three(3);
  const auto a = top_k(users, 300, 10, random_scorer(7), nullptr, one);
  const auto b = top_k(users, 300, 10, random_scorer(7), nullptr, two);
  const auto c = top_k(users, 300, 10, random_scorer(7), nullptr, three);
  EXPECT_EQ(a.storage(), b.storage());
  EXPECT_EQ(a.storage(), c.storage());
  // A user's random ranking does not depend on who else is scored.
  const std::vector<int32_t> single = {517};
  const auto d = top_k(single, 300, 10, random_scorer(7), nullptr, one);
  for (int t = 0; t < 10; ++t) EXPECT_EQ(d(0, t), a(517, t));
  const auto e = top_k(users, 300, 10, random_scorer(8), nullptr, one);
  EXPECT_NE(a.storage(), e.storage());
}

TEST(TopK, PopularityCountsUsersPerItem) {
  // users x items: u0 {0, 2}, u1 {2}, u2 {2, 1} -> counts 1, 1, 3
  const std::vector<int32_t> r = {0, 0, 1, 2, 2}, c = {0, 2, 2, 2, 1};
  const Csr m = build_csr(3, 3, r, c, {}, Duplicates::kSum);
  EXPECT_EQ(item_popularity(m), (std::vector<float>{1, 1, 3}));
  ThreadPool pool(1);
  const std::vector<int32_t> users = {0, 1};
  const auto top = top_k(users, 3, 2, constant_scorer(item_popularity(m)), &m, pool);
  EXPECT_EQ(top(0, 0), 1);  // u0 has 0 and 2: only 1 left
  EXPECT_EQ(top(0, 1), -1);
  EXPECT_EQ(top(1, 0), 0);  // u1 has 2: 0 and 1 tie at 1 -> 0 first
  EXPECT_EQ(top(1, 1), 1);
}

TEST(TopK, RejectsBadArguments) {
  ThreadPool pool(1);
  const std::vector<int32_t> users = {0};
  EXPECT_THROW(top_k(users, 5, 0, table_scorer(), nullptr, pool), Error);
  const std::vector<int32_t> bad = {-1};
  EXPECT_THROW(top_k(bad, 5, 2, table_scorer(), nullptr, pool), Error);
}

}  // namespace
}  // namespace rlrec::models
