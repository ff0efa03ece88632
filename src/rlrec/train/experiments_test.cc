// run_train and evaluate_run_dir (train/experiments.h) on a tiny SlateQ run (seconds).
#include "rlrec/train/experiments.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "rlrec/core/testing.h"

namespace rlrec::train {
namespace {

namespace fs = std::filesystem;
using test::error_of;
using test::temp_path;

Config tiny_experiment() {
  return Config::parse_string(R"(
[env]
num_candidates = 5
slate_size = 2
max_steps = 10
[agent]
name = "slateq_sarsa"
hidden = [8]
warmup_steps = 50
batch_size = 8
replay_capacity = 1000
[run]
train_steps = 400
eval_interval = 200
eval_episodes = 4
episodes = 6
train_batch = 4
seed = 2
)",
                              "tiny.toml");
}

TrainOptions options_in(const std::string& dir) {
  TrainOptions o;
  o.experiment = tiny_experiment();
  o.run_dir = dir;
  o.threads = 1;
  return o;
}

// The run directory evaluated afterwards gives exactly the trainer's own evaluation of the final
// agent (same env, agent, checkpoint and evaluation users); --episodes and --threads override.
TEST(EvaluateRunDir, EqualsTheTrainersEvaluation) {
  const std::string dir = temp_path("eval_run");
  fs::remove_all(dir);
  const Config cfg = tiny_experiment();
  ThreadPool pool(1);
  eval::RunConfig run = eval::read_run_section(cfg);
  Trainer t(cfg, agent_spec(cfg, "agent", ""), run, pool, dir);
  t.run();
  const auto expected = t.evaluate(run.episodes);

  const EvalResult r = evaluate_run_dir({dir, std::nullopt, 2});
  EXPECT_EQ(r.agent, "slateq_sarsa");
  EXPECT_EQ(r.episodes, 6);
  EXPECT_EQ(r.checkpoint, dir + "/checkpoint");
  EXPECT_EQ(r.results.returns, expected.returns);
  EXPECT_EQ(r.results.steps, expected.steps);
  const auto j = to_json(r);
  EXPECT_EQ(j["mean_return"], expected.return_summary().mean);
  EXPECT_EQ(j["episodes"], 6);
  EXPECT_EQ(j["run_dir"], dir);

  EXPECT_EQ(evaluate_run_dir({dir, 3, std::nullopt}).results.returns.size(), 3u);
  // A run interrupted between the checkpoint renames leaves only checkpoint.old: it is loaded.
  fs::rename(dir + "/checkpoint", dir + "/checkpoint.old");
  EXPECT_EQ(latest_checkpoint(dir), dir + "/checkpoint.old");
  EXPECT_EQ(evaluate_run_dir({dir, std::nullopt, std::nullopt}).results.returns, expected.returns);
  fs::remove_all(dir + "/checkpoint.old");
  EXPECT_EQ(latest_checkpoint(dir), "");
  EXPECT_NE(error_of(
                [&] {
                  evaluate_run_dir({dir, std::nullopt, std::nullopt});
                },
                ErrorCode::kNotFound)
                .find("no checkpoint in '" + dir + "'"),
            std::string::npos);
  fs::remove_all(dir);
}

TEST(EvaluateRunDir, BadInputsNameTheFileOrKey) {
  const std::string dir = temp_path("not_a_run");
  fs::create_directories(dir);
  EXPECT_NE(error_of(
                [&] {
                  evaluate_run_dir({dir, std::nullopt, std::nullopt});
                },
                ErrorCode::kNotFound)
                .find("is not a run directory (no config.toml)"),
            std::string::npos);
  test::write_temp("not_a_run/config.toml", tiny_experiment().to_toml());
  EXPECT_NE(error_of([&] {
              evaluate_run_dir({dir, -1, std::nullopt});
            }).find("run.episodes"),
            std::string::npos);
  fs::remove_all(dir);
}

// run_train: a new run never overwrites one; resuming continues it to the same rows as one
// uninterrupted run; a resumed run must have the run's config.
TEST(RunTrain, StopResumeAndTheRunDirectoryRules) {
  const std::string full = temp_path("train_full"), part = temp_path("train_part");
  fs::remove_all(full);
  fs::remove_all(part);
  const TrainResult a = run_train(options_in(full));
  EXPECT_TRUE(a.finished);
  EXPECT_EQ(a.agent, "slateq_sarsa");
  EXPECT_EQ(a.metrics.size(), 2u);
  EXPECT_EQ(a.env_steps, a.metrics.back().env_steps);
  EXPECT_TRUE(fs::exists(full + "/checkpoint/runner.toml"));
  EXPECT_EQ(to_json(a)["metrics"].size(), 2u);

  const std::string again =
      error_of([&] { run_train(options_in(full)); }, ErrorCode::kInvalidArgument);
  EXPECT_NE(again.find("already holds a run"), std::string::npos) << again;
  EXPECT_EQ(again.find("--"), std::string::npos) << again;

  TrainOptions p = options_in(part);
  p.max_iterations = 1;
  const TrainResult first = run_train(p);
  EXPECT_FALSE(first.finished);
  EXPECT_EQ(first.metrics.size(), 1u);
  p.max_iterations = -1;
  p.resume = true;
  const TrainResult rest = run_train(p);
  ASSERT_EQ(rest.metrics.size(), 2u);
  for (size_t i = 0; i < 2; ++i) EXPECT_EQ(rest.metrics[i].mean_return, a.metrics[i].mean_return);

  TrainOptions changed = p;
  changed.experiment.set("run.seed=5");
  const std::string differs = error_of([&] { run_train(changed); }, ErrorCode::kInvalidArgument);
  EXPECT_NE(differs.find("differs from the run's " + part + "/config.toml"), std::string::npos)
      << differs;
  EXPECT_EQ(differs.find("--"), std::string::npos) << differs;
  TrainOptions none = options_in(temp_path("train_none"));
  none.resume = true;
  EXPECT_NE(error_of([&] { run_train(none); }, ErrorCode::kNotFound).find("holds no run"),
            std::string::npos);
  fs::remove_all(full);
  fs::remove_all(part);
}

TEST(RunTrain, AgentSectionNeedsAName) {
  TrainOptions o = options_in(temp_path("train_noname"));
  o.experiment =
      Config::parse_string("[env]\nnum_candidates = 5\n[agent]\nhidden = [8]\n", "noname.toml");
  const std::string msg = error_of([&] { run_train(o); }, ErrorCode::kInvalidArgument);
  EXPECT_NE(msg.find("noname.toml: [agent] needs name"), std::string::npos) << msg;
  EXPECT_NE(msg.find("slateq_sarsa"), std::string::npos) << msg;
}

}  // namespace
}  // namespace rlrec::train
