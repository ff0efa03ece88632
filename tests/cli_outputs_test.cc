// Safe outputs through the real CLI (issue 15, item 1; the library part is core/output.h): an
// existing file that is not an rlrec log is never replaced without --force, never a device or a
// directory; a second writer of the same log is refused with the holder named; an interrupted
// writer leaves no temporary file.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "cli_testing.h"

namespace {

using namespace rlrec::cli_test;
namespace fs = std::filesystem;

// A tiny `rlrec log` run writing `out`.
std::vector<std::string> log_args(const std::string& config, const std::string& out) {
  return {"log", config,  "--policy",        "softmax_myopic", "--episodes",
          "3",   "--set", "env.max_steps=5", "--out",          out};
}

class CliOutputs : public Cli {
 protected:
  void SetUp() override {
    Cli::SetUp();
    config_ = path("exp.toml");
    write_file(config_, "[env]\nname = \"interest_evolution\"\n");
  }
  std::string config_;
};

TEST_F(CliOutputs, LogReplacesOnlyLogsAndForceOnlyRegularFiles) {
  const std::string log = path("a.log");
  ASSERT_EQ(rlrec(log_args(config_, log)).code, 0);
  const auto first = read_file(log);
  ASSERT_EQ(first.rfind("RLRECLOG", 0), 0u);
  ASSERT_EQ(rlrec(log_args(config_, log)).code, 0);  // an rlrec log: replaced
  EXPECT_EQ(read_file(log), first);                  // same seed, same bytes

  const std::string notes = path("notes.txt");
  write_file(notes, "my notes\n");
  expect_usage_error(log_args(config_, notes),
                     {notes, "exists and is not an rlrec log", "--force"});
  EXPECT_EQ(read_file(notes), "my notes\n");  // untouched
  ASSERT_EQ(rlrec(concat(log_args(config_, notes), {"--force"})).code, 0);
  EXPECT_EQ(read_file(notes).rfind("RLRECLOG", 0), 0u);

  fs::create_directory(path("dir"));
  expect_usage_error(concat(log_args(config_, path("dir")), {"--force"}),
                     {"is a directory, not a regular file"});
  expect_usage_error(concat(log_args(config_, "/dev/null"), {"--force"}),
                     {"/dev/null", "is a character device; rlrec never replaces one"});
  for (const auto& e : fs::directory_iterator(dir_))
    EXPECT_EQ(e.path().string().find(".tmp."), std::string::npos) << "left behind: " << e.path();
}

TEST_F(CliOutputs, ASecondWriterOfTheSameLogIsRefused) {
  const std::string log = path("b.log");
  // Hold the log's lock as another writer would (flock on "<path>.lock").
  const int fd = ::open((log + ".lock").c_str(), O_RDWR | O_CREAT, 0644);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::flock(fd, LOCK_EX | LOCK_NB), 0);
  ASSERT_EQ(::write(fd, "pid 4242 since then: rlrec log", 30), 30);
  expect_usage_error(log_args(config_, log),
                     {"log '" + log + "' is being written by another rlrec process", "pid 4242"});
  EXPECT_FALSE(fs::exists(log));
  ::close(fd);  // released: the next writer proceeds
  EXPECT_EQ(rlrec(log_args(config_, log)).code, 0);
  EXPECT_FALSE(fs::exists(log + ".lock"));
}

