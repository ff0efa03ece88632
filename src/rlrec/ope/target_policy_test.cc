#include "rlrec/ope/target_policy.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "rlrec/core/error.h"
#include "rlrec/core/testing.h"

namespace rlrec::ope {
namespace {

std::string write_tmp(const std::string& name, const std::string& text) {
  return test::write_temp("ope_" + name, text);
}

using test::error_of;

TEST(TargetDist, ReadsAValidFile) {
  const auto path = write_tmp("ok.csv", "item,position,prob\n0,0,0.25\n1,0,0.75\n2,1,1.0\n");
  const ActionDist d = read_target_dist(path, 3, 2);
  EXPECT_FALSE(d.per_round);
  EXPECT_DOUBLE_EQ(d.at(0, 0, 0), 0.25);
  EXPECT_DOUBLE_EQ(d.at(5, 1, 0), 0.75);
  EXPECT_DOUBLE_EQ(d.at(0, 2, 1), 1.0);
  EXPECT_DOUBLE_EQ(d.at(0, 0, 1), 0.0);
}

TEST(TargetDist, RejectsBadFiles) {
  auto err = [](const std::string& name, const std::string& text) {
    const auto path = write_tmp(name, text);
    return error_of([&] { read_target_dist(path, 3, 2); });
  };
  // Column (position) 0 sums to 0.9.
  auto e = err("sum.csv", "item,position,prob\n0,0,0.5\n1,0,0.4\n2,1,1\n");
  EXPECT_NE(e.find("sum.csv:3: probabilities of position 0 sum to 0.9"), std::string::npos) << e;
  e = err("hdr.csv", "item,pos,prob\n0,0,1\n");
  EXPECT_NE(e.find("hdr.csv:1: header must be exactly item,position,prob"), std::string::npos) << e;
  e = err("item.csv", "item,position,prob\n7,0,1\n");
  EXPECT_NE(e.find("item.csv:2: unknown item 7"), std::string::npos) << e;
  e = err("prob.csv", "item,position,prob\n0,0,1.5\n");
  EXPECT_NE(e.find("prob.csv:2: prob 1.5 must be in [0, 1]"), std::string::npos) << e;
  e = err("pos.csv", "item,position,prob\n0,2,1\n");
  EXPECT_NE(e.find("pos.csv:2: position 2 out of range"), std::string::npos) << e;
  e = err("dup.csv", "item,position,prob\n0,0,0.5\n0,0,0.5\n");
  EXPECT_NE(e.find("dup.csv:3: duplicate"), std::string::npos) << e;
  e = err("num.csv", "item,position,prob\n0,0,abc\n");
  EXPECT_NE(e.find("num.csv:2: prob 'abc' is not a number"), std::string::npos) << e;
  e = error_of([] { read_target_dist("/nonexistent/x.csv", 3, 2); });
  EXPECT_NE(e.find("cannot open"), std::string::npos) << e;
}

TEST(BernoulliTs, MonteCarloMatchesClosedFormForTwoItems) {
  // Two items, one position: P(theta_0 > theta_1) for Beta(3,1) vs Beta(1,1) = E[theta_0] over the
  // uniform theta_1 ... = P(U < theta_0) = E[theta_0] = 3/4.
  BetaPrior prior{{3, 1}, {1, 1}};
  const ActionDist d = bernoulli_ts_action_dist(prior, 1, 40000, 5);
  // sd of a frequency: sqrt(0.75*0.25/40000) = 0.0022; 4 sd tolerance.
  EXPECT_NEAR(d.at(0, 0, 0), 0.75, 0.009);
  EXPECT_NEAR(d.at(0, 0, 0) + d.at(0, 1, 0), 1.0, 1e-12);
  // Deterministic per seed.
  EXPECT_EQ(d.p, bernoulli_ts_action_dist(prior, 1, 40000, 5).p);
}

TEST(BernoulliTs, ZozotownPriorGivesValidDistribution) {
  const BetaPrior men = zozotown_prior("men");
  EXPECT_EQ(men.alpha.size(), 34u);
  EXPECT_EQ(zozotown_prior("women").alpha.size(), 46u);
  EXPECT_EQ(zozotown_prior("all").beta.size(), 80u);
  EXPECT_THROW(zozotown_prior("kids"), Error);
  const ActionDist d = bernoulli_ts_action_dist(men, 3, 2000, 1);
  BanditData log;
  log.n_actions = 34;
  log.n_positions = 3;
  log.action = {0};
  log.position = {0};
  log.reward = {0};
  log.pscore = {1.0 / 34};
  validate(d, log, "bts");
}

TEST(BernoulliTs, BetaSamplerMoments) {
  Rng rng(11, 0);
  const int n = 20000;
  double m = 0, m2 = 0;
  for (int i = 0; i < n; ++i) {
    const double x = sample_beta(rng, 0.5, 2.0);
    m += x / n;
    m2 += x * x / n;
  }
  // Beta(0.5, 2): mean 0.2, var = ab/((a+b)^2 (a+b+1)) = 1/(6.25*3.5) = 0.045714.
  EXPECT_NEAR(m, 0.2, 4 * std::sqrt(0.045714 / n));
  EXPECT_NEAR(m2 - m * m, 0.045714, 0.004);
}

// A toy policy exposing probabilities: slot k shows candidate (k + i) % N w.p. 0.5, else uniform.
class ToyPolicy final : public sim::Policy {
 public:
  std::string_view name() const override { return "toy"; }
  void act(const sim::Observation&, int32_t*, Rng*) override {}
  bool slot_probabilities(const sim::Observation& obs, int row, double* probs) const override {
    const int N = obs.num_candidates;
    for (int k = 0; k < obs.slate_size; ++k)
      for (int i = 0; i < N; ++i) probs[k * N + i] = 0.5 / N + (i == (k + row) % N ? 0.5 : 0.0);
    return true;
  }
};
class Opaque final : public sim::Policy {
 public:
  std::string_view name() const override { return "opaque"; }
  void act(const sim::Observation&, int32_t*, Rng*) override {}
};

TEST(PolicyDist, FromSlotProbabilities) {
  sim::Observation obs;
  obs.batch = 3;
  obs.num_candidates = 4;
  obs.slate_size = 2;
  ToyPolicy toy;
  const ActionDist d = action_dist_from_policy(toy, obs);
  EXPECT_TRUE(d.per_round);
  EXPECT_DOUBLE_EQ(d.at(2, 3, 1), 0.5 / 4 + 0.5);  // (1 + 2) % 4 == 3
  EXPECT_DOUBLE_EQ(d.at(2, 0, 1), 0.5 / 4);
  Opaque opaque;
  const auto e = error_of([&] { action_dist_from_policy(opaque, obs); });
  EXPECT_NE(e.find("policy 'opaque' does not expose action probabilities"), std::string::npos) << e;
}

}  // namespace
}  // namespace rlrec::ope
