// Tests of the choice models (choice_model.h) against hand-worked numbers (recsim-spec.md §3,
// §4.3).
#include "rlrec/sim/choice_model.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "rlrec/core/error.h"
#include "rlrec/core/rng.h"

namespace rlrec::sim {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::vector<double> probs(const ChoiceModel& m, const std::vector<double>& x) {
  std::vector<double> p(x.size() + 1, -1.0);
  m.probabilities(x.data(), static_cast<int>(x.size()), p.data());
  return p;
}

void expect_probs(const std::vector<double>& got, const std::vector<double>& want,
                  double tol = 1e-12) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(got[i], want[i], tol) << "entry " << i;
}

ChoiceParams params(double m, double c, double a, double sigma) {
  return ChoiceParams{m, c, a, sigma};
}

// Expects an Error with the given code whose message is one line and contains `needle`.
template <class F>
void expect_error(F&& f, ErrorCode code, const std::string& needle) {
  try {
    f();
    ADD_FAILURE() << "expected rlrec::Error containing '" << needle << "'";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), code) << e.what();
    const std::string msg = e.what();
    EXPECT_NE(msg.find(needle), std::string::npos) << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos) << "message must be one line: " << msg;
  }
}

// --- multinomial_proportional ------------------------------------------------------------------

TEST(MultinomialProportional, NeutralUserTwoItemsIsQuarterQuarterHalf) {
  // recsim-spec §4.3: m = 1, c = -1, scores (0, 0): shifted (1, 1), no-click mass 1 - (-1) = 2,
  // total 4 => P = 1/4, 1/4, 1/2.
  auto m = make_choice_model("multinomial_proportional", params(1.0, -1.0, 0.65, 0.05));
  expect_probs(probs(*m, {0.0, 0.0}), {0.25, 0.25, 0.5});
  EXPECT_FALSE(m->order_matters());
}

TEST(MultinomialProportional, HandWorkedThreeItems) {
  // m = 1, c = -1, scores (1, -1, 0.5): shifted (2, 0, 1.5), none 2, total 5.5
  // => 2/5.5 = 0.363636.., 0, 1.5/5.5 = 0.272727.., 2/5.5.
  auto m = make_choice_model("multinomial_proportional", params(1.0, -1.0, 0.65, 0.05));
  expect_probs(probs(*m, {1.0, -1.0, 0.5}), {2 / 5.5, 0.0, 1.5 / 5.5, 2 / 5.5});
  // Order-invariant: permuting the scores permutes the item probabilities; none is unchanged.
  expect_probs(probs(*m, {0.5, 1.0, -1.0}), {1.5 / 5.5, 2 / 5.5, 0.0, 2 / 5.5});
}

TEST(MultinomialProportional, NoClickMassEqualToNormalizerNeverSkips) {
  // m = c = 0: no-click mass 0; scores (1, 3) => 1/4, 3/4, 0.
  auto m = make_choice_model("multinomial_proportional", params(0.0, 0.0, 0.65, 0.05));
  expect_probs(probs(*m, {1.0, 3.0}), {0.25, 0.75, 0.0});
}

TEST(MultinomialProportional, InvalidParametersAndScores) {
  // no_click_mass below min_normalizer: negative no-click mass.
  expect_error([] { make_choice_model("multinomial_proportional", params(-2, -1, 0.65, 0.05)); },
               ErrorCode::kInvalidArgument, "no_click_mass");
  expect_error([] { make_choice_model("multinomial_proportional", params(kInf, -1, 0.65, 0.05)); },
               ErrorCode::kInvalidArgument, "no_click_mass");
  auto m = make_choice_model("multinomial_proportional", params(1.0, -1.0, 0.65, 0.05));
  // Score -1.5 < c = -1: negative shifted score.
  expect_error([&] { probs(*m, {0.0, -1.5}); }, ErrorCode::kInvalidArgument, "-1.5");
  expect_error([&] { probs(*m, {kNaN}); }, ErrorCode::kInvalidArgument, "nan");
  expect_error([&] { probs(*m, {kInf, 0.0}); }, ErrorCode::kInvalidArgument, "inf");
  // m = c and every item at c: nothing has mass.
  auto z = make_choice_model("multinomial_proportional", params(0.0, 0.0, 0.65, 0.05));
  expect_error(
      [&] {
        probs(*z, {0.0, 0.0});
      },
      ErrorCode::kInvalidArgument, "multinomial_proportional");
}

// --- multinomial_logit ---------------------------------------------------------------------------

