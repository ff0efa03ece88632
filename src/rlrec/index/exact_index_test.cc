#include "rlrec/index/exact_index.h"

#include <gtest/gtest.h>

#include <cmath>
#include <unordered_map>

#include "rlrec/index/test_util.h"

namespace rlrec::index {
namespace {

using testing::brute_force;
using testing::gaussian;
using testing::scrambled_ids;

IndexConfig config_for(Metric metric, int threads = 1) {
  IndexConfig c;
  c.metric = std::string(metric_name(metric));
  c.threads = threads;
  return c;
}

// Checks a result against double-precision brute force: rank by rank the scores agree, and each
// returned id's true score equals the returned score (so near-ties may swap, nothing else can).
void expect_matches_brute_force(const Index::Result& r, MatrixView<const float> items,
                                std::span<const int64_t> ids, MatrixView<const float> queries,
                                Metric metric) {
  const auto truth = brute_force(items, queries, metric);
  std::unordered_map<int64_t, size_t> pos_of;
  for (size_t i = 0; i < ids.size(); ++i) pos_of[ids[i]] = i;
  const size_t k = r.ids.cols();
  for (size_t q = 0; q < queries.rows; ++q) {
    std::vector<size_t> seen;
    for (size_t j = 0; j < k; ++j) {
      const double tol = 1e-4 * (1.0 + std::abs(truth[q][j].score));
      EXPECT_NEAR(r.scores(q, j), truth[q][j].score, tol) << "query " << q << " rank " << j;
      ASSERT_TRUE(pos_of.count(r.ids(q, j))) << "unknown id " << r.ids(q, j);
      const size_t pos = pos_of[r.ids(q, j)];
      double own = 0;
      for (const auto& t : truth[q])
        if (t.pos == pos) own = t.score;
      EXPECT_NEAR(r.scores(q, j), own, tol) << "query " << q << " rank " << j;
      seen.push_back(pos);
    }
    std::sort(seen.begin(), seen.end());
    EXPECT_EQ(std::unique(seen.begin(), seen.end()), seen.end()) << "duplicate result, query " << q;
  }
}

class ExactMetricTest : public ::testing::TestWithParam<Metric> {};

TEST_P(ExactMetricTest, MatchesBruteForceForSeveralK) {
  const Metric metric = GetParam();
  const auto items = gaussian(3000, 24, 1);  // 3000 > one item tile, so tiles are merged
  const auto queries = gaussian(37, 24, 2);
  const auto ids = scrambled_ids(items.rows());
  ExactIndex index(24, config_for(metric));
  index.add(items.view(), ids);
  for (int64_t k : {1, 10, 150, 3000}) {
    SCOPED_TRACE("k = " + std::to_string(k));
    expect_matches_brute_force(index.search(queries.view(), k), items.view(), ids, queries.view(),
                               metric);
  }
}

TEST_P(ExactMetricTest, SingleQueryMatchesBruteForce) {
  const Metric metric = GetParam();
  const auto items = gaussian(9000, 16, 3);  // > one gemv tile (4096)
  const auto queries = gaussian(1, 16, 4);
  const auto ids = scrambled_ids(items.rows());
  ExactIndex index(16, config_for(metric));
  index.add(items.view(), ids);
  expect_matches_brute_force(index.search(queries.view(), 20), items.view(), ids, queries.view(),
                             metric);
}

// Small integers make products and sums exact in float, so many scores tie exactly and the order
// must be: score descending, then insertion order (not id order: ids are scrambled).
TEST_P(ExactMetricTest, TiesAreOrderedByInsertion) {
  const Metric metric = GetParam();
  const size_t n = 60, d = 3;
  Matrix<float> items(n, d);
  Rng rng(5, 0);
  for (size_t i = 0; i < n; ++i)
    for (size_t j = 0; j < d; ++j) items(i, j) = static_cast<float>(rng.uniform_int(3));
  Matrix<float> queries(4, d);
  for (size_t i = 0; i < 4; ++i)
    for (size_t j = 0; j < d; ++j) queries(i, j) = static_cast<float>(rng.uniform_int(3));
  std::vector<int64_t> ids(n);
  for (size_t i = 0; i < n; ++i) ids[i] = static_cast<int64_t>(1000 - 7 * i);
  const auto truth = brute_force(items.view(), queries.view(), metric);
  for (int threads : {1, 2}) {
    ExactIndex index(d, config_for(metric, threads));
    index.add(items.view(), ids);
    for (int64_t k : {1, 7, 60}) {
      const auto batch = index.search(queries.view(), k);
      for (size_t q = 0; q < queries.rows(); ++q) {
        const auto single = index.search(MatrixView<const float>(queries.row(q), 1, d), k);
        for (size_t j = 0; j < static_cast<size_t>(k); ++j) {
          EXPECT_EQ(batch.ids(q, j), ids[truth[q][j].pos]) << "q " << q << " rank " << j;
          EXPECT_EQ(batch.scores(q, j), static_cast<float>(truth[q][j].score));
          EXPECT_EQ(single.ids(0, j), batch.ids(q, j));
          EXPECT_EQ(single.scores(0, j), batch.scores(q, j));
        }
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Metrics, ExactMetricTest,
                         ::testing::Values(Metric::kInnerProduct, Metric::kL2),
                         [](const auto& info) { return std::string(metric_name(info.param)); });

TEST(ExactIndex, BatchEqualsPerQuery) {
  const auto items = gaussian(2500, 32, 6);
  const auto queries = gaussian(300, 32, 7);  // > one query block (256)
  const auto ids = scrambled_ids(items.rows());
  ExactIndex index(32, config_for(Metric::kInnerProduct));
  index.add(items.view(), ids);
  const auto batch = index.search(queries.view(), 10);
  for (size_t q = 0; q < queries.rows(); ++q) {
    // One query goes through sgemv, a batch through sgemm: same items, scores up to rounding.
    const auto one = index.search(MatrixView<const float>(queries.row(q), 1, 32), 10);
    for (size_t j = 0; j < 10; ++j) {
      EXPECT_EQ(one.ids(0, j), batch.ids(q, j)) << "query " << q << " rank " << j;
      EXPECT_NEAR(one.scores(0, j), batch.scores(q, j), 1e-5);
    }
    // Another batch shape (sgemm rounds by call shape): same items, scores up to rounding.
    if (q + 1 < queries.rows()) {
      const auto two = index.search(MatrixView<const float>(queries.row(q), 2, 32), 10);
      for (size_t j = 0; j < 10; ++j) {
        EXPECT_EQ(two.ids(0, j), batch.ids(q, j));
        EXPECT_NEAR(two.scores(0, j), batch.scores(q, j), 1e-5);
      }
    }
  }
}

TEST(ExactIndex, ResultsDoNotDependOnThreadsOrAddBatches) {
  // 97 queries: one block, split by item tiles across threads; 700 queries: blocks across threads.
  const auto items = gaussian(4000, 20, 8);
  const auto queries = gaussian(97, 20, 9);
  const auto many = gaussian(700, 20, 10);
  const auto ids = scrambled_ids(items.rows());
  ExactIndex one(20, config_for(Metric::kL2, 1));
  one.add(items.view(), ids);
  const auto ref = one.search(queries.view(), 25);
  const auto ref_many = one.search(many.view(), 5);
  const auto ref_single = one.search(MatrixView<const float>(queries.row(0), 1, 20), 25);
  for (int threads : {2, 3}) {
    ExactIndex index(20, config_for(Metric::kL2, threads));
    // Added in three batches.
    index.add(MatrixView<const float>(items.row(0), 1000, 20), std::span(ids).subspan(0, 1000));
    index.add(MatrixView<const float>(items.row(1000), 1, 20), std::span(ids).subspan(1000, 1));
    index.add(MatrixView<const float>(items.row(1001), 2999, 20), std::span(ids).subspan(1001));
    EXPECT_EQ(index.fingerprint(), one.fingerprint());
    const auto r = index.search(queries.view(), 25);
    EXPECT_EQ(r.ids.storage(), ref.ids.storage()) << "threads " << threads;
    EXPECT_EQ(r.scores.storage(), ref.scores.storage()) << "threads " << threads;
    const auto r_many = index.search(many.view(), 5);
    EXPECT_EQ(r_many.ids.storage(), ref_many.ids.storage()) << "threads " << threads;
    EXPECT_EQ(r_many.scores.storage(), ref_many.scores.storage()) << "threads " << threads;
    const auto single = index.search(MatrixView<const float>(queries.row(0), 1, 20), 25);
    EXPECT_EQ(single.ids.storage(), ref_single.ids.storage());
  }
}

TEST(ExactIndex, SingleQuerySplitAcrossThreadsMatches) {
  // 70,000 items with 2 threads: each thread scans its own slice and the slices are merged.
  const auto items = gaussian(70000, 8, 10);
  const auto queries = gaussian(3, 8, 11);
  const auto ids = scrambled_ids(items.rows());
  ExactIndex one(8, config_for(Metric::kInnerProduct, 1));
  ExactIndex two(8, config_for(Metric::kInnerProduct, 2));
  one.add(items.view(), ids);
  two.add(items.view(), ids);
  for (size_t q = 0; q < queries.rows(); ++q) {
    const MatrixView<const float> query(queries.row(q), 1, 8);
    for (int64_t k : {5, 40000}) {
      const auto a = one.search(query, k);
      const auto b = two.search(query, k);
      EXPECT_EQ(a.ids.storage(), b.ids.storage());
      EXPECT_EQ(a.scores.storage(), b.scores.storage());
    }
  }
}

TEST(ExactIndex, L2ScoresAreNonPositiveAndSelfIsBest) {
  const auto items = gaussian(500, 12, 12);
  const auto ids = scrambled_ids(items.rows());
  ExactIndex index(12, config_for(Metric::kL2));
  index.add(items.view(), ids);
  const auto r = index.search(items.view(), 3);
  for (size_t i = 0; i < items.rows(); ++i) {
    EXPECT_EQ(r.ids(i, 0), ids[i]);
    EXPECT_LE(r.scores(i, 0), 0.0f);
    EXPECT_GT(r.scores(i, 0), -1e-4f);
    EXPECT_LE(r.scores(i, 1), r.scores(i, 0));
  }
}

TEST(ExactIndex, KEqualToCountReturnsEveryItemOnce) {
  const auto items = gaussian(700, 5, 13);
  const auto queries = gaussian(600, 5, 14);  // large k shrinks query blocks; still correct
  const auto ids = scrambled_ids(items.rows());
  ExactIndex index(5, config_for(Metric::kInnerProduct, 2));
  index.add(items.view(), ids);
  const auto r = index.search(queries.view(), 700);
  auto sorted_ids = ids;
  std::sort(sorted_ids.begin(), sorted_ids.end());
  for (size_t q = 0; q < queries.rows(); q += 50) {
    std::vector<int64_t> got(r.ids.row(q), r.ids.row(q) + 700);
    for (size_t j = 1; j < 700; ++j) EXPECT_GE(r.scores(q, j - 1), r.scores(q, j));
    std::sort(got.begin(), got.end());
    EXPECT_EQ(got, sorted_ids);
  }
}

}  // namespace
}  // namespace rlrec::index
