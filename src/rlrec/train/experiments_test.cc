// run_train and evaluate_run_dir (train/experiments.h) on a tiny SlateQ run (seconds).
#include "rlrec/train/experiments.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "rlrec/core/output.h"
#include "rlrec/core/rng.h"
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
  // A temporary checkpoint a killed run left (complete or not) is never loaded: only checkpoint/.
  fs::copy(dir + "/checkpoint", dir + "/checkpoint.tmp.999999.0", fs::copy_options::recursive);
  fs::remove_all(dir + "/checkpoint");
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

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The run directory is claimed for the whole run: a second writer is refused naming the holder; a
// directory holding anything a run does not write is never written to, force or not; a run is
// replaced only with force; nothing (lock, temporaries) is left beside or inside it.
TEST(RunTrain, RunDirectoryIsLockedAndReplacedOnlyWhenItIsARunAndForced) {
  const std::string parent = temp_path("claim"), dir = parent + "/run";
  fs::remove_all(parent);
  fs::create_directories(parent);
  {
    const OutputLock other(dir, "run directory");  // another writer holds it
    const std::string msg =
        error_of([&] { run_train(options_in(dir)); }, ErrorCode::kInvalidArgument);
    EXPECT_NE(msg.find("run directory '" + dir + "' is being written by another rlrec process"),
              std::string::npos)
        << msg;
    EXPECT_NE(msg.find("pid " + std::to_string(::getpid())), std::string::npos) << msg;
    EXPECT_FALSE(fs::exists(dir)) << "the refused writer wrote";
  }
  TrainOptions o = options_in(dir);
  o.max_iterations = 1;
  const TrainResult first = run_train(o);
  for (const char* f :
       {"config.toml", "seed", "git_commit", "metrics.csv", "metrics.jsonl",
        "checkpoint/manifest.json", "checkpoint/runner.toml", "checkpoint/agent/manifest.json"})
    EXPECT_TRUE(fs::exists(dir + "/" + f)) << f;
  EXPECT_EQ(slurp(dir + "/seed"), "2\n");
  for (const auto& e : fs::directory_iterator(parent))
    EXPECT_EQ(e.path(), dir) << "left beside the run: " << e.path();
  for (const auto& e : fs::recursive_directory_iterator(dir))
    EXPECT_EQ(e.path().string().find(".tmp."), std::string::npos) << "left: " << e.path();

  // A new run over it: refused, then with force it replaces the run whole (2 rows, not 1 + 2).
  const std::string again = error_of([&] { run_train(o); }, ErrorCode::kInvalidArgument);
  EXPECT_NE(again.find("already holds a run"), std::string::npos) << again;
  o.force = true;
  o.max_iterations = -1;
  const TrainResult forced = run_train(o);
  EXPECT_EQ(forced.metrics.size(), 2u);
  EXPECT_EQ(forced.metrics[0].mean_return, first.metrics[0].mean_return);
  TrainOptions both = o;
  both.resume = true;
  EXPECT_NE(error_of([&] { run_train(both); }, ErrorCode::kInvalidArgument).find("choose one"),
            std::string::npos);

  // Anything a run does not write: never replaced or written to, force or not.
  test::write_temp("claim/run/notes.txt", "mine\n");
  for (bool force : {false, true}) {
    o.force = force;
    const std::string msg = error_of([&] { run_train(o); }, ErrorCode::kInvalidArgument);
    EXPECT_NE(msg.find("is not an rlrec run directory (it holds 'notes.txt'"), std::string::npos)
        << msg;
  }
  EXPECT_EQ(slurp(dir + "/notes.txt"), "mine\n");
  EXPECT_TRUE(fs::exists(dir + "/checkpoint/runner.toml"));
  const std::string own = temp_path("claim/own");  // a config.toml rlrec did not write
  fs::create_directories(own);
  test::write_temp("claim/own/config.toml", "[env]\n");
  TrainOptions mine = options_in(own);
  mine.force = true;
  EXPECT_NE(error_of([&] { run_train(mine); }, ErrorCode::kInvalidArgument)
                .find("it holds 'config.toml'"),
            std::string::npos);
  EXPECT_EQ(slurp(own + "/config.toml"), "[env]\n");
  // A file where the directory should be: never replaced.
  test::write_temp("claim/file", "x");
  TrainOptions file = options_in(parent + "/file");
  file.force = true;
  EXPECT_NE(error_of([&] { run_train(file); }, ErrorCode::kInvalidArgument)
                .find("exists and is a regular file, not a directory"),
            std::string::npos);
  // An empty directory (made by the user beforehand) is fine, and so is one holding only what a
  // run killed at its start leaves (temporaries, a lock file): they are removed.
  const std::string empty = parent + "/empty";
  fs::create_directories(empty);
  TrainOptions e = options_in(empty);
  e.max_iterations = 1;
  EXPECT_EQ(run_train(e).metrics.size(), 1u);
  const std::string killed = parent + "/killed";
  fs::create_directories(killed + "/checkpoint.tmp.999999.0/agent");
  test::write_temp("claim/killed/metrics.csv.tmp.999999.1", "partial");
  test::write_temp("claim/killed/behaviour_log.bin.lock", "pid 999999");
  TrainOptions k = options_in(killed);
  k.max_iterations = 1;
  EXPECT_EQ(run_train(k).metrics.size(), 1u);
  EXPECT_FALSE(fs::exists(killed + "/metrics.csv.tmp.999999.1"));
  EXPECT_FALSE(fs::exists(killed + "/checkpoint.tmp.999999.0"));
  fs::remove_all(parent);
}

