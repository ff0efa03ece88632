#include "rlrec/experiment/mf_experiment.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>

#include "rlrec/core/error.h"
#include "rlrec/core/testing.h"

namespace rlrec::experiment {
namespace {

using test::error_of;

const std::string kMl = std::string(RLREC_SHARED_DATA_DIR) + "/movielens-100k";

// 30 users x 20 items in the ml-100k layout (user item rating timestamp, tab-separated): user u
// rates items u % 20 .. u % 20 + 9 (mod 20), rating 1 + (u + i) % 5, timestamps increasing.
std::string synthetic_ratings() {
  std::ostringstream s;
  int t = 1;
  for (int u = 1; u <= 30; ++u)
    for (int j = 0; j < 10; ++j) {
      const int i = 1 + (u + j) % 20;
      s << u << '\t' << i << '\t' << 1 + (u + i) % 5 << '\t' << t++ << '\n';
    }
  return s.str();
}

MfOptions small(const std::string& model) {
  MfOptions o;
  o.model = model;
  o.train = test::write_temp("mf_ratings.data", synthetic_ratings());
  o.format = "ml-100k";
  o.split = "last:2";
  o.k = 5;
  o.verbose = false;
  o.hyperparameters.set("mf.factors=4");
  o.hyperparameters.set("mf.threads=1");
  return o;
}

TEST(MfExperiment, OptionErrorsNameTheConfigKey) {
  MfOptions o = small("als");
  o.k = 0;
  EXPECT_EQ(error_of([&] { o.validate(); }, ErrorCode::kInvalidArgument),
            "mf.k must be >= 1, got 0");
  o.k = 5;
  o.test = "t.data";
  EXPECT_EQ(error_of([&] { o.validate(); }),
            "give exactly one of mf.test (a file) and mf.split (a spec)");
  o.test.clear();
  o.split = "temporal";
  EXPECT_NE(error_of([&] { o.validate(); }).find("mf.split must be KIND:VALUE"), std::string::npos);
  o.split = "last:0";
  EXPECT_EQ(error_of([&] { o.validate(); }),
            "mf.split last:N needs an integer 1 <= N <= 2147483647, got '0'");
  o.split = "random:1.5";
  EXPECT_EQ(error_of([&] { o.validate(); }),
            "mf.split random:F needs a fraction 0 < F < 1, got '1.5'");
  o.split = "shuffle:0.5";
  EXPECT_NE(error_of([&] { o.validate(); }).find("unknown split kind 'shuffle'"),
            std::string::npos);
  o.split = "last:2";
  o.unseen = "keep";
  EXPECT_NE(error_of([&] { o.validate(); }).find("mf.unseen"), std::string::npos);
  o.unseen = "drop";
  o.model = "svd";
  EXPECT_NE(error_of([&] { o.validate(); }).find("unknown MF model 'svd'"), std::string::npos);
  o.model = "als";
  o.hyperparameters.set("mf.name=bpr");
  EXPECT_NE(
      error_of([&] { o.validate(); }).find("the model 'als' disagrees with [mf] name = 'bpr'"),
      std::string::npos);
  EXPECT_EQ(field_keys(MfOptions{}).front(), "name");
  EXPECT_EQ(field_keys(MfOptions{}).size(), 10u);
}

TEST(MfExperiment, ImplicitModelRanksWithBaselinesOnSyntheticData) {
  const MfResult r = run_mf(small("als"));
  EXPECT_EQ(r.feedback, models::Feedback::kImplicit);
  EXPECT_EQ(r.train_report.read, 300u);
  EXPECT_EQ(r.test_rows, 60u);  // last 2 of each of the 30 users
  EXPECT_EQ(r.train_rows, 240u);
  EXPECT_EQ(r.factors, 4);
  EXPECT_EQ(r.ranking.k, 5);
  EXPECT_EQ(r.ranking.users + r.ranking.skipped_users, 30);
  const nlohmann::json j = to_json(r);
  EXPECT_EQ(j["command"], "mf fit");
  EXPECT_EQ(j["test"]["split"], "last:2");
  EXPECT_FALSE(j["test"].contains("split_seed"));  // only random splits have one
  EXPECT_EQ(j["test"]["rows"], 60);
  for (const char* key :
       {"ndcg@5", "recall@5", "hr@5", "precision@5", "map@5", "mrr@5", "coverage@5"}) {
    EXPECT_TRUE(j[key].is_number()) << key;
    EXPECT_TRUE(j["baselines"]["popularity"][key].is_number()) << key;
    EXPECT_TRUE(j["baselines"]["random"][key].is_number()) << key;
  }
  EXPECT_NE(j["config"].get<std::string>().find("factors = 4"), std::string::npos);
  // Same options, same numbers.
  EXPECT_EQ(to_json(run_mf(small("als")))["ndcg@5"], j["ndcg@5"]);
}

TEST(MfExperiment, ExplicitModelSavesModelAndMetrics) {
  MfOptions o = small("biased_sgd");
  o.out = test::temp_path("mf_out");
  std::filesystem::remove_all(o.out);
  const MfResult r = run_mf(o);
  EXPECT_EQ(r.feedback, models::Feedback::kExplicit);
  EXPECT_EQ(r.errors.n, r.align.kept);
  EXPECT_GT(r.global_mean.rmse, 0);
  const nlohmann::json j = to_json(r);
  EXPECT_EQ(j["rmse"], r.errors.rmse);
  EXPECT_EQ(j["out"], o.out);
  EXPECT_FALSE(j.contains("k"));
  EXPECT_TRUE(std::filesystem::exists(o.out + "/metrics.json"));
  std::filesystem::remove_all(o.out);
}

TEST(MfExperiment, UnseenTestRowsAreDroppedAndCountedOrAnError) {
  MfOptions o = small("bpr");
  o.split.clear();
  o.test = test::write_temp("mf_test.data", "1\t2\t4\t999\n99\t2\t4\t999\n1\t77\t4\t999\n");
  const MfResult r = run_mf(o);
  EXPECT_EQ(r.test_rows, 3u);
  EXPECT_EQ(r.align.kept, 1u);
  EXPECT_EQ(r.align.dropped_unseen_user, 1u);
  EXPECT_EQ(r.align.dropped_unseen_item, 1u);
  EXPECT_EQ(to_json(r)["test"]["unseen_policy"], "drop");
  o.unseen = "error";
  error_of([&] { run_mf(o); }, ErrorCode::kInvalidArgument);
}

TEST(MfExperiment, RunKeysMayShareTheMfSectionWithHyperparameters) {
  MfOptions o = small("als");
  o.hyperparameters.set("mf.name=als");
  o.hyperparameters.set("mf.k=5");  // a run key in [mf] is not a hyperparameter error
  EXPECT_EQ(run_mf(o).factors, 4);
  o.hyperparameters.set("mf.factorz=3");
  EXPECT_NE(error_of([&] { run_mf(o); }).find("did you mean 'mf.factors'"), std::string::npos);
}

TEST(MfExperiment, MovieLensBiasedSgdFoldU1) {
  if (!std::filesystem::exists(kMl + "/u1.base"))
    GTEST_SKIP() << "MovieLens 100K not found at " << kMl << ", skipping";
  MfOptions o;
  o.model = "biased_sgd";
  o.train = kMl + "/u1.base";
  o.test = kMl + "/u1.test";
  o.verbose = false;
  o.hyperparameters.set("mf.threads=2");
  const MfResult r = run_mf(o);
  EXPECT_EQ(r.train_rows, 80000u);
  EXPECT_GT(r.align.kept, 19900u);
  EXPECT_LT(r.errors.rmse, 0.935);  // see models/movielens_test.cc
  EXPECT_LT(r.errors.rmse, r.global_mean.rmse);
}

}  // namespace
}  // namespace rlrec::experiment
