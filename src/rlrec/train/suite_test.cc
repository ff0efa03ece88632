// run_suite (train/suite.h) on two tiny comparison files (baselines only: seconds).
#include "rlrec/train/suite.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "rlrec/core/testing.h"
#include "rlrec/train/tables.h"

namespace rlrec::train {
namespace {

namespace fs = std::filesystem;
using test::error_of;
using test::temp_path;
using test::write_temp;

std::string part(const std::string& env) {
  return "[env]\nname = \"" + env +
         "\"\nnum_candidates = 5\nslate_size = 2\nmax_steps = 6\n\n"
         "[run]\nepisodes = 3\nseed = 1\ntrain_steps = 40\neval_interval = 40\neval_episodes = 2\n"
         "threads = 1\n\n[compare]\nagents = [\"random\", \"myopic\"]\nseeds = 2\n";
}

// A suite file over two part files in a fresh directory; `suite` is the [suite] section's body.
SuiteOptions suite_of(const std::string& name, const std::string& suite) {
  const fs::path dir = temp_path(name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  write_temp(name + "/ie.toml", part("interest_evolution"));
  write_temp(name + "/exploration.toml", part("interest_exploration"));
  SuiteOptions o;
  o.file = write_temp(name + "/suite.toml", "[suite]\n" + suite);
  o.experiment = Config::parse_file(o.file);
  return o;
}

TEST(Suite, PartsRunAsTheirOwnComparisonsWithOverridesAndASummary) {
  SuiteOptions o = suite_of("suite_run",
                            "parts = [\"ie.toml\", \"exploration.toml\"]\n"
                            "set = [\"exploration:run.episodes=4\"]\n");
  o.sets = {"compare.seeds=3"};
  SuiteOptions skipped = o;
  skipped.experiment.set("suite.skip=['exploration']");  // its override is skipped with it
  ASSERT_EQ(plan_suite(skipped).parts.size(), 1u);
  const SuitePlan plan = plan_suite(o);
  ASSERT_EQ(plan.parts.size(), 2u);
  EXPECT_EQ(plan.parts[0].label, "ie");  // labels default to the files' stems
  EXPECT_EQ(plan.parts[1].label, "exploration");
  const SuiteResult r = run_suite(o, plan);
  ASSERT_EQ(r.parts.size(), 2u);
  EXPECT_EQ(r.parts[0].result.env, "interest_evolution");
  EXPECT_EQ(r.parts[1].result.env, "interest_exploration");
  EXPECT_EQ(r.parts[0].result.seeds, 3);  // an override of every part
  EXPECT_EQ(r.parts[1].result.seeds, 3);
  EXPECT_EQ(r.parts[0].result.episodes_per_seed, 3);  // the labelled override: one part only
  EXPECT_EQ(r.parts[1].result.episodes_per_seed, 4);

  // Each part's numbers are those of the same comparison run alone.
  CompareOptions alone;
  alone.experiment = plan.parts[1].experiment;
  const CompareResult c = run_compare(alone);
  for (size_t i = 0; i < c.agents.size(); ++i)
    EXPECT_EQ(c.agents[i].seed_returns, r.parts[1].result.agents[i].seed_returns);

  // The summary: one row per (part, agent), the difference to each part's strongest baseline.
  const Table t = summary_table(r);
  ASSERT_EQ(t.rows().size(), 4u);
  const auto j = to_json(r);
  ASSERT_EQ(j["summary"].size(), 4u);
  for (const auto& row : j["summary"]) {
    const auto& part = row["part"] == "ie" ? r.parts[0].result : r.parts[1].result;
    EXPECT_EQ(row["reference"], reference_agent(part));
    for (const auto& a : part.agents) {
      if (a.spec.label == row["agent"]) {
        EXPECT_EQ(row["mean_return"].get<double>(), a.summary.mean);
      }
    }
  }
  const auto diffs = paired_differences(r.parts[0].result);
  EXPECT_EQ(j["summary"][0]["diff_vs_reference"].get<double>(), diffs[0].mean);
  EXPECT_NE(summary_csv(r).find("part,env,agent,"), std::string::npos);
}

TEST(Suite, WritesEachPartAndTheSummaryAndRefusesAForeignDirectory) {
  SuiteOptions o = suite_of("suite_out", "parts = [\"ie.toml\"]\nlabels = [\"slate\"]\n");
  o.out = temp_path("suite_out/out");
  const SuiteResult r = run_suite(o, plan_suite(o));
  EXPECT_TRUE(fs::exists(o.out + "/slate/leaderboard.json"));
  EXPECT_TRUE(fs::exists(o.out + "/summary.csv"));
  EXPECT_TRUE(fs::exists(o.out + "/summary.json"));
  EXPECT_FALSE(fs::exists(o.out + ".lock"));
  // Again into the same directory: a suite's own output may be written again.
  EXPECT_NO_THROW(run_suite(o, plan_suite(o)));
  o.out = temp_path("suite_out/foreign");
  fs::create_directories(o.out);
  write_temp("suite_out/foreign/notes.txt", "mine");
  EXPECT_NE(error_of([&] { run_suite(o, plan_suite(o)); }, ErrorCode::kInvalidArgument)
                .find("holds no suite"),
            std::string::npos);
}

TEST(Suite, BadSuitesNameTheKeyAndTheRule) {
  auto err = [](const std::string& name, const std::string& body,
                std::vector<std::string> sets = {}) {
    SuiteOptions o = suite_of(name, body);
    o.sets = std::move(sets);
    return error_of([&] { run_suite(o, plan_suite(o)); }, ErrorCode::kInvalidArgument);
  };
  EXPECT_NE(err("suite_e1", "parts = []\n").find("suite.parts is empty"), std::string::npos);
  EXPECT_NE(err("suite_e2", "parts = [\"ie.toml\"]\nlabels = [\"a\", \"b\"]\n")
                .find("one label per part"),
            std::string::npos);
  EXPECT_NE(err("suite_e3", "parts = [\"ie.toml\", \"ie.toml\"]\n").find("is used twice"),
            std::string::npos);
  EXPECT_NE(err("suite_e4", "parts = [\"ie.toml\"]\n", {"typo:run.episodes=2"})
                .find("names part 'typo'; the parts are: ie"),
            std::string::npos);
  EXPECT_NE(err("suite_e5", "parts = [\"ie.toml\"]\nlabels = [\"a:b\"]\n").find("must be"),
            std::string::npos);
  // A bad value in a part fails before any part runs, naming the part.
  EXPECT_NE(err("suite_e6", "parts = [\"ie.toml\", \"exploration.toml\"]\n",
                {"exploration:run.episodes=0"})
                .find("suite part exploration"),
            std::string::npos);
  EXPECT_NE(err("suite_e8", "parts = [\"ie.toml\"]\nskip = [\"ei\"]\n").find("suite.skip names"),
            std::string::npos);
  EXPECT_NE(err("suite_e9", "parts = [\"ie.toml\"]\nskip = [\"ie\"]\n").find("every part"),
            std::string::npos);
  SuiteOptions missing = suite_of("suite_e7", "parts = [\"nope.toml\"]\n");
  EXPECT_NE(error_of([&] { plan_suite(missing); }, ErrorCode::kNotFound).find("nope.toml"),
            std::string::npos);
}

}  // namespace
}  // namespace rlrec::train