TEST(MultinomialLogit, MinusInfinityNoClickMassAlwaysPicks) {
  // m = -inf: exp(m) = 0. Scores (0, ln 3): exp = (1, 3) => 1/4, 3/4, none 0.
  auto m = make_choice_model("multinomial_logit", params(-kInf, -1, 0.65, 0.05));
  expect_probs(probs(*m, {0.0, std::log(3.0)}), {0.25, 0.75, 0.0});
  EXPECT_FALSE(m->order_matters());
}

TEST(MultinomialLogit, FiniteNoClickLogit) {
  // m = 0, scores (0, ln 2): exp = (1, 2), none exp(0) = 1, total 4 => 1/4, 1/2, 1/4.
  auto m = make_choice_model("multinomial_logit", params(0.0, -1, 0.65, 0.05));
  expect_probs(probs(*m, {0.0, std::log(2.0)}), {0.25, 0.5, 0.25});
  // m = 5 (interest_exploration), one item of score 5 + ln 4: exp ratio 4 : 1 => 0.8, 0.2.
  auto e = make_choice_model("multinomial_logit", params(5.0, -1, 0.65, 0.05));
  expect_probs(probs(*e, {5.0 + std::log(4.0)}), {0.8, 0.2});
}

TEST(MultinomialLogit, HugeScoresAreStable) {
  // Softmax computed after subtracting the maximum: exp(1000) must not overflow.
  auto m = make_choice_model("multinomial_logit", params(-kInf, -1, 0.65, 0.05));
  expect_probs(probs(*m, {1000.0, 1000.0}), {0.5, 0.5, 0.0});
  // m = 1e6 dominates: P(none) = 1, items exp(-1e6) = 0 exactly.
  auto never = make_choice_model("multinomial_logit", params(1e6, -1, 0.65, 0.05));
  expect_probs(probs(*never, {1.0, -1.0}), {0.0, 0.0, 1.0}, 0.0);
  // A -inf item score has probability 0.
  expect_probs(probs(*m, {-kInf, 0.0}), {0.0, 1.0, 0.0});
}

TEST(MultinomialLogit, InvalidParametersAndScores) {
  expect_error([] { make_choice_model("multinomial_logit", params(kNaN, -1, 0.65, 0.05)); },
               ErrorCode::kInvalidArgument, "no_click_mass");
  expect_error([] { make_choice_model("multinomial_logit", params(kInf, -1, 0.65, 0.05)); },
               ErrorCode::kInvalidArgument, "no_click_mass");
  auto m = make_choice_model("multinomial_logit", params(-kInf, -1, 0.65, 0.05));
  expect_error([&] { probs(*m, {0.0, kNaN}); }, ErrorCode::kInvalidArgument, "nan");
  expect_error([&] { probs(*m, {kInf, 0.0}); }, ErrorCode::kInvalidArgument, "inf");
  // Every option at -inf: nothing can be chosen.
  expect_error([&] { probs(*m, {-kInf, -kInf}); }, ErrorCode::kInvalidArgument, "-inf");
}

// --- cascades ------------------------------------------------------------------------------------

TEST(ExponentialCascade, HandWorkedAndOrderMatters) {
  // a = 0.5, σ = 0.25, scores (0, ln 2): s = (1, 2), click probs q = aσs = (0.125, 0.25).
  // P(0) = 0.125; P(1) = (1 - 0.125)·0.25 = 0.21875; none = 0.875·0.75 = 0.65625.
  auto m = make_choice_model("exponential_cascade", params(1.0, -1.0, 0.5, 0.25));
  EXPECT_TRUE(m->order_matters());
  expect_probs(probs(*m, {0.0, std::log(2.0)}), {0.125, 0.21875, 0.65625});
  // Reversed: q = (0.25, 0.125): P(0) = 0.25, P(1) = 0.75·0.125 = 0.09375, none still 0.65625.
  // The item with s = 2 gets 0.25 in front and 0.21875 behind: order matters.
  expect_probs(probs(*m, {std::log(2.0), 0.0}), {0.25, 0.09375, 0.65625});
}

TEST(ExponentialCascade, AttentionZeroNeverClicks) {
  auto m = make_choice_model("exponential_cascade", params(1.0, -1.0, 0.0, 0.05));
  expect_probs(probs(*m, {1.0, 0.5, -1.0}), {0.0, 0.0, 0.0, 1.0});
}

