#include "rlrec/experiment/baseline.h"

#include <gtest/gtest.h>

#include "rlrec/core/error.h"
#include "rlrec/core/testing.h"
#include "rlrec/sim/policy.h"

namespace rlrec::experiment {
namespace {

Config small_env() {
  return Config::parse_string(
      "[env]\nname = \"interest_evolution\"\nnum_candidates = 6\nslate_size = 2\nmax_steps = 12\n",
      "test");
}

eval::RunConfig run_of(int64_t episodes, int batch) {
  eval::RunConfig r;
  r.episodes = episodes;
  r.batch = batch;
  return r;
}

TEST(EvaluateBaseline, SameUsersWhateverTheBatchOrThreads) {
  const Config cfg = small_env();
  ThreadPool one(1), two(2);
  const auto a = evaluate_baseline(cfg, "myopic", run_of(40, 7), 3, one);
  const auto b = evaluate_baseline(cfg, "myopic", run_of(40, 40), 3, two);
  ASSERT_EQ(a.returns.size(), 40u);
  EXPECT_EQ(a.returns, b.returns);
  EXPECT_EQ(a.lengths, b.lengths);
  EXPECT_EQ(a.clicks, b.clicks);
}

TEST(EvaluateBaseline, SeedAndPolicyChangeTheResult) {
  const Config cfg = small_env();
  ThreadPool pool(1);
  const auto base = evaluate_baseline(cfg, "random", run_of(30, 8), 1, pool);
  EXPECT_NE(base.returns, evaluate_baseline(cfg, "random", run_of(30, 8), 2, pool).returns);
  EXPECT_NE(base.returns, evaluate_baseline(cfg, "myopic", run_of(30, 8), 1, pool).returns);
  // More episodes than the batch, fewer than the batch: the first episodes are the same users.
  const auto longer = evaluate_baseline(cfg, "random", run_of(50, 8), 1, pool);
  EXPECT_EQ(std::vector<double>(longer.returns.begin(), longer.returns.begin() + 30), base.returns);
}

TEST(EvaluateBaseline, UnknownPolicyIsAnInputError) {
  const Config cfg = small_env();
  ThreadPool pool(1);
  EXPECT_THROW(evaluate_baseline(cfg, "myopik", run_of(5, 5), 1, pool), Error);
}

// evaluate_policy (the Python package's rlrec.evaluate of a callable): a policy of the caller's
// factory runs on the users of evaluate_baseline, and the factory sees the environment it acts in.
TEST(EvaluatePolicy, FactoryPolicyGetsTheBaselineUsers) {
  const Config cfg = small_env();
  ThreadPool pool(2);
  int made = 0;
  const auto mine = evaluate_policy(
      cfg,
      [&made](const sim::PolicyContext& ctx) {
        ++made;
        EXPECT_EQ(ctx.env->spec().num_candidates, 6);
        return sim::make_myopic(ctx);
      },
      run_of(25, 4), 5, pool);
  EXPECT_EQ(made, 1);
  const auto ref = evaluate_baseline(cfg, "myopic", run_of(25, 9), 5, pool);
  EXPECT_EQ(mine.returns, ref.returns);
  EXPECT_EQ(mine.clicks, ref.clicks);
  EXPECT_NE(mine.returns, evaluate_policy(cfg, sim::make_random, run_of(25, 4), 5, pool).returns);
}

}  // namespace
}  // namespace rlrec::experiment
