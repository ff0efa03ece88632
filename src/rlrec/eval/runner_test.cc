// Tests of the online evaluation runner (runner.h): episode bookkeeping, the CTR definition, the
// per-episode random streams and determinism across thread counts and batch sizes.
#include "rlrec/eval/runner.h"

#include <gtest/gtest.h>

#include <numeric>
#include <string>
#include <vector>

#include "rlrec/catalog/catalog.h"
#include "rlrec/core/config.h"
#include "rlrec/core/error.h"
#include "rlrec/core/testing.h"
#include "rlrec/core/thread_pool.h"
#include "rlrec/sim/environment.h"

namespace rlrec::eval {
namespace {

using test::env_config;

// Evaluates baseline `policy` on cfg with a VectorEnv of `batch` users (env seed 17, policy seed
// 5).
EpisodeResults evaluate(const std::string& policy, const Config& cfg, int batch, int64_t episodes,
                        ThreadPool* pool = nullptr) {
  sim::VectorEnv venv(catalog::make_environment(cfg, 17), batch, 17, pool);
  sim::PolicyContext ctx{&venv.env(), &cfg, pool};
  auto p = catalog::find_policy(policy).make(ctx);
  return run_episodes(venv, *p, episodes, 5);
}

TEST(RunEpisodes, CountsLengthsAndCtrOnLongTermSatisfaction) {
  // Every session lasts exactly 60 steps and the user always consumes slot 0 (one click per
  // step): 10 episodes => 600 steps, 60 clicks each, CTR = clicks / (steps · K) = 600 / 1200.
  const EpisodeResults r = evaluate("random", env_config("long_term_satisfaction"), 4, 10);
  ASSERT_EQ(r.returns.size(), 10u);
  ASSERT_EQ(r.lengths.size(), 10u);
  ASSERT_EQ(r.clicks.size(), 10u);
  for (int e = 0; e < 10; ++e) {
    EXPECT_EQ(r.lengths[e], 60);
    EXPECT_EQ(r.clicks[e], 60);
    EXPECT_GT(r.returns[e], 0.0);
  }
  EXPECT_EQ(r.steps, 600);
  EXPECT_EQ(r.truncated, 0);
  EXPECT_EQ(r.slate_size, 2);
  EXPECT_DOUBLE_EQ(r.mean_length(), 60.0);
  EXPECT_DOUBLE_EQ(r.ctr(), 0.5);
  EXPECT_DOUBLE_EQ(r.clicks_per_step(), 1.0);
}

TEST(RunEpisodes, TruncatedEpisodesAreCounted) {
  // interest_exploration never terminates: every episode is cut at max_steps = 7.
  const EpisodeResults r =
      evaluate("myopic", env_config("interest_exploration", {"max_steps=7"}), 8, 20);
  EXPECT_EQ(r.truncated, 20);
  EXPECT_EQ(r.steps, 140);
  for (int e = 0; e < 20; ++e) {
    EXPECT_EQ(r.lengths[e], 7);
    EXPECT_EQ(r.returns[e], r.clicks[e]) << "reward = number of clicks";
  }
}

TEST(RunEpisodes, NoClicksGiveZeroReturnAndCtr) {
  // MNL with no-click logit 1e6: never a click; the 200 budget lasts 400 steps of 0.5.
  const EpisodeResults r = evaluate(
      "myopic",
      env_config("interest_evolution", {"choice_model=multinomial_logit", "no_click_mass=1e6"}), 3,
      5);
  for (int e = 0; e < 5; ++e) {
    EXPECT_EQ(r.returns[e], 0.0);
    EXPECT_EQ(r.lengths[e], 400);
    EXPECT_EQ(r.clicks[e], 0);
  }
  EXPECT_EQ(r.ctr(), 0.0);
  EXPECT_EQ(r.truncated, 0);
}

TEST(RunEpisodes, DefinitionsOfTheSummaries) {
  const EpisodeResults r =
      evaluate("random", env_config("interest_evolution", {"slate_size=3"}), 16, 40);
  const int64_t clicks = std::accumulate(r.clicks.begin(), r.clicks.end(), int64_t{0});
  const int64_t steps = std::accumulate(r.lengths.begin(), r.lengths.end(), int64_t{0});
  EXPECT_EQ(r.steps, steps);
  EXPECT_GT(clicks, 0);
  EXPECT_DOUBLE_EQ(r.ctr(), static_cast<double>(clicks) / (static_cast<double>(steps) * 3));
  EXPECT_DOUBLE_EQ(r.clicks_per_step(), static_cast<double>(clicks) / static_cast<double>(steps));
  EXPECT_DOUBLE_EQ(r.mean_length(), static_cast<double>(steps) / 40);
  const Summary s = r.return_summary(), t = summarize(r.returns);
  EXPECT_EQ(s.mean, t.mean);
  EXPECT_EQ(s.ci_low, t.ci_low);
  EXPECT_GE(r.seconds, r.env_seconds);
  EXPECT_GT(r.env_seconds, 0.0);
  EXPECT_GT(r.steps_per_second(), 0.0);
  // interest_evolution's reward is the watch time of the click (<= 4): return <= 4·clicks.
  for (int e = 0; e < 40; ++e) EXPECT_LE(r.returns[e], 4.0 * r.clicks[e] + 1e-9);
}

TEST(RunEpisodes, FewerEpisodesThanSlotsAndBadCounts) {
  const EpisodeResults r =
      evaluate("random", env_config("interest_evolution", {"max_steps=10"}), 16, 3);
  EXPECT_EQ(r.returns.size(), 3u);
  EXPECT_EQ(r.steps, 30);
  EXPECT_THROW(evaluate("random", env_config("interest_evolution"), 4, 0), Error);
  EXPECT_THROW(evaluate("random", env_config("interest_evolution"), 4, -2), Error);
}

TEST(RunEpisodes, EpisodeStreamsAreEnvSeedAndPolicySeedByEpisode) {
  // Episode e runs with env stream Rng(env seed, e) and policy stream Rng(policy seed, e), so a
  // hand-driven single-user loop reproduces the runner's per-episode returns exactly.
  const Config cfg = env_config("interest_evolution", {"max_steps=40"});
  const EpisodeResults r = evaluate("random", cfg, 6, 9);
  sim::VectorEnv venv(catalog::make_environment(cfg, 17), 1, 17);
  sim::PolicyContext ctx{&venv.env(), &cfg, nullptr};
  auto policy = catalog::find_policy("random").make(ctx);
  for (uint64_t e = 0; e < 9; ++e) {
    venv.reset(0, e);
    Rng rng(5, e);
    int32_t slate[2];
    double ret = 0;
    int len = 0;
    while (!venv.done(0)) {
      policy->act(venv.observation(), slate, &rng);
      venv.step(slate);
      ret += venv.rewards()[0];
      ++len;
    }
    EXPECT_EQ(ret, r.returns[e]) << "episode " << e;
    EXPECT_EQ(len, r.lengths[e]) << "episode " << e;
  }
}

// Same per-episode results for any thread count and batch size, for every baseline policy.
class RunnerDeterminism : public ::testing::TestWithParam<std::string> {};

TEST_P(RunnerDeterminism, IdenticalAcrossThreadsAndBatchSizes) {
  const Config cfg = env_config("interest_evolution", {"max_steps=50"});
  constexpr int64_t kEpisodes = 40;
  ThreadPool p2(2), p4(4);
  const EpisodeResults base = evaluate(GetParam(), cfg, 8, kEpisodes);
  auto same = [&](const EpisodeResults& o, const std::string& what) {
    EXPECT_EQ(o.returns, base.returns) << what;
    EXPECT_EQ(o.lengths, base.lengths) << what;
    EXPECT_EQ(o.clicks, base.clicks) << what;
    EXPECT_EQ(o.steps, base.steps) << what;
    EXPECT_EQ(o.truncated, base.truncated) << what;
  };
  same(evaluate(GetParam(), cfg, 8, kEpisodes, &p2), "2 threads");
  same(evaluate(GetParam(), cfg, 8, kEpisodes, &p4), "4 threads");
  same(evaluate(GetParam(), cfg, 1, kEpisodes), "batch 1");
  same(evaluate(GetParam(), cfg, 5, kEpisodes, &p2), "batch 5");
  same(evaluate(GetParam(), cfg, 64, kEpisodes, &p4), "batch 64");
  // Another env seed changes the results (the test can fail).
  sim::VectorEnv other(catalog::make_environment(cfg, 18), 8, 18);
  sim::PolicyContext ctx{&other.env(), &cfg, nullptr};
  auto p = catalog::find_policy(GetParam()).make(ctx);
  EXPECT_NE(run_episodes(other, *p, kEpisodes, 5).returns, base.returns);
}

std::vector<std::string> policy_names() {
  std::vector<std::string> names;
  for (const auto& e : catalog::policies())
    if (e.needs.empty()) names.emplace_back(e.name);  // rating-log baselines: datasim's tests
  return names;
}

INSTANTIATE_TEST_SUITE_P(Baselines, RunnerDeterminism, ::testing::ValuesIn(policy_names()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace rlrec::eval
