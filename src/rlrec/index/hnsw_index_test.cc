#include "rlrec/index/hnsw_index.h"

#include <gtest/gtest.h>

#include <cmath>

#include "rlrec/index/exact_index.h"
#include "rlrec/index/synthetic.h"
#include "rlrec/index/test_util.h"

namespace rlrec::index {
namespace {

using testing::scrambled_ids;

IndexConfig hnsw_config(Metric metric, int threads = 1) {
  IndexConfig c;
  c.metric = std::string(metric_name(metric));
  c.M = 12;
  c.ef_construction = 100;
  c.ef_search = 64;
  c.threads = threads;
  return c;
}

struct Data {
  Matrix<float> items, queries;
  std::vector<int64_t> ids;
};

// Small clustered data (synthetic.h): 4000 unit vectors around 40 centres, dim 24.
Data clustered(size_t n = 4000, size_t queries = 200) {
  SyntheticSpec spec;
  spec.dim = 24;
  spec.clusters = 40;
  spec.seed = 3;
  return {synthetic_vectors(spec, n, kItemStream), synthetic_vectors(spec, queries, kQueryStream),
          scrambled_ids(n)};
}

Index::Result exact_results(const Data& d, Metric metric, int64_t k) {
  IndexConfig c;
  c.metric = std::string(metric_name(metric));
  ExactIndex exact(d.items.cols(), c);
  exact.add(d.items.view(), d.ids);
  return exact.search(d.queries.view(), k);
}

class HnswMetricTest : public ::testing::TestWithParam<Metric> {};

TEST_P(HnswMetricTest, RecallAgainstExactOnClusteredData) {
  const Metric metric = GetParam();
  const Data d = clustered();
  HnswIndex index(24, hnsw_config(metric), d.items.rows());
  index.add(d.items.view(), d.ids);
  const auto approx = index.search(d.queries.view(), 10);
  const auto exact = exact_results(d, metric, 10);
  const double recall = recall_at_k(approx.ids.view(), exact.ids.view());
  EXPECT_GE(recall, 0.95);
  // Scores are true similarities of the returned items, best first.
  const auto dot = [&](size_t q, int64_t id) {
    const size_t pos = std::find(d.ids.begin(), d.ids.end(), id) - d.ids.begin();
    double s = 0;
    for (size_t j = 0; j < 24; ++j) {
      const double a = d.queries(q, j), b = d.items(pos, j);
      s += metric == Metric::kInnerProduct ? a * b : -(a - b) * (a - b);
    }
    return s;
  };
  for (size_t q = 0; q < 20; ++q)
    for (size_t j = 0; j < 10; ++j) {
      EXPECT_NEAR(approx.scores(q, j), dot(q, approx.ids(q, j)), 1e-5);
      if (j > 0) {
        EXPECT_GE(approx.scores(q, j - 1), approx.scores(q, j));
      }
    }
}

INSTANTIATE_TEST_SUITE_P(Metrics, HnswMetricTest,
                         ::testing::Values(Metric::kInnerProduct, Metric::kL2),
                         [](const auto& info) { return std::string(metric_name(info.param)); });

TEST(HnswIndex, BatchEqualsPerQueryAndThreadsDoNotChangeSearch) {
  const Data d = clustered(3000, 50);
  HnswIndex index(24, hnsw_config(Metric::kInnerProduct, 1), 3000);
  index.add(d.items.view(), d.ids);
  const auto batch = index.search(d.queries.view(), 10);
  for (size_t q = 0; q < d.queries.rows(); ++q) {
    const auto one = index.search(MatrixView<const float>(d.queries.row(q), 1, 24), 10);
    for (size_t j = 0; j < 10; ++j) {
      EXPECT_EQ(one.ids(0, j), batch.ids(q, j));
      EXPECT_EQ(one.scores(0, j), batch.scores(q, j));
    }
  }
  // Same graph (saved and reloaded into an index with 2 search threads): same answers.
  const std::string path = ::testing::TempDir() + "hnsw_threads.idx";
  index.save(path);
  auto loaded = load_index(path);
  ASSERT_EQ(loaded->kind(), "hnsw");
  loaded->set_threads(2);
  const auto again = loaded->search(d.queries.view(), 10);
  EXPECT_EQ(again.ids.storage(), batch.ids.storage());
  EXPECT_EQ(again.scores.storage(), batch.scores.storage());
}

TEST(HnswIndex, SingleThreadBuildIsReproducible) {
  const Data d = clustered(2000, 40);
  HnswIndex a(24, hnsw_config(Metric::kL2), 10);  // small capacity: the graph grows while adding
  HnswIndex b(24, hnsw_config(Metric::kL2), 2000);
  a.add(MatrixView<const float>(d.items.row(0), 700, 24), std::span(d.ids).subspan(0, 700));
  a.add(MatrixView<const float>(d.items.row(700), 1300, 24), std::span(d.ids).subspan(700));
  b.add(d.items.view(), d.ids);
  EXPECT_EQ(a.fingerprint(), b.fingerprint());
  const auto ra = a.search(d.queries.view(), 10);
  const auto rb = b.search(d.queries.view(), 10);
  EXPECT_EQ(ra.ids.storage(), rb.ids.storage());
  EXPECT_EQ(ra.scores.storage(), rb.scores.storage());
}

TEST(HnswIndex, ParallelBuildKeepsRecall) {
  const Data d = clustered();
  HnswIndex index(24, hnsw_config(Metric::kInnerProduct, 2), d.items.rows());
  index.add(d.items.view(), d.ids);
  EXPECT_EQ(index.size(), d.items.rows());
  const auto approx = index.search(d.queries.view(), 10);
  const auto exact = exact_results(d, Metric::kInnerProduct, 10);
  EXPECT_GE(recall_at_k(approx.ids.view(), exact.ids.view()), 0.95);
}

TEST(HnswIndex, LargeKAndSmallCatalogueAreExact) {
  // k = 300 of 2000 items: 2000 <= 2 * max(64, 4 * 300), so the query is a scan: exact ids.
  const Data d = clustered(2000, 30);
  HnswIndex index(24, hnsw_config(Metric::kInnerProduct), 2000);
  index.add(d.items.view(), d.ids);
  const auto approx = index.search(d.queries.view(), 300);
  const auto exact = exact_results(d, Metric::kInnerProduct, 300);
  EXPECT_EQ(recall_at_k(approx.ids.view(), exact.ids.view()), 1.0);
  for (size_t q = 0; q < d.queries.rows(); ++q)
    for (size_t j = 0; j < 300; ++j) EXPECT_NEAR(approx.scores(q, j), exact.scores(q, j), 1e-5);
  // The whole catalogue.
  const auto all = index.search(MatrixView<const float>(d.queries.row(0), 1, 24), 2000);
  std::vector<int64_t> got(all.ids.row(0), all.ids.row(0) + 2000);
  std::sort(got.begin(), got.end());
  auto want = d.ids;
  std::sort(want.begin(), want.end());
  EXPECT_EQ(got, want);
}

TEST(HnswIndex, HigherEfDoesNotLowerRecall) {
  const Data d = clustered(4000, 100);
  HnswIndex index(24, hnsw_config(Metric::kInnerProduct), 4000);
  index.add(d.items.view(), d.ids);
  const auto exact = exact_results(d, Metric::kInnerProduct, 10);
  index.set_ef_search(10);
  const double low = recall_at_k(index.search(d.queries.view(), 10).ids.view(), exact.ids.view());
  index.set_ef_search(200);
  EXPECT_EQ(index.config().ef_search, 200);
  const double high = recall_at_k(index.search(d.queries.view(), 10).ids.view(), exact.ids.view());
  EXPECT_GE(high, low);
  EXPECT_GE(high, 0.98);
  testing::expect_error([&] { index.set_ef_search(0); }, ErrorCode::kInvalidArgument,
                        "index.ef_search must be in [1, ");
}

}  // namespace
}  // namespace rlrec::index
