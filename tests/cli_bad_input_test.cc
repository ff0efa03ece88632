// The bad-input suite (docs/reliability.md "Bad inputs"): one table of command lines that must each
// fail with exit code 2, nothing on stdout and ONE stderr line "error: ..." naming the value and
// the rule. Classes: paths (a directory where a file is expected and the reverse, /dev/null,
// missing files, non-UTF-8 names), numbers (nan, inf, -inf, -0 where a positive value is needed,
// 1e300, 2^63 and 2^64, negative counts, empty values) for the flags and TOML keys of every
// command, and sizes that would allocate too much memory or disk (rejected before allocating, with
// the estimate and the machine's limit). Every case that failed when the suite was written was
// fixed in the library or the CLI, never here.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "cli_testing.h"

namespace {

using namespace rlrec::cli_test;

struct Case {
  const char* name;
  std::vector<std::string> args;     // "@DIR" is replaced by the test's temporary directory
  std::vector<std::string> needles;  // must all appear in the one error line
  const char* memory_limit = "";     // RLREC_MEMORY_LIMIT for this run ("" = the machine's)
  bool needs_log = false;            // a softmax_myopic log at @DIR/l.rlog (written first)
};

class CliBadInputSuite : public Cli, public ::testing::WithParamInterface<Case> {
 protected:
  void SetUp() override {
    Cli::SetUp();
    std::filesystem::create_directories(path("adir"));
    write_file(path("afile"), "not a config, log, model or index\n");
    write_file(path("sim.toml"),
               "[env]\nname = \"interest_evolution\"\nmax_steps = 5\n[run]\nepisodes = 2\n");
    write_file(path("tr.toml"),
               "[env]\nname = \"interest_evolution\"\nmax_steps = 5\n"
               "[agent]\nname = \"slateq_sarsa\"\nhidden = [8]\n"
               "[run]\ntrain_steps = 10\neval_interval = 10\neval_episodes = 2\nepisodes = 2\n");
    write_file(path("cmp.toml"),
               "[env]\nname = \"interest_evolution\"\nmax_steps = 5\n[run]\nepisodes = 2\n"
               "train_steps = 10\neval_interval = 10\neval_episodes = 2\n"
               "[compare]\nagents = [\"random\", \"slateq_sarsa\"]\nseeds = 1\n"
               "[slateq_sarsa]\nhidden = [8]\n");
    // 3000 ratings of 60 users and 90 items (user, item, rating, timestamp).
    std::string tsv;
    for (int i = 0; i < 3000; ++i)
      tsv += std::to_string(1 + i % 60) + "\t" + std::to_string(1 + (i * 7) % 90) + "\t" +
             std::to_string(1 + i % 5) + "\t" + std::to_string(1000 + i) + "\n";
    write_file(path("r.tsv"), tsv);
  }
};

std::string expand(std::string s, const std::string& dir) {
  for (size_t at; (at = s.find("@DIR")) != std::string::npos;) s.replace(at, 4, dir);
  return s;
}

TEST_P(CliBadInputSuite, ExitsTwoWithOneLineNamingValueAndRule) {
  const Case& c = GetParam();
  if (c.needs_log) {
    const Result log = rlrec({"log", path("sim.toml"), "--policy", "softmax_myopic", "--episodes",
                              "40", "--out", path("l.rlog")});
    ASSERT_EQ(log.code, 0) << log.err;
  }
  std::vector<std::string> args, needles;
  for (const auto& a : c.args) args.push_back(expand(a, dir_));
  // A train case writes its run directory under this case's directory, never the shared default
  // runs/AGENT-seedS of the working directory (cases run in parallel).
  if (!args.empty() && args[0] == "train" &&
      std::find(args.begin(), args.end(), "--out") == args.end()) {
    args.push_back("--out");
    args.push_back(path("run"));
  }
  for (const auto& n : c.needles) needles.push_back(expand(n, dir_));
  if (*c.memory_limit) setenv("RLREC_MEMORY_LIMIT", c.memory_limit, 1);
  expect_usage_error(args, needles, 1);
  unsetenv("RLREC_MEMORY_LIMIT");
}

const std::vector<std::string> kMf = {"mf",  "fit",     "--train",    "@DIR/r.tsv", "--format",
                                      "tsv", "--split", "random:0.2", "--json"};
const std::vector<std::string> kLog = {"log",    "@DIR/sim.toml", "--policy",
                                       "random", "--out",         "@DIR/x.rlog"};
// Every case of these groups fails before any work, so the defaults (200 resamples, 100000 items)
// cost nothing.
const std::vector<std::string> kOpe = {"ope",   "estimate",    "--format", "rlrec",
                                       "--log", "@DIR/l.rlog", "--policy", "softmax_myopic"};
const std::vector<std::string> kIndex = {"index", "bench", "--json"};

std::vector<Case> cases() {
  const std::string big63 = "9223372036854775808", big64 = "18446744073709551616";
  const std::string nonutf8 = "@DIR/\xff\xfe.toml";
  std::vector<Case> v = {
      // ---- paths
      {"SimulateConfigIsDirectory",
       {"simulate", "--config", "@DIR/adir"},
       {"'@DIR/adir' is a directory"}},
      {"SimulateExperimentIsDirectory", {"simulate", "@DIR/adir"}, {"'@DIR/adir' is a directory"}},
      {"SimulateConfigDevNull", {"simulate", "--config", "/dev/null"}, {"'/dev/null' is a device"}},
      {"SimulateConfigMissing",
       {"simulate", "--config", "@DIR/missing.toml"},
       {"'@DIR/missing.toml'", "No such file"}},
      {"SimulateConfigNonUtf8Name", {"simulate", "--config", nonutf8}, {"No such file"}},
      {"ConfigFileIsDirectory", {"config", "@DIR/adir"}, {"'@DIR/adir' is a directory"}},
      {"ConfigDevNull", {"config", "/dev/null"}, {"'/dev/null' is a device"}},
      {"ConfigMissing", {"config", "@DIR/missing.toml"}, {"missing.toml", "No such file"}},
      {"ConfigNonUtf8Name", {"config", nonutf8}, {"No such file"}},
      {"TrainExperimentIsDirectory", {"train", "@DIR/adir"}, {"'@DIR/adir' is a directory"}},
      {"TrainExperimentDevNull", {"train", "/dev/null"}, {"'/dev/null' is a device"}},
      {"TrainExperimentNotToml", {"train", "@DIR/afile"}, {"@DIR/afile:1", "invalid TOML"}},
      {"CompareExperimentIsDirectory", {"compare", "@DIR/adir"}, {"'@DIR/adir' is a directory"}},
      {"CompareExperimentDevNull", {"compare", "/dev/null"}, {"'/dev/null' is a device"}},
      {"EvalRunDirIsFile", {"eval", "@DIR/afile"}, {"'@DIR/afile' is not a run directory"}},
      {"EvalRunDirDevNull", {"eval", "/dev/null"}, {"'/dev/null' is not a run directory"}},
      {"EvalRunDirMissing", {"eval", "@DIR/nope"}, {"'@DIR/nope' is not a run directory"}},
      {"LogOutIsDirectory", kLog, {"'@DIR/adir' exists and is a directory"}},
      {"LogOutDevNull", kLog, {"'/dev/null' exists and is a character device"}},
      {"LogOutForeignFile", kLog, {"'@DIR/afile' exists and is not an rlrec log", "--force"}},
      {"LogExperimentIsDirectory",
       {"log", "@DIR/adir", "--policy", "random", "--out", "@DIR/x.rlog"},
       {"'@DIR/adir' is a directory"}},
      {"MfTrainIsDirectory",
       {"mf", "fit", "--train", "@DIR/adir", "--split", "random:0.2", "--model", "als"},
       {"'@DIR/adir'", "is a directory"}},
      {"MfTrainDevNull",
       {"mf", "fit", "--train", "/dev/null", "--format", "tsv", "--split", "random:0.2", "--model",
        "als"},
       {"/dev/null", "empty file"}},
      {"MfOutIsFile",
       concat(kMf, {"--model", "als", "--out", "@DIR/afile"}),
       {"'@DIR/afile' exists and is a regular file, not a directory"}},
      {"MfSequenceDataIsDirectory",
       {"mf", "sequence", "--data", "@DIR/adir"},
       {"'@DIR/adir'", "is a directory"}},
      {"IndexLoadIsDirectory",
       concat(kIndex, {"--load", "@DIR/adir"}),
       {"'@DIR/adir' is a directory"}},
      {"IndexLoadDevNull",
       concat(kIndex, {"--load", "/dev/null"}),
       {"'/dev/null' is not a regular file"}},
      {"IndexSaveIsDirectory",
       concat(kIndex, {"--save", "@DIR/adir"}),
       {"'@DIR/adir' exists and is a directory"}},
      {"IndexSaveDevNull",
       concat(kIndex, {"--save", "/dev/null"}),
       {"'/dev/null' exists and is a character device"}},
      {"OpeLogIsDirectory",
       {"ope", "estimate", "--format", "rlrec", "--log", "@DIR/adir", "--policy", "softmax_myopic"},
       {"ope.log '@DIR/adir' is a directory"}},
      {"OpeObdLogIsDirectory",
       {"ope", "estimate", "--log", "@DIR/adir", "--policy", "bts"},
       {"ope.log '@DIR/adir' is a directory"}},
      {"OpeLogDevNull",
       {"ope", "estimate", "--format", "rlrec", "--log", "/dev/null", "--policy", "softmax_myopic"},
       {"ope.log '/dev/null' is not a regular file"}},
      {"OpeLogMissing",
       {"ope", "estimate", "--format", "rlrec", "--log", "@DIR/nope.rlog", "--policy", "random"},
       {"@DIR/nope.rlog: log file not found"}},
      {"OpeBenchDataIsFile",
       {"ope", "bench", "--data", "@DIR/afile", "--campaign", "men"},
       {"@DIR/afile", "Not a directory"}},
      // ---- numbers on flags
      {"SimulateEpisodesNan",
       {"simulate", "--episodes", "nan"},
       {"--episodes", "'nan' is not an integer"}},
      {"SimulateEpisodesInf",
       {"simulate", "--episodes", "inf"},
       {"--episodes", "'inf' is not an integer"}},
      {"SimulateEpisodesMinusInf",
       {"simulate", "--episodes", "-inf"},
       {"--episodes", "'-inf' is not an integer"}},
      {"SimulateEpisodes1e300",
       {"simulate", "--episodes", "1e300"},
       {"--episodes", "'1e300' is not an integer"}},
      // 2^63 was silently saturated to 2^63 - 1 (and reported as that).
      {"SimulateEpisodes2Pow63",
       {"simulate", "--episodes", big63},
       {"--episodes", "'" + big63 + "' does not fit in a 64-bit integer"}},
      {"SimulateEpisodes2Pow64",
       {"simulate", "--episodes", big64},
       {"--episodes", "'" + big64 + "' does not fit in a 64-bit integer"}},
      {"SimulateEpisodesMinusZero",
       {"simulate", "--episodes", "-0"},
       {"run.episodes must be in [1, ", "got 0"}},
      // An empty value silently meant "not given" (the default 2000 episodes ran).
      {"SimulateEpisodesEmpty", {"simulate", "--episodes", ""}, {"--episodes: empty value"}},
      {"SimulateConfigEmpty", {"simulate", "--config", ""}, {"--config: empty value"}},
      {"SimulateSeedNegative", {"simulate", "--seed", "-1"}, {"run.seed must be >= 0", "got -1"}},
      {"SimulateThreadsNegative",
       {"simulate", "--threads", "-1"},
       {"run.threads must be in [0, 1024]", "got -1"}},
      {"SimulateBatchZero", {"simulate", "--batch", "0"}, {"run.batch must be in [1, ", "got 0"}},
      {"SimulateBatch2Pow31",
       {"simulate", "--batch", "2147483648"},
       {"--batch takes a 32-bit integer", "got 2147483648"}},
      {"LogEpisodesNan",
       concat(kLog, {"--episodes", "nan"}),
       {"--episodes", "'nan' is not an integer"}},
      {"LogEpisodes2Pow64",
       concat(kLog, {"--episodes", big64}),
       {"'" + big64 + "' does not fit in a 64-bit integer"}},
      {"LogEpisodesMinusZero",
       concat(kLog, {"--episodes", "-0"}),
       {"run.episodes must be in [1, ", "got 0"}},
      {"LogSeedNegative", concat(kLog, {"--seed", "-7"}), {"run.seed must be >= 0", "got -7"}},
      {"TrainStopAfterNan",
       {"train", "@DIR/tr.toml", "--stop-after", "nan"},
       {"--stop-after", "'nan' is not an integer"}},
      {"TrainThreads2Pow63",
       {"train", "@DIR/tr.toml", "--threads", big63},
       {"--threads", "does not fit in a 64-bit integer"}},
      {"CompareSeedsNan",
       {"compare", "@DIR/cmp.toml", "--seeds", "nan"},
       {"--seeds", "'nan' is not an integer"}},
      {"CompareSeedsZero",
       {"compare", "@DIR/cmp.toml", "--seeds", "0"},
       {"compare.seeds must be in [1, 100000]", "got 0"}},
      {"CompareSeeds1e11",
       {"compare", "@DIR/cmp.toml", "--seeds", "100000000000"},
       {"--seeds takes a 32-bit integer", "got 100000000000"}},
      {"CompareEpisodesInf",
       {"compare", "@DIR/cmp.toml", "--episodes", "inf"},
       {"--episodes", "'inf' is not an integer"}},
      {"CompareEpisodesEmpty",
       {"compare", "@DIR/cmp.toml", "--episodes", ""},
       {"--episodes: empty value"}},
      {"EvalEpisodesNan",
       {"eval", "@DIR/adir", "--episodes", "nan"},
       {"--episodes", "'nan' is not an integer"}},
      {"EvalEpisodes2Pow64",
       {"eval", "@DIR/adir", "--episodes", big64},
       {"does not fit in a 64-bit integer"}},
      {"MfKNan", concat(kMf, {"--model", "als", "--k", "nan"}), {"--k", "'nan' is not an integer"}},
      {"MfKNegative",
       concat(kMf, {"--model", "als", "--k", "-1"}),
       {"mf.k must be >= 1", "got -1"}},
      {"MfSplitSeed2Pow64",
       concat(kMf, {"--model", "als", "--split-seed", big64}),
       {"--split-seed", "does not fit in a 64-bit integer"}},
      {"MfSplitFractionNan",
       {"mf", "fit", "--train", "@DIR/r.tsv", "--split", "random:nan", "--model", "als"},
       {"mf.split random:F needs a fraction 0 < F < 1", "got 'nan'"}},
      {"MfSplitFractionInf",
       {"mf", "fit", "--train", "@DIR/r.tsv", "--split", "temporal:inf", "--model", "als"},
       {"mf.split temporal:F needs a fraction 0 < F < 1", "got 'inf'"}},
      {"MfSplitFractionMinusZero",
       {"mf", "fit", "--train", "@DIR/r.tsv", "--split", "random:-0", "--model", "als"},
       {"needs a fraction 0 < F < 1", "got '-0'"}},
      // strtol saturated: the error named -1, a value nobody gave.
      {"MfSplitLast2Pow63",
       {"mf", "fit", "--train", "@DIR/r.tsv", "--split", "last:" + big63, "--model", "als"},
       {"mf.split last:N needs an integer 1 <= N <= 2147483647", "got '" + big63 + "'"}},
      {"IndexItemsZero", concat(kIndex, {"--items", "0"}), {"--items", "Value 0 not in range"}},
      {"IndexItems2Pow63",
       concat(kIndex, {"--items", big63}),
       {"--items", "does not fit in a 64-bit integer"}},
      {"IndexSpreadNan",
       concat(kIndex, {"--spread", "nan"}),
       {"index.spread must be in [0.0, 100.0]", "got nan"}},
      {"IndexSpreadInf",
       concat(kIndex, {"--spread", "inf"}),
       {"--spread", "Value inf not in range"}},
      {"IndexDimEmpty", concat(kIndex, {"--dim", ""}), {"--dim: empty value"}},
      {"IndexKNegative", concat(kIndex, {"--k", "-3"}), {"--k", "Value -3 not in range"}},
      {"OpeModelCInf",
       concat(kOpe, {"--model-c", "inf"}),
       {"ope.model_c must be finite and > 0", "got inf"},
       "",
       true},
      {"OpeModelCNan",
       concat(kOpe, {"--model-c", "nan"}),
       {"ope.model_c must be finite and > 0", "got nan"},
       "",
       true},
      {"OpeModelCMinusZero",
       concat(kOpe, {"--model-c", "-0"}),
       {"ope.model_c must be finite and > 0", "got -0.0"},
       "",
       true},
      {"OpeLevelNan",
       concat(kOpe, {"--level", "nan"}),
       {"ope.level must be in (0, 1)", "got nan"},
       "",
       true},
      {"OpeLevelInf",
       concat(kOpe, {"--level", "inf"}),
       {"ope.level must be in (0, 1)", "got inf"},
       "",
       true},
      {"OpeFoldsZero",
       concat(kOpe, {"--folds", "0"}),
       {"ope.folds must be >= 1", "got 0"},
       "",
       true},
      {"OpeSeedNegative",
       concat(kOpe, {"--seed", "-1"}),
       {"ope.seed must be >= 0", "got -1"},
       "",
       true},
      {"OpeBootstrapZero",
       concat(kOpe, {"--bootstrap", "0"}),
       {"ope.bootstrap must be > 0", "got 0"},
       "",
       true},
      // 2e9 resamples passed and ran for hours.
      {"OpeBootstrapHuge",
       concat(kOpe, {"--bootstrap", "2000000000"}),
       {"ope.bootstrap must be <= 1000000", "got 2000000000"},
       "",
       true},
      {"OpeBootstrap2Pow31",
       concat(kOpe, {"--bootstrap", "2147483648"}),
       {"--bootstrap takes a 32-bit integer", "got 2147483648"}},
      {"OpeNSim1e300",
       {"ope", "estimate", "--log", "@DIR/men.csv", "--policy", "bts", "--n-sim", "1e300"},
       {"--n-sim", "'1e300' is not an integer"}},
      {"SimbenchRepsZero", {"ope", "simbench", "--reps", "0"}, {"ope.reps must be > 0", "got 0"}},
      {"SimbenchSizesNegative",
       {"ope", "simbench", "--sizes", "-5"},
       {"log sizes must be > 0", "got -5"}},
      {"SimbenchTruthEpisodesNan",
       {"ope", "simbench", "--truth-episodes", "nan"},
       {"--truth-episodes", "'nan' is not an integer"}},
      // ---- numbers in TOML keys (--set and files are read by the same reader)
      {"RunEpisodesNanKey",
       {"simulate", "--set", "run.episodes=nan"},
       {"run.episodes must be an integer", "got float nan"}},
      {"RunEpisodesInfKey",
       {"simulate", "--set", "run.episodes=inf"},
       {"run.episodes must be an integer", "got float inf"}},
      {"RunEpisodes1e300Key",
       {"simulate", "--set", "run.episodes=1e300"},
       {"run.episodes must be an integer", "1e+300"}},
      {"RunEpisodes2Pow63Key",
       {"simulate", "--set", "run.episodes=" + big63},
       {"run.episodes must be an integer", big63}},
      {"RunEpisodesEmptyKey",
       {"simulate", "--set", "run.episodes="},
       {"run.episodes must be an integer", "got string \"\""}},
      {"RunEpisodesMinusZeroKey",
       {"simulate", "--set", "run.episodes=-0"},
       {"run.episodes must be in [1, ", "got 0"}},
      {"EnvSlateSizeNanKey",
       {"simulate", "--set", "env.slate_size=nan"},
       {"env.slate_size must be an integer", "nan"}},
      // An infinite budget passed "> 0".
      {"EnvTimeBudgetInfKey",
       {"simulate", "--set", "env.time_budget=inf"},
       {"env.time_budget must be finite", "got inf"}},
      {"EnvTimeBudgetMinusZeroKey",
       {"simulate", "--set", "env.time_budget=-0.0"},
       {"env.time_budget must be > 0", "got -0.0"}},
      {"EnvTimeBudgetMinusInfKey",
       {"simulate", "--set", "env.time_budget=-inf"},
       {"env.time_budget must be > 0", "got -inf"}},
      {"EnvStepPenaltyNanKey",
       {"simulate", "--set", "env.step_penalty=nan"},
       {"env.step_penalty must be in [0.0, ", "got nan"}},
      {"EnvQualityStdInfKey",
       {"simulate", "--set", "env.quality_std=inf"},
       {"env.quality_std must be in [0.0, ", "got inf"}},
      {"EnvCorpusSize1e12Key",
       {"simulate", "--set", "env.corpus_size=1000000000000"},
       {"env.corpus_size must be <= 100000000", "got 1000000000000"}},
      // An infinite temperature silently made the policy uniform.
      {"PolicyTemperatureInfKey",
       {"simulate", "--policy", "softmax_myopic", "--set", "policy.temperature=inf"},
       {"policy.temperature must be finite", "got inf"}},
      {"PolicyBiasNanKey",
       {"simulate", "--policy", "biased_softmax", "--set", "policy.bias=nan"},
       {"policy.bias must be in [0.0, 1.0]", "got nan"}},
      // lr = inf trained and failed with exit 1 ("diverged: lower the learning rate").
      {"TrainAgentLrInfKey",
       {"train", "@DIR/tr.toml", "--set", "agent.lr=inf"},
       {"agent.lr must be finite", "got inf"}},
      {"TrainAgentGammaNanKey",
       {"train", "@DIR/tr.toml", "--set", "agent.gamma=nan"},
       {"agent.gamma must be in [0.0, 1.0]", "got nan"}},
      {"TrainRunTrainStepsNanKey",
       {"train", "@DIR/tr.toml", "--set", "run.train_steps=nan"},
       {"run.train_steps must be an integer", "nan"}},
      {"CompareAgentLrInfKey",
       {"compare", "@DIR/cmp.toml", "--set", "slateq_sarsa.lr=inf"},
       {"slateq_sarsa.lr must be finite", "got inf"}},
      {"CompareAgentTauNanKey",
       {"compare", "@DIR/cmp.toml", "--set", "slateq_sarsa.tau=nan"},
       {"slateq_sarsa.tau must be in [0.0, 1.0]", "got nan"}},
      {"MfRegInfKey",
       concat(kMf, {"--model", "als", "--set", "mf.reg=inf"}),
       {"mf.reg must be finite", "got inf"}},
      {"MfAlphaInfKey",
       concat(kMf, {"--model", "als", "--set", "mf.alpha=inf"}),
       {"mf.alpha must be finite", "got inf"}},
      {"MfLrInfKey",
       concat(kMf, {"--model", "biased_sgd", "--set", "mf.lr=inf"}),
       {"mf.lr must be finite", "got inf"}},
      {"MfFactorsNanKey",
       concat(kMf, {"--model", "als", "--set", "mf.factors=nan"}),
       {"mf.factors must be an integer", "nan"}},
      {"IndexEfSearchZeroKey",
       concat(kIndex, {"--set", "index.ef_search=[0]"}),
       {"index.ef_search must be in [1, ", "got 0"}},
      // ---- rlrec config: the checks of the command that runs the file
      {"ConfigUnknownSection",
       {"config", "@DIR/cmp.toml", "--set", "bogus.x=1"},
       {"unknown section [bogus]"}},
      {"ConfigUnknownAgentKey",
       {"config", "@DIR/tr.toml", "--set", "agent.gama=1"},
       {"unknown key 'agent.gama'", "did you mean 'agent.gamma'"}},
      {"ConfigAgentValueOutOfRange",
       {"config", "@DIR/tr.toml", "--set", "agent.gamma=7"},
       {"agent.gamma must be in [0.0, 1.0]", "got 7.0"}},
      {"ConfigAgentLrInf",
       {"config", "@DIR/cmp.toml", "--set", "slateq_sarsa.lr=inf"},
       {"slateq_sarsa.lr must be finite", "got inf"}},
      {"ConfigCompareSeedsNegative",
       {"config", "@DIR/cmp.toml", "--set", "compare.seeds=-1"},
       {"compare.seeds must be in [1, 100000]", "got -1"}},
      {"ConfigUnknownCompareAgent",
       {"config", "@DIR/cmp.toml", "--set", "compare.agents=[\"random\", \"slateq_sarsaa\"]"},
       {"'slateq_sarsaa'", "did you mean 'slateq_sarsa'"}},
      {"ConfigRunEpisodesNan",
       {"config", "@DIR/sim.toml", "--set", "run.episodes=nan"},
       {"run.episodes must be an integer", "nan"}},
      {"ConfigDataKeyTypo",
       {"config", "@DIR/cmp.toml", "--set", "data.episode=5"},
       {"unknown key 'data.episode'", "did you mean 'data.episodes'"}},
      {"ConfigEnvKeyTypo",
       {"config", "@DIR/sim.toml", "--set", "env.slate_sise=2"},
       {"unknown key 'env.slate_sise'", "did you mean 'env.slate_size'"}},
      {"ConfigDefaultsUnknown",
       {"config", "--defaults", "slateq_sarsaa"},
       {"unknown environment, agent or policy 'slateq_sarsaa'", "did you mean 'slateq_sarsa'"}},
      // ---- sizes: rejected before allocating, with the estimate and the machine's memory
      {"SimulateEpisodes2Pow40Memory",
       {"simulate", "--episodes", "1099511627776"},
       {"run.episodes = 1099511627776", "needs about 16.0 TiB of memory", "this machine's",
        "MemTotal"}},
      {"SimulateEpisodesMemoryLimit",
       {"simulate", "--episodes", "100000"},
       {"run.episodes = 100000", "needs about 1.5 MiB of memory", "the limit of 976.6 KiB",
        "RLREC_MEMORY_LIMIT"},
       "1000000"},
      {"LogEpisodesDisk",
       concat(kLog, {"--episodes", "100000000000"}),
       {"run.episodes = 100000000000", "TiB of disk space, more than the", "free in @DIR"}},
      {"CompareReplayCapacityMemory",
       {"compare", "@DIR/cmp.toml", "--set", "slateq_sarsa.replay_capacity=4294967296"},
       {"a replay buffer of 4294967296 transitions (replay_capacity)", "of memory",
        "this machine's"}},
      {"ConfigReplayCapacityMemory",
       {"config", "@DIR/cmp.toml", "--set", "slateq_sarsa.replay_capacity=4294967296"},
       {"a replay buffer of 4294967296 transitions", "of memory"}},
      // Two 65536-wide layers (4e9 parameters) spent minutes in libtorch before any error.
      {"TrainNetworkWidthMemory",
       {"train", "@DIR/tr.toml", "--set", "agent.hidden=[65536, 65536]"},
       {"a network of layers ", " -> 65536 -> 65536 -> ", "of memory", "this machine's"}},
      {"ConfigNetworkWidthMemory",
       {"config", "@DIR/cmp.toml", "--set", "slateq_sarsa.hidden=[65536, 65536]"},
       {" -> 65536 -> 65536 -> ", "of memory"}},
      {"IndexItemsMemory",
       concat(kIndex, {"--items", "100000000", "--dim", "4096"}),
       {"index.items = 100000000 x index.dim = 4096", "needs about 3.0 TiB of memory"}},
      {"SimbenchLogSizeMemory",
       {"ope", "simbench", "--sizes", "100000000000000"},
       {"a simulator log of 100000000000000 steps (ope.sizes", "PiB of memory"}},
      {"SimbenchTruthEpisodesMemory",
       {"ope", "simbench", "--truth-episodes", "1099511627776"},
       {"run.episodes = 1099511627776", "of memory"}},
      {"OpeBootstrapMemoryLimit",
       concat(kOpe, {"--bootstrap", "1000"}),
       {"ope.bootstrap = 1000 (one value per resample) needs about 7.8 KiB of memory",
        "RLREC_MEMORY_LIMIT"},
       "4000",
       true},
  };
  // Cases whose paths differ from the shared command line of their group.
  for (auto& c : v) {
    const std::string n = c.name;
    auto set_out = [&](const std::string& out) {
      for (size_t i = 0; i + 1 < c.args.size(); ++i)
        if (c.args[i] == "--out") c.args[i + 1] = out;
    };
    if (n == "LogOutIsDirectory") set_out("@DIR/adir");
    if (n == "LogOutDevNull") set_out("/dev/null");
    if (n == "LogOutForeignFile") set_out("@DIR/afile");
  }
  return v;
}

INSTANTIATE_TEST_SUITE_P(Cases, CliBadInputSuite, ::testing::ValuesIn(cases()),
                         [](const auto& info) { return std::string(info.param.name); });

// The suite's size (docs/reliability.md reports it): at least 80 cases.
TEST(CliBadInputSuiteSize, AtLeastEightyCases) { EXPECT_GE(cases().size(), 80u); }

// An unreadable config file (as root, chmod 000 does not stop reads: skipped there).
TEST_F(Cli, UnreadableConfigFileIsOneLineError) {
  if (::geteuid() == 0) GTEST_SKIP() << "running as root: a mode-000 file is still readable";
  write_file(path("locked.toml"), "[run]\nepisodes = 2\n");
  std::filesystem::permissions(path("locked.toml"), std::filesystem::perms::none);
  expect_usage_error(
      {"simulate", "--config", path("locked.toml")},
      {"cannot open config file '" + path("locked.toml") + "'", "Permission denied"});
}

// A path that is not UTF-8 in --json output: valid JSON (U+FFFD in its place), exit 0. It failed
// after the work was done with nlohmann's type_error 316 and exit 1.
TEST_F(Cli, NonUtf8PathInJsonOutput) {
  write_file(path("sim.toml"),
             "[env]\nname = \"interest_evolution\"\nmax_steps = 5\n[run]\nepisodes = 2\n");
  const Result r =
      rlrec({"log", path("sim.toml"), "--policy", "random", "--out", path("\xff.rlog"), "--json"});
  const nlohmann::json j = json_of(r);
  EXPECT_NE(j["file"].get<std::string>().find("\xef\xbf\xbd.rlog"), std::string::npos) << r.out;
}

}  // namespace
