// Tests on the Open Bandit Dataset sample (skipped when ../shared/data/open-bandit-dataset is
// absent).
#include "rlrec/ope/obd.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "rlrec/ope/target_policy.h"

namespace rlrec::ope {
namespace {

const std::string kRoot = std::string(RLREC_SHARED_DATA_DIR) + "/open-bandit-dataset";

#define SKIP_WITHOUT_OBD()                                     \
  if (!std::filesystem::exists(kRoot + "/random/men/men.csv")) \
  GTEST_SKIP() << "Open Bandit Dataset not found at " << kRoot << ", skipping"

TEST(Obd, ConversionAndOnPolicyIdentity) {
  SKIP_WITHOUT_OBD();
  const auto log = data::load_open_bandit_campaign(kRoot, "random", "men");
  const ObdBandit b = obd_to_bandit(log);
  validate(b.data, "men");
  EXPECT_EQ(b.data.n_actions, 34);
  EXPECT_EQ(b.data.n_positions, 3);
  EXPECT_EQ(b.features.context.rows(), b.data.size());
  EXPECT_EQ(b.features.pair.size(), b.data.size() * 34);
  // The random logger is uniform: evaluating the uniform policy gives w = 1, so IPW = SNIPW = the
  // mean click (46 / 10000 in the sample).
  const ActionDist uni = uniform_action_dist(34, 3);
  const RoundInputs in = prepare_inputs(b.data, uni, nullptr);
  double mean = 0;
  for (double r : b.data.reward) mean += r / static_cast<double>(b.data.size());
  EXPECT_NEAR(find_estimator("ipw").terms(in, {}).value(), mean, 1e-12);
  EXPECT_NEAR(find_estimator("snipw").terms(in, {}).value(), mean, 1e-12);
}

TEST(Obd, BenchRunsAndIsDeterministic) {
  SKIP_WITHOUT_OBD();
  ObdBenchOptions opt;
  opt.bootstrap = 2;
  opt.n_sim = 2000;
  const ObdBenchResult a = obd_bench(kRoot, "men", opt);
  const ObdBenchResult b = obd_bench(kRoot, "men", opt);
  EXPECT_NEAR(a.ground_truth, 69.0 / 10000, 1e-12);  // bts/men has 69 clicks in 10,000 rows
  ASSERT_EQ(a.rows.size(), opt.estimators.size());
  for (size_t e = 0; e < a.rows.size(); ++e) {
    EXPECT_EQ(a.rows[e].estimate, b.rows[e].estimate) << a.rows[e].name;
    EXPECT_TRUE(std::isfinite(a.rows[e].relative_error_mean)) << a.rows[e].name;
    // A click rate: estimates are small and non-negative for the IPW family.
    EXPECT_LT(std::abs(a.rows[e].estimate), 0.1) << a.rows[e].name;
  }
  opt.bootstrap = 0;
  EXPECT_THROW(obd_bench(kRoot, "men", opt), Error);
}

}  // namespace
}  // namespace rlrec::ope