TEST(ProportionalCascade, HandWorked) {
  // a = 1, σ = 0.5, c = -1, scores (0, 0.5): s = x - c = (1, 1.5), q = (0.5, 0.75).
  // P(0) = 0.5; P(1) = 0.5·0.75 = 0.375; none = 0.5·0.25 = 0.125.
  auto m = make_choice_model("proportional_cascade", params(1.0, -1.0, 1.0, 0.5));
  EXPECT_TRUE(m->order_matters());
  expect_probs(probs(*m, {0.0, 0.5}), {0.5, 0.375, 0.125});
  // Reversed: q = (0.75, 0.5): 0.75, 0.25·0.5 = 0.125, none 0.125.
  expect_probs(probs(*m, {0.5, 0.0}), {0.75, 0.125, 0.125});
  // RecSim defaults a = 0.65, σ = 0.05, c = -1, score 1: q = 0.65·0.05·2 = 0.065.
  auto d = make_choice_model("proportional_cascade", params(1.0, -1.0, 0.65, 0.05));
  expect_probs(probs(*d, {1.0}), {0.065, 0.935});
}

TEST(Cascades, InvalidParametersAndScores) {
  for (const char* name : {"exponential_cascade", "proportional_cascade"}) {
    SCOPED_TRACE(name);
    expect_error([&] { make_choice_model(name, params(1, -1, 1.5, 0.05)); },
                 ErrorCode::kInvalidArgument, "attention_prob");
    expect_error([&] { make_choice_model(name, params(1, -1, -0.1, 0.05)); },
                 ErrorCode::kInvalidArgument, "attention_prob");
    expect_error([&] { make_choice_model(name, params(1, -1, 0.5, -1.0)); },
                 ErrorCode::kInvalidArgument, "score_scaling");
    expect_error([&] { make_choice_model(name, params(1, -1, 0.5, kInf)); },
                 ErrorCode::kInvalidArgument, "score_scaling");
    auto m = make_choice_model(name, params(1.0, -1.0, 1.0, 1.0));
    // a = σ = 1, score 2: exp(2) = 7.39 or 2 - (-1) = 3: click probability > 1.
    expect_error([&] { probs(*m, {0.0, 2.0}); }, ErrorCode::kInvalidArgument, "[0, 1]");
    expect_error([&] { probs(*m, {kNaN}); }, ErrorCode::kInvalidArgument, "nan");
  }
  // Proportional cascade: a score below min_normalizer gives a negative click probability.
  auto p = make_choice_model("proportional_cascade", params(1.0, -1.0, 1.0, 0.1));
  expect_error([&] { probs(*p, {-2.0}); }, ErrorCode::kInvalidArgument, "[0, 1]");
}

// --- first_slot ----------------------------------------------------------------------------------

TEST(FirstSlot, AlwaysTheFirstSlot) {
  auto m = make_choice_model("first_slot", {});
  EXPECT_TRUE(m->order_matters());
  expect_probs(probs(*m, {-5.0, 3.0, 100.0}), {1.0, 0.0, 0.0, 0.0}, 0.0);
  expect_probs(probs(*m, {7.0}), {1.0, 0.0}, 0.0);
  Rng rng(3, 4);
  for (int t = 0; t < 100; ++t) {
    const double x[] = {0.0, 1.0};
    EXPECT_EQ(m->sample(x, 2, rng), 0);
  }
}

// --- every registered model ---------------------------------------------------------------------

// Scores valid for every model with parameters `params_for_all`: x in [-1, 1] keeps the shifted
// proportional scores >= 0 (c = -1) and the cascade click probabilities aσ·exp(1) = 0.088 <= 1.
const ChoiceParams kParamsForAll{1.0, -1.0, 0.65, 0.05};

class EveryChoiceModel : public ::testing::TestWithParam<std::string> {};

TEST_P(EveryChoiceModel, ProbabilitiesSumToOneForRandomScores) {
  auto m = make_choice_model(GetParam(), kParamsForAll);
  EXPECT_EQ(m->name(), GetParam());
  Rng rng(11, 0);
  for (int trial = 0; trial < 500; ++trial) {
    const int k = 1 + static_cast<int>(rng.uniform_int(12));
    std::vector<double> x(k);
    for (auto& v : x) v = rng.uniform(-1.0, 1.0);
    const auto p = probs(*m, x);
    double sum = 0;
    for (double v : p) {
      EXPECT_GE(v, 0.0);
      EXPECT_LE(v, 1.0);
      sum += v;
    }
    EXPECT_NEAR(sum, 1.0, 1e-12) << "k = " << k;
  }
}

