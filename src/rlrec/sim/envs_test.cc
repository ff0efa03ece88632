// Tests of the built-in environments: transition rules on fixed states (through the test hooks of
// envs/envs.h), spec checks over every registered environment, the fixed-corpus mode, and the
// simulated click rate against the analytic choice probabilities (recsim-spec.md §4-§6).
#include "rlrec/sim/envs/envs.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>
#include <string>
#include <vector>

#include "rlrec/catalog/catalog.h"
#include "rlrec/core/config.h"
#include "rlrec/core/error.h"
#include "rlrec/core/rng.h"
#include "rlrec/core/testing.h"
#include "rlrec/sim/environment.h"
#include "rlrec/sim/vector_env.h"

namespace rlrec::sim {
namespace {

// Environments and policies are built by name through the catalogue (the one table of names).
using catalog::env_name;
using catalog::find_environment;
using catalog::find_policy;
using catalog::make_environment;

// RecSim's user_update_alpha = 0.9 / 3.4 = 0.264706.
constexpr double kUpdateAlpha = 0.9 / 3.4;

using test::env_config;

std::unique_ptr<VectorEnv> make_venv(const Config& cfg, int batch, uint64_t seed = 1,
                                     ThreadPool* pool = nullptr) {
  return std::make_unique<VectorEnv>(make_environment(cfg, seed), batch, seed, pool);
}

// K distinct positions in [0, n), uniformly (partial Fisher-Yates).
void draw_slate(Rng& rng, int n, int k, int32_t* out) {
  std::vector<int32_t> p(n);
  std::iota(p.begin(), p.end(), 0);
  for (int i = 0; i < k; ++i) {
    const int j = i + static_cast<int>(rng.uniform_int(static_cast<uint64_t>(n - i)));
    std::swap(p[i], p[j]);
    out[i] = p[i];
  }
}

int argmax(const float* v, int n) { return static_cast<int>(std::max_element(v, v + n) - v); }

// ================================ interest_evolution ============================================

// Forces a click on slot 0: slate of one item, MNL with no-click logit -inf (P(click) = 1).
const std::vector<std::string> kForceClick = {"slate_size=1", "choice_model=multinomial_logit",
                                              "no_click_mass=-inf"};
// Forbids clicks: MNL with no-click logit 1e6, so every item has probability exp(-1e6) = 0.
const std::vector<std::string> kForbidClick = {"choice_model=multinomial_logit",
                                               "no_click_mass=1e6"};

InterestEvolutionState uniform_state(double u, double budget, int topics = 20) {
  InterestEvolutionState s;
  s.interests.assign(topics, u);
  s.budget = budget;
  return s;
}

TEST(InterestEvolution, ClickUpdatesInterestBudgetAndResponses) {
  auto venv = make_venv(env_config("interest_evolution", kForceClick), 1);
  venv->reset(0, 0);
  const Observation obs = venv->observation();
  const int c = argmax(obs.item_features(0, 0), 20);  // one-hot topic of candidate 0
  EXPECT_EQ(obs.item_features(0, 0)[c], 1.f);
  const double q = obs.hidden_quality(0, 0);
  set_interest_evolution_state(venv->env(), 0, uniform_state(0.4, 200.0));

  const int32_t slate[] = {0};
  venv->step(slate);
  // u_c = 0.4: α = 0.3 - 0.3·0.4 = 0.18, Δ = 0.18·(1 - 0.4) = 0.108 => u_c ∈ {0.508, 0.292}.
  const auto s = interest_evolution_state(venv->env(), 0);
  EXPECT_TRUE(std::abs(s.interests[c] - 0.508) < 1e-12 || std::abs(s.interests[c] - 0.292) < 1e-12)
      << s.interests[c];
  for (int t = 0; t < 20; ++t) {
    if (t == c) continue;
    EXPECT_EQ(s.interests[t], 0.4) << "only the clicked topic moves; topic " << t;
  }
  // w = min(B, 4) = 4; utility = q (user_quality_factor 0): B = 200 - 4 + 0.264706·4·q.
  EXPECT_NEAR(s.budget, 200.0 - 4.0 + kUpdateAlpha * 4.0 * q, 1e-9);
  EXPECT_EQ(venv->rewards()[0], 4.0);
  EXPECT_EQ(venv->choices()[0], 0);
  EXPECT_FALSE(venv->terminated()[0]);
  // Response row: click, watch_time, liked, quality, cluster_id.
  const float* r = venv->responses().row(0);
  EXPECT_EQ(r[0], 1.f);
  EXPECT_EQ(r[1], 4.f);
  EXPECT_EQ(r[2], 0.f);
  EXPECT_EQ(r[3], static_cast<float>(q));
  EXPECT_EQ(r[4], static_cast<float>(c));
  // The user observation is the updated interest vector.
  const Observation after = venv->observation();
  for (int t = 0; t < 20; ++t) EXPECT_EQ(after.user_row(0)[t], static_cast<float>(s.interests[t]));
}

TEST(InterestEvolution, FlipProbabilityIsHalfOfInterestPlusOne) {
  // Every slot clicks its candidate 0. Even slots start at u = 0.4 (P(up) = 0.7), odd slots at
  // u = -0.6 (P(up) = 0.2; α = 0.12, Δ = 0.192, so u_c ∈ {-0.408, -0.792}). With n = 2000 per
  // group the observed up-fraction must be within 5 standard errors sqrt(p(1-p)/n) (<= 0.051).
  constexpr int B = 4000;
  auto venv = make_venv(env_config("interest_evolution", kForceClick), B, 7);
  venv->reset_all(0);
  std::vector<int> topic(B);
  const Observation obs = venv->observation();
  for (int b = 0; b < B; ++b) {
    topic[b] = argmax(obs.item_features(b, 0), 20);
    set_interest_evolution_state(venv->env(), b, uniform_state(b % 2 ? -0.6 : 0.4, 200.0));
  }
  std::vector<int32_t> slates(B, 0);
  venv->step(slates.data());
  int up[2] = {0, 0};
  for (int b = 0; b < B; ++b) {
    const double u0 = b % 2 ? -0.6 : 0.4, delta = b % 2 ? 0.192 : 0.108;
    const double u = interest_evolution_state(venv->env(), b).interests[topic[b]];
    const bool is_up = std::abs(u - (u0 + delta)) < 1e-12;
    ASSERT_TRUE(is_up || std::abs(u - (u0 - delta)) < 1e-12) << "slot " << b << ": " << u;
    up[b % 2] += is_up;
  }
  const double n = B / 2;
  EXPECT_NEAR(up[0] / n, 0.7, 5 * std::sqrt(0.7 * 0.3 / n));
  EXPECT_NEAR(up[1] / n, 0.2, 5 * std::sqrt(0.2 * 0.8 / n));
}

TEST(InterestEvolution, InterestsAreClippedToMinusOneOne) {
  // alpha_y_intercept = 1: at u = -0.2, α = 1 - 0.2 = 0.8, Δ = 0.8·1.2 = 0.96, so u_c becomes
  // 0.76 (prob 0.4) or -1.16, clipped to -1 (prob 0.6). 200 slots see both (P(miss) ~ 1e-44).
  constexpr int B = 200;
  auto cfg = env_config("interest_evolution", kForceClick);
  cfg.set("env.alpha_y_intercept=1.0");
  auto venv = make_venv(cfg, B, 3);
  venv->reset_all(0);
  std::vector<int> topic(B);
  for (int b = 0; b < B; ++b) {
    topic[b] = argmax(venv->observation().item_features(b, 0), 20);
    set_interest_evolution_state(venv->env(), b, uniform_state(-0.2, 200.0));
  }
  std::vector<int32_t> slates(B, 0);
  venv->step(slates.data());
  int clipped = 0, raised = 0;
  for (int b = 0; b < B; ++b) {
    const double u = interest_evolution_state(venv->env(), b).interests[topic[b]];
    if (u == -1.0)
      ++clipped;
    else if (std::abs(u - 0.76) < 1e-12)
      ++raised;
    else
      ADD_FAILURE() << "slot " << b << ": u_c = " << u;
  }
  EXPECT_GT(clipped, 0);
  EXPECT_GT(raised, 0);
}

TEST(InterestEvolution, UtilityUsesThePreUpdateScore) {
  // user_quality_factor = 1: utility = (u_c - c_min) + q with u_c = 0.4 the score the choice used
  // (before the interest update) and c_min = -1: B = 200 - 4 + 0.264706·4·(1.4 + q).
  auto cfg = env_config("interest_evolution", kForceClick);
  cfg.set("env.user_quality_factor=1.0");
  auto venv = make_venv(cfg, 1);
  venv->reset(0, 5);
  const double q = venv->observation().hidden_quality(0, 0);
  set_interest_evolution_state(venv->env(), 0, uniform_state(0.4, 200.0));
  const int32_t slate[] = {0};
  venv->step(slate);
  EXPECT_NEAR(interest_evolution_state(venv->env(), 0).budget,
              200.0 - 4.0 + kUpdateAlpha * 4.0 * (1.4 + q), 1e-9);
}

TEST(InterestEvolution, WatchTimeIsTruncatedByTheBudget) {
  // B = 2.5 < length 4: w = 2.5, reward 2.5, B' = 2.5 - 2.5 + 0.264706·2.5·q, which is <= 0
  // (terminated) exactly when q <= 0. 64 slots give qualities of both signs (topics 0-12 have
  // negative means, 15-19 positive).
  constexpr int B = 64;
  auto venv = make_venv(env_config("interest_evolution", kForceClick), B, 11);
  venv->reset_all(100);
  std::vector<double> q(B);
  for (int b = 0; b < B; ++b) {
    q[b] = venv->observation().hidden_quality(b, 0);
    set_interest_evolution_state(venv->env(), b, uniform_state(0.0, 2.5));
  }
  std::vector<int32_t> slates(B, 0);
  venv->step(slates.data());
  int ended = 0, alive = 0;
  for (int b = 0; b < B; ++b) {
    const double budget = interest_evolution_state(venv->env(), b).budget;
    EXPECT_NEAR(budget, kUpdateAlpha * 2.5 * q[b], 1e-9);
    EXPECT_EQ(venv->rewards()[b], 2.5);
    EXPECT_EQ(venv->responses().row(b)[1], 2.5f);
    EXPECT_EQ(static_cast<bool>(venv->terminated()[b]), budget <= 0) << "slot " << b;
    (budget <= 0 ? ended : alive)++;
  }
  EXPECT_GT(ended, 0);
  EXPECT_GT(alive, 0);
}

TEST(InterestEvolution, NoClickCostsTheStepPenaltyAndTerminatesAtZero) {
  // No click: B' = B - 0.5; terminated iff B' <= 0. Budgets 0.4, 0.5, 0.6, 200 give -0.1
  // (terminated), 0 (terminated: <= 0), 0.1 and 199.5 (alive).
  auto venv = make_venv(env_config("interest_evolution", kForbidClick), 4);
  venv->reset_all(0);
  const double budgets[] = {0.4, 0.5, 0.6, 200.0};
  std::vector<std::vector<double>> before(4);
  for (int b = 0; b < 4; ++b) {
    auto s = interest_evolution_state(venv->env(), b);
    s.budget = budgets[b];
    set_interest_evolution_state(venv->env(), b, s);
    before[b] = s.interests;
  }
  const int32_t slates[] = {0, 1, 2, 3, 4, 5, 6, 7};
  venv->step(slates);
  const bool want_terminated[] = {true, true, false, false};
  for (int b = 0; b < 4; ++b) {
    const auto s = interest_evolution_state(venv->env(), b);
    EXPECT_NEAR(s.budget, budgets[b] - 0.5, 1e-12);
    EXPECT_EQ(s.interests, before[b]) << "interests move only on a click";
    EXPECT_EQ(static_cast<bool>(venv->terminated()[b]), want_terminated[b]) << "slot " << b;
    EXPECT_EQ(venv->rewards()[b], 0.0);
    EXPECT_EQ(venv->choices()[b], -1);
    for (int i = 0; i < 2; ++i) {
      EXPECT_EQ(venv->responses().row(b)[i * 5 + 0], 0.f);  // click
      EXPECT_EQ(venv->responses().row(b)[i * 5 + 1], 0.f);  // watch_time
    }
  }
}

TEST(InterestEvolution, NeverClickingUserLeavesAfterExactly400Steps) {
  // B = 200, 0.5 per step without a click: B reaches exactly 0 (binary-exact) after 400 steps.
  auto venv = make_venv(env_config("interest_evolution", kForbidClick), 1);
  venv->reset(0, 0);
  const int32_t slate[] = {0, 1};
  int steps = 0;
  while (!venv->done(0)) {
    venv->step(slate);
    ++steps;
    ASSERT_LE(steps, 400);
  }
  EXPECT_EQ(steps, 400);
  EXPECT_TRUE(venv->terminated()[0]);
  EXPECT_FALSE(venv->truncated()[0]);
  EXPECT_EQ(venv->episode_step(0), 400);
}

TEST(InterestEvolution, TestHooksRejectOtherEnvironmentsAndBadStates) {
  auto lts = make_venv(env_config("long_term_satisfaction"), 1);
  EXPECT_THROW(interest_evolution_state(lts->env(), 0), Error);
  EXPECT_THROW(set_interest_evolution_state(lts->env(), 0, uniform_state(0, 1)), Error);
  auto ie = make_venv(env_config("interest_evolution"), 1);
  EXPECT_THROW(long_term_satisfaction_state(ie->env(), 0), Error);
  EXPECT_THROW(set_interest_evolution_state(ie->env(), 0, uniform_state(0, 1, 3)), Error);
}

TEST(InterestEvolution, ResetSamplesRecSimUsersAndItems) {
  // Initial interests ~ U(-1, 1), budget 200; candidate topics uniform over 20, qualities
  // N(μ_c, 0.1) with μ = linspace(-3, 0, 14) ++ linspace(0, 3, 6). Checks on 2000 users x 10
  // candidates: the mean interest is 0 within 5 SE (SE = sqrt(1/3 / 40000) = 0.0029) and every
  // quality lies within 6 std. devs (0.6) of its topic mean.
  constexpr int B = 2000;
  auto venv = make_venv(env_config("interest_evolution"), B, 21);
  venv->reset_all(0);
  const Observation obs = venv->observation();
  double sum = 0;
  std::vector<int> topic_count(20, 0);
  std::vector<double> mu;
  for (int i = 0; i < 14; ++i) mu.push_back(-3.0 + 3.0 * i / 13);
  for (int i = 0; i < 6; ++i) mu.push_back(3.0 * i / 5);
  for (int b = 0; b < B; ++b) {
    EXPECT_EQ(interest_evolution_state(venv->env(), b).budget, 200.0);
    for (int t = 0; t < 20; ++t) sum += obs.user_row(b)[t];
    for (int p = 0; p < 10; ++p) {
      const float* f = obs.item_features(b, p);
      const int c = argmax(f, 20);
      EXPECT_EQ(std::accumulate(f, f + 20, 0.f), 1.f) << "features are one-hot";
      // The observed score u·f of a one-hot item is the interest in its topic.
      EXPECT_EQ(venv->env().observed_score(obs.user_row(b), f), obs.user_row(b)[c]);
      ++topic_count[c];
      EXPECT_NEAR(obs.hidden_quality(b, p), mu[c], 0.6);
    }
  }
  EXPECT_NEAR(sum / (B * 20), 0.0, 5 * std::sqrt(1.0 / 3 / (B * 20)));
  // Topic counts ~ Binomial(20000, 1/20): mean 1000, SE 30.8; 5 SE = 154.
  for (int t = 0; t < 20; ++t) EXPECT_NEAR(topic_count[t], 1000, 154) << "topic " << t;
}

// ================================ long_term_satisfaction ========================================

TEST(LongTermSatisfaction, NetPositiveExposureAndEngagementUpdate) {
  // Noise off: NPE' = 0.7·NPE - 2(c - 0.5); log e = (5c + 4(1-c))·sigmoid(0.01·NPE) with the
  // NPE before the update; the user consumes slot 0 (position 3 here).
  auto venv = make_venv(env_config("long_term_satisfaction",
                                   {"innovation_stddev=0.0", "choc_stddev=0.0", "kale_stddev=0.0"}),
                        1);
  venv->reset(0, 0);
  const Observation obs = venv->observation();
  const double c = obs.item_features(0, 3)[0], c7 = obs.item_features(0, 7)[0];
  EXPECT_NEAR(obs.hidden_quality(0, 3), 1 - c, 1e-6);  // oracle value of kale: 1 - c
  set_long_term_satisfaction_state(venv->env(), 0, {1.0, 60.0});
  const int32_t slate[] = {3, 7};
  venv->step(slate);
  const auto s = long_term_satisfaction_state(venv->env(), 0);
  EXPECT_NEAR(s.net_positive_exposure, 0.7 * 1.0 - 2 * (c - 0.5), 1e-12);
  EXPECT_EQ(s.budget, 59.0);
  const double sat = 1 / (1 + std::exp(-0.01 * 1.0));
  const double e = std::exp((5 * c + 4 * (1 - c)) * sat);
  EXPECT_NEAR(venv->rewards()[0], e, 1e-9 * e);
  EXPECT_EQ(venv->choices()[0], 0);
  const float* r = venv->responses().row(0);  // click, engagement, clickbait_score per slot
  EXPECT_EQ(r[0], 1.f);
  EXPECT_EQ(r[1], static_cast<float>(venv->rewards()[0]));
  EXPECT_EQ(r[2], static_cast<float>(c));
  EXPECT_EQ(r[3], 0.f);
  EXPECT_EQ(r[4], 0.f);
  EXPECT_EQ(r[5], static_cast<float>(c7));
  // Observed score (myopic): the engagement mean without SAT, 5c + 4(1 - c).
  const float item[] = {0.25f};
  EXPECT_DOUBLE_EQ(venv->env().observed_score(nullptr, item), 5 * 0.25 + 4 * 0.75);
}

TEST(LongTermSatisfaction, NoiseHasTheStatedStandardDeviations) {
  // NPE = 0 for 4000 users: NPE' + 2(c - 0.5) ~ N(0, 0.05²) and, with SAT = sigmoid(0) = 0.5,
  // z = log e - (5c + 4(1-c))·0.5 ~ N(0, 1²) (σ = c·1 + (1-c)·1). Means within 5 SE (σ/sqrt(n));
  // sample std. devs within 5 SE (≈ σ/sqrt(2n)).
  constexpr int B = 4000;
  auto venv = make_venv(env_config("long_term_satisfaction"), B, 5);
  venv->reset_all(0);
  std::vector<double> c(B);
  for (int b = 0; b < B; ++b) {
    c[b] = venv->observation().item_features(b, 0)[0];
    set_long_term_satisfaction_state(venv->env(), b, {0.0, 60.0});
  }
  std::vector<int32_t> slates(2 * B);
  for (int b = 0; b < B; ++b) slates[2 * b] = 0, slates[2 * b + 1] = 1;
  venv->step(slates.data());
  double s1 = 0, s2 = 0, z1 = 0, z2 = 0;
  for (int b = 0; b < B; ++b) {
    const double eps =
        long_term_satisfaction_state(venv->env(), b).net_positive_exposure + 2 * (c[b] - 0.5);
    const double z = std::log(venv->rewards()[b]) - (5 * c[b] + 4 * (1 - c[b])) * 0.5;
    s1 += eps, s2 += eps * eps, z1 += z, z2 += z * z;
  }
  const double n = B;
  EXPECT_NEAR(s1 / n, 0.0, 5 * 0.05 / std::sqrt(n));
  EXPECT_NEAR(std::sqrt(s2 / n - (s1 / n) * (s1 / n)), 0.05, 5 * 0.05 / std::sqrt(2 * n));
  EXPECT_NEAR(z1 / n, 0.0, 5 * 1.0 / std::sqrt(n));
  EXPECT_NEAR(std::sqrt(z2 / n - (z1 / n) * (z1 / n)), 1.0, 5 * 1.0 / std::sqrt(2 * n));
}

TEST(LongTermSatisfaction, EpisodesLastExactly60Steps) {
  auto venv = make_venv(env_config("long_term_satisfaction"), 8);
  venv->reset_all(0);
  for (int b = 0; b < 8; ++b) {
    const auto s = long_term_satisfaction_state(venv->env(), b);
    EXPECT_EQ(s.budget, 60.0);
    // NPE_0 = (U(0,1) - 0.5) / 0.3 ∈ [-1.67, 1.67].
    EXPECT_LE(std::abs(s.net_positive_exposure), 0.5 / 0.3 + 1e-12);
  }
  std::vector<int32_t> slates(16);
  for (int b = 0; b < 8; ++b) slates[2 * b] = 1, slates[2 * b + 1] = 0;
  for (int t = 1; t <= 60; ++t) {
    venv->step(slates.data());
    for (int b = 0; b < 8; ++b) {
      EXPECT_EQ(static_cast<bool>(venv->terminated()[b]), t == 60) << "step " << t;
      EXPECT_FALSE(venv->truncated()[b]);  // max_steps 27000
    }
  }
  // With max_steps = 30 the same episodes are truncated, not terminated, at step 30.
  auto capped = make_venv(env_config("long_term_satisfaction", {"max_steps=30"}), 2);
  capped->reset_all(0);
  for (int t = 1; t <= 30; ++t) capped->step(slates.data());
  EXPECT_TRUE(capped->truncated()[0]);
  EXPECT_FALSE(capped->terminated()[0]);
  EXPECT_EQ(capped->episode_step(0), 30);
}

// ================================ interest_exploration ==========================================

TEST(InterestExploration, NeverTerminatesAndIsTruncatedAtMaxSteps) {
  auto venv = make_venv(env_config("interest_exploration", {"max_steps=40"}), 4);
  venv->reset_all(0);
  std::vector<int32_t> slates{0, 1, 2, 3, 4, 5, 6, 7};
  for (int t = 1; t <= 40; ++t) {
    venv->step(slates.data());
    for (int b = 0; b < 4; ++b) {
      EXPECT_FALSE(venv->terminated()[b]);
      EXPECT_EQ(static_cast<bool>(venv->truncated()[b]), t == 40);
      EXPECT_TRUE(venv->rewards()[b] == 0.0 || venv->rewards()[b] == 1.0);  // reward = clicks
    }
  }
}

TEST(InterestExploration, ClickRateMatchesMultinomialLogit) {
  // Deterministic users (type 0, affinity std 0): a = (e^0.1, e^0.7). Item scores
  // x_i = a[topic_i] + quality_i from the observed features [one-hot(topic), quality]; MNL with
  // no-click logit 5. Over B = 20000 users, observed clicks (total and on slot 0) must be within
  // 5 SE of Σ p, SE = sqrt(Σ p(1-p)) (independent Bernoulli users).
  constexpr int B = 20000;
  auto venv = make_venv(
      env_config("interest_exploration",
                 {"user_type_distribution=[1.0, 0.0]", "user_affinity_std=[0.0, 0.0, 0.0, 0.0]"}),
      B, 13);
  venv->reset_all(0);
  const Observation obs = venv->observation();
  const double a[2] = {std::exp(0.1), std::exp(0.7)};
  auto mnl = make_choice_model("multinomial_logit", ChoiceParams{5.0, -1.0, 0.65, 0.05});
  Rng rng(99, 0);
  std::vector<int32_t> slates(2 * B);
  double exp_any = 0, var_any = 0, exp_first = 0, var_first = 0;
  std::vector<float> quality(2 * B), topic(2 * B);
  for (int b = 0; b < B; ++b) {
    draw_slate(rng, 10, 2, &slates[2 * b]);
    double x[2], p[3];
    for (int i = 0; i < 2; ++i) {
      const float* f = obs.item_features(b, slates[2 * b + i]);
      const int t = f[1] > f[0] ? 1 : 0;
      x[i] = a[t] + f[2];
      quality[2 * b + i] = f[2];
      topic[2 * b + i] = static_cast<float>(t);
    }
    mnl->probabilities(x, 2, p);
    exp_any += p[0] + p[1];
    var_any += (p[0] + p[1]) * (1 - p[0] - p[1]);
    exp_first += p[0];
    var_first += p[0] * (1 - p[0]);
  }
  venv->step(slates.data());
  int clicks = 0, first = 0;
  for (int b = 0; b < B; ++b) {
    const float* r = venv->responses().row(b);  // click, quality, cluster_id per slot
    EXPECT_EQ(r[0] + r[3], venv->rewards()[b]);
    clicks += venv->choices()[b] >= 0;
    first += venv->choices()[b] == 0;
    EXPECT_EQ(r[0], venv->choices()[b] == 0 ? 1.f : 0.f);
    for (int i = 0; i < 2; ++i) {
      EXPECT_EQ(r[3 * i + 1], quality[2 * b + i]);
      EXPECT_EQ(r[3 * i + 2], topic[2 * b + i]);
    }
  }
  EXPECT_NEAR(clicks, exp_any, 5 * std::sqrt(var_any));
  EXPECT_NEAR(first, exp_first, 5 * std::sqrt(var_first));
}

TEST(InterestExploration, ItemsFollowTheTopicAndQualityDistributions) {
  // Topic 1 has probability 0.8: among 5000 x 10 items the fraction is 0.8 ± 5 SE
  // (SE = sqrt(0.16 / 50000) = 0.0018); qualities are lognormal, log q within 6σ = 0.6 of μ_t.
  constexpr int B = 5000;
  auto venv = make_venv(env_config("interest_exploration"), B, 17);
  venv->reset_all(0);
  const Observation obs = venv->observation();
  int topic1 = 0;
  for (int b = 0; b < B; ++b)
    for (int p = 0; p < 10; ++p) {
      const float* f = obs.item_features(b, p);
      ASSERT_EQ(f[0] + f[1], 1.f);
      topic1 += f[1] == 1.f;
      EXPECT_NEAR(std::log(f[2]), f[1] == 1.f ? 0.2 : 0.8, 0.6);
      EXPECT_EQ(obs.hidden_quality(b, p), f[2]);
    }
  EXPECT_NEAR(topic1 / 50000.0, 0.8, 5 * std::sqrt(0.16 / 50000));
  // Observed score: prior-average affinity E[a_t] = Σ_y P(y) exp(μ_yt + σ²/2) plus quality:
  // topic 0: 0.3·e^(0.1+0.005) + 0.7·e^(0.7+0.005); topic 1: 0.3·e^0.705 + 0.7·e^0.105.
  const double e0 = 0.3 * std::exp(0.105) + 0.7 * std::exp(0.705);
  const double e1 = 0.3 * std::exp(0.705) + 0.7 * std::exp(0.105);
  const float item0[] = {1.f, 0.f, 2.5f}, item1[] = {0.f, 1.f, 1.25f};
  EXPECT_NEAR(venv->env().observed_score(nullptr, item0), e0 + 2.5, 1e-12);
  EXPECT_NEAR(venv->env().observed_score(nullptr, item1), e1 + 1.25, 1e-12);
}

// ============================ the RecSim anchors =================================================
// The spec checks every environment passes (defaults round-trip, observations in range, choice
// probabilities, click column, termination xor truncation, one-line config errors) are the
// catalogue's conformance suite (src/rlrec/catalog/catalog_test.cc). Here: what RecSim fixes.

std::vector<std::string> environment_names() {  // the catalogue's RecSim environments
  std::vector<std::string> names;
  for (const auto& e : catalog::environments())
    if (e.family == "recsim") names.emplace_back(e.name);
  return names;
}

TEST(EnvironmentRegistry, RecSimDefaultsAreTheAnchorSlateWithAClickFirst) {
  for (const std::string& name : environment_names()) {
    auto env =
        make_environment(Config::parse_string(find_environment(name).defaults(), "defaults"), 1);
    EXPECT_EQ(env->spec().num_candidates, 10) << name;  // RecSim anchor N = 10, K = 2
    EXPECT_EQ(env->spec().slate_size, 2) << name;
    EXPECT_EQ(env->spec().response_fields[0], "click") << name;
  }
}

TEST(EnvironmentRegistry, ThreeRecSimEnvironmentsAndDidYouMean) {
  EXPECT_EQ(environment_names(),
            (std::vector<std::string>{"interest_evolution", "interest_exploration",
                                      "long_term_satisfaction"}));
  try {
    find_environment("interest_evolutoin");
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kNotFound);
    EXPECT_NE(std::string(e.what()).find("did you mean 'interest_evolution'"), std::string::npos)
        << e.what();
  }
  // No env.name: interest_evolution.
  EXPECT_EQ(make_environment(Config(), 1)->spec().name, "interest_evolution");
}

// ===================== interest_evolution: fixed-corpus mode ====================================

TEST(InterestEvolutionCorpus, SampledCandidatesComeFromTheCatalogue) {
  constexpr int B = 4, N = 50, K = 5;
  auto venv = make_venv(
      env_config("interest_evolution", {"corpus_size=500", "num_candidates=50", "slate_size=5"}), B,
      42);
  const EnvSpec& spec = venv->spec();
  EXPECT_TRUE(spec.fixed_corpus());
  EXPECT_FALSE(spec.candidates_are_catalogue());
  const Catalogue* cat = venv->env().catalogue();
  ASSERT_NE(cat, nullptr);
  ASSERT_EQ(cat->size(), 500);
  venv->reset_all(0);
  Rng rng(1, 1);
  std::vector<int32_t> slates(B * K);
  std::set<int64_t> seen;
  for (int t = 0; t < 20; ++t) {
    const Observation obs = venv->observation();
    ASSERT_NE(obs.candidate_ids, nullptr);
    EXPECT_EQ(obs.candidate_features, nullptr);  // agents read the catalogue's features
    ASSERT_EQ(obs.catalogue, cat);
    std::vector<int64_t> shown(B * K);
    for (int b = 0; b < B; ++b) {
      std::set<int64_t> ids;
      for (int p = 0; p < N; ++p) {
        const int64_t id = obs.item_id(b, p);
        ASSERT_TRUE(id >= 0 && id < 500) << id;
        ids.insert(id);
        seen.insert(id);
        EXPECT_EQ(obs.item_features(b, p), cat->features.row(id));
        EXPECT_EQ(obs.hidden_quality(b, p), cat->quality[id]);
      }
      ASSERT_EQ(ids.size(), static_cast<size_t>(N)) << "sampled ids must be distinct";
      draw_slate(rng, N, K, &slates[b * K]);
      for (int i = 0; i < K; ++i) shown[b * K + i] = obs.item_id(b, slates[b * K + i]);
    }
    venv->step(slates.data());
    for (int b = 0; b < B; ++b) {
      const float* r = venv->responses().row(b);
      for (int i = 0; i < K; ++i) {
        EXPECT_EQ(r[i * 5 + 3], cat->quality[shown[b * K + i]]);
        EXPECT_EQ(r[i * 5 + 4], static_cast<float>(cat->topic[shown[b * K + i]]));
      }
      if (venv->done(b)) venv->reset(b, 100 + t * B + b);
    }
  }
  // 20 steps x 4 users x 50 distinct of 500: essentially the whole catalogue is visited.
  EXPECT_GT(seen.size(), 450u);
}

TEST(InterestEvolutionCorpus, WholeCatalogueCandidatesArePositions) {
  constexpr int M = 30;
  auto venv =
      make_venv(env_config("interest_evolution", {"corpus_size=30", "num_candidates=30"}), 2, 8);
  EXPECT_TRUE(venv->spec().candidates_are_catalogue());
  venv->reset_all(0);
  const Observation obs = venv->observation();
  EXPECT_EQ(obs.candidate_ids, nullptr);
  EXPECT_EQ(obs.candidate_quality, nullptr);
  EXPECT_EQ(obs.candidate_features, nullptr);
  const Catalogue* cat = obs.catalogue;
  ASSERT_NE(cat, nullptr);
  ASSERT_EQ(cat->size(), M);
  for (int p = 0; p < M; ++p) {
    EXPECT_EQ(obs.item_id(1, p), p);
    EXPECT_EQ(obs.item_features(1, p), cat->features.row(p));
    EXPECT_EQ(obs.hidden_quality(1, p), cat->quality[p]);
  }
  const int32_t slates[] = {29, 0, 7, 3};
  venv->step(slates);
  const float* r = venv->responses().row(1);
  EXPECT_EQ(r[3], cat->quality[7]);
  EXPECT_EQ(r[5 + 3], cat->quality[3]);
  EXPECT_EQ(r[5 + 4], static_cast<float>(cat->topic[3]));
}

TEST(InterestEvolutionCorpus, CatalogueDependsOnlyOnTheSeed) {
  const Config cfg = env_config("interest_evolution", {"corpus_size=200", "num_candidates=20"});
  auto a = make_environment(cfg, 5), b = make_environment(cfg, 5), c = make_environment(cfg, 6);
  const Catalogue &ca = *a->catalogue(), &cb = *b->catalogue(), &cc = *c->catalogue();
  EXPECT_EQ(ca.fingerprint, cb.fingerprint);
  EXPECT_EQ(ca.topic, cb.topic);
  EXPECT_EQ(ca.quality, cb.quality);
  EXPECT_TRUE(std::equal(ca.features.data(), ca.features.data() + 200 * 20, cb.features.data()));
  EXPECT_NE(ca.fingerprint, cc.fingerprint);
  EXPECT_NE(ca.quality, cc.quality);
  EXPECT_FALSE(std::equal(ca.features.data(), ca.features.data() + 200 * 20, cc.features.data()));
  // Another size with the same seed is another catalogue.
  auto d = make_environment(
      env_config("interest_evolution", {"corpus_size=201", "num_candidates=20"}), 5);
  EXPECT_NE(ca.fingerprint, d->catalogue()->fingerprint);
}

TEST(InterestEvolutionCorpus, FeaturesAreOneHotPlusGaussianNoise) {
  // feature_noise 0: exactly one-hot(topic). feature_noise 0.1: f - one-hot ~ N(0, 0.1²) over
  // M·T = 20000 entries: mean within 5 SE (0.1/sqrt(20000) = 7e-4), std within 5 SE (5e-4).
  auto exact =
      make_environment(env_config("interest_evolution",
                                  {"corpus_size=100", "num_candidates=10", "feature_noise=0.0"}),
                       1);
  const Catalogue& ce = *exact->catalogue();
  for (int64_t i = 0; i < ce.size(); ++i)
    for (int t = 0; t < 20; ++t) ASSERT_EQ(ce.features.row(i)[t], t == ce.topic[i] ? 1.f : 0.f);
  auto noisy = make_environment(
      env_config("interest_evolution", {"corpus_size=1000", "num_candidates=10"}), 1);
  const Catalogue& cn = *noisy->catalogue();
  double s1 = 0, s2 = 0;
  for (int64_t i = 0; i < cn.size(); ++i)
    for (int t = 0; t < 20; ++t) {
      const double e = cn.features.row(i)[t] - (t == cn.topic[i] ? 1.0 : 0.0);
      s1 += e, s2 += e * e;
    }
  const double n = 20000;
  EXPECT_NEAR(s1 / n, 0.0, 5 * 0.1 / std::sqrt(n));
  EXPECT_NEAR(std::sqrt(s2 / n - (s1 / n) * (s1 / n)), 0.1, 5 * 0.1 / std::sqrt(2 * n));
}

TEST(InterestEvolutionCorpus, NoisyScoresAreClippedForTheProportionalModel) {
  // feature_noise 3 makes u·f leave [-1, 1]; the score is clipped so MNP never sees a shifted
  // score below 0 (which would throw).
  auto venv = make_venv(env_config("interest_evolution",
                                   {"corpus_size=300", "num_candidates=40", "feature_noise=3.0"}),
                        16, 2);
  venv->reset_all(0);
  std::vector<int32_t> slates(16 * 2);
  Rng rng(2, 2);
  for (int t = 0; t < 30; ++t) {
    const Observation obs = venv->observation();
    for (int b = 0; b < 16; ++b) {
      draw_slate(rng, 40, 2, &slates[b * 2]);
      for (int p = 0; p < 40; ++p) {
        const double s = venv->env().observed_score(obs.user_row(b), obs.item_features(b, p));
        ASSERT_TRUE(s >= -1.0 && s <= 1.0) << s;
      }
    }
    ASSERT_NO_THROW(venv->step(slates.data()));
    for (int b = 0; b < 16; ++b)
      if (venv->done(b)) venv->reset(b, 1000 + t * 16 + b);
  }
}

TEST(InterestEvolutionCorpus, InvalidCorpusConfigs) {
  EXPECT_THROW(make_environment(env_config("interest_evolution", {"corpus_size=-1"}), 1), Error);
  // num_candidates may not exceed the catalogue.
  try {
    make_environment(env_config("interest_evolution", {"corpus_size=5", "num_candidates=10"}), 1);
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("env.num_candidates"), std::string::npos) << e.what();
  }
}

