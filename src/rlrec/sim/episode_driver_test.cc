// Tests of drive_episodes (episode_driver.h): termination vs truncation, active rows, episode
// numbers per slot for both plans, per-episode streams independent of batch size and thread count
// (strided) and of the plan (a stateless policy), hook order, and bad arguments.
#include "rlrec/sim/episode_driver.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "rlrec/core/error.h"
#include "rlrec/core/testing.h"
#include "rlrec/core/thread_pool.h"
#include "rlrec/sim/environment.h"

namespace rlrec::sim {
namespace {

// A session that lasts L steps and then terminates; L is `fixed_length` or, when 0, drawn from
// the episode's stream in {1, ..., 5}. The user observation is [L]. Three fresh candidates; the
// reward of a step is the shown position plus a uniform draw of the episode's stream, so a
// return depends on both the environment's and the policy's stream of the episode.
class CountdownEnv final : public Environment {
 public:
  CountdownEnv(int max_steps, int fixed_length) : fixed_(fixed_length) {
    spec_.name = "countdown";
    spec_.num_candidates = 3;
    spec_.slate_size = 1;
    spec_.user_dim = 1;
    spec_.item_dim = 1;
    spec_.response_fields = {"click"};
    spec_.reward = "reward";
    spec_.max_steps = max_steps;
    spec_.user_high = 5;
    spec_.item_high = 1;
    choice_ = make_choice_model("multinomial_logit", ChoiceParams{});
  }
  const EnvSpec& spec() const override { return spec_; }
  void set_batch(int batch) override {
    length_.assign(batch, 0);
    taken_.assign(batch, 0);
  }
  void reset(int slot, Rng& rng, const SlotBuffers& out) override {
    length_[slot] = fixed_ > 0 ? fixed_ : 1 + static_cast<int>(rng.uniform_int(5));
    taken_[slot] = 0;
    write(slot, out);
  }
  StepOutcome step(int slot, const int32_t* slate, Rng& rng, const SlotBuffers& out) override {
    StepOutcome o;
    o.reward = slate[0] + rng.uniform();
    o.choice = ++taken_[slot] % 2 == 1 ? 0 : -1;
    o.terminated = taken_[slot] >= length_[slot];
    out.responses[0] = o.choice == 0 ? 1.f : 0.f;
    write(slot, out);
    return o;
  }
  const ChoiceModel& choice_model() const override { return *choice_; }
  double observed_score(const float*, const float*) const override { return 0; }