// A run killed after its metrics but before its checkpoint left one row too many (and a
// temporary checkpoint): resume drops both and ends with the rows of an uninterrupted run.
TEST(RunTrain, ResumeDropsRowsPastTheCheckpointAndStaleTemporaries) {
  const std::string full = temp_path("rows_full"), part = temp_path("rows_part");
  fs::remove_all(full);
  fs::remove_all(part);
  TrainOptions f = options_in(full);
  f.experiment.set("run.train_steps=600");
  const TrainResult a = run_train(f);
  ASSERT_EQ(a.metrics.size(), 3u);
  TrainOptions p = options_in(part);
  p.experiment = f.experiment;
  p.max_iterations = 1;
  run_train(p);
  // The state after a kill: metrics of iteration 2 written, its checkpoint not yet in place.
  const std::string csv = slurp(full + "/metrics.csv");
  const auto cut = [](const std::string& text, int lines) {
    size_t pos = 0;
    for (int i = 0; i < lines; ++i) pos = text.find('\n', pos) + 1;
    return text.substr(0, pos);
  };
  std::ofstream(part + "/metrics.csv", std::ios::binary) << cut(csv, 3);
  fs::copy(full + "/checkpoint", part + "/checkpoint.tmp.999999.7", fs::copy_options::recursive);
  p.resume = true;
  p.max_iterations = 0;  // resume only: the rows are cut back to the checkpoint's
  EXPECT_EQ(run_train(p).metrics.size(), 1u);
  EXPECT_EQ(slurp(part + "/metrics.csv"), cut(csv, 2));
  const std::string jsonl = slurp(part + "/metrics.jsonl");
  EXPECT_EQ(std::count(jsonl.begin(), jsonl.end(), '\n'), 1);
  EXPECT_FALSE(fs::exists(part + "/checkpoint.tmp.999999.7"));
  p.max_iterations = -1;
  const TrainResult rest = run_train(p);
  ASSERT_EQ(rest.metrics.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(rest.metrics[i].mean_return, a.metrics[i].mean_return) << i;
    EXPECT_EQ(rest.metrics[i].updates, a.metrics[i].updates) << i;
    EXPECT_EQ(rest.metrics[i].mean_loss, a.metrics[i].mean_loss) << i;
  }
  // A resumed run checks the seed file it started with.
  std::ofstream(part + "/seed") << "3\n";
  p.max_iterations = 0;
  EXPECT_NE(error_of([&] { run_train(p); }, ErrorCode::kCorrupt).find(part + "/seed: '3'"),
            std::string::npos);
  fs::remove_all(full);
  fs::remove_all(part);
}

// Corruption trials: random bytes flipped in every file of a checkpoint (networks, optimizer,
// replay, counters, meta.toml, runner.toml, both manifests), 200 trials. Every one is detected
// at load, before anything is read: kCorrupt, "corrupt checkpoint", naming the file (a manifest's
// own bytes may name the part whose line changed).
TEST(RunTrain, FlippedBytesInAnyCheckpointFileAreDetected) {
  const std::string dir = temp_path("corrupt"), pristine = temp_path("corrupt_pristine");
  fs::remove_all(dir);
  fs::remove_all(pristine);
  TrainOptions o = options_in(dir);
  o.max_iterations = 1;
  run_train(o);
  fs::copy(dir + "/checkpoint", pristine, fs::copy_options::recursive);
  std::vector<std::string> files;
  for (const auto& e : fs::recursive_directory_iterator(pristine))
    if (e.is_regular_file()) files.push_back(fs::relative(e.path(), pristine).generic_string());
  std::sort(files.begin(), files.end());
  for (const char* kind : {"runner.toml", "manifest.json", "agent/meta.toml", "agent/manifest.json",
                           "agent/replay.bin", "agent/online.pt", "agent/optimizer.pt"})
    EXPECT_NE(std::find(files.begin(), files.end(), kind), files.end())
        << kind << " is not a file of the checkpoint: update this test's list";
  o.resume = true;
  o.max_iterations = 0;
  Rng rng(15);
  std::map<std::string, int> detected;
  constexpr int kTrials = 200;
  for (int trial = 0; trial < kTrials; ++trial) {
    const std::string& file = files[trial % files.size()];  // every file, many times
    fs::remove_all(dir + "/checkpoint");
    fs::copy(pristine, dir + "/checkpoint", fs::copy_options::recursive);
    const std::string path = dir + "/checkpoint/" + file;
    const auto size = static_cast<uint64_t>(fs::file_size(path));
    ASSERT_GT(size, 0u) << file;
    const int flips = 1 + static_cast<int>(rng.uniform_int(4));
    for (int k = 0; k < flips; ++k)
      test::flip_bit(path, static_cast<int64_t>(rng.uniform_int(size)),
                     static_cast<int>(rng.uniform_int(8)));
    if (slurp(path) == slurp(pristine + "/" + file)) continue;  // flips that cancelled out
    const std::string msg = error_of([&] { run_train(o); }, ErrorCode::kCorrupt);
    const bool manifest = file.find("manifest.json") != std::string::npos;
    const bool names = msg.find(manifest ? std::string("manifest") : path) != std::string::npos;
    EXPECT_TRUE(names) << "trial " << trial << ", " << file << ": " << msg;
    EXPECT_EQ(msg.rfind("corrupt checkpoint: ", 0), 0u) << msg;
    if (names && msg.rfind("corrupt checkpoint: ", 0) == 0) ++detected[file];
  }
  int total = 0;
  for (const auto& f : files) {
    EXPECT_GE(detected[f], kTrials / static_cast<int>(files.size()) - 1) << f;
    total += detected[f];
  }
  std::printf("corruption trials detected: %d (of %d, %zu files)\n", total, kTrials, files.size());
  fs::remove_all(dir);
  fs::remove_all(pristine);
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
