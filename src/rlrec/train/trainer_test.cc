#include "rlrec/train/trainer.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "rlrec/core/error.h"

namespace rlrec::train {
namespace {

namespace fs = std::filesystem;

Config small_config() {
  return Config::parse_string(R"(
[env]
num_candidates = 5
slate_size = 2
[agent]
name = "slateq_sarsa"
hidden = [16]
warmup_steps = 100
update_period = 2
batch_size = 8
replay_capacity = 3000
epsilon_decay_steps = 500
target_update_period = 25
[run]
train_steps = 1500
eval_interval = 500
eval_episodes = 8
episodes = 8
train_batch = 4
seed = 3
)");
}

std::string slurp(const fs::path& p) {
  std::ifstream is(p, std::ios::binary);
  std::stringstream ss;
  ss << is.rdbuf();
  return ss.str();
}

eval::RunConfig run_of(const Config& c) {
  eval::RunConfig r;
  read_section(c, "run", r, {});
  return r;
}

// A run stopped after one iteration and resumed matches an uninterrupted run exactly: the same
// metrics, the same replay buffer and agent state, the same final evaluation.
TEST(Trainer, ResumeEqualsUninterrupted) {
  const fs::path base =
      fs::temp_directory_path() / ("rlrec_trainer_test_" + std::to_string(::getpid()));
  fs::remove_all(base);
  const Config cfg = small_config();
  ThreadPool pool(2);
  const auto spec = agent_spec(cfg, "agent", "");

  Trainer full(cfg, spec, run_of(cfg), pool, (base / "full").string());
  const auto rows_full = full.run();
  ASSERT_GE(rows_full.size(), 3u);
  const double final_full = full.evaluate(16).return_summary().mean;

  {
    Trainer part(cfg, spec, run_of(cfg), pool, (base / "part").string());
    part.run(1);
    EXPECT_FALSE(part.finished());
  }
  Trainer resumed(cfg, spec, run_of(cfg), pool, (base / "part").string());
  resumed.resume();
  const auto rows_res = resumed.run();
  ASSERT_EQ(rows_res.size(), rows_full.size());
  for (size_t i = 0; i < rows_full.size(); ++i) {
    EXPECT_EQ(rows_res[i].env_steps, rows_full[i].env_steps);
    EXPECT_EQ(rows_res[i].updates, rows_full[i].updates);
    EXPECT_EQ(rows_res[i].mean_return, rows_full[i].mean_return) << "iteration " << i + 1;
  }
  EXPECT_EQ(resumed.evaluate(16).return_summary().mean, final_full);
  for (const char* f : {"replay.bin", "state.bin"})
    EXPECT_EQ(slurp(base / "full/checkpoint/agent" / f), slurp(base / "part/checkpoint/agent" / f))
        << f;
  EXPECT_TRUE(fs::exists(base / "full/metrics.jsonl"));
  EXPECT_TRUE(fs::exists(base / "full/config.toml"));
  EXPECT_TRUE(fs::exists(base / "full/seed"));
  fs::remove_all(base);
}

TEST(Trainer, CorruptCheckpointIsAClearError) {
  const fs::path base =
      fs::temp_directory_path() / ("rlrec_trainer_corrupt_" + std::to_string(::getpid()));
  fs::remove_all(base);
  const Config cfg = small_config();
  ThreadPool pool(1);
  const auto spec = agent_spec(cfg, "agent", "");
  {
    Trainer t(cfg, spec, run_of(cfg), pool, base.string());
    t.run(1);
  }
  fs::resize_file(base / "checkpoint/agent/replay.bin", 30);
  Trainer t(cfg, spec, run_of(cfg), pool, base.string());
  try {
    t.resume();
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kCorrupt);
    EXPECT_NE(std::string(e.what()).find("replay.bin"), std::string::npos) << e.what();
  }
  // A checkpoint of another agent is rejected.
  Config other = cfg;
  other.set("agent.name=slateq_qlearning");
  Trainer q(other, agent_spec(other, "agent", ""), run_of(other), pool, base.string());
  EXPECT_THROW(q.resume(), Error);
  fs::remove_all(base);
}

TEST(Trainer, UnknownAgentHasDidYouMean) {
  Config cfg = Config::parse_string("[agent]\nname = \"slateq_sarssa\"\n");
  try {
    agent_spec(cfg, "agent", "");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("did you mean 'slateq_sarsa'"), std::string::npos);
  }
}

}  // namespace
}  // namespace rlrec::train