 private:
  void write(int slot, const SlotBuffers& out) const {
    out.user[0] = static_cast<float>(length_[slot]);
    for (int i = 0; i < 3; ++i) {
      out.candidate_ids[i] = i;
      out.candidate_features[i] = 0.5f;
      out.candidate_quality[i] = 0;
    }
  }
  int fixed_;
  EnvSpec spec_;
  std::unique_ptr<ChoiceModel> choice_;
  std::vector<int> length_, taken_;
};

std::unique_ptr<VectorEnv> make_env(int batch, int max_steps, int fixed_length = 0,
                                    ThreadPool* pool = nullptr) {
  return std::make_unique<VectorEnv>(std::make_unique<CountdownEnv>(max_steps, fixed_length), batch,
                                     77, pool);
}

// Shows a uniformly random position drawn from the row's policy stream.
void random_act(const Observation& obs, int32_t* slates, Rng* rngs) {
  for (int b = 0; b < obs.batch; ++b)
    if (obs.is_active(b)) slates[b] = static_cast<int32_t>(rngs[b].uniform_int(3));
}

// Per-episode return under a plan, with the random policy.
std::map<uint64_t, double> returns_of(VectorEnv& env, const EpisodePlan& plan, uint64_t seed,
                                      EpisodeStats* stats = nullptr) {
  std::map<uint64_t, double> ret;
  EpisodeHooks h;
  h.act = random_act;
  h.row = [&](int b) { ret[env.episode(b)] += env.rewards()[b]; };
  const EpisodeStats st = drive_episodes(env, seed, plan, h);
  if (stats) *stats = st;
  return ret;
}

TEST(EpisodeDriver, EndsAreTerminatedOrTruncatedAtMaxSteps) {
  auto env = make_env(4, 3);
  struct Ep {
    int drawn_length = 0, steps = 0;
    int ends = 0;
    EpisodeEnd how = EpisodeEnd::kTerminated;
  };
  std::map<uint64_t, Ep> eps;
  EpisodeHooks h;
  h.act = [&](const Observation& obs, int32_t* slates, Rng* rngs) {
    for (int b = 0; b < obs.batch; ++b)
      if (obs.is_active(b) && obs.episode_step[b] == 0)
        eps[env->episode(b)].drawn_length = static_cast<int>(obs.user_row(b)[0]);
    random_act(obs, slates, rngs);
  };
  h.row = [&](int b) { ++eps[env->episode(b)].steps; };
  h.episode_end = [&](int b, EpisodeEnd how) {
    Ep& e = eps[env->episode(b)];
    ++e.ends;
    e.how = how;
    EXPECT_EQ(env->terminated()[b] != 0, how == EpisodeEnd::kTerminated);
    EXPECT_EQ(env->truncated()[b] != 0, how == EpisodeEnd::kTruncated);
  };
  const EpisodeStats st = drive_episodes(*env, 5, EpisodePlan::strided(60), h);
  ASSERT_EQ(eps.size(), 60u);
  int64_t steps = 0, truncated = 0;
  for (const auto& [e, ep] : eps) {
    EXPECT_EQ(ep.ends, 1) << "episode " << e;
    ASSERT_GE(ep.drawn_length, 1);
    if (ep.drawn_length <= 3) {  // the user model ends it at step L (also when L == max_steps)
      EXPECT_EQ(ep.how, EpisodeEnd::kTerminated) << "episode " << e;
      EXPECT_EQ(ep.steps, ep.drawn_length) << "episode " << e;
    } else {  // cut at max_steps
      EXPECT_EQ(ep.how, EpisodeEnd::kTruncated) << "episode " << e;
      EXPECT_EQ(ep.steps, 3) << "episode " << e;
      ++truncated;
    }
    steps += ep.steps;
  }
  EXPECT_GT(truncated, 0);
  EXPECT_LT(truncated, 60);
  EXPECT_EQ(st.truncated, truncated);
  EXPECT_EQ(st.steps, steps);
  EXPECT_EQ(st.episodes, 60);
  EXPECT_EQ(st.next_episode, 60u);
}

TEST(EpisodeDriver, StridedRunsEpisodeEInSlotEModBAndIdlesSpareSlots) {
  for (const int episodes : {3, 17}) {
    auto env = make_env(5, 4);
    std::multiset<uint64_t> seen_episodes;
    EpisodeHooks h;
    h.act = [&](const Observation& obs, int32_t* slates, Rng* rngs) {
      for (int b = 0; b < obs.batch; ++b)
        if (b >= episodes) {
          EXPECT_FALSE(obs.is_active(b)) << "slot " << b << " has no episode";
        }
      random_act(obs, slates, rngs);
    };
    h.row = [&](int b) {
      EXPECT_EQ(env->episode(b) % 5, static_cast<uint64_t>(b));
      if (env->episode_step(b) == 1) seen_episodes.insert(env->episode(b));
    };
    drive_episodes(*env, 1, EpisodePlan::strided(episodes), h);
    std::multiset<uint64_t> want;
    for (int e = 0; e < episodes; ++e) want.insert(e);
    EXPECT_EQ(seen_episodes, want) << episodes << " episodes";
  }
}

TEST(EpisodeDriver, EachEpisodeStartsWithItsOwnPolicyStream) {
  auto env = make_env(3, 4);
  int checked = 0;
  EpisodeHooks h;
  h.act = [&](const Observation& obs, int32_t* slates, Rng* rngs) {
    for (int b = 0; b < obs.batch; ++b) {
      if (!obs.is_active(b) || obs.episode_step[b] != 0) continue;
      EXPECT_EQ(rngs[b].state(), Rng(9, env->episode(b)).state()) << "episode " << env->episode(b);
      ++checked;
    }
    random_act(obs, slates, rngs);
  };
  drive_episodes(*env, 9, EpisodePlan::strided(11), h);
  EXPECT_EQ(checked, 11);
}

TEST(EpisodeDriver, StridedReturnsDoNotDependOnBatchSizeOrThreads) {
  auto one = make_env(1, 4);
  const auto ref = returns_of(*one, EpisodePlan::strided(13), 3);
  ASSERT_EQ(ref.size(), 13u);
  ThreadPool pool(3);
  for (const int batch : {2, 5, 13, 20}) {
    auto env = make_env(batch, 4, 0, &pool);
    EpisodeStats st;
    EXPECT_EQ(returns_of(*env, EpisodePlan::strided(13), 3, &st), ref) << "batch " << batch;
    EXPECT_EQ(st.episodes, 13);
  }
  // The streams matter: another policy seed gives other returns.
  auto other = make_env(1, 4);
  EXPECT_NE(returns_of(*other, EpisodePlan::strided(13), 4), ref);
}

TEST(EpisodeDriver, SequentialHandsOutNumbersInFinishingOrderUntilPredicateSaysStop) {
  auto env = make_env(3, 4);
  int64_t rows = 0, restarts = 0;
  std::vector<uint64_t> first_slots;
  std::vector<uint64_t> starts;  // episode numbers in the order their first step is seen
  EpisodeHooks h;
  h.act = [&](const Observation& obs, int32_t* slates, Rng* rngs) {
    for (int b = 0; b < obs.batch; ++b)
      if (obs.is_active(b) && obs.episode_step[b] == 0) {
        if (first_slots.size() < 3) first_slots.push_back(env->episode(b));
        starts.push_back(env->episode(b));
      }
    random_act(obs, slates, rngs);
  };
  h.row = [&](int) { ++rows; };
  auto more = [&](int64_t steps) {
    EXPECT_EQ(steps, rows);  // the finishing row is counted
    const bool again = steps < 12;
    restarts += again;
    return again;
  };
  const EpisodeStats st = drive_episodes(*env, 2, EpisodePlan::sequential(10, more), h);
  EXPECT_EQ(first_slots, (std::vector<uint64_t>{10, 11, 12}));
  ASSERT_EQ(static_cast<int64_t>(starts.size()), 3 + restarts);
  for (size_t i = 0; i < starts.size(); ++i) EXPECT_EQ(starts[i], 10 + i);  // no gaps, in order
  EXPECT_EQ(st.next_episode, 10 + starts.size());
  EXPECT_EQ(st.episodes, static_cast<int64_t>(starts.size()));
  EXPECT_GE(st.steps, 12);
  EXPECT_EQ(st.steps, rows);
}

TEST(EpisodeDriver, SequentialGivesAStatelessPolicyTheStridedTrajectories) {
  auto seq_env = make_env(4, 4);
  EpisodeStats st;
  const auto seq =
      returns_of(*seq_env, EpisodePlan::sequential(0, [](int64_t s) { return s < 40; }), 6, &st);
  ASSERT_EQ(seq.size(), st.next_episode);
  auto strided_env = make_env(3, 4);
  EXPECT_EQ(
      returns_of(*strided_env, EpisodePlan::strided(static_cast<int64_t>(st.next_episode)), 6),
      seq);
}

TEST(EpisodeDriver, HooksRunInOrderAndSeeThePostStepStateBeforeRestarts) {
  // Batch 2, three episodes of exactly 2 steps: slot 0 runs episodes 0 and 2, slot 1 runs 1.
  auto env = make_env(2, 5, 2);
  std::vector<std::string> log;
  EpisodeHooks h;
  h.act = [&](const Observation& obs, int32_t* slates, Rng* rngs) {
    log.push_back("act " + std::to_string(obs.is_active(0)) + std::to_string(obs.is_active(1)));
    random_act(obs, slates, rngs);
  };
  h.stepped = [&](const uint8_t* active, const int32_t*) {
    std::string s = "stepped";
    for (int b = 0; b < 2; ++b)
      if (active[b]) s += " " + std::to_string(env->episode(b)) + (env->done(b) ? "d" : "");
    log.push_back(s);
  };
  h.row = [&](int b) { log.push_back("row " + std::to_string(b)); };
  h.episode_end = [&](int b, EpisodeEnd how) {
    log.push_back("end " + std::to_string(b) + " ep " + std::to_string(env->episode(b)) +
                  (how == EpisodeEnd::kTerminated ? " terminated" : " truncated"));
  };
  h.step_end = [&](const EpisodeStats& s) {
    log.push_back("step_end " + std::to_string(s.steps) + " " + std::to_string(s.episodes));
  };
  drive_episodes(*env, 1, EpisodePlan::strided(3), h);
  // clang-format off
  const std::vector<std::string> want = {  // one line per step
      "act 11", "stepped 0 1", "row 0", "row 1", "step_end 2 0",
      "act 11", "stepped 0d 1d", "row 0", "end 0 ep 0 terminated",
                                 "row 1", "end 1 ep 1 terminated", "step_end 4 2",
      "act 10", "stepped 2", "row 0", "step_end 5 2",
      "act 10", "stepped 2d", "row 0", "end 0 ep 2 terminated", "step_end 6 3"};
  // clang-format on
  EXPECT_EQ(log, want);
}

TEST(EpisodeDriver, BadArgumentsAreRejected) {
  EXPECT_NE(test::error_of([] { EpisodePlan::strided(0); }, ErrorCode::kInvalidArgument)
                .find("episodes must be >= 1, got 0"),
            std::string::npos);
  EXPECT_NE(test::error_of([] { EpisodePlan::sequential(0, nullptr); }, ErrorCode::kInvalidArgument)
                .find("continue predicate"),
            std::string::npos);
  auto env = make_env(1, 3);
  EXPECT_NE(test::error_of([&] { drive_episodes(*env, 1, EpisodePlan::strided(1), {}); },
                           ErrorCode::kInvalidArgument)
                .find("act hook"),
            std::string::npos);
  // A bad slate from the act hook is the environment's error; nothing is stepped.
  EpisodeHooks h;
  h.act = [](const Observation&, int32_t* slates, Rng*) { slates[0] = 7; };
  EXPECT_NE(test::error_of([&] {
              drive_episodes(*env, 1, EpisodePlan::strided(1), h);
            }).find("position 7"),
            std::string::npos);
}

}  // namespace
}  // namespace rlrec::sim
