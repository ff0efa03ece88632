#include "rlrec/ope/sim_ope.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>

#include "rlrec/catalog/catalog.h"
#include "rlrec/core/error.h"
#include "rlrec/sim/vector_env.h"

namespace rlrec::ope {
namespace {

// Collects `episodes` one-step episodes of interest_evolution from `behaviour` into memory.
logs::LogData collect(const std::string& behaviour, int64_t episodes, uint64_t seed,
                      const Config& cfg) {
  sim::VectorEnv venv(catalog::make_environment(cfg, seed), 64, seed);
  auto pol = make_sim_policy(behaviour, venv.env());
  const std::string path = ::testing::TempDir() + "ope_sim_" + std::to_string(getpid()) + ".log";
  {
    logs::LogWriter w(path, logs::make_header(venv.env(), cfg, seed, behaviour, seed));
    logs::collect_log(venv, *pol, episodes, seed, w);
    w.close();
  }
  auto d = logs::read_log(path);
  std::filesystem::remove(path);
  return d;
}

Config bandit_env() {
  Config cfg = Config::parse_string("[env]\nname = \"interest_evolution\"\nmax_steps = 1\n");
  return cfg;
}

TEST(SimOpe, TargetEqualsBehaviourAndIpwEqualsIips) {
  const Config cfg = bandit_env();
  const auto log = collect("softmax_myopic:temperature=0.5", 1500, 3, cfg);
  auto env = catalog::make_environment(cfg, 3);
  auto same = make_sim_policy("softmax_myopic:temperature=0.5", *env);
  const SimOpeData d = sim_ope_data(log, *same, nullptr);
  EXPECT_EQ(d.slate.size(), static_cast<size_t>(log.size));
  EXPECT_TRUE(d.has_target_cascade);
  double mean = 0;
  for (double r : log.reward) mean += r / static_cast<double>(log.size);
  const auto est = estimate_sim(d, {"sips", "iips", "rips", "ipw", "snipw"}, {}, {}, 20, 1);
  // Target == behaviour: every weight is 1, so all of them are the mean logged reward.
  for (const auto& e : est) EXPECT_NEAR(e.estimate, mean, 1e-9 * std::max(1.0, mean)) << e.name;
  // Another target: per-step ipw on slot rows is IIPS exactly.
  auto other = make_sim_policy("biased_softmax:bias=0.7", *env);
  const SimOpeData o = sim_ope_data(log, *other, nullptr);
  RewardModelOptions m;
  m.kind = "ridge";
  const auto e2 = estimate_sim(o, {"iips", "ipw", "dm", "dr"}, m, {}, 20, 1);
  EXPECT_NEAR(e2[0].estimate, e2[1].estimate, 1e-9);
  for (const auto& e : e2) EXPECT_TRUE(std::isfinite(e.estimate)) << e.name;
}

// estimate_slates (the Python package's slate path) gives estimate_sim's numbers, CIs included,
// and refuses what estimate_sim refuses.
TEST(SimOpe, EstimateSlatesEqualsEstimateSim) {
  Config cfg = Config::parse_string(
      "[env]\nname = \"interest_evolution\"\nmax_steps = 3\nslate_size = 3\nnum_candidates = 6\n");
  const auto log = collect("softmax_myopic", 200, 5, cfg);
  auto env = catalog::make_environment(cfg, 5);
  auto target = make_sim_policy("softmax_myopic:temperature=0.5", *env);
  const SimOpeData d = sim_ope_data(log, *target, nullptr);
  const std::vector<std::string> names = {"sips", "iips", "rips"};
  const auto want = estimate_sim(d, names, {}, {}, 30, 4);
  const auto got =
      estimate_slates(d.slate, names, d.has_target_slate, d.has_target_cascade, 30, 4, "test");
  ASSERT_EQ(got.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(got[i].name, want[i].name);
    EXPECT_EQ(got[i].estimate, want[i].estimate) << names[i];
    EXPECT_EQ(got[i].ci_low, want[i].ci_low) << names[i];
    EXPECT_EQ(got[i].ci_high, want[i].ci_high) << names[i];
  }
  EXPECT_NE(got[0].estimate, got[1].estimate);
  EXPECT_THROW(estimate_slates(d.slate, {"ipw"}, true, true, 30, 4, "test"), Error);
  EXPECT_THROW(estimate_slates(d.slate, {"rips"}, true, false, 30, 4, "test"), Error);
  SlateData bad = d.slate;
  bad.pb_slot[0] = 0;
  EXPECT_THROW(estimate_slates(bad, {"iips"}, true, true, 30, 4, "test"), Error);
}

TEST(SimOpe, BenchCoversTruthOnSmallLogs) {
  SimBenchOptions o;
  o.env_config = "[env]\nname = \"interest_evolution\"\n";
  o.targets = {"softmax_myopic:temperature=0.2"};
  o.sizes = {2000};
  o.reps = 4;
  o.bootstrap = 50;
  o.truth_episodes = 20000;
  o.estimators = {"sips", "snipw"};
  o.work_dir = ::testing::TempDir();
  const auto rows = sim_bench(o);
  ASSERT_EQ(rows.size(), 2u);
  for (const auto& r : rows) {
    EXPECT_GT(r.truth, 0);
    // Unbiased estimators on 2000 steps: mean of 4 estimates within 4 CI half-widths of the truth.
    EXPECT_NEAR(r.mean_estimate, r.truth, 2 * r.mean_ci_width) << r.estimator;
  }
}

TEST(SimOpe, BadInput) {
  const Config cfg = bandit_env();
  const auto log = collect("myopic", 20, 4, cfg);  // deterministic: one-hot propensities or unknown
  auto env = catalog::make_environment(cfg, 4);
  auto tgt = make_sim_policy("softmax_myopic", *env);
  auto myopic = make_sim_policy("myopic", *env);
  const auto good = collect("softmax_myopic", 20, 4, cfg);
  EXPECT_THROW(sim_ope_data(good, *myopic, nullptr), Error);  // target without probabilities
  const SimOpeData d = sim_ope_data(good, *tgt, nullptr);
  EXPECT_THROW(estimate_sim(d, {"ipv"}, {}, {}, 10, 1), Error);
  EXPECT_THROW(estimate_sim(d, {"ipw"}, {}, {}, 0, 1), Error);
  (void)log;
}

}  // namespace
}  // namespace rlrec::ope
