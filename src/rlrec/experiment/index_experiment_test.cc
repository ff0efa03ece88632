#include "rlrec/experiment/index_experiment.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "rlrec/core/error.h"
#include "rlrec/core/testing.h"

namespace rlrec::experiment {
namespace {

using test::error_of;

IndexBenchOptions small(const std::string& kind) {
  IndexBenchOptions o;
  o.items = 600;
  o.dim = 8;
  o.queries = 40;
  o.k = 5;
  o.clusters = 10;
  o.kind = kind;
  o.verbose = false;
  return o;
}

TEST(IndexExperiment, OptionErrorsNameTheConfigKey) {
  IndexBenchOptions o = small("exact");
  o.k = 601;
  EXPECT_EQ(error_of([&] { o.validate(); }, ErrorCode::kInvalidArgument),
            "index.k must be <= index.items (600), got 601");
  o.k = 5;
  o.batch = -1;
  EXPECT_EQ(error_of([&] { o.validate(); }),
            "index.batch must be >= 0 (0 = one query per call), got -1");
  o.batch = 0;
  o.M = 1;
  EXPECT_EQ(error_of([&] { o.validate(); }), "index.M must be in [2, 1024], got 1");
  o.M = 16;
  o.ef_search = {8, 0};
  EXPECT_EQ(error_of([&] { o.validate(); }), "index.ef_search must be in [1, 16777216], got 0");
  o.ef_search.clear();
  EXPECT_EQ(error_of([&] { o.validate(); }), "index.ef_search needs at least one value");
  o.ef_search = {8};
  o.metric = "cos";
  EXPECT_NE(error_of([&] { o.validate(); }).find("index.metric must be one of ip, l2"),
            std::string::npos);
  o.metric = "ip";
  o.kind = "hsnw";
  EXPECT_NE(error_of([&] { o.validate(); }).find("did you mean 'hnsw'"), std::string::npos);
  const auto keys = field_keys(IndexBenchOptions{});
  EXPECT_EQ(keys.size(), 17u);
  EXPECT_EQ(keys.front(), "items");
}

TEST(IndexExperiment, ExactIndexHasRecallOne) {
  const IndexBenchResult r = run_index_bench(small("exact"));
  EXPECT_EQ(r.kind, "exact");
  EXPECT_FALSE(r.hnsw);
  ASSERT_EQ(r.runs.size(), 1u);
  EXPECT_DOUBLE_EQ(r.runs[0].recall, 1.0);
  EXPECT_GT(r.runs[0].qps, 0);
  const nlohmann::json j = to_json(r);
  EXPECT_EQ(j["requested_kind"], "exact");
  EXPECT_EQ(j["batch"], 1);
  EXPECT_FALSE(j.contains("M"));
  EXPECT_FALSE(j["runs"][0].contains("ef_search"));
  EXPECT_EQ(j["recall"], 1.0);
}

TEST(IndexExperiment, HnswMeasuresEachEfSearchAndReloads) {
  IndexBenchOptions o = small("hnsw");
  o.ef_search = {5, 50};
  o.batch = 16;
  o.save = test::temp_path("bench.index");
  const IndexBenchResult built = run_index_bench(o);
  EXPECT_TRUE(built.hnsw);
  EXPECT_EQ(built.batch, 16);
  ASSERT_EQ(built.runs.size(), 2u);
  EXPECT_EQ(built.runs[0].ef_search, 5);
  EXPECT_EQ(built.runs[1].ef_search, 50);
  EXPECT_GE(built.runs[1].recall, built.runs[0].recall - 1e-12);
  EXPECT_GT(built.runs[1].recall, 0.9);
  EXPECT_GT(built.memory_bytes, 0u);
  // threads = 1: the graph is reproducible, so a second build gives the same recall.
  o.save.clear();
  EXPECT_EQ(run_index_bench(o).runs[1].recall, built.runs[1].recall);
  // Loading the saved index searches the same graph.
  o.load = test::temp_path("bench.index");
  const IndexBenchResult loaded = run_index_bench(o);
  EXPECT_EQ(loaded.runs[1].recall, built.runs[1].recall);
  const nlohmann::json j = to_json(loaded);
  EXPECT_TRUE(j["build_seconds"].is_null());
  EXPECT_EQ(j["loaded_from"], o.load);
  EXPECT_EQ(j["ef_search"], 5);
  EXPECT_EQ(j["M"], 16);
  // Vectors of another seed are another catalogue.
  o.seed = 7;
  EXPECT_NE(error_of([&] { run_index_bench(o); }).find("another catalogue"), std::string::npos);
  std::filesystem::remove(o.load);
}

}  // namespace
}  // namespace rlrec::experiment
