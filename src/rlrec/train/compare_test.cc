// run_compare (train/compare.h) and the shared behaviour logs (train/offline_data.h) on tiny
// configs (seconds).
#include "rlrec/train/compare.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "rlrec/core/testing.h"
#include "rlrec/train/experiments.h"
#include "rlrec/train/offline_data.h"
#include "rlrec/train/tables.h"

namespace rlrec::train {
namespace {

namespace fs = std::filesystem;
using test::error_of;
using test::temp_path;

CompareOptions tiny(const std::string& extra = "") {
  CompareOptions o;
  o.experiment = Config::parse_string(
      "[env]\nname = \"interest_evolution\"\nnum_candidates = 5\nslate_size = 2\nmax_steps = 6\n\n"
      "[run]\nepisodes = 3\nseed = 1\ntrain_steps = 40\neval_interval = 40\neval_episodes = 2\n"
      "threads = 1\n\n[compare]\nagents = [\"random\", \"myopic\"]\nseeds = 2\n" +
          extra,
      "tiny.toml");
  return o;
}

const char* kOfflineAgents =
    "[data]\nbehaviour = \"biased_softmax\"\nepisodes = 5\n\n"
    "[none]\nname = \"topk_reinforce\"\ncorrection = \"none\"\nhidden = [8]\nbatch_size = 4\n"
    "history_length = 2\n\n"
    "[iw]\nname = \"topk_reinforce\"\ncorrection = \"iw\"\nhidden = [8]\nbatch_size = 4\n"
    "history_length = 2\n";

std::string slurp(const std::string& p) {
  std::ifstream is(p);
  std::stringstream ss;
  ss << is.rdbuf();
  return ss.str();
}

TEST(RunCompare, BaselinesOverSeedsWithTheirTablesAndJson) {
  const CompareResult r = run_compare(tiny());
  EXPECT_EQ(r.env, "interest_evolution");
  EXPECT_EQ(r.seeds, 2);
  EXPECT_EQ(r.episodes_per_seed, 3);
  ASSERT_EQ(r.agents.size(), 2u);
  for (const auto& a : r.agents) {
    EXPECT_FALSE(a.learning);
    EXPECT_EQ(a.seed_returns.size(), 2u);
    EXPECT_EQ(a.seed_reward.size(), 2u);
    EXPECT_TRUE(a.seed_p5.empty());  // online protocol
    EXPECT_DOUBLE_EQ(a.summary.mean, (a.seed_returns[0] + a.seed_returns[1]) / 2);
  }
  const auto j = to_json(r);
  EXPECT_EQ(j["agents"][0]["name"], "random");
  EXPECT_EQ(j["agents"][0]["vs_random"], 0.0);
  EXPECT_EQ(j["agents"][1]["vs_myopic"], 0.0);
  EXPECT_FALSE(j["agents"][0].contains("p@5"));
  EXPECT_EQ(j["agents"][1]["seed_returns"], r.agents[1].seed_returns);
  const Table lb = leaderboard_table(r);
  ASSERT_EQ(lb.rows().size(), 2u);
  EXPECT_EQ(lb.header().size(), 9u);
  EXPECT_EQ(lb.rows()[0][3], "0.0%");  // random vs random
  EXPECT_EQ(lb.rows()[1][7], "-");     // no updates for a baseline
  EXPECT_EQ(reward_table(r).header().size(), 3u);
  // One more seed with --seeds gives the same first two seeds (seeds run.seed, run.seed + 1, ...).
  CompareOptions three = tiny();
  three.seeds = 3;
  const CompareResult r3 = run_compare(three);
  EXPECT_EQ(r3.agents[1].seed_returns[1], r.agents[1].seed_returns[1]);
  EXPECT_EQ(r3.agents[1].seed_returns.size(), 3u);
}

TEST(RunCompare, BadInputsNameTheKeyBeforeAnyRun) {
  CompareOptions o = tiny();
  o.experiment.set("compare.agents=[]");
  EXPECT_NE(error_of([&] { run_compare(o); }).find("compare.agents must list"), std::string::npos);
  o = tiny();
  o.seeds = 0;
  EXPECT_NE(error_of([&] { run_compare(o); }).find("compare.seeds"), std::string::npos);
  o = tiny();
  o.episodes = -1;
  EXPECT_NE(error_of([&] { run_compare(o); }).find("run.episodes"), std::string::npos);
  o = tiny();
  o.experiment.set("compare.protocol=\"offline\"");
  EXPECT_NE(error_of([&] { run_compare(o); }).find("needs a rating-log environment"),
            std::string::npos);
  o = tiny();
  o.experiment.set("compare.agents=[\"random\", \"myopik\"]");
  EXPECT_NE(error_of([&] { run_compare(o); }).find("did you mean 'myopic'"), std::string::npos);
  // The typo of the second agent is found before the first one runs.
  o = tiny("[slow]\nname = \"slateq_qlearning\"\ngama = 0.5\n");
  o.experiment.set("compare.agents=[\"random\", \"slow\"]");
  o.out = temp_path("cmp_typo");
  EXPECT_NE(error_of([&] { run_compare(o); }).find("unknown key 'slow.gama'"), std::string::npos);
  EXPECT_FALSE(fs::exists(o.out));
}

TEST(RunCompare, DuplicateAgentsAndAnUnknownReferenceAreRejected) {
  CompareOptions o = tiny();
  o.experiment.set("compare.agents=[\"random\", \"myopic\", \"random\"]");
  EXPECT_NE(error_of([&] { run_compare(o); }, ErrorCode::kInvalidArgument)
                .find("compare.agents lists 'random' twice"),
            std::string::npos);
  o = tiny();
  o.experiment.set("compare.reference=\"myopik\"");
  EXPECT_NE(error_of([&] { run_compare(o); }, ErrorCode::kInvalidArgument)
                .find("compare.reference 'myopik' is not one of compare.agents (random, myopic)"),
            std::string::npos);
}

// The paired difference over seeds is the difference of the seeds' mean returns; with one seed
// the CI is over the shared users, and the leaderboard's CIs are n/a (text) and empty (CSV).
TEST(RunCompare, PairedDifferencesToTheStrongestBaselineOrTheChosenOne) {
  const CompareResult r = run_compare(tiny());
  const auto d = paired_differences(r);
  ASSERT_EQ(d.size(), 2u);
  const auto& random = r.agents[0];
  const auto& myopic = r.agents[1];
  const std::string strongest = myopic.summary.mean >= random.summary.mean ? "myopic" : "random";
  EXPECT_EQ(d[0].reference, strongest);
  const int other = strongest == "myopic" ? 0 : 1;
  const auto& a = r.agents[other];
  const auto& b = r.agents[1 - other];
  const double d0 = a.seed_returns[0] - b.seed_returns[0],
               d1 = a.seed_returns[1] - b.seed_returns[1];
  EXPECT_NEAR(d[other].mean, (d0 + d1) / 2, 1e-9);
  EXPECT_TRUE(d[other].has_ci);
  EXPECT_EQ(d[other].ci_over, "seeds");
  EXPECT_EQ(d[other].pairs, 2);
  EXPECT_LT(d[other].ci_low, d[other].mean);
  EXPECT_FALSE(d[1 - other].has_ci);  // the reference itself
  EXPECT_EQ(d[1 - other].mean, 0.0);
  EXPECT_EQ(to_json(r)["reference"], strongest);

  CompareOptions one = tiny();
  one.seeds = 1;
  one.experiment.set("compare.reference=\"random\"");
  const CompareResult r1 = run_compare(one);
  const auto d1s = paired_differences(r1);
  EXPECT_EQ(d1s[1].reference, "random");
  EXPECT_EQ(d1s[1].ci_over, "users");
  EXPECT_EQ(d1s[1].pairs, 3);  // run.episodes users
  std::vector<double> per_user;
  for (size_t u = 0; u < 3; ++u)
    per_user.push_back(r1.agents[1].seed_episode_returns[0][u] -
                       r1.agents[0].seed_episode_returns[0][u]);
  const auto s = eval::summarize(per_user, 0.95);
  EXPECT_NEAR(d1s[1].ci_low, s.ci_low, 1e-9);
  EXPECT_NEAR(d1s[1].ci_high, s.ci_high, 1e-9);
  EXPECT_EQ(leaderboard_table(r1).rows()[0][2], "n/a");
  EXPECT_EQ(reward_table(r1).rows()[0][2], "n/a");
  EXPECT_EQ(paired_table(r1).rows()[0][3], "reference");
  // leaderboard.csv: numbers only (empty cells for what is not there).
  std::istringstream csv(leaderboard_csv(r1));
  std::string header, row;
  std::getline(csv, header);
  EXPECT_EQ(header.rfind("agent,privileged,learning,seeds,mean_return,mean_return_ci_low,", 0), 0u)
      << header;
  while (std::getline(csv, row)) {
    std::istringstream cells(row);
    std::string c;
    std::getline(cells, c, ',');  // the agent
    int i = 0;
    while (std::getline(cells, c, ',')) {
      ++i;
      if (c.empty()) continue;
      size_t used = 0;
      std::stod(c, &used);
      EXPECT_EQ(used, c.size()) << "column " << i << " of " << row;
    }
  }
  EXPECT_NE(leaderboard_csv(r1).find("\nrandom,0,0,1,"), std::string::npos);
  EXPECT_NE(leaderboard_csv(r1).find(",,"), std::string::npos);  // CIs of one seed: empty
}

TEST(CompareSections, ThoseOfEveryAgent) {
  CompareOptions o =
      tiny(std::string(kOfflineAgents) + "[slateq_myopic]\nhidden = [8]\n[mf]\n[polcy]\n");
  o.experiment.set("compare.agents=[\"random\", \"iw\"]");
  EXPECT_EQ(compare_sections(o.experiment),
            (std::vector<std::string>{"env", "run", "compare", "data", "policy", "random", "iw",
                                      "none", "slateq_myopic"}));
}

// The offline agents of one seed learn from one shared log, as each would alone; the output
// directory holds the leaderboard, the config, the run directories and the logs.
TEST(RunCompare, OfflineAgentsShareOneLogPerSeed) {
  const std::string both = temp_path("cmp_both"), alone = temp_path("cmp_alone");
  fs::remove_all(both);
  fs::remove_all(alone);
  CompareOptions o = tiny(kOfflineAgents);
  o.experiment.set("compare.agents=[\"random\", \"none\", \"iw\"]");
  o.out = both;
  const CompareResult r = run_compare(o);
  ASSERT_EQ(r.agents.size(), 3u);
  EXPECT_TRUE(r.agents[2].learning);
  EXPECT_EQ(r.agents[2].curves.size(), 2u);
  for (const char* f : {"behaviour_logs/behaviour_seed1.bin", "behaviour_logs/behaviour_seed2.bin",
                        "runs/iw/seed-1/config.toml", "runs/none/seed-2/metrics.csv",
                        "leaderboard.csv", "leaderboard.json", "config.toml"})
    EXPECT_TRUE(fs::exists(both + "/" + f)) << f;
  EXPECT_EQ(nlohmann::json::parse(slurp(both + "/leaderboard.json")), to_json(r));
  EXPECT_EQ(slurp(both + "/leaderboard.csv"), leaderboard_csv(r));
  if (std::system("command -v gnuplot >/dev/null 2>&1") == 0) {
    EXPECT_TRUE(fs::exists(both + "/leaderboard.png"));
    EXPECT_TRUE(fs::exists(both + "/learning_curves.png"));  // iw and none learn
  }
  const std::string html = slurp(both + "/report.html");
  EXPECT_NE(html.find("<table id=\"leaderboard\">"), std::string::npos);
  EXPECT_EQ(html.find("http"), std::string::npos) << "self-contained: no link out";

  // Truthful run directories: each records the run (its seed, the agent as [agent]) and `rlrec
  // eval` on it gives the comparison's number for that agent and seed.
  for (int i : {1, 2})
    for (int s = 0; s < 2; ++s) {
      const std::string dir = str_cat(both, "/runs/", r.agents[i].spec.label, "/seed-", 1 + s);
      const Config rec = Config::parse_file(dir + "/config.toml");
      EXPECT_EQ(rec.get_string("agent", "name"), "topk_reinforce") << dir;
      EXPECT_TRUE(rec.has_section("data")) << dir;
      EXPECT_FALSE(rec.has_section("compare")) << dir;
      EvalOptions e;
      e.run_dir = dir;
      const EvalResult ev = evaluate_run_dir(e);
      EXPECT_EQ(ev.results.return_summary().mean, r.agents[i].seed_returns[s]) << dir;
    }
  EXPECT_NE(slurp(both + "/config.toml").find("seeds = 2"), std::string::npos);
  o.experiment.set("compare.agents=[\"iw\"]");
  o.out = alone;
  const CompareResult a = run_compare(o);
  EXPECT_EQ(a.agents[0].seed_returns, r.agents[2].seed_returns);
  fs::remove_all(both);
  fs::remove_all(alone);
}

TEST(SharedLogDir, ClearsTheOutputsLogsAndRemovesATemporaryOne) {
  const std::string out = temp_path("logdir_out");
  fs::create_directories(out + "/behaviour_logs");
  std::ofstream(out + "/behaviour_logs/stale.bin") << "x";
  std::string temporary;
  {
    SharedLogDir kept(out);
    EXPECT_EQ(kept.path(), out + "/behaviour_logs");
    EXPECT_FALSE(fs::exists(out + "/behaviour_logs/stale.bin"));
    SharedLogDir tmp("");
    temporary = tmp.path();
    fs::create_directories(temporary);
  }
  EXPECT_FALSE(fs::exists(temporary));
  fs::remove_all(out);
}

// Numbers of a comparison without its timings (they differ between runs).
nlohmann::json without_timings(nlohmann::json j) {
  if (j.is_object()) {
    nlohmann::json out = nlohmann::json::object();
    for (auto& [k, v] : j.items())
      if (k.find("second") == std::string::npos && k.find("per_s") == std::string::npos &&
          k.find("threads") == std::string::npos)
        out[k] = without_timings(v);
    return out;
  }
  if (j.is_array())
    for (auto& v : j) v = without_timings(v);
  return j;
}

// resume: the finished (agent, seed) runs of OUT/jobs are reused, the others run again, and the
// result equals an uninterrupted comparison; a corrupt or foreign job result, another config, or a
// directory that holds no comparison are errors.
TEST(RunCompare, ResumeReusesFinishedRunsAndEqualsAnUninterruptedOne) {
  const std::string out = temp_path("cmp_resume");
  fs::remove_all(out);
  CompareOptions o = tiny("[q]\nname = \"slateq_qlearning\"\nhidden = [8]\nwarmup_steps = 8\n");
  o.experiment.set("compare.agents=[\"random\", \"q\"]");
  o.out = out;
  const nlohmann::json whole = without_timings(to_json(run_compare(o)));
  for (const char* f :
       {"random-seed-1.cbor", "random-seed-2.cbor", "q-seed-1.cbor", "q-seed-2.cbor"})
    EXPECT_TRUE(fs::exists(out + "/jobs/" + f)) << f;
  // As if interrupted: one learner run and one baseline run did not finish.
  fs::remove(out + "/jobs/q-seed-2.cbor");
  fs::remove(out + "/jobs/random-seed-1.cbor");
  fs::remove(out + "/runs/q/seed-2/metrics.csv");
  o.resume = true;
  EXPECT_EQ(without_timings(to_json(run_compare(o))), whole);
  // Every job's result file is verified.
  {
    std::fstream f(out + "/jobs/q-seed-1.cbor", std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(5);
    f.put('\x7f');
  }
  EXPECT_NE(error_of([&] { run_compare(o); }, ErrorCode::kCorrupt).find("q-seed-1.cbor: corrupt"),
            std::string::npos);
  fs::remove(out + "/jobs/q-seed-1.cbor");
  o.experiment.set("run.episodes=4");  // another comparison: its results are not reused
  EXPECT_NE(error_of([&] { run_compare(o); }).find("another configuration"), std::string::npos);
  o.experiment.set("run.episodes=3");
  o.resume = false;
  const std::string foreign = temp_path("cmp_foreign");
  fs::create_directories(foreign);
  std::ofstream(foreign + "/notes.txt") << "mine\n";
  o.out = foreign;
  EXPECT_NE(error_of([&] { run_compare(o); }).find("holds no comparison"), std::string::npos);
  EXPECT_TRUE(fs::exists(foreign + "/notes.txt"));
  fs::remove_all(out);
  fs::remove_all(foreign);
}

}  // namespace
}  // namespace rlrec::train
