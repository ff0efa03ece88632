// `rlrec config` (cli/cmd_config.cc): validates a file exactly as the command that runs it (the
// same functions), prints the effective configuration with every default filled in, and prints any
// environment's, learning agent's or baseline's defaults as TOML that `rlrec config` accepts.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "cli_testing.h"
#include "rlrec/core/config.h"

namespace {

using namespace rlrec::cli_test;

const char* kTrain =
    "[env]\nname = \"interest_evolution\"\nmax_steps = 5\n"
    "[agent]\nname = \"slateq_sarsa\"\nhidden = [8]\n[run]\ntrain_steps = 10\n";
const char* kCompare =
    "[env]\nname = \"interest_evolution\"\nmax_steps = 5\n[run]\nepisodes = 2\n"
    "[compare]\nagents = [\"random\", \"small\"]\n[small]\nname = \"slateq_qlearning\"\n"
    "hidden = [8]\n";

// The keys of `section` in TOML text.
std::vector<std::string> keys_of(const std::string& toml, const std::string& section) {
  return rlrec::Config::parse_string(toml, "rlrec config output").keys(section);
}

bool has(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

TEST_F(Cli, ConfigTrainFileGetsEveryDefaultAndIsStable) {
  write_file(path("tr.toml"), kTrain);
  const Result r = rlrec({"config", path("tr.toml")});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("as rlrec train runs it"), std::string::npos) << r.out;
  const rlrec::Config eff = rlrec::Config::parse_string(r.out, "out");
  // The file's values are kept; the agent's, [run]'s and [env]'s defaults are filled in.
  const auto agent = eff.keys("agent");
  for (const char* k : {"name", "hidden", "gamma", "lr", "replay_capacity", "warmup_steps"})
    EXPECT_TRUE(has(agent, k)) << k << "\n" << r.out;
  EXPECT_NE(r.out.find("hidden = [ 8 ]"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("train_steps = 10"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("eval_interval = 20000"), std::string::npos) << r.out;
  EXPECT_TRUE(has(eff.keys("env"), "slate_size")) << r.out;
  EXPECT_TRUE(has(eff.keys("env"), "time_budget")) << r.out;
  // The effective config is accepted again and prints the same configuration.
  write_file(path("eff.toml"), r.out);
  const Result again = rlrec({"config", path("eff.toml")});
  ASSERT_EQ(again.code, 0) << again.err;
  EXPECT_EQ(again.out.substr(again.out.find('\n')), r.out.substr(r.out.find('\n')));
}

TEST_F(Cli, ConfigCompareFileFillsEveryAgentSection) {
  write_file(path("cmp.toml"), kCompare);
  const Result r = rlrec({"config", path("cmp.toml")});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("as rlrec compare runs it"), std::string::npos) << r.out;
  const auto small = keys_of(r.out, "small");
  for (const char* k : {"name", "hidden", "gamma", "target", "replay_capacity"})
    EXPECT_TRUE(has(small, k)) << k << "\n" << r.out;
  const auto compare = keys_of(r.out, "compare");
  for (const char* k : {"agents", "seeds", "protocol", "reference"})
    EXPECT_TRUE(has(compare, k)) << k;
}

// The same file and the same mistake: `config` fails exactly as the command that runs it.
TEST_F(Cli, ConfigRejectsWhatTrainAndCompareReject) {
  write_file(path("tr.toml"), std::string(kTrain) + "[agnt]\nlr = 0.1\n");
  const Result t = rlrec({"train", path("tr.toml"), "--out", path("run")});
  const Result c = rlrec({"config", path("tr.toml")});
  EXPECT_EQ(t.code, 2) << t.err;
  EXPECT_EQ(c.code, 2) << c.err;
  EXPECT_EQ(c.err, t.err);
  EXPECT_NE(c.err.find("unknown section [agnt]"), std::string::npos) << c.err;
  // A value out of range in the second agent of a comparison: compare reports it before the first
  // agent runs, and config reports the same line.
  write_file(path("cmp.toml"), kCompare);
  const std::vector<std::string> bad = {"--set", "small.tau=2"};
  const Result cc = rlrec(concat({"compare", path("cmp.toml")}, bad));
  const Result cf = rlrec(concat({"config", path("cmp.toml")}, bad));
  EXPECT_EQ(cc.code, 2) << cc.err;
  EXPECT_EQ(cf.code, 2) << cf.err;
  EXPECT_EQ(cf.err, cc.err);
  EXPECT_NE(cf.err.find("small.tau must be in [0.0, 1.0], got 2.0"), std::string::npos) << cf.err;
}

TEST_F(Cli, ConfigDefaultsOfAnAgentAndABaselineAreAccepted) {
  const Result a = rlrec({"config", "--defaults", "wolpertinger"});
  ASSERT_EQ(a.code, 0) << a.err;
  EXPECT_TRUE(has(keys_of(a.out, "agent"), "k")) << a.out;
  EXPECT_NE(a.out.find("name = 'wolpertinger'"), std::string::npos) << a.out;
  write_file(path("agent.toml"), a.out);
  const Result va = rlrec({"config", path("agent.toml")});
  EXPECT_EQ(va.code, 0) << va.err;
  EXPECT_NE(va.out.find("as rlrec train runs it"), std::string::npos) << va.out;

  const Result p = rlrec({"config", "--defaults", "biased_softmax"});
  ASSERT_EQ(p.code, 0) << p.err;
  EXPECT_NE(p.out.find("temperature = 0.5"), std::string::npos) << p.out;
  EXPECT_NE(p.out.find("bias = 0.8"), std::string::npos) << p.out;
  write_file(path("policy.toml"), p.out);
  const Result vp = rlrec({"config", path("policy.toml")});
  EXPECT_EQ(vp.code, 0) << vp.err;
  EXPECT_NE(vp.out.find("as rlrec simulate runs it"), std::string::npos) << vp.out;
}

// --for picks the command: a train file read as simulate notes [agent] (simulate does not use it).
TEST_F(Cli, ConfigForSimulateNotesTheAgentSection) {
  write_file(path("tr.toml"), kTrain);
  const Result r = rlrec({"config", path("tr.toml"), "--for", "simulate"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("as rlrec simulate runs it"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("not used by rlrec simulate: [agent]"), std::string::npos) << r.err;
}

// Every experiment file the repository ships is accepted as the command that runs it would accept
// it (files reading ../shared/data, relative to the checkout, are left to the data tests).
TEST_F(Cli, ConfigAcceptsEveryShippedExperiment) {
  int checked = 0;
  for (const auto& e : std::filesystem::directory_iterator(std::string(RLREC_SOURCE_DIR) +
                                                           "/configs/experiments")) {
    if (e.path().extension() != ".toml") continue;
    if (read_file(e.path().string()).find("../shared/") != std::string::npos) continue;
    const Result r = rlrec({"config", e.path().string()});
    EXPECT_EQ(r.code, 0) << e.path() << ": " << r.err;
    EXPECT_NE(r.out.find("# effective configuration: "), std::string::npos) << e.path();
    ++checked;
  }
  EXPECT_GE(checked, 5);
}

}  // namespace
