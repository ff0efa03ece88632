// Tests of VectorEnv (vector_env.h): determinism across seeds, thread counts, batch sizes and
// slots; slate validation; truncation vs termination; bad configuration.
#include "rlrec/sim/vector_env.h"

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <numeric>
#include <string>
#include <vector>

#include "rlrec/catalog/catalog.h"
#include "rlrec/core/config.h"
#include "rlrec/core/error.h"
#include "rlrec/core/interrupt.h"
#include "rlrec/core/testing.h"
#include "rlrec/core/thread_pool.h"
#include "rlrec/sim/environment.h"

namespace rlrec::sim {
namespace {

// Environments and policies are built by name through the catalogue (the one table of names).
using catalog::find_policy;
using catalog::make_environment;

using test::env_config;

std::unique_ptr<VectorEnv> make_venv(const Config& cfg, int batch, uint64_t seed,
                                     ThreadPool* pool = nullptr) {
  return std::make_unique<VectorEnv>(make_environment(cfg, seed), batch, seed, pool);
}

void draw_slate(Rng& rng, int n, int k, int32_t* out) {
  std::vector<int32_t> p(n);
  std::iota(p.begin(), p.end(), 0);
  for (int i = 0; i < k; ++i) {
    const int j = i + static_cast<int>(rng.uniform_int(static_cast<uint64_t>(n - i)));
    std::swap(p[i], p[j]);
    out[i] = p[i];
  }
}

// Appends every observable number of the current state to `out`.
void append_observation(const VectorEnv& venv, std::vector<double>& out) {
  const Observation o = venv.observation();
  for (int b = 0; b < o.batch; ++b) {
    for (int d = 0; d < o.user_dim; ++d) out.push_back(o.user_row(b)[d]);
    for (int p = 0; p < o.num_candidates; ++p) {
      out.push_back(static_cast<double>(o.item_id(b, p)));
      out.push_back(o.hidden_quality(b, p));
      for (int d = 0; d < o.item_dim; ++d) out.push_back(o.item_features(b, p)[d]);
    }
  }
}

// Runs `steps` steps of random slates (slate stream per episode: Rng(123, episode)), resetting
// finished slots with the next episode number, and records everything observable.
std::vector<double> trace(const Config& cfg, int batch, uint64_t seed, ThreadPool* pool,
                          int steps) {
  auto venv = make_venv(cfg, batch, seed, pool);
  const int N = venv->spec().num_candidates, K = venv->spec().slate_size;
  venv->reset_all(0);
  std::vector<Rng> slate_rng;
  for (int b = 0; b < batch; ++b) slate_rng.emplace_back(123, b);
  uint64_t next = batch;
  std::vector<int32_t> slates(static_cast<size_t>(batch) * K);
  std::vector<double> out;
  append_observation(*venv, out);
  for (int t = 0; t < steps; ++t) {
    for (int b = 0; b < batch; ++b) draw_slate(slate_rng[b], N, K, &slates[b * K]);
    venv->step(slates.data());
    for (int b = 0; b < batch; ++b) {
      out.push_back(venv->rewards()[b]);
      out.push_back(venv->choices()[b]);
      out.push_back(venv->terminated()[b]);
      out.push_back(venv->truncated()[b]);
      for (size_t j = 0; j < venv->responses().cols; ++j)
        out.push_back(venv->responses().row(b)[j]);
    }
    append_observation(*venv, out);
    for (int b = 0; b < batch; ++b)
      if (venv->done(b)) {
        slate_rng[b] = Rng(123, next);
        venv->reset(b, next++);
      }
  }
  return out;
}

// Per-episode trajectories (reward, choice and first observed number of every step) of episodes
// 0..episodes-1, run `batch` at a time: slot b starts episode b, then takes the next unstarted one.
std::map<uint64_t, std::vector<double>> per_episode(const Config& cfg, int batch, int episodes,
                                                    ThreadPool* pool) {
  auto venv = make_venv(cfg, batch, 77, pool);
  const int N = venv->spec().num_candidates, K = venv->spec().slate_size;
  std::vector<Rng> slate_rng(batch);
  std::vector<uint8_t> active(batch, 0);
  uint64_t next = 0;
  int live = 0;
  for (int b = 0; b < batch && next < static_cast<uint64_t>(episodes); ++b) {
    venv->reset(b, next);
    slate_rng[b] = Rng(5, next++);
    active[b] = 1;
    ++live;
  }
  std::map<uint64_t, std::vector<double>> traj;
  std::vector<int32_t> slates(static_cast<size_t>(batch) * K, 0);
  while (live > 0) {
    for (int b = 0; b < batch; ++b)
      if (active[b]) draw_slate(slate_rng[b], N, K, &slates[b * K]);
    venv->step(slates.data(), active.data());
    const Observation o = venv->observation();
    for (int b = 0; b < batch; ++b) {
      if (!active[b]) continue;
      auto& t = traj[venv->episode(b)];
      t.push_back(venv->rewards()[b]);
      t.push_back(venv->choices()[b]);
      t.push_back(o.user_dim > 0 ? o.user_row(b)[0] : o.item_features(b, 0)[0]);
      if (venv->done(b)) {
        if (next < static_cast<uint64_t>(episodes)) {
          venv->reset(b, next);
          slate_rng[b] = Rng(5, next++);
        } else {
          active[b] = 0;
          --live;
        }
      }
    }
  }
  return traj;
}

class VectorEnvDeterminism : public ::testing::TestWithParam<std::string> {};

TEST_P(VectorEnvDeterminism, SameSeedSameTrajectoryOtherSeedAnother) {
  const Config cfg = env_config(GetParam(), {"max_steps=30"});
  const auto a = trace(cfg, 6, 9, nullptr, 80), b = trace(cfg, 6, 9, nullptr, 80);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, trace(cfg, 6, 10, nullptr, 80));
}

TEST_P(VectorEnvDeterminism, IdenticalForOneTwoAndFourThreads) {
  const Config cfg = env_config(GetParam(), {"max_steps=30"});
  ThreadPool p1(1), p2(2), p4(4);
  const auto t0 = trace(cfg, 16, 3, nullptr, 70);
  EXPECT_EQ(t0, trace(cfg, 16, 3, &p1, 70));
  EXPECT_EQ(t0, trace(cfg, 16, 3, &p2, 70));
  EXPECT_EQ(t0, trace(cfg, 16, 3, &p4, 70));
}

TEST_P(VectorEnvDeterminism, EpisodeTrajectoriesDoNotDependOnBatchSizeOrSlot) {
  const Config cfg = env_config(GetParam(), {"max_steps=25"});
  ThreadPool pool(2);
  const auto one = per_episode(cfg, 1, 12, nullptr);
  ASSERT_EQ(one.size(), 12u);
  EXPECT_EQ(one, per_episode(cfg, 3, 12, nullptr));
  EXPECT_EQ(one, per_episode(cfg, 8, 12, &pool));
  EXPECT_EQ(one, per_episode(cfg, 12, 12, &pool));
}

std::vector<std::string> environment_names() {  // the catalogue's RecSim environments
  std::vector<std::string> names;
  for (const auto& e : catalog::environments())
    if (e.family == "recsim") names.emplace_back(e.name);
  return names;
}

INSTANTIATE_TEST_SUITE_P(Registry, VectorEnvDeterminism, ::testing::ValuesIn(environment_names()),
                         [](const auto& info) { return info.param; });

// ---------------------------------- invalid slates ----------------------------------------------

void expect_slate_error(VectorEnv& venv, const std::vector<int32_t>& slates,
                        const std::vector<std::string>& needles, const uint8_t* active = nullptr) {
  std::vector<double> before;
  append_observation(venv, before);
  std::vector<int> steps_before;
  for (int b = 0; b < venv.batch(); ++b) steps_before.push_back(venv.episode_step(b));
  try {
    venv.step(slates.data(), active);
    ADD_FAILURE() << "expected an invalid-slate Error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
    const std::string msg = e.what();
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
    for (const auto& n : needles)
      EXPECT_NE(msg.find(n), std::string::npos) << n << " not in: " << msg;
  }
  // Nothing was stepped: not even the valid rows before the bad one.
  std::vector<double> after;
  append_observation(venv, after);
  EXPECT_EQ(before, after);
  for (int b = 0; b < venv.batch(); ++b) EXPECT_EQ(venv.episode_step(b), steps_before[b]);
}

TEST(VectorEnvSlates, InvalidSlatesThrowNamingUserAndPositionAndStepNothing) {
  auto venv = make_venv(env_config("interest_evolution"), 3, 1);
  venv->reset_all(0);
  // N = 10, K = 2; rows 0 and 1 valid, row 2 bad.
  expect_slate_error(*venv, {0, 1, 2, 3, 4, 4},
                     {"user 2", "duplicate position 4", "slots 0 and 1"});
  expect_slate_error(*venv, {0, 1, 2, 3, 5, 10}, {"user 2", "position 10", "[0, 10)"});
  expect_slate_error(*venv, {0, 1, 2, 3, -1, 5}, {"user 2", "position -1"});
  expect_slate_error(*venv, {0, 1, 7, 7, 2, 3}, {"user 1", "duplicate position 7"});
  // Slot 2 inactive: its bad slate is ignored; the active rows step.
  const uint8_t active[] = {1, 1, 0};
  const std::vector<int32_t> ok{0, 1, 2, 3, 4, 4};
  EXPECT_NO_THROW(venv->step(ok.data(), active));
  EXPECT_EQ(venv->episode_step(0), 1);
  EXPECT_EQ(venv->episode_step(1), 1);
  EXPECT_EQ(venv->episode_step(2), 0);
  // A bad active row still blocks everyone.
  const uint8_t only2[] = {0, 0, 1};
  expect_slate_error(*venv, {0, 0, 0, 0, 9, 9}, {"user 2", "duplicate position 9"}, only2);
  EXPECT_THROW(venv->check_slate(0, ok.data() + 4), Error);
  EXPECT_NO_THROW(venv->check_slate(0, ok.data()));
}

TEST(VectorEnvSlates, PositionsAcrossTheFastCheckBitmapWordsAndBeyond) {
  // N = 300, K = 4: the per-step check tracks positions below 256 in a 4-word bitmap and compares
  // larger ones pairwise; duplicates are caught in every word and past the bitmap.
  auto venv =
      make_venv(env_config("interest_evolution", {"num_candidates=300", "slate_size=4"}), 2, 1);
  venv->reset_all(0);
  std::vector<int32_t> slates{0, 64, 191, 299, 63, 128, 255, 256};
  EXPECT_NO_THROW(venv->step(slates.data()));
  for (const int32_t dup : {64, 191, 255, 299}) {
    std::vector<int32_t> bad{0, 1, 2, 3, 5, dup, 7, dup};
    expect_slate_error(*venv, bad,
                       {"user 1", str_cat("duplicate position ", dup), "slots 1 and 3"});
  }
  expect_slate_error(*venv, {0, 1, 2, 300, 4, 5, 6, 7}, {"user 0", "position 300", "[0, 300)"});
}

TEST(VectorEnvSlates, LargeSlatesUseTheBitmapCheck) {
  // K = 40 > 32 takes the bitmap branch.
  auto venv =
      make_venv(env_config("interest_exploration", {"num_candidates=50", "slate_size=40"}), 2, 1);
  venv->reset_all(0);
  std::vector<int32_t> slates(80);
  std::iota(slates.begin(), slates.begin() + 40, 0);
  std::iota(slates.begin() + 40, slates.end(), 10);
  EXPECT_NO_THROW(venv->step(slates.data()));
  slates[79] = 45;  // duplicate of slot 35 of user 1 (10 + 35 = 45)
  expect_slate_error(*venv, slates, {"user 1", "duplicate position 45", "slots 35 and 39"});
  slates[79] = 50;
  expect_slate_error(*venv, slates, {"user 1", "position 50", "[0, 50)"});
}

// ---------------------------------- episode ends ------------------------------------------------

TEST(VectorEnvEpisodes, TruncatedAtMaxStepsIsNotTerminated) {
  auto venv = make_venv(env_config("interest_evolution", {"max_steps=5"}), 2, 1);
  venv->reset_all(0);
  const int32_t slates[] = {0, 1, 0, 1};
  for (int t = 1; t <= 5; ++t) {
    venv->step(slates);
    for (int b = 0; b < 2; ++b) {
      EXPECT_FALSE(venv->terminated()[b]);  // budget 200 cannot run out in 5 steps (<= 7.5 each)
      EXPECT_EQ(static_cast<bool>(venv->truncated()[b]), t == 5);
      EXPECT_EQ(venv->done(b), t == 5);
      EXPECT_EQ(venv->episode_step(b), t);
    }
  }
  // reset clears the flags and the step count, and starts the requested episode.
  venv->reset(1, 42);
  EXPECT_FALSE(venv->done(1));
  EXPECT_EQ(venv->episode_step(1), 0);
  EXPECT_EQ(venv->episode(1), 42u);
  EXPECT_EQ(venv->rewards()[1], 0.0);
  EXPECT_EQ(venv->choices()[1], -1);
  EXPECT_TRUE(venv->done(0));
}

TEST(VectorEnvEpisodes, TerminationTakesPrecedenceOverTruncation) {
  // long_term_satisfaction with time_budget 3 terminates at step 3, which is also max_steps.
  auto venv =
      make_venv(env_config("long_term_satisfaction", {"time_budget=3", "max_steps=3"}), 1, 1);
  venv->reset(0, 0);
  const int32_t slate[] = {0, 1};
  for (int t = 0; t < 3; ++t) venv->step(slate);
  EXPECT_TRUE(venv->terminated()[0]);
  EXPECT_FALSE(venv->truncated()[0]);
}

TEST(VectorEnvEpisodes, InactiveRowsAreNotStepped) {
  auto venv = make_venv(env_config("interest_evolution"), 2, 1);
  venv->reset_all(0);
  const uint8_t active[] = {1, 0};
  const int32_t slates[] = {0, 1, 2, 3};
  std::vector<double> user1(venv->observation().user_row(1), venv->observation().user_row(1) + 20);
  for (int t = 0; t < 3; ++t) venv->step(slates, active);
  EXPECT_EQ(venv->episode_step(0), 3);
  EXPECT_EQ(venv->episode_step(1), 0);
  EXPECT_EQ(
      std::vector<double>(venv->observation().user_row(1), venv->observation().user_row(1) + 20),
      user1);
  // The inactive slot continues as if nothing happened: its first step equals a fresh run's.
  venv->step(slates);
  auto fresh = make_venv(env_config("interest_evolution"), 2, 1);
  fresh->reset_all(0);
  fresh->step(slates);
  EXPECT_EQ(venv->rewards()[1], fresh->rewards()[1]);
  EXPECT_EQ(venv->choices()[1], fresh->choices()[1]);
}

TEST(VectorEnvObservation, LayoutMatchesTheSpec) {
  auto venv =
      make_venv(env_config("interest_evolution", {"num_candidates=7", "slate_size=3"}), 5, 1);
  venv->reset_all(0);
  const Observation o = venv->observation();
  EXPECT_EQ(o.batch, 5);
  EXPECT_EQ(o.num_candidates, 7);
  EXPECT_EQ(o.slate_size, 3);
  EXPECT_EQ(o.user_dim, 20);
  EXPECT_EQ(o.item_dim, 20);
  EXPECT_NE(o.candidate_ids, nullptr);
  EXPECT_NE(o.candidate_features, nullptr);
  EXPECT_NE(o.candidate_quality, nullptr);
  EXPECT_EQ(o.catalogue, nullptr);
  EXPECT_EQ(o.active, nullptr);
  EXPECT_TRUE(o.is_active(4));
  EXPECT_EQ(venv->responses().cols, 3u * 5u);
  // Row-major: row b's candidate p starts at (b·N + p)·item_dim.
  EXPECT_EQ(o.item_features(2, 4), o.candidate_features + (2 * 7 + 4) * 20);
  const uint8_t flags[] = {1, 0, 1, 0, 1};
  EXPECT_FALSE(venv->observation(flags).is_active(1));
}

// ---------------------------------- bad configuration -------------------------------------------

using test::error_of;

TEST(VectorEnvConfig, BadConfigurationsAreOneLineErrors) {
  auto build = [](std::vector<std::string> sets) {
    return [sets] { make_venv(env_config("interest_evolution", sets), 2, 1); };
  };
  std::string m = error_of(build({"slate_size=12"}));
  EXPECT_NE(m.find("env.slate_size"), std::string::npos) << m;
  EXPECT_NE(m.find("(10)"), std::string::npos) << m;
  EXPECT_NE(m.find("12"), std::string::npos) << m;
  m = error_of(build({"num_candidats=10"}));
  EXPECT_NE(m.find("did you mean 'env.num_candidates'"), std::string::npos) << m;
  m = error_of(build({"slate_size=2.5"}));
  EXPECT_NE(m.find("slate_size"), std::string::npos) << m;
  m = error_of(build({"resample_documents=\"yes\""}));
  EXPECT_NE(m.find("resample_documents"), std::string::npos) << m;
  m = error_of(build({"choice_model=multinomial_logitt"}));
  EXPECT_NE(m.find("did you mean 'multinomial_logit'"), std::string::npos) << m;
  m = error_of(build({"min_normalizer=2.0"}));  // MNP needs no_click_mass (1) >= min_normalizer
  EXPECT_NE(m.find("min_normalizer"), std::string::npos) << m;
  m = error_of([] { VectorEnv(make_environment(env_config("interest_evolution"), 1), 0, 1); });
  EXPECT_NE(m.find("batch size must be >= 1, got 0"), std::string::npos) << m;
  m = error_of([] { make_environment(env_config("interest_evolutin"), 1); });
  EXPECT_NE(m.find("did you mean 'interest_evolution'"), std::string::npos) << m;
  for (const std::string& msg :
       {error_of(build({"slate_size=12"})), error_of(build({"num_candidats=10"}))})
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
}

// core/interrupt.h: a requested interrupt makes the next step throw Interrupted before anything is
// stepped; once cleared, stepping goes on from the same state.
TEST(VectorEnvInterrupt, StepThrowsInterruptedUntilCleared) {
  const Config cfg = env_config("interest_evolution", {"max_steps=5"});
  auto venv = make_venv(cfg, 4, 9);
  venv->reset_all(0);
  const int K = venv->spec().slate_size;
  std::vector<int32_t> slates(static_cast<size_t>(4) * K);
  for (int b = 0; b < 4; ++b)
    for (int k = 0; k < K; ++k) slates[static_cast<size_t>(b) * K + k] = k;
  request_interrupt();
  EXPECT_THROW(venv->step(slates.data(), nullptr), Interrupted);
  EXPECT_EQ(venv->episode_step(0), 0);
  clear_interrupt();
  venv->step(slates.data(), nullptr);
  EXPECT_EQ(venv->episode_step(0), 1);
}

}  // namespace
}  // namespace rlrec::sim
