// The catalogue's contract: one table per kind with unique, described names and a did-you-mean
// lookup; and the conformance suite every environment of the table passes, simulated and built from
// rating logs alike (a synthetic rating file stands in for MovieLens): defaults round-trip, spec
// checks over random episodes (observations in their stated ranges, distinct candidates, choice
// probabilities summing to 1, a click column equal to the choice, rewards finite, termination xor
// truncation at env.max_steps), one-line config errors naming the key and value; and
// every baseline either acts validly in an environment or refuses it with a one-line error.
#include "rlrec/catalog/catalog.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "rlrec/core/error.h"
#include "rlrec/core/rng.h"
#include "rlrec/core/testing.h"
#include "rlrec/sim/vector_env.h"

namespace rlrec::catalog {
namespace {

namespace fs = std::filesystem;

// 40 users x 60 items, 25 ratings each at increasing timestamps, ratings 1..5 from a fixed hash.
std::string synthetic_ratings() {
  static const std::string path = [] {
    const auto p = fs::temp_directory_path() /
                   ("rlrec_catalog_ratings_" + std::to_string(::getpid()) + ".csv");
    std::ofstream os(p);
    os << "user,item,rating,timestamp\n";
    for (int u = 0; u < 40; ++u)
      for (int j = 0; j < 25; ++j) {
        const int item = (u * 7 + j * 11) % 60;
        os << "u" << u << ",i" << item << "," << 1 + (u * 3 + item * 5) % 5 << "," << j + 1 << "\n";
      }
    return p.string();
  }();
  return path;
}

// The environment's defaults plus what a rating-log environment needs (a rating file, small MF).
Config env_config(const sim::EnvEntry& e, const std::vector<std::string>& sets = {}) {
  Config cfg = Config::parse_string(e.defaults(), std::string(e.name) + " defaults");
  if (e.family == "rating_log") {
    cfg.set_string("env", "data", synthetic_ratings());
    for (const char* s : {"env.factors=4", "env.mf_epochs=3", "env.num_candidates=8",
                          "env.slate_size=2", "env.min_train_positives=1"})
      cfg.set(s);
  }
  for (const auto& s : sets) cfg.set("env." + s);
  return cfg;
}

template <class Span>
void expect_unique_described(Span table, const char* kind) {
  std::set<std::string> names;
  for (const auto& e : table) {
    EXPECT_TRUE(names.insert(std::string(e.name)).second) << kind << " " << e.name << " twice";
    EXPECT_FALSE(e.description.empty()) << kind << " " << e.name;
  }
  EXPECT_FALSE(names.empty()) << kind;
}

TEST(Catalogue, EveryTableHasUniqueDescribedNames) {
  expect_unique_described(environments(), "environment");
  expect_unique_described(policies(), "policy");
  expect_unique_described(agents(), "agent");
  expect_unique_described(choice_models(), "choice model");
  expect_unique_described(index_kinds(), "index kind");
  expect_unique_described(mf_models(), "mf model");
  for (const auto& e : environments())
    EXPECT_TRUE(e.family == "recsim" || e.family == "rating_log") << e.name << ": " << e.family;
  // Names are unique across policies and agents (compare.agents takes both).
  const auto both = policy_and_agent_names();
  EXPECT_EQ(std::set<std::string>(both.begin(), both.end()).size(), both.size());
  EXPECT_EQ(both.size(), policies().size() + agents().size());
}

TEST(Catalogue, OneTableHoldsBothEnvironmentFamiliesAndTheirBaselines) {
  std::vector<std::string> envs, pols;
  for (const auto& e : environments()) envs.emplace_back(e.name);
  for (const auto& p : policies()) pols.emplace_back(p.name);
  EXPECT_EQ(envs, (std::vector<std::string>{"interest_evolution", "interest_exploration",
                                            "long_term_satisfaction", "movielens_mf",
                                            "movielens_replay", "movielens_seq"}));
  EXPECT_EQ(pols, (std::vector<std::string>{"random", "myopic", "quality_oracle", "softmax_myopic",
                                            "biased_softmax", "popularity", "pmf"}));
  EXPECT_EQ(find_policy("pmf").needs, "rating_log");
  EXPECT_TRUE(find_policy("quality_oracle").privileged);
  EXPECT_EQ(find_policy_or_null("slateq_myopic"), nullptr);
  ASSERT_NE(find_agent_or_null("slateq_myopic"), nullptr);
  EXPECT_EQ(find_agent_or_null("myopic"), nullptr);
}

TEST(Catalogue, UnknownNamesGetTheChoicesAndADidYouMean) {
  auto message = [](auto f) {
    try {
      f();
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kNotFound);
      return std::string(e.what());
    }
    ADD_FAILURE() << "no error";
    return std::string();
  };
  const std::string env = message([] { find_environment("movielens_fm"); });
  EXPECT_NE(env.find("did you mean 'movielens_mf'"), std::string::npos) << env;
  EXPECT_EQ(env.find('\n'), std::string::npos) << env;
  const std::string pol = message([] { find_policy("popularty"); });
  EXPECT_NE(pol.find("did you mean 'popularity'"), std::string::npos) << pol;
  // No env.name: interest_evolution.
  EXPECT_EQ(env_name(Config()), "interest_evolution");
  EXPECT_EQ(make_environment(Config(), 1)->spec().name, "interest_evolution");
}

// ---------------------------- conformance over every environment --------------------------------

class EnvironmentConformance : public ::testing::TestWithParam<std::string> {};

TEST_P(EnvironmentConformance, DefaultsRoundTripAndBuild) {
  const sim::EnvEntry& e = find_environment(GetParam());
  const Config cfg = env_config(e);
  EXPECT_EQ(env_name(cfg), GetParam());
  // The dump is complete: re-read and dumped again it is identical.
  const std::string toml = e.defaults();
  EXPECT_EQ(Config::parse_string(Config::parse_string(toml, "a").to_toml(), "b").to_toml(),
            Config::parse_string(toml, "a").to_toml());
  auto env = make_environment(cfg, 1);
  const sim::EnvSpec& spec = env->spec();
  EXPECT_EQ(spec.name, GetParam());
  EXPECT_GT(spec.num_candidates, 0);
  EXPECT_GE(spec.slate_size, 1);
  EXPECT_LE(spec.slate_size, spec.num_candidates);
  EXPECT_GT(spec.response_dim(), 0);
  EXPECT_FALSE(spec.reward.empty());
}

TEST_P(EnvironmentConformance, SpecChecksOverRandomEpisodes) {
  // 8 users, random slates, max_steps 50, 160 steps (every slot finishes >= 3 episodes).
  constexpr int B = 8, kMaxSteps = 50;
  const sim::EnvEntry& e = find_environment(GetParam());
  sim::VectorEnv venv(make_environment(env_config(e, {"max_steps=50"}), 3), B, 3);
  const sim::EnvSpec& spec = venv.spec();
  const int N = spec.num_candidates, K = spec.slate_size, R = spec.response_dim();
  ASSERT_EQ(venv.responses().cols, static_cast<size_t>(K * R));
  ASSERT_EQ(venv.responses().rows, static_cast<size_t>(B));
  // Where the first response field is a click, it is 1 exactly in the chosen slot.
  const bool click_first = spec.response_fields[0] == "click";
  venv.reset_all(0);
  uint64_t next_episode = B;
  Rng rng(4, 4);
  std::vector<int32_t> slate(B * K);
  std::vector<double> p(K + 1), x(K);
  int finished = 0;
  for (int t = 0; t < 160; ++t) {
    const sim::Observation obs = venv.observation();
    for (int b = 0; b < B; ++b) {
      for (int d = 0; d < spec.user_dim; ++d) {
        const float u = obs.user_row(b)[d];
        ASSERT_TRUE(u >= spec.user_low && u <= spec.user_high)
            << "user feature " << d << " = " << u;
      }
      std::set<int64_t> ids;
      for (int pos = 0; pos < N; ++pos) {
        const float* f = obs.item_features(b, pos);
        for (int d = 0; d < spec.item_dim; ++d)
          ASSERT_TRUE(f[d] >= spec.item_low && f[d] <= spec.item_high)
              << "item feature " << d << " = " << f[d];
        ASSERT_TRUE(std::isfinite(obs.hidden_quality(b, pos)));
        ids.insert(obs.item_id(b, pos));
      }
      ASSERT_EQ(ids.size(), static_cast<size_t>(N)) << "candidate ids must be distinct";
      sim::random_slate(rng, N, K, &slate[b * K]);
      for (int i = 0; i < K; ++i)
        x[i] = venv.env().observed_score(obs.user_row(b), obs.item_features(b, slate[b * K + i]));
      venv.env().choice_model().probabilities(x.data(), K, p.data());
      double sum = 0;
      for (double v : p) {
        ASSERT_TRUE(v >= 0 && v <= 1) << v;
        sum += v;
      }
      ASSERT_NEAR(sum, 1.0, 1e-9);
    }
    venv.step(slate.data());
    for (int b = 0; b < B; ++b) {
      const int choice = venv.choices()[b];
      ASSERT_TRUE(choice >= -1 && choice < K);
      ASSERT_TRUE(std::isfinite(venv.rewards()[b]));
      const float* r = venv.responses().row(b);
      for (int i = 0; i < K; ++i) {
        if (click_first) {
          ASSERT_EQ(r[i * R], i == choice ? 1.f : 0.f) << "click column vs choice";
        }
        for (int j = 0; j < R; ++j) ASSERT_TRUE(std::isfinite(r[i * R + j]));
      }
      const int len = venv.episode_step(b);
      ASSERT_LE(len, kMaxSteps);
      ASSERT_FALSE(venv.terminated()[b] && venv.truncated()[b]);
      ASSERT_EQ(static_cast<bool>(venv.truncated()[b]), !venv.terminated()[b] && len == kMaxSteps);
      if (venv.done(b)) {
        ++finished;
        venv.reset(b, next_episode++);
        ASSERT_EQ(venv.episode_step(b), 0);
      }
    }
  }
  EXPECT_GE(finished, 3 * B);
}

TEST_P(EnvironmentConformance, ConfigErrorsAreOneLineAndNameTheKey) {
  const sim::EnvEntry& e = find_environment(GetParam());
  // A slate larger than the candidate set: the message names the key and the value.
  const std::string too_big =
      std::to_string(make_environment(env_config(e), 1)->spec().num_candidates + 1);
  for (const auto& [set, needle] : std::vector<std::pair<std::string, std::string>>{
           {"slate_size=" + too_big, "env.slate_size"},
           {"slate_size=" + too_big, too_big},
           {"slate_size=0", "env.slate_size"},
           {"num_candidates=0", "env.num_candidates"},
           {"max_steps=0", "env.max_steps"},
           {"slat_size=2", "did you mean 'env.slate_size'"},
           {"slate_size=\"two\"", "slate_size"}}) {
    try {
      make_environment(env_config(e, {set}), 1);
      ADD_FAILURE() << "expected an Error for " << set;
    } catch (const Error& err) {
      const std::string msg = err.what();
      EXPECT_NE(msg.find(needle), std::string::npos) << msg;
      EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
    }
  }
}

// Every baseline acts validly (K distinct positions in [0, N)) wherever it builds, builds wherever
// its `needs` allows, and refuses the other environments with a one-line error.
TEST_P(EnvironmentConformance, EveryBaselineActsOrRefusesInOneLine) {
  const sim::EnvEntry& e = find_environment(GetParam());
  sim::VectorEnv venv(make_environment(env_config(e), 5), 4, 5);
  venv.reset_all(0);
  const int K = venv.spec().slate_size, N = venv.spec().num_candidates;
  for (const auto& p : policies()) {
    sim::PolicyContext ctx{&venv.env(), nullptr, nullptr};
    std::unique_ptr<sim::Policy> policy;
    try {
      policy = p.make(ctx);
    } catch (const Error& err) {
      EXPECT_FALSE(p.needs.empty() || p.needs == e.family)
          << p.name << " refused " << e.name << ": " << err.what();
      EXPECT_EQ(std::string(err.what()).find('\n'), std::string::npos) << err.what();
      continue;
    }
    EXPECT_TRUE(p.needs.empty() || p.needs == e.family) << p.name << " built on " << e.name;
    std::vector<int32_t> slates(4 * K, -1);
    std::vector<Rng> rngs;
    for (int b = 0; b < 4; ++b) rngs.emplace_back(7, b);
    policy->act(venv.observation(), slates.data(), rngs.data());
    for (int b = 0; b < 4; ++b) {
      std::set<int32_t> s(slates.begin() + b * K, slates.begin() + (b + 1) * K);
      EXPECT_EQ(s.size(), static_cast<size_t>(K)) << p.name;
      EXPECT_GE(*s.begin(), 0) << p.name;
      EXPECT_LT(*s.rbegin(), N) << p.name;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(AllEnvironments, EnvironmentConformance,
                         ::testing::ValuesIn(test::names_of(environments())),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace rlrec::catalog
