// MovieLens 100K checks (skipped when the data set is absent). The full u1..u5 quality targets are
// measured with `rlrec mf fit` and reported; this keeps one fold as a fast regression test.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "rlrec/data/loaders.h"
#include "rlrec/models/biased_sgd.h"

namespace rlrec::models {
namespace {

const std::string kDir = std::string(RLREC_SHARED_DATA_DIR) + "/movielens-100k";

TEST(MovieLens100K, BiasedSgdDefaultsOnFoldU1) {
  if (!std::filesystem::exists(kDir + "/u1.base"))
    GTEST_SKIP() << "MovieLens 100K not found at " << kDir << ", skipping";
  const data::InteractionLog train = data::load_interactions(kDir + "/u1.base");
  data::AlignReport report;
  const data::InteractionLog test = data::align_to(data::load_interactions(kDir + "/u1.test"),
                                                   train, data::UnseenPolicy::kDrop, &report);
  ASSERT_EQ(train.size(), 80000u);
  ASSERT_GT(report.kept, 19900u);  // u1.test has 20000 rows; a few items are unseen in u1.base
  ThreadPool pool(2);
  BiasedSgd sgd{BiasedSgdConfig{}};
  sgd.fit(train, pool);
  double sq = 0, abs = 0;
  for (size_t r = 0; r < test.size(); ++r) {
    const double e = test.rating[r] - sgd.model().predict(test.user[r], test.item[r]);
    sq += e * e;
    abs += std::abs(e);
  }
  const double rmse = std::sqrt(sq / test.size()), mae = abs / test.size();
  // Measured with the defaults: RMSE 0.9214 (seeds 1, 2: 0.9199, 0.9219), MAE ~0.72; u1 is the
  // hardest fold (mean over u1..u5: 0.911). Predicting the train mean gives ~1.15.
  EXPECT_LT(rmse, 0.935) << "mae " << mae;
  EXPECT_LT(mae, 0.74) << "rmse " << rmse;
  EXPECT_GT(rmse, 0.85);  // far below the published numbers would mean test leakage
}

}  // namespace
}  // namespace rlrec::models