// ========== simulated click rate vs analytic choice probabilities, every choice model ============

class InterestEvolutionChoice : public ::testing::TestWithParam<std::string> {};

TEST_P(InterestEvolutionChoice, ClickRateMatchesChoiceProbabilities) {
  // B = 20000 users, one random slate each at the first step. The number of clicks (and of clicks
  // on slot 0, which is order-sensitive for cascades) is a sum of independent Bernoulli(p_b);
  // observed must be within 5 SE of Σ p_b with SE = sqrt(Σ p_b (1 - p_b)). p_b comes from the env's
  // choice model applied to the observed scores u·f (the user observation is the true interest).
  constexpr int B = 20000, K = 3;
  auto venv = make_venv(
      env_config("interest_evolution", {"choice_model=" + GetParam(), "slate_size=3"}), B, 31);
  venv->reset_all(0);
  const Observation obs = venv->observation();
  Rng rng(77, 1);
  std::vector<int32_t> slates(B * K);
  double exp_any = 0, var_any = 0, exp_first = 0, var_first = 0;
  for (int b = 0; b < B; ++b) {
    draw_slate(rng, 10, K, &slates[b * K]);
    double x[K], p[K + 1];
    for (int i = 0; i < K; ++i)
      x[i] = venv->env().observed_score(obs.user_row(b), obs.item_features(b, slates[b * K + i]));
    venv->env().choice_model().probabilities(x, K, p);
    const double any = 1 - p[K];
    exp_any += any, var_any += any * (1 - any);
    exp_first += p[0], var_first += p[0] * (1 - p[0]);
  }
  venv->step(slates.data());
  int clicks = 0, first = 0;
  for (int b = 0; b < B; ++b) {
    clicks += venv->choices()[b] >= 0;
    first += venv->choices()[b] == 0;
  }
  EXPECT_NEAR(clicks, exp_any, 5 * std::sqrt(var_any) + 1e-6);
  EXPECT_NEAR(first, exp_first, 5 * std::sqrt(var_first) + 1e-6);
}

INSTANTIATE_TEST_SUITE_P(Registry, InterestEvolutionChoice,
                         ::testing::ValuesIn(test::names_of(choice_models())),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace rlrec::sim