TEST_P(EveryChoiceModel, OrderInvarianceMatchesOrderMatters) {
  auto m = make_choice_model(GetParam(), kParamsForAll);
  const std::vector<double> x{0.9, -0.4, 0.2}, rev{0.2, -0.4, 0.9};
  const auto p = probs(*m, x), q = probs(*m, rev);
  // The probability of the item scoring 0.9 in front vs at the back.
  const bool differs = std::abs(p[0] - q[2]) > 1e-12;
  EXPECT_EQ(differs, m->order_matters());
  if (!m->order_matters()) {
    EXPECT_NEAR(p[1], q[1], 1e-15);
    EXPECT_NEAR(p[3], q[3], 1e-15);
  }
}

TEST_P(EveryChoiceModel, SampleFrequenciesMatchProbabilities) {
  // n draws; each outcome count is Binomial(n, p): |count/n - p| <= 5 sqrt(p(1-p)/n) (5 standard
  // errors; with 5 outcomes and a fixed seed the chance of a spurious failure is < 3e-6).
  auto m = make_choice_model(GetParam(), kParamsForAll);
  const std::vector<double> x{0.8, -0.3, 0.1, 1.0};
  const int k = static_cast<int>(x.size());
  const auto p = probs(*m, x);
  constexpr int n = 200000;
  std::vector<int> count(k + 1, 0);
  Rng rng(12345, 7);
  for (int t = 0; t < n; ++t) {
    const int c = m->sample(x.data(), k, rng);
    ASSERT_GE(c, 0);
    ASSERT_LE(c, k);
    ++count[c];
  }
  for (int i = 0; i <= k; ++i) {
    const double se = std::sqrt(p[i] * (1 - p[i]) / n);
    EXPECT_NEAR(count[i] / static_cast<double>(n), p[i], 5 * se + 1e-12) << "outcome " << i;
  }
}

TEST_P(EveryChoiceModel, SampleConsumesExactlyOneUniform) {
  auto m = make_choice_model(GetParam(), kParamsForAll);
  const double x[] = {0.3, -0.2};
  Rng a(5, 6), b(5, 6);
  m->sample(x, 2, a);
  b.uniform();
  EXPECT_EQ(a.next_u64(), b.next_u64());
}

TEST_P(EveryChoiceModel, LargeSlatesUseTheHeapPath) {
  // k > 64 takes the heap branch of sample(); probabilities still sum to 1 and samples are valid.
  auto m = make_choice_model(GetParam(), kParamsForAll);
  std::vector<double> x(100);
  for (size_t i = 0; i < x.size(); ++i) x[i] = -1.0 + 2.0 * static_cast<double>(i) / 99.0;
  const auto p = probs(*m, x);
  double sum = 0;
  for (double v : p) sum += v;
  EXPECT_NEAR(sum, 1.0, 1e-12);
  Rng rng(1, 2);
  for (int t = 0; t < 1000; ++t) {
    const int c = m->sample(x.data(), 100, rng);
    ASSERT_GE(c, 0);
    ASSERT_LE(c, 100);
    EXPECT_GT(p[c], 0.0) << "sampled an outcome of probability 0";
  }
}

std::vector<std::string> choice_model_names() {
  std::vector<std::string> names;
  for (const auto& e : choice_models()) names.emplace_back(e.name);
  return names;
}

INSTANTIATE_TEST_SUITE_P(Registry, EveryChoiceModel, ::testing::ValuesIn(choice_model_names()),
                         [](const auto& info) { return info.param; });

TEST(ChoiceModelRegistry, ListsTheFiveRecSimModels) {
  const auto names = choice_model_names();
  EXPECT_EQ(names, (std::vector<std::string>{"multinomial_logit", "multinomial_proportional",
                                             "exponential_cascade", "proportional_cascade",
                                             "first_slot"}));
  for (const auto& e : choice_models()) EXPECT_FALSE(e.description.empty()) << e.name;
}

TEST(ChoiceModelRegistry, UnknownNameSuggestsTheClosest) {
  expect_error([] { make_choice_model("multinomial_logits", {}); }, ErrorCode::kNotFound,
               "did you mean 'multinomial_logit'");
  expect_error([] { make_choice_model("cascade", {}); }, ErrorCode::kNotFound, "first_slot");
}

TEST(ChoiceModelSample, ZeroProbabilityNoChoiceNeverReturnsK) {
  // MNL with m = -inf: "no choice" has probability 0 and must never be sampled, even when the
  // rounding remainder of the cumulative sum is left over.
  auto m = make_choice_model("multinomial_logit", params(-kInf, -1, 0.65, 0.05));
  const double x[] = {0.1, 0.2, 0.3};
  Rng rng(9, 9);
  for (int t = 0; t < 20000; ++t) EXPECT_LT(m->sample(x, 3, rng), 3);
}

}  // namespace
}  // namespace rlrec::sim
