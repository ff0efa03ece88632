// The agent kit (kit.h): row bookkeeping and the declarative checkpoint with its manifest.
#include "rlrec/agents/kit.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "rlrec/agents/replay.h"
#include "rlrec/core/testing.h"

namespace rlrec::agents {
namespace {

std::string slurp(const std::string& path) {
  std::ifstream is(path, std::ios::binary);
  std::stringstream ss;
  ss << is.rdbuf();
  return ss.str();
}

TEST(RowSlots, GrowsWithInitAndHandsBackActedRowsOnce) {
  RowSlots<std::vector<float>> rows([](std::vector<float>& r) { r.assign(3, 1.f); });
  rows.ensure(2);
  EXPECT_EQ(rows.size(), 2);
  EXPECT_EQ(rows[1].size(), 3u);
  rows[0][0] = 5.f;
  rows.ensure(4);  // existing rows are kept
  EXPECT_EQ(rows[0][0], 5.f);
  EXPECT_EQ(rows.size(), 4);
  rows.mark_acted(3);
  EXPECT_EQ(rows.take(3).size(), 3u);
  int resets = 0;
  rows.forget_pending([&](std::vector<float>&) { ++resets; });
  EXPECT_EQ(resets, 4);
}

TEST(RowSlotsDeathTest, ObserveWithoutActIsABug) {
  RowSlots<int> rows;
  rows.ensure(1);
  EXPECT_DEATH(rows.take(0), "observe\\(\\) without act\\(\\) for row 0");
  rows.mark_acted(0);
  rows.forget_pending();
  EXPECT_DEATH(rows.take(0), "without act");
}

// A batch of 2 rows, user_dim 1, slate of K = 2, one response field; row 0 at step 1 after
// choosing slot 1 (response 4), row 1 at the start of an episode.
TEST(UserState, ObservationThenSessionStatistics) {
  sim::EnvSpec spec;
  spec.user_dim = 1;
  spec.slate_size = 2;
  spec.response_fields = {"watch_time"};
  const float user[2] = {0.5f, -1.f};
  const int32_t step[2] = {1, 0}, choice[2] = {1, -1};
  const float responses[4] = {0.f, 4.f, 0.f, 0.f};
  sim::Observation obs;
  obs.batch = 2;
  obs.slate_size = 2;
  obs.user_dim = 1;
  obs.user = user;
  obs.response_dim = 1;
  obs.episode_step = step;
  obs.last_choice = choice;
  obs.last_responses = responses;
  UserState off(spec, false);
  EXPECT_EQ(off.dim(), 1);
  off.advance(obs, 0);
  EXPECT_EQ(off.row(0)[0], 0.5f);
  UserState on(spec, true);
  EXPECT_EQ(on.dim(), 1 + 3);  // user, steps, no-choice steps, Σ watch_time
  std::vector<float> peek(4, 9.f);
  on.peek(obs, 1, peek.data());  // no session yet: zero statistics
  EXPECT_EQ(peek, (std::vector<float>{-1.f, 0.f, 0.f, 0.f}));
  on.advance(obs, 1);  // episode start: statistics reset
  on.advance(obs, 0);  // step 1: adds the previous step (choice 1, response 4), scale 1/100
  EXPECT_EQ(std::vector<float>(on.row(1), on.row(1) + 4),
            (std::vector<float>{-1.f, 0.f, 0.f, 0.f}));
  EXPECT_EQ(std::vector<float>(on.row(0), on.row(0) + 4),
            (std::vector<float>{0.5f, 0.01f, 0.f, 0.04f}));
  // The next state after no choice: one more step, one more no-choice step.
  std::vector<float> next(4);
  on.next(obs, 0, -1, responses, next.data());
  EXPECT_EQ(next, (std::vector<float>{0.5f, 0.02f, 0.01f, 0.04f}));
}

TEST(RecentItems, KeepsTheLastItemsOldestFirst) {
  RecentItems h(2, 2);
  const float a[2] = {1, 2}, b[2] = {3, 4}, c[2] = {5, 6};
  EXPECT_EQ(h.size(), 0);
  h.push(a);
  EXPECT_EQ(h.size(), 1);
  EXPECT_EQ(std::vector<float>(h.padded(), h.padded() + 4), (std::vector<float>{0, 0, 1, 2}));
  EXPECT_EQ(std::vector<float>(h.items(), h.items() + 2), (std::vector<float>{1, 2}));
  h.push(b);
  h.push(c);  // drops a
  EXPECT_EQ(h.size(), 2);
  EXPECT_EQ(std::vector<float>(h.items(), h.items() + 4), (std::vector<float>{3, 4, 5, 6}));
  h.clear();
  EXPECT_EQ(h.size(), 0);
  EXPECT_EQ(std::vector<float>(h.padded(), h.padded() + 4), (std::vector<float>(4, 0.f)));
}

// A toy agent state: a string part, a replay buffer with priorities, the counters.
struct Toy {
  std::string text = "hello";
  ReplayBuffer replay{4, {{"x", 2}}};
  PrioritizedSampler per{replay, 1.0, 1.0};
  Rng rng{3, 4};
  int64_t steps = 0, updates = 0;
  int after = 0;
  std::string env = "toy_env";
  Checkpoint ckpt{[this] { return CheckpointMeta{"toy", "toy_variant", env, {}, {{"width", 2}}}; }};
  Toy() {
    ckpt.part(
            "text.txt", [this](const std::string& p) { std::ofstream(p) << text; },
            [this](const std::string& p) { text = slurp(p); })
        .replay("replay.bin", replay)
        .priorities("priorities.txt", per)
        .counters("state.bin", rng, steps, updates)
        .after_load([this] { ++after; });
  }
};

class CheckpointTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = test::temp_path("kit_ckpt");
    std::filesystem::remove_all(dir_);
    a_.text = "state of a";
    for (int i = 0; i < 3; ++i) {
      const int64_t idx = a_.replay.add();
      a_.replay.row(0, idx)[0] = static_cast<float>(i);
      a_.per.added(idx);
    }
    const float td[1] = {2.5f};
    a_.per.update({1}, td);
    a_.rng.uniform();
    a_.steps = 17;
    a_.updates = 5;
    a_.ckpt.save(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_;
  Toy a_;
};

TEST_F(CheckpointTest, RoundTripsEveryPart) {
  Toy b;
  b.ckpt.load(dir_);
  EXPECT_EQ(b.text, "state of a");
  EXPECT_EQ(b.replay.size(), 3);
  EXPECT_EQ(b.replay.row(0, 2)[0], 2.f);
  EXPECT_DOUBLE_EQ(b.per.priority(1), 2.5 + 1e-6);
  EXPECT_DOUBLE_EQ(b.per.max_priority(), 2.5 + 1e-6);
  EXPECT_EQ(b.steps, 17);
  EXPECT_EQ(b.updates, 5);
  EXPECT_EQ(b.rng.uniform(), a_.rng.uniform());
  EXPECT_EQ(b.after, 1);
  EXPECT_EQ(b.ckpt.files(),
            (std::vector<std::string>{"meta.toml", "text.txt", "replay.bin", "priorities.txt",
                                      "state.bin", "manifest.json"}));
}

TEST_F(CheckpointTest, ManifestListsSizesAndChecksums) {
  const std::string m = slurp(dir_ + "/manifest.json");
  EXPECT_EQ(m.rfind("{\"format\": 1, \"agent\": \"toy\", \"parts\": [\n", 0), 0u) << m;
  // "state of a" is 10 bytes.
  EXPECT_NE(m.find("{\"file\": \"text.txt\", \"bytes\": 10, \"fnv1a64\": \""), std::string::npos)
      << m;
  for (const char* f : {"replay.bin", "priorities.txt", "state.bin"})
    EXPECT_NE(m.find(std::string("\"file\": \"") + f + "\""), std::string::npos) << f;
  EXPECT_EQ(m.substr(m.size() - 3), "]}\n");
}

TEST_F(CheckpointTest, ACorruptPartIsAOneLineErrorNamingTheFile) {
  std::filesystem::resize_file(dir_ + "/replay.bin", 30);
  Toy b;
  const std::string msg = test::error_of([&] { b.ckpt.load(dir_); }, ErrorCode::kCorrupt);
  EXPECT_EQ(msg.find(dir_ + "/replay.bin: 30 bytes, the checkpoint manifest says "), 0u) << msg;
  EXPECT_EQ(b.after, 0);
  EXPECT_EQ(b.text, "hello");  // nothing was read
}

TEST_F(CheckpointTest, AChangedByteIsAChecksumMismatch) {
  std::ofstream(dir_ + "/text.txt") << "state of b";  // same size
  Toy b;
  const std::string msg = test::error_of([&] { b.ckpt.load(dir_); }, ErrorCode::kCorrupt);
  EXPECT_EQ(msg.find(dir_ + "/text.txt: checksum "), 0u) << msg;
  EXPECT_NE(msg.find("differs from the checkpoint manifest's"), std::string::npos) << msg;
}

TEST_F(CheckpointTest, FormatPartsAndMetaAreChecked) {
  {
    Toy b;
    b.env = "other_env";  // meta.toml is checked first
    const std::string msg = test::error_of([&] { b.ckpt.load(dir_); }, ErrorCode::kInvalidArgument);
    EXPECT_NE(msg.find("is for environment 'toy_env', not 'other_env'"), std::string::npos) << msg;
  }
  std::string m = slurp(dir_ + "/manifest.json");
  {
    std::string bad = m;
    bad.replace(bad.find("\"format\": 1"), 11, "\"format\": 2");
    std::ofstream(dir_ + "/manifest.json") << bad;
    Toy b;
    EXPECT_EQ(test::error_of([&] { b.ckpt.load(dir_); }, ErrorCode::kCorrupt),
              dir_ + "/manifest.json: format 2, this build reads format 1");
  }
  {
    std::string bad = m;
    const auto p = bad.find("\n {\"file\": \"text.txt\"");
    bad.erase(p, bad.find('\n', p + 1) - p);  // drop the text.txt line
    std::ofstream(dir_ + "/manifest.json") << bad;
    Toy b;
    EXPECT_EQ(test::error_of([&] { b.ckpt.load(dir_); }, ErrorCode::kCorrupt),
              dir_ +
                  "/manifest.json: parts (replay.bin, priorities.txt, state.bin) are not the "
                  "expected (text.txt, replay.bin, priorities.txt, state.bin)");
  }
  std::filesystem::remove(dir_ + "/manifest.json");
  Toy b;
  EXPECT_NE(test::error_of([&] { b.ckpt.load(dir_); }, ErrorCode::kNotFound).find("manifest.json"),
            std::string::npos);
}

}  // namespace
}  // namespace rlrec::agents
