#include <unistd.h>

#include "rlrec/agents/replay.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "rlrec/core/error.h"

namespace rlrec::agents {
namespace {

TEST(Replay, RingOverwritesOldestAndSamplesStoredRows) {
  ReplayBuffer r(3, {{"x", 2}, {"y", 1}});
  for (int i = 0; i < 5; ++i) {
    const int64_t idx = r.add();
    r.row(0, idx)[0] = static_cast<float>(i);
    r.row(1, idx)[0] = static_cast<float>(10 * i);
  }
  EXPECT_EQ(r.size(), 3);
  // Rows now hold i = 3, 4, 2 at indices 0, 1, 2.
  EXPECT_EQ(r.row(0, 0)[0], 3.f);
  EXPECT_EQ(r.row(0, 1)[0], 4.f);
  EXPECT_EQ(r.row(0, 2)[0], 2.f);
  Rng rng(1);
  std::vector<int64_t> idx;
  r.sample(100, rng, idx);
  for (auto i : idx) EXPECT_TRUE(i >= 0 && i < 3);
}

TEST(Replay, SaveLoadRoundTripAndMismatch) {
  const auto dir = std::filesystem::temp_directory_path() / ("rlrec_replay_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "r.bin").string();
  ReplayBuffer r(4, {{"x", 2}});
  for (int i = 0; i < 3; ++i) r.row(0, r.add())[1] = static_cast<float>(i + 1);
  r.save(path);
  ReplayBuffer s(4, {{"x", 2}});
  s.load(path);
  EXPECT_EQ(s.size(), 3);
  EXPECT_EQ(s.row(0, 2)[1], 3.f);
  // Same sampling sequence after load.
  Rng a(3), b(3);
  std::vector<int64_t> ia, ib;
  r.sample(10, a, ia);
  s.sample(10, b, ib);
  EXPECT_EQ(ia, ib);
  ReplayBuffer other(4, {{"z", 2}});
  EXPECT_THROW(other.load(path), Error);
  ReplayBuffer bigger(8, {{"x", 2}});
  EXPECT_THROW(bigger.load(path), Error);
  // Truncated file.
  std::filesystem::resize_file(path, 20);
  ReplayBuffer t(4, {{"x", 2}});
  try {
    t.load(path);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kCorrupt);
  }
  std::filesystem::remove_all(dir);
}

TEST(Replay, EpsilonScheduleCountsEnvSteps) {
  LinearSchedule s{100, 1000, 1.0, 0.1};
  EXPECT_EQ(s.value(0), 1.0);
  EXPECT_EQ(s.value(99), 1.0);
  EXPECT_NEAR(s.value(600), 0.55, 1e-12);
  EXPECT_NEAR(s.value(1100), 0.1, 1e-12);
  EXPECT_NEAR(s.value(5000), 0.1, 1e-12);
}

}  // namespace
}  // namespace rlrec::agents