TEST_F(CliOutputs, AnInterruptedLogLeavesNoTemporaryFile) {
  // A long log run, interrupted by SIGTERM (and then SIGINT) once its temporary file exists.
  for (int sig : {SIGTERM, SIGINT}) {
    const std::string log = path("c.log");
    const pid_t child = ::fork();
    if (child == 0) {
      ::execl(RLREC_BIN, RLREC_BIN, "log", config_.c_str(), "--policy", "softmax_myopic",
              "--episodes", "20000000", "--out", log.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    bool writing = false;
    for (int i = 0; i < 6000 && !writing; ++i) {  // up to 60 s (slow sanitizer builds)
      for (const auto& e : fs::directory_iterator(dir_))
        if (e.path().filename().string().rfind("c.log.tmp.", 0) == 0) writing = true;
      if (!writing) ::usleep(10000);
    }
    ::kill(child, sig);
    int status = 0;
    ::waitpid(child, &status, 0);
    ASSERT_TRUE(writing) << "the log run never started writing";
    ASSERT_TRUE(WIFSIGNALED(status)) << "exit status " << status;
    EXPECT_EQ(WTERMSIG(status), sig);
    EXPECT_FALSE(fs::exists(log));
    for (const auto& e : fs::directory_iterator(dir_))
      EXPECT_EQ(e.path().filename(), "exp.toml") << "left behind: " << e.path();
  }
}

// mf fit --out: an MF model directory (or an empty one) is replaced whole; another directory or a
// file never; the model's manifest catches a flipped byte when the model is read back.
TEST_F(CliOutputs, MfOutReplacesOnlyModelDirectories) {
  std::string ratings;
  for (int u = 1; u <= 20; ++u)
    for (int j = 0; j < 12; ++j)  // every rating positive (4 or 5): the simulator keeps all users
      ratings += std::to_string(u) + "\t" + std::to_string(1 + (u + j) % 15) + "\t" +
                 std::to_string(4 + (u + j) % 2) + "\t" + std::to_string(u * 20 + j) + "\n";
  write_file(path("r.data"), ratings);
  auto fit = [&](const std::string& out) {
    return std::vector<std::string>{
        "mf",    "fit",   "--train",         path("r.data"), "--model",
        "als",   "--set", "mf.split=last:2", "--set",        "mf.iterations=2",
        "--out", out};
  };
  const std::string model = path("model");
  ASSERT_EQ(rlrec(fit(model)).code, 0);
  ASSERT_TRUE(fs::exists(model + "/manifest.json"));
  const auto factors = read_file(model + "/item_factors.f32");
  ASSERT_EQ(rlrec(fit(model)).code, 0);  // an MF model: replaced, same seed, same bytes
  EXPECT_EQ(read_file(model + "/item_factors.f32"), factors);
  fs::create_directory(path("empty"));
  EXPECT_EQ(rlrec(fit(path("empty"))).code, 0);

  fs::create_directory(path("photos"));
  write_file(path("photos/a.jpg"), "jpeg");
  expect_usage_error(fit(path("photos")),
                     {"MF model '" + path("photos") + "' exists and is not an rlrec MF model",
                      "never replaces another directory"});
  EXPECT_EQ(read_file(path("photos/a.jpg")), "jpeg");
  write_file(path("file"), "x");
  expect_usage_error(fit(path("file")), {"exists and is a regular file, not a directory"});

  // A flipped byte in a saved factor file: the simulator that reads the model says corrupt.
  std::string bytes = read_file(model + "/item_factors.f32");
  bytes[5] = static_cast<char>(bytes[5] ^ 0x10);
  write_file(model + "/item_factors.f32", bytes);
  const Result r =
      rlrec({"simulate", "--policy", "pmf", "--episodes", "1", "--set", "env.name=movielens_mf",
             "--set", "env.data=" + path("r.data"), "--set", "env.mf_model=" + model});
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_NE(r.err.find(model + "/item_factors.f32: checksum "), std::string::npos) << r.err;
  for (const auto& e : fs::directory_iterator(dir_))
    EXPECT_EQ(e.path().string().find(".tmp."), std::string::npos) << "left behind: " << e.path();
}

// index bench --save: an index file may be replaced, any other file is refused before building.
TEST_F(CliOutputs, IndexSaveReplacesOnlyIndexFiles) {
  auto bench = [&](const std::string& out) {
    return std::vector<std::string>{"index",     "bench", "--items", "300",   "--dim",  "8",
                                    "--queries", "10",    "--kind",  "exact", "--save", out};
  };
  const std::string idx = path("a.idx");
  ASSERT_EQ(rlrec(bench(idx)).code, 0);
  ASSERT_EQ(read_file(idx).rfind("RLRECIDX", 0), 0u);
  ASSERT_EQ(rlrec(bench(idx)).code, 0);
  write_file(path("notes.txt"), "my notes\n");
  expect_usage_error(bench(path("notes.txt")),
                     {"exists and is not an rlrec index file", "--force"});
  EXPECT_EQ(read_file(path("notes.txt")), "my notes\n");
  write_file(path("forced.txt"), "my notes\n");  // --force: a regular file may be replaced
  ASSERT_EQ(rlrec(concat(bench(path("forced.txt")), {"--force"})).code, 0);
  EXPECT_EQ(read_file(path("forced.txt")).rfind("RLRECIDX", 0), 0u);
  expect_usage_error(concat(bench("/dev/null"), {"--force"}), {"is a character device"});
  std::string bytes = read_file(idx);
  bytes[bytes.size() / 2] = static_cast<char>(bytes[bytes.size() / 2] ^ 1);
  write_file(idx, bytes);
  const Result r =
      rlrec({"index", "bench", "--items", "300", "--dim", "8", "--queries", "10", "--load", idx});
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_NE(r.err.find("index file '" + idx + "' is corrupt: checksum "), std::string::npos)
      << r.err;
}

// train --out: the run directory is locked while training (a second writer gets exit 2 naming the
// holder), a run is replaced only with --force, any other directory never; a flipped byte in the
// checkpoint is reported as corrupt (exit 2) when the run is resumed.
TEST_F(CliOutputs, TrainOutIsLockedReplacedOnlyWithForceAndItsCheckpointVerified) {
  write_file(config_,
             "[env]\nnum_candidates = 5\nslate_size = 2\nmax_steps = 10\n[agent]\nname = "
             "\"slateq_sarsa\"\nhidden = [8]\nwarmup_steps = 50\nbatch_size = 8\n"
             "replay_capacity = 1000\n[run]\ntrain_steps = 400\neval_interval = 200\n"
             "eval_episodes = 4\nepisodes = 4\ntrain_batch = 4\nseed = 2\n");
  const std::string run = path("run");
  auto train = [&](const std::vector<std::string>& more) {
    return concat({"train", config_, "--out", run, "--threads", "1", "--json"}, more);
  };
  ASSERT_EQ(rlrec(train({"--stop-after", "1"})).code, 0);
  expect_usage_error(train({}), {"'" + run + "' already holds a run", "nothing was overwritten"});
  ASSERT_EQ(rlrec(train({"--force", "--stop-after", "1"})).code, 0);

  const int fd = ::open((run + ".lock").c_str(), O_RDWR | O_CREAT, 0644);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::flock(fd, LOCK_EX | LOCK_NB), 0);
  ASSERT_EQ(::write(fd, "pid 4242 since then: rlrec train", 32), 32);
  expect_usage_error(
      train({"--resume"}),
      {"run directory '" + run + "' is being written by another rlrec process", "pid 4242"});
  expect_usage_error(train({"--force"}), {"is being written by another rlrec process"});
  ::close(fd);

  std::string bytes = read_file(run + "/checkpoint/agent/online.pt");
  bytes[bytes.size() / 2] = static_cast<char>(bytes[bytes.size() / 2] ^ 4);
  write_file(run + "/checkpoint/agent/online.pt", bytes);
  expect_usage_error(train({"--resume"}),
                     {"corrupt checkpoint: " + run + "/checkpoint/agent/online.pt: checksum "});

  const std::string photos = path("photos");
  fs::create_directory(photos);
  write_file(photos + "/a.jpg", "jpeg");
  for (const char* force : {"--stop-after=1", "--force"})
    expect_usage_error({"train", config_, "--out", photos, force},
                       {"'" + photos + "' is not an rlrec run directory (it holds 'a.jpg'"});
  EXPECT_EQ(read_file(path("photos/a.jpg")), "jpeg");
  for (const auto& e : fs::recursive_directory_iterator(dir_))
    EXPECT_EQ(e.path().string().find(".tmp."), std::string::npos) << "left behind: " << e.path();
  EXPECT_FALSE(fs::exists(run + ".lock"));
}

}  // namespace
