// Integration tests of the `rlrec` command-line tool: they run the real binary (RLREC_BIN) on tiny
// configurations and check the contract every subcommand follows (cli/commands.h): results on
// stdout (exactly one JSON object with --json), exit code 2 and one "error: ..." line on stderr
// for bad input, identical results for any thread count.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "cli_testing.h"
#include "rlrec/catalog/catalog.h"
#include "rlrec/core/config.h"
#include "rlrec/sim/environment.h"

namespace {

using namespace rlrec::cli_test;

// `rlrec` starts in ~10 ms, but train/eval/compare are handed to `rlrec-agents`, which costs ~1 s
// of CPU at start-up (libtorch's static initializers): those tests launch as few processes as the
// contract allows.

// The tiny run shared by the simulate and compare tests: 8 episodes of at most 20 steps, seed 3.
const std::vector<std::string> kTinySimulate = {
    "simulate", "--json", "--episodes", "8", "--seed", "3", "--set", "env.max_steps=20"};

TEST_F(Cli, SimulateJsonIsOneObjectAndIndependentOfThreadsAndBatch) {
  const Result r1 = rlrec(concat(kTinySimulate, {"--threads", "1"}));
  const nlohmann::json one = json_of(r1);
  EXPECT_EQ(r1.err, "") << "no progress output when stderr is not a terminal";
  for (const char* key : {"mean_return", "se_return", "mean_length", "ctr", "episodes", "steps",
                          "steps_per_second"}) {
    ASSERT_TRUE(one.contains(key)) << key;
    EXPECT_TRUE(one[key].is_number()) << key;
  }
  EXPECT_EQ(one["episodes"].get<int>(), 8);
  EXPECT_EQ(one["env"], "interest_evolution");
  EXPECT_EQ(one["policy"], "random");
  const double len = one["mean_length"].get<double>();
  EXPECT_GT(len, 0.0);
  EXPECT_LE(len, 20.0);
  EXPECT_DOUBLE_EQ(one["steps"].get<double>(), 8 * len);
  EXPECT_GE(one["ctr"].get<double>(), 0.0);
  EXPECT_LE(one["ctr"].get<double>(), 1.0);
  EXPECT_GT(one["se_return"].get<double>(), 0.0);
  EXPECT_GT(one["steps_per_second"].get<double>(), 0.0);
  EXPECT_GT(one["mean_return"].get<double>(), 0.0);
  // Two threads and another batch size (3 users at a time instead of 8): identical numbers.
  const nlohmann::json two =
      json_of(rlrec(concat(kTinySimulate, {"--threads", "2", "--batch", "3"})));
  EXPECT_EQ(two["threads"], 2);
  for (const char* key : {"mean_return", "se_return", "mean_length", "ctr", "steps"})
    EXPECT_EQ(one[key], two[key]) << key;
}

TEST_F(Cli, SimulateTableOnStdout) {
  const Result r = rlrec(
      {"simulate", "--env", "long_term_satisfaction", "--policy", "myopic", "--episodes", "4"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_NE(r.out.find("mean return"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("long_term_satisfaction"), std::string::npos) << r.out;
  // 4 episodes of exactly 60 steps.
  EXPECT_NE(r.out.find("60.00"), std::string::npos) << r.out;
}

// Bad input: exit 2 and one "error: ..." line (CLI11's own parse errors add a "run --help" line).
struct BadInput {
  const char* name;
  std::vector<std::string> args;     // "@DIR" is replaced by the test's temporary directory
  std::vector<std::string> needles;  // must appear in the error line
  size_t max_lines = 1;
};

class CliBadInput : public Cli, public ::testing::WithParamInterface<BadInput> {};

TEST_P(CliBadInput, ExitsTwoWithOneErrorLine) {
  write_file(path("bad.toml"), "[env\nname = \"interest_evolution\"\n");
  write_file(path("exp.toml"),
             "[env]\nname = \"interest_evolution\"\nmax_steps = 5\n[run]\nepisodes = 2\n"
             "[compare]\nagents = [\"random\", \"wolpertingr\"]\nseeds = 1\n");
  auto expand = [&](std::string s) {
    const auto at = s.find("@DIR");
    if (at != std::string::npos) s.replace(at, 4, dir_);
    return s;
  };
  std::vector<std::string> args, needles;
  for (const auto& a : GetParam().args) args.push_back(expand(a));
  for (const auto& n : GetParam().needles) needles.push_back(expand(n));
  expect_usage_error(args, needles, GetParam().max_lines);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, CliBadInput,
    ::testing::Values(
        BadInput{"UnknownEnv",
                 {"simulate", "--env", "interest_evolutoin"},
                 {"unknown environment 'interest_evolutoin'", "did you mean 'interest_evolution'"}},
        BadInput{"UnknownPolicy",
                 {"simulate", "--policy", "myopik"},
                 {"unknown policy 'myopik'", "did you mean 'myopic'"}},
        BadInput{"SlateLargerThanCandidates",
                 {"simulate", "--set", "env.slate_size=12"},
                 {"env.slate_size", "(10)", "12"}},
        BadInput{"NegativeEpisodes", {"simulate", "--episodes", "-5"}, {"run.episodes", "-5"}},
        // -1 once meant "flag not given" (a sentinel) and silently ran the default 2000 episodes.
        BadInput{"MinusOneEpisodes", {"simulate", "--episodes", "-1"}, {"run.episodes", "-1"}},
        BadInput{"UnknownConfigKey",
                 {"simulate", "--set", "env.slate_sise=2"},
                 {"unknown key 'env.slate_sise'", "did you mean 'env.slate_size'"}},
        BadInput{"MalformedToml", {"simulate", "--config", "@DIR/bad.toml"}, {"@DIR/bad.toml:1"}},
        BadInput{"MissingConfigFile",
                 {"simulate", "--config", "@DIR/missing.toml"},
                 {"@DIR/missing.toml"}},
        BadInput{"UnknownFlag", {"simulate", "--bogus"}, {"--bogus"}, 2},
        BadInput{"CompareUnknownAgent", {"compare", "@DIR/exp.toml"}, {"'wolpertingr'"}},
        // A typo in the second agent's section is reported before the first agent runs.
        BadInput{"CompareAgentKeyTypo",
                 {"compare", "@DIR/exp.toml", "--set", "compare.agents=[\"random\", \"slow\"]",
                  "--set", "slow.name=\"slateq_qlearning\"", "--set", "slow.gama=0.5"},
                 {"unknown key 'slow.gama'", "did you mean 'slow.gamma'"}},
        BadInput{"CompareDataKeyTypo",
                 {"compare", "@DIR/exp.toml", "--set", "compare.agents=[\"random\"]", "--set",
                  "data.episode=5"},
                 {"unknown key 'data.episode'", "did you mean 'data.episodes'"}},
        BadInput{"CompareMinusOneEpisodes",
                 {"compare", "@DIR/exp.toml", "--episodes", "-1"},
                 {"run.episodes", "-1"}}),
    [](const auto& info) { return std::string(info.param.name); });

TEST_F(Cli, ListShowsEveryRegisteredEnvironment) {
  const Result r = rlrec({"list"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(rlrec::catalog::environments().size(), 6u);  // 3 RecSim + 3 rating-log (movielens_seq)
  for (const auto& e : rlrec::catalog::environments())
    EXPECT_NE(r.out.find(std::string(e.name)), std::string::npos) << e.name;
  for (const char* name : {"environments:", "choice_models:", "policies:", "quality_oracle"})
    EXPECT_NE(r.out.find(name), std::string::npos) << name;
}

TEST_F(Cli, ConfigDefaultsRoundTripsAsValidToml) {
  const Result r = rlrec({"config", "--defaults", "interest_evolution"});
  ASSERT_EQ(r.code, 0) << r.err;
  // Valid TOML naming the environment, from which the environment builds with RecSim's N, K.
  const rlrec::Config cfg = rlrec::Config::parse_string(r.out, "rlrec config --defaults");
  EXPECT_EQ(rlrec::catalog::env_name(cfg), "interest_evolution");
  auto env = rlrec::catalog::make_environment(cfg, 1);
  EXPECT_EQ(env->spec().num_candidates, 10);
  EXPECT_EQ(env->spec().slate_size, 2);
  // Every key is printed: the dump re-read and dumped again is identical.
  EXPECT_EQ(rlrec::Config::parse_string(cfg.to_toml(), "again").to_toml(), cfg.to_toml());
  EXPECT_NE(r.out.find("slate_size = 2"), std::string::npos) << r.out;
}

TEST_F(Cli, CompareWritesCsvAndJsonLeaderboard) {
  const std::string exp = path("exp.toml");
  // The same [env], seed and episodes as kTinySimulate, so compare's first seed of `random`
  // must reproduce `simulate`'s mean return exactly.
  write_file(exp,
             "[env]\nname = \"interest_evolution\"\nmax_steps = 20\n\n"
             "[run]\nepisodes = 8\nseed = 3\n\n"
             "[compare]\nagents = [\"random\", \"myopic\"]\nseeds = 2\n");
  const std::string out = path("board");
  const Result r = rlrec({"compare", exp, "--out", out, "--json"});
  const nlohmann::json j = json_of(r);
  EXPECT_EQ(r.err, "");
  ASSERT_TRUE(j.contains("agents"));
  ASSERT_TRUE(j["agents"].is_array());
  ASSERT_EQ(j["agents"].size(), 2u);
  const char* names[] = {"random", "myopic"};
  for (size_t i = 0; i < 2; ++i) {
    const auto& a = j["agents"][i];
    EXPECT_EQ(a["name"], names[i]);
    for (const char* key : {"mean_return", "ci_low", "ci_high", "train_seconds"})
      ASSERT_TRUE(a.contains(key) && a[key].is_number()) << key;
    EXPECT_LT(a["ci_low"].get<double>(), a["mean_return"].get<double>());
    EXPECT_GT(a["ci_high"].get<double>(), a["mean_return"].get<double>());
    ASSERT_EQ(a["seed_returns"].size(), 2u);
    const double m = (a["seed_returns"][0].get<double>() + a["seed_returns"][1].get<double>()) / 2;
    EXPECT_NEAR(a["mean_return"].get<double>(), m, 1e-9);
  }
  // The CSV: a header and one row per agent, numeric columns (issue 19: it held formatted text).
  const auto csv = lines(read_file(out + "/leaderboard.csv"));
  ASSERT_EQ(csv.size(), 3u);
  EXPECT_EQ(csv[0].rfind("agent,privileged,learning,seeds,mean_return,mean_return_ci_low,", 0), 0u)
      << csv[0];
  EXPECT_EQ(csv[1].rfind("random,", 0), 0u) << csv[1];
  EXPECT_EQ(csv[2].rfind("myopic,", 0), 0u) << csv[2];
  const nlohmann::json s = json_of(rlrec(concat(kTinySimulate, {"--threads", "1"})));
  EXPECT_EQ(s["mean_return"], j["agents"][0]["seed_returns"][0]);
}

// --set compare.agents=[...] runs a subset of a file's agents: sections of the agents left out are
// accepted when they name a registered agent; a section naming nothing known is still an error.
TEST_F(Cli, CompareSubsetOfAgentsAndUnknownSection) {
  const std::string exp = path("exp.toml");
  const std::string base =
      "[env]\nname = \"interest_evolution\"\nmax_steps = 10\n\n[run]\nepisodes = 4\nseed = 3\n\n"
      "[compare]\nagents = [\"random\", \"sarsa_small\"]\nseeds = 1\n\n"
      "[sarsa_small]\nname = \"slateq_sarsa\"\nhidden = [8]\n\n[slateq_myopic]\nhidden = [8]\n";
  write_file(exp, base);
  const nlohmann::json j =
      json_of(rlrec({"compare", exp, "--set", "compare.agents=[\"random\"]", "--json"}));
  ASSERT_EQ(j["agents"].size(), 1u);
  EXPECT_EQ(j["agents"][0]["name"], "random");
  write_file(exp, base + "\n[sarsa_smal]\nhidden = [8]\n");
  expect_usage_error({"compare", exp},
                     {"unknown section [sarsa_smal]", "did you mean [sarsa_small]"});
}

}  // namespace

// Wolpertinger (agents/wolpertinger.cc) through `rlrec compare`: a k larger than the catalogue and
// an index file built for another catalogue are one-line errors with exit code 2.
namespace {

TEST_F(Cli, WolpertingerBadKAndForeignIndexExitTwo) {
  const std::string exp = path("wolp.toml");
  write_file(
      exp,
      "[env]\nname = \"interest_evolution\"\ncorpus_size = 300\nnum_candidates = 300\n"
      "slate_size = 1\nmax_steps = 5\n\n"
      "[run]\nepisodes = 2\nseed = 1\ntrain_steps = 40\neval_interval = 40\neval_episodes = 2\n\n"
      "[compare]\nagents = [\"wolp\"]\nseeds = 1\n\n"
      "[wolp]\nname = \"wolpertinger\"\nhidden = [8]\nwarmup_steps = 10\nindex = \"hnsw\"\n"
      "index_path = \"" +
          path("catalogue.index") + "\"\n");
  expect_usage_error(
      {"compare", exp, "--set", "wolp.k=301"},
      {"wolp.k must be <= the number of items to choose from (300: env.corpus_size), got 301"});
  expect_usage_error({"compare", exp, "--set", "wolp.k=-1"}, {"wolp.k must be >= 1", "got -1"});
  // The first run builds and saves the index for seed 1's catalogue; seed 2 has another catalogue.
  const Result ok = rlrec({"compare", exp});
  ASSERT_EQ(ok.code, 0) << ok.err;
  ASSERT_TRUE(std::filesystem::exists(path("catalogue.index")));
  expect_usage_error({"compare", exp, "--set", "run.seed=2"},
                     {"catalogue.index", "another catalogue"});
}

}  // namespace

// Off-policy evaluation (`rlrec ope`, src/rlrec/ope): estimates on the Open Bandit Dataset sample
// (skipped when ../shared/data/open-bandit-dataset is absent) and one-line errors for bad input.
namespace {

std::string obd_root() { return std::string(RLREC_SHARED_DATA_DIR) + "/open-bandit-dataset"; }

TEST_F(Cli, OpeEstimateJsonAndBadInput) {
  const std::string root = obd_root();
  if (!std::filesystem::exists(root + "/random/men/men.csv"))
    GTEST_SKIP() << "Open Bandit Dataset not found at " << root << ", skipping";
  // A 200-row copy of the random/men log, with its item context beside it.
  const std::string full = read_file(root + "/random/men/men.csv");
  const auto rows = lines(full);
  std::string head;
  for (size_t i = 0; i < 201; ++i) {
    head += rows[i];
    head += '\n';
  }
  std::filesystem::create_directories(path("obd"));
  write_file(path("obd/men.csv"), head);
  std::filesystem::copy_file(root + "/random/men/item_context.csv", path("obd/item_context.csv"));
  const std::vector<std::string> base = {"ope",         "estimate", "--log",   path("obd/men.csv"),
                                         "--bootstrap", "20",       "--n-sim", "2000"};
  const nlohmann::json j = json_of(rlrec(concat(base, {"--policy", "bts", "--json"})));
  EXPECT_EQ(j["rounds"], 200);
  for (const char* name :
       {"ipw", "clipped_ipw", "snipw", "dm", "dr", "sndr", "switch_dr", "dr_os"}) {
    ASSERT_TRUE(j["estimates"].contains(name)) << name;
    const auto& e = j["estimates"][name];
    EXPECT_TRUE(e["estimate"].is_number()) << name;
    EXPECT_LE(e["ci_low"].get<double>(), e["ci_high"].get<double>()) << name;
  }
  // A target distribution whose position 1 column sums to 0.5.
  write_file(path("bad_dist.csv"), "item,position,prob\n0,0,1\n1,1,0.5\n2,2,1\n");
  expect_usage_error(concat(base, {"--target-dist", path("bad_dist.csv")}),
                     {"bad_dist.csv:3: probabilities of position 1 sum to 0.5"});
  expect_usage_error(concat(base, {"--policy", "bts", "--estimators", "ipw,snipv"}),
                     {"did you mean 'snipw'"});
  expect_usage_error(
      {"ope", "estimate", "--log", path("obd/men.csv"), "--policy", "bts", "--bootstrap", "0"},
      {"ope.bootstrap must be > 0"});
  // A zero propensity in the log (first data row, line 2).
  const std::string good_p = "0.029411764705882353";
  std::ostringstream bad;
  for (size_t i = 0; i < 11; ++i) {
    const size_t at = i == 1 ? rows[i].find(good_p) : std::string::npos;
    if (at == std::string::npos) {
      bad << rows[i] << '\n';
    } else {
      bad << rows[i].substr(0, at) << '0' << rows[i].substr(at + good_p.size()) << '\n';
    }
  }
  write_file(path("obd/men.csv"), bad.str());
  expect_usage_error(concat(base, {"--policy", "bts"}), {"men.csv:2", "propensity"});
}

TEST_F(Cli, OpeBenchJson) {
  const std::string root = obd_root();
  if (!std::filesystem::exists(root + "/random/men/men.csv"))
    GTEST_SKIP() << "Open Bandit Dataset not found at " << root << ", skipping";
  const nlohmann::json j =
      json_of(rlrec({"ope", "bench", "--data", root, "--campaign", "men", "--bootstrap", "2",
                     "--n-sim", "2000", "--estimators", "ipw,dm,dr_os", "--json"}));
  EXPECT_NEAR(j["ground_truth"].get<double>(), 0.0069, 1e-12);
  for (const char* name : {"ipw", "dm", "dr_os"})
    for (const char* key :
         {"estimate", "relative_error", "relative_error_mean", "relative_error_std"})
      EXPECT_TRUE(j["estimates"][name][key].is_number()) << name << "." << key;
  expect_usage_error({"ope", "bench", "--data", root, "--campaign", "men", "--bootstrap", "-3"},
                     {"ope.bootstrap must be > 0"});
}

}  // namespace

// DRR on MovieLens 100K through `rlrec compare` with the offline protocol (datasim/,
// agents/drr.cc): the --json entries carry p@5, p@10, ndcg@5, ndcg@10 and mean_reward with CIs over
// seeds; bad input is a one-line error with exit code 2. Skipped when ../shared/data/movielens-100k
// is absent.
namespace {

std::string ml100k() { return std::string(RLREC_SHARED_DATA_DIR) + "/movielens-100k/u.data"; }

TEST_F(Cli, DrrCompareOfflineProtocolJson) {
  if (!std::filesystem::exists(ml100k()))
    GTEST_SKIP() << "MovieLens 100K not found at " << ml100k() << ", skipping";
  const std::string exp = path("drr.toml");
  write_file(exp, "[env]\nname = \"movielens_mf\"\ndata = \"" + ml100k() +
                      "\"\nfactors = 8\nmf_epochs = 5\n"
                      "num_candidates = 20\nmax_steps = 5\n\n"
                      "[run]\nepisodes = 20\nseed = 1\ntrain_steps = 100\neval_interval = "
                      "100\neval_episodes = 4\n\n"
                      "[compare]\nagents = [\"popularity\", \"pmf\", \"drr_ave\"]\nseeds = "
                      "2\nprotocol = \"offline\"\n\n"
                      "[drr_ave]\nhidden = [8]\nwarmup_steps = 20\nbatch_size = 8\n");
  const nlohmann::json j = json_of(rlrec({"compare", exp, "--json"}));
  EXPECT_EQ(j["protocol"], "offline");
  ASSERT_EQ(j["agents"].size(), 3u);
  for (const auto& a : j["agents"]) {
    for (const char* key : {"p@5", "p@10", "ndcg@5", "ndcg@10", "mean_reward"}) {
      ASSERT_TRUE(a.contains(key)) << a["name"] << " " << key;
      const auto& m = a[key];
      ASSERT_EQ(m["seeds"].size(), 2u) << key;
      EXPECT_LE(m["ci_low"].get<double>(), m["mean"].get<double>()) << key;
      EXPECT_GE(m["ci_high"].get<double>(), m["mean"].get<double>()) << key;
    }
    EXPECT_GT(a["p@10"]["mean"].get<double>(), 0.3) << a["name"];
    EXPECT_LE(a["p@10"]["mean"].get<double>(), a["p@5"]["mean"].get<double>() + 1e-9) << a["name"];
  }
  expect_usage_error({"compare", exp, "--set", "drr_ave.history_length=9"},
                     {"drr_ave.history_length (9) must be <= env.history_length (5)"});
  expect_usage_error({"compare", exp, "--set", "env.data=/nonexistent/u.data"},
                     {"/nonexistent/u.data"});
  expect_usage_error({"compare", exp, "--set", "env.name=interest_evolution"},
                     {"compare.protocol = \"offline\" needs a rating-log environment"});
}

}  // namespace

// `rlrec log` and offline `rlrec train` from a log ([data]): JSON outputs and one-line errors for
// bad logs (malformed record, another environment, missing propensities) and bad hyperparameters.
namespace {

TEST_F(Cli, LogAndOfflineReinforceTraining) {
  const std::string exp = path("log.toml"), log = path("b.rlog");
  write_file(
      exp,
      "[env]\nname = \"interest_evolution\"\nnum_candidates = 5\nslate_size = 2\nmax_steps = 6\n\n"
      "[run]\nepisodes = 4\nseed = 1\ntrain_steps = 40\neval_interval = 40\neval_episodes = 2\n\n"
      "[policy]\ntemperature = 0.5\nbias = 0.8\n\n"
      "[data]\nlog = \"" +
          log +
          "\"\n\n"
          "[agent]\nname = \"topk_reinforce\"\nhidden = [8]\nbatch_size = 4\nhistory_length = 2\n");
  const auto j = json_of(
      rlrec({"log", exp, "--policy", "biased_softmax", "--episodes", "6", "--out", log, "--json"}));
  EXPECT_EQ(j["episodes"], 6);
  EXPECT_EQ(j["propensities"], true);
  EXPECT_GT(j["events"].get<int64_t>(), 6);
  const auto t = json_of(rlrec({"train", exp, "--out", path("run"), "--json"}));
  EXPECT_EQ(t["env_steps"], 40);  // logged events consumed
  EXPECT_GT(t["metrics"][0]["updates"].get<int64_t>(), 0);
  // Bad hyperparameters and policies.
  expect_usage_error({"train", exp, "--out", path("r1"), "--set", "agent.k=-2"},
                     {"agent.k must be in", "got -2"});
  expect_usage_error({"train", exp, "--out", path("r2"), "--set", "agent.cap=0"},
                     {"agent.cap must be > 0, got 0.0"});
  expect_usage_error({"train", exp, "--out", path("r3"), "--set", "agent.temperature=-1"},
                     {"agent.temperature must be > 0"});
  expect_usage_error({"log", exp, "--policy", "softmax_myopic", "--episodes", "2", "--out",
                      path("x"), "--set", "policy.temperature=0"},
                     {"policy.temperature must be > 0, got 0.0"});
  // A log without propensities where the correction needs them: file and record named.
  const std::string mlog = path("m.rlog");
  ASSERT_EQ(rlrec({"log", exp, "--policy", "myopic", "--episodes", "2", "--out", mlog}).code, 0);
  expect_usage_error({"train", exp, "--out", path("r4"), "--set", "data.log=\"" + mlog + "\"",
                      "--set", "agent.behaviour=\"logged\""},
                     {mlog + ": record ", "propensity is unknown"});
  // A log from another environment shape.
  expect_usage_error({"train", exp, "--out", path("r5"), "--set", "env.num_candidates=6"},
                     {log, "do not match the environment"});
  // A corrupted record: the checksum fails at a named record and byte offset.
  std::string bytes = read_file(log);
  bytes[bytes.size() - 30] ^= 0x11;
  write_file(log, bytes);
  expect_usage_error({"train", exp, "--out", path("r6")},
                     {log + ": record ", "byte offset", "checksum"});
}

// compare writes one behaviour log per seed for all its offline agents, and an agent learns the
// same from it as from a log of its own (compared alone).
TEST_F(Cli, CompareSharesOneBehaviourLogPerSeed) {
  const std::string exp = path("share.toml");
  write_file(
      exp,
      "[env]\nname = \"interest_evolution\"\nnum_candidates = 5\nslate_size = 2\nmax_steps = 6\n\n"
      "[run]\nepisodes = 3\nseed = 1\ntrain_steps = 40\neval_interval = 40\neval_episodes = 2\n\n"
      "[data]\nbehaviour = \"biased_softmax\"\nepisodes = 5\n\n"
      "[compare]\nagents = [\"none\", \"iw\"]\nseeds = 2\n\n"
      "[none]\nname = \"topk_reinforce\"\ncorrection = \"none\"\nhidden = [8]\nbatch_size = 4\n"
      "history_length = 2\n\n"
      "[iw]\nname = \"topk_reinforce\"\ncorrection = \"iw\"\nhidden = [8]\nbatch_size = 4\n"
      "history_length = 2\n");
  const auto both = json_of(rlrec({"compare", exp, "--out", path("both"), "--json"}));
  int files = 0;
  for (const auto& e : std::filesystem::directory_iterator(path("both/behaviour_logs"))) {
    ++files;
    const std::string name = e.path().filename().string();
    EXPECT_TRUE(name == "behaviour_seed1.bin" || name == "behaviour_seed2.bin") << name;
  }
  EXPECT_EQ(files, 2);
  const auto alone = json_of(rlrec(
      {"compare", exp, "--out", path("alone"), "--json", "--set", "compare.agents=[\"iw\"]"}));
  ASSERT_EQ(both["agents"].size(), 2u);
  ASSERT_EQ(alone["agents"].size(), 1u);
  EXPECT_EQ(both["agents"][1]["name"], "iw");
  EXPECT_EQ(both["agents"][1]["seed_returns"], alone["agents"][0]["seed_returns"]);
}

}  // namespace

// `rlrec ope estimate --format rlrec`: a simulator log written by `rlrec log`, evaluated for
// another simulator policy; with target == behaviour every weight is 1, so sips == snipw == the
// mean reward.
namespace {

TEST_F(Cli, OpeEstimateOnSimulatorLog) {
  const std::string exp = path("bandit.toml");
  write_file(
      exp,
      "[env]\nname = \"interest_evolution\"\nmax_steps = 1\n\n[run]\nepisodes = 300\nseed = 2\n");
  const Result logged = rlrec({"log", exp, "--policy", "softmax_myopic", "--out", path("sim.log")});
  ASSERT_EQ(logged.code, 0) << logged.err;
  const nlohmann::json j = json_of(rlrec({"ope", "estimate", "--log", path("sim.log"), "--format",
                                          "rlrec", "--policy", "softmax_myopic", "--estimators",
                                          "sips,rips,snipw,dr", "--bootstrap", "20", "--json"}));
  EXPECT_EQ(j["rounds"], 300);
  const double sips = j["estimates"]["sips"]["estimate"].get<double>();
  EXPECT_NEAR(j["estimates"]["snipw"]["estimate"].get<double>(), sips, 1e-9);
  EXPECT_NEAR(j["estimates"]["rips"]["estimate"].get<double>(), sips, 1e-9);
  expect_usage_error(
      {"ope", "estimate", "--log", path("sim.log"), "--format", "rlrec", "--policy", "myopic"},
      {"does not expose action probabilities"});
}

}  // namespace

// One entry convention: an experiment file as the positional argument (same as --config); sections
// the command does not read but other commands do are named in notes; a typo is still an error.
namespace {
TEST_F(Cli, SimulateTakesAnExperimentFileAndNotesUnusedSections) {
  const std::string exp = path("entry.toml");
  write_file(
      exp,
      "[env]\nname = \"interest_evolution\"\nmax_steps = 10\n\n[run]\nepisodes = 4\nseed = 3\n\n"
      "[agent]\nname = \"slateq_sarsa\"\n\n[compare]\nagents = [\"random\"]\n\n"
      "[small_q]\nname = \"slateq_qlearning\"\nhidden = [8]\n");
  const Result positional = rlrec({"simulate", exp, "--json"});
  ASSERT_EQ(positional.code, 0) << positional.err;
  EXPECT_EQ(positional.err,
            "note: " + exp + ": not used by rlrec simulate: [agent], [compare], [small_q]\n");
  const Result flag = rlrec({"simulate", "--config", exp, "--json"});
  EXPECT_EQ(json_of(positional)["mean_return"], json_of(flag)["mean_return"]);
  EXPECT_EQ(json_of(positional)["episodes"], 4);
  write_file(exp, "[env]\nname = \"interest_evolution\"\n\n[polcy]\nname = \"myopic\"\n");
  expect_usage_error({"simulate", exp}, {"unknown section [polcy]", "did you mean [policy]"});
  expect_usage_error({"simulate", exp, "--config", exp}, {"two config files given"});
}
}  // namespace

// train and compare follow the same entry convention: a section another command reads is named in
// a note (it was once rejected), compare counts every agent's section as its own ([agent] and
// [small_q] name agents), and a typo is still an error.
namespace {
TEST_F(Cli, TrainAndCompareNoteUnusedSections) {
  const std::string exp = path("both.toml");
  write_file(
      exp,
      "[env]\nname = \"interest_evolution\"\nnum_candidates = 5\nslate_size = 2\nmax_steps = 6\n\n"
      "[run]\nepisodes = 3\nseed = 1\ntrain_steps = 60\neval_interval = 60\neval_episodes = 2\n\n"
      "[agent]\nname = \"slateq_sarsa\"\nhidden = [8]\nwarmup_steps = 20\nbatch_size = 4\n\n"
      "[compare]\nagents = [\"random\"]\nseeds = 1\n\n"
      "[small_q]\nname = \"slateq_qlearning\"\nhidden = [8]\n\n[mf]\nepochs = 2\n");
  const Result t = rlrec({"train", exp, "--out", path("run"), "--json"});
  ASSERT_EQ(t.code, 0) << t.err;
  EXPECT_NE(t.err.find("note: " + exp + ": not used by rlrec train: [compare], [mf], [small_q]\n"),
            std::string::npos)
      << t.err;
  EXPECT_EQ(json_of(t)["agent"], "slateq_sarsa");
  const Result c = rlrec({"compare", exp, "--json"});
  ASSERT_EQ(c.code, 0) << c.err;
  EXPECT_NE(c.err.find("note: " + exp + ": not used by rlrec compare: [mf]\n"), std::string::npos)
      << c.err;
  EXPECT_EQ(json_of(c)["agents"].size(), 1u);
  // eval of the run directory (train/experiments.h evaluate_run_dir).
  const Result e = rlrec({"eval", path("run"), "--json"});
  ASSERT_EQ(e.code, 0) << e.err;
  EXPECT_EQ(json_of(e)["episodes"], 3);
  write_file(
      exp,
      "[env]\nname = \"interest_evolution\"\n[agent]\nname = \"slateq_sarsa\"\n[runn]\nseed = 2\n");
  expect_usage_error({"train", exp, "--out", path("run2")},
                     {"unknown section [runn]", "did you mean [run]"});
  expect_usage_error({"compare", exp}, {"unknown section [runn]", "did you mean [run]"});
}
}  // namespace

// The entry convention for mf, index and ope: an experiment file (positional or --config) whose
// [mf], [index] or [ope] section fills the options (the keys --help shows after each flag), --set
// SECTION.KEY=VALUE, flags given win over the file, sections of other commands are noted.
namespace {

TEST_F(Cli, IndexBenchTakesAnExperimentFile) {
  const std::string exp = path("index.toml");
  write_file(exp,
             "[index]\nitems = 300\ndim = 4\nqueries = 20\nk = 5\nkind = \"exact\"\n\n"
             "[env]\nname = \"interest_evolution\"\n");
  const Result r = rlrec({"index", "bench", exp, "--json"});
  const nlohmann::json j = json_of(r);
  EXPECT_EQ(j["items"], 300);
  EXPECT_EQ(j["k"], 5);
  EXPECT_EQ(j["recall"], 1.0);
  EXPECT_NE(r.err.find("note: " + exp + ": not used by rlrec index bench: [env]\n"),
            std::string::npos)
      << r.err;
  // Explicit flags win over the file; --set fills a key.
  const nlohmann::json f = json_of(
      rlrec({"index", "bench", "--config", exp, "--items", "400", "--set", "index.k=7", "--json"}));
  EXPECT_EQ(f["items"], 400);
  EXPECT_EQ(f["k"], 7);
  EXPECT_EQ(f["dim"], 4);
  // Messages name the key.
  expect_usage_error({"index", "bench", exp, "--set", "index.k=301"},
                     {"index.k must be <= index.items (300)"});
  write_file(exp, "[index]\nitemz = 300\n");
  expect_usage_error({"index", "bench", exp}, {"itemz", "did you mean 'index.items'"});
}

TEST_F(Cli, MfFitTakesAnExperimentFile) {
  std::ostringstream ratings;
  int t = 1;
  for (int u = 1; u <= 30; ++u)
    for (int j = 0; j < 10; ++j)
      ratings << u << '\t' << 1 + (u + j) % 20 << '\t' << 1 + (u + j) % 5 << '\t' << t++ << '\n';
  write_file(path("r.data"), ratings.str());
  const std::string exp = path("mf.toml");
  write_file(exp, "[mf]\nname = \"als\"\ntrain = \"" + path("r.data") +
                      "\"\nformat = \"ml-100k\"\nsplit = \"last:2\"\n"
                      "k = 5\nfactors = 4\niterations = 2\nthreads = 1\n\n[ope]\nbootstrap = 3\n");
  const Result r = rlrec({"mf", "fit", exp, "--json"});
  const nlohmann::json j = json_of(r);
  EXPECT_EQ(j["model"], "als");
  EXPECT_EQ(j["factors"], 4);
  EXPECT_EQ(j["k"], 5);
  EXPECT_EQ(j["test"]["rows"], 60);
  EXPECT_NE(r.err.find("not used by rlrec mf fit: [ope]"), std::string::npos) << r.err;
  const nlohmann::json f =
      json_of(rlrec({"mf", "fit", exp, "--k", "3", "--set", "mf.factors=6", "--json"}));
  EXPECT_EQ(f["k"], 3);
  EXPECT_EQ(f["factors"], 6);
  expect_usage_error({"mf", "fit", exp, "--model", "bpr"},
                     {"the model 'bpr' disagrees with [mf] name = 'als'"});
  expect_usage_error({"mf", "fit", exp, "--set", "mf.k=0"}, {"mf.k must be >= 1, got 0"});
  expect_usage_error({"mf", "fit", "--train", path("r.data")}, {"mf.name is required"});
}

TEST_F(Cli, OpeEstimateTakesAnExperimentFile) {
  const std::string exp = path("ope.toml");
  write_file(
      exp,
      "[env]\nname = \"interest_evolution\"\nmax_steps = 1\n\n[run]\nepisodes = 100\nseed = 2\n\n"
      "[ope]\nlog = \"" +
          path("sim.log") +
          "\"\nformat = \"rlrec\"\npolicy = \"softmax_myopic\"\n"
          "estimators = \"sips,snipw\"\nbootstrap = 5\n");
  const Result logged = rlrec({"log", exp, "--policy", "softmax_myopic", "--out", path("sim.log")});
  ASSERT_EQ(logged.code, 0) << logged.err;
  const Result r = rlrec({"ope", "estimate", exp, "--json"});
  const nlohmann::json j = json_of(r);
  EXPECT_EQ(j["rounds"], 100);
  EXPECT_EQ(j["bootstrap"], 5);
  EXPECT_NE(r.err.find("not used by rlrec ope estimate: [env], [run]"), std::string::npos) << r.err;
  EXPECT_EQ(json_of(rlrec({"ope", "estimate", exp, "--bootstrap", "7", "--json"}))["bootstrap"], 7);
  expect_usage_error({"ope", "estimate", exp, "--bootstrap", "0"}, {"ope.bootstrap must be > 0"});
  expect_usage_error({"ope", "estimate", exp, "--set", "ope.bootstrapp=3"},
                     {"did you mean 'ope.bootstrap'"});
}

}  // namespace
