#include <gtest/gtest.h>

#include "rlrec/core/error.h"
#include "rlrec/core/testing.h"
#include "rlrec/models/als.h"
#include "rlrec/models/biased_sgd.h"
#include "rlrec/models/bpr.h"
#include "rlrec/models/mf.h"

namespace rlrec::models {
namespace {

using test::error_of;

TEST(MfRegistry, ListsTheThreeKinds) {
  std::vector<std::string> names;
  for (const auto& k : mf_kinds()) names.emplace_back(k.name);
  EXPECT_EQ(names, (std::vector<std::string>{"biased_sgd", "als", "bpr"}));
  EXPECT_EQ(mf_kind("biased_sgd").feedback, Feedback::kExplicit);
  EXPECT_EQ(mf_kind("als").feedback, Feedback::kImplicit);
  EXPECT_EQ(mf_kind("bpr").feedback, Feedback::kImplicit);
  EXPECT_EQ(error_of([] { mf_kind("alss"); }),
            "unknown MF model 'alss'; did you mean 'als'? known: biased_sgd, als, bpr");
}

TEST(MfRegistry, DefaultsParseBackToTheSameConfig) {
  for (const auto& k : mf_kinds()) {
    const std::string toml = k.defaults("mf");
    const Config cfg = Config::parse_string(toml);
    auto trainer = k.create(cfg, "mf");
    EXPECT_EQ(trainer->config_toml("mf"), toml) << k.name;
  }
}

TEST(MfRegistry, ReadsOverridesAndRejectsUnknownKeys) {
  Config cfg;
  cfg.set("mf.factors=12");
  cfg.set("mf.cg_steps=5");
  auto t = make_mf_trainer(cfg, "mf", "als");
  EXPECT_EQ(dynamic_cast<ImplicitAls&>(*t).config().factors, 12);
  EXPECT_EQ(dynamic_cast<ImplicitAls&>(*t).config().cg_steps, 5);
  // cg_steps is an ALS key: biased_sgd rejects it.
  const std::string msg = error_of([&] { make_mf_trainer(cfg, "mf", "biased_sgd"); });
  EXPECT_NE(msg.find("cg_steps"), std::string::npos) << msg;
  Config typo;
  typo.set("mf.factros=8");
  const std::string m2 = error_of([&] { make_mf_trainer(typo, "mf", "bpr"); });
  EXPECT_NE(m2.find("factors"), std::string::npos) << m2;  // did-you-mean
}

TEST(MfRegistry, BadHyperparametersGiveOneLineErrors) {
  struct Case {
    const char* kind;
    const char* set;
    const char* message;
  };
  const Case cases[] = {
      {"biased_sgd", "mf.factors=0", "mf.factors must be in [1, 4096], got 0"},
      {"biased_sgd", "mf.lr=-0.1", "mf.lr must be > 0, got -0.1"},
      {"biased_sgd", "mf.lr_decay=1.5", "mf.lr_decay must be in (0, 1], got 1.5"},
      {"als", "mf.alpha=-1", "mf.alpha must be >= 0, got -1"},
      {"als", "mf.cg_steps=0", "mf.cg_steps must be in [1, 1000], got 0"},
      {"als", "mf.iterations=0", "mf.iterations must be in [1, 100000], got 0"},
      {"bpr", "mf.reg=-1", "mf.reg must be >= 0, got -1"},
      {"bpr", "mf.blocks=0", "mf.blocks must be in [1, 1024], got 0"},
      {"bpr", "mf.seed=-3", "mf.seed must be >= 0, got -3"},
      {"als", "mf.init_std=0", "mf.init_std must be > 0, got 0"},
  };
  for (const auto& c : cases) {
    Config cfg;
    cfg.set(c.set);
    const std::string msg = error_of([&] { make_mf_trainer(cfg, "mf", c.kind); });
    EXPECT_EQ(msg, c.message) << c.kind << " " << c.set;
    EXPECT_EQ(msg.find('\n'), std::string::npos);
  }
}

}  // namespace
}  // namespace rlrec::models
