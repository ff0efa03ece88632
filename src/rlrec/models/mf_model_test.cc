#include "rlrec/models/mf_model.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "rlrec/core/error.h"
#include "rlrec/core/rng.h"
#include "rlrec/core/testing.h"

namespace rlrec::models {
namespace {

namespace fs = std::filesystem;

// 2 users, 3 items, 2 factors; mu = 3, b_u = {0.5, -0.5}, b_i = {0, 1, -1}.
MfModel tiny() {
  MfModel m;
  m.kind = "biased_sgd";
  m.user_factors.resize(2, 2);
  m.item_factors.resize(3, 2);
  const float p[] = {1, 0, 0.5f, 2};
  const float q[] = {1, 1, -1, 0, 0, 3};
  std::copy(std::begin(p), std::end(p), m.user_factors.data());
  std::copy(std::begin(q), std::end(q), m.item_factors.data());
  m.user_bias = {0.5f, -0.5f};
  m.item_bias = {0, 1, -1};
  m.global_bias = 3;
  m.clip = true;
  m.min_rating = 1;
  m.max_rating = 5;
  for (const char* u : {"alice", "bob"}) m.users.add(u);
  for (const char* i : {"10", "20", "30"}) m.items.add(i);
  m.config_toml = "[mf]\nname = \"biased_sgd\"\n";
  return m;
}

fs::path temp_dir(const std::string& name) {
  fs::path d = fs::temp_directory_path() /
               ("rlrec_mf_model_test_" + std::to_string(::getpid()) + "_" + name);
  fs::remove_all(d);
  return d;
}

TEST(MfModel, ScoresAndClippedPredictions) {
  const MfModel m = tiny();
  // user 0 (p = [1, 0]): item 0: 3 + 0.5 + 0 + 1 = 4.5; item 1: 3 + 0.5 + 1 - 1 = 3.5;
  // item 2: 3 + 0.5 - 1 + 0 = 2.5. user 1 (p = [0.5, 2]): item 2: 3 - 0.5 - 1 + 6 = 7.5 -> clip 5.
  EXPECT_FLOAT_EQ(m.score(0, 0), 4.5f);
  EXPECT_FLOAT_EQ(m.score(0, 1), 3.5f);
  EXPECT_FLOAT_EQ(m.score(0, 2), 2.5f);
  EXPECT_FLOAT_EQ(m.score(1, 2), 7.5f);
  EXPECT_FLOAT_EQ(m.predict(1, 2), 5.0f);
  std::vector<float> s(3);
  m.score_items(1, s);
  // user 1: item 0: 3 - 0.5 + 0 + 2.5 = 5; item 1: 3 - 0.5 + 1 - 0.5 = 3
  EXPECT_FLOAT_EQ(s[0], 5.0f);
  EXPECT_FLOAT_EQ(s[1], 3.0f);
  EXPECT_FLOAT_EQ(s[2], 7.5f);
  std::vector<float> block(6);
  const int32_t users[] = {1, 0};
  m.score_block(users, {block.data(), 2, 3});
  EXPECT_FLOAT_EQ(block[0], 5.0f);
  EXPECT_FLOAT_EQ(block[3], 4.5f);
  EXPECT_FLOAT_EQ(block[5], 2.5f);
  EXPECT_THROW(m.score(2, 0), Error);
  EXPECT_THROW(m.score(0, -1), Error);
  std::vector<float> wrong(2);
  EXPECT_THROW(m.score_items(0, wrong), Error);
}

TEST(MfModel, SaveLoadRoundTripIsExact) {
  const MfModel m = tiny();
  const fs::path dir = temp_dir("roundtrip");
  m.save(dir.string());
  const MfModel b = MfModel::load(dir.string());
  EXPECT_EQ(b.kind, "biased_sgd");
  EXPECT_EQ(b.user_factors.storage(), m.user_factors.storage());
  EXPECT_EQ(b.item_factors.storage(), m.item_factors.storage());
  EXPECT_EQ(b.user_bias, m.user_bias);
  EXPECT_EQ(b.item_bias, m.item_bias);
  EXPECT_EQ(b.global_bias, m.global_bias);
  EXPECT_TRUE(b.clip);
  EXPECT_EQ(b.min_rating, 1.0f);
  EXPECT_EQ(b.max_rating, 5.0f);
  EXPECT_EQ(b.users.originals(), m.users.originals());
  EXPECT_EQ(b.items.originals(), m.items.originals());
  EXPECT_EQ(b.config_toml, m.config_toml);
  EXPECT_EQ(b.predict(1, 2), m.predict(1, 2));
  fs::remove_all(dir);
}

TEST(MfModel, SaveWithoutBiasesOmitsTheirFiles) {
  MfModel m = tiny();
  m.user_bias.clear();
  m.item_bias.clear();
  m.clip = false;
  const fs::path dir = temp_dir("nobias");
  tiny().save(dir.string());  // an older model with biases in the same directory
  m.save(dir.string());
  EXPECT_FALSE(fs::exists(dir / "user_bias.f32"));
  const MfModel b = MfModel::load(dir.string());
  EXPECT_TRUE(b.user_bias.empty());
  EXPECT_TRUE(b.item_bias.empty());
  EXPECT_FLOAT_EQ(b.score(1, 2), 3 + 6.0f);
  fs::remove_all(dir);
}

TEST(MfModel, LoadRejectsMissingAndCorruptFiles) {
  const fs::path dir = temp_dir("corrupt");
  try {
    MfModel::load(dir.string());
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kNotFound);
  }
  tiny().save(dir.string());
  {  // truncate the item factors: 3 x 2 floats expected
    std::ofstream out(dir / "item_factors.f32", std::ios::binary | std::ios::trunc);
    out.write("abcd", 4);
  }
  try {
    MfModel::load(dir.string());
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kCorrupt);
    EXPECT_NE(
        std::string(e.what()).find("item_factors.f32: 4 bytes, the MF model manifest says 24"),
        std::string::npos)
        << e.what();
  }
  tiny().save(dir.string());
  {  // one user id too many
    std::ofstream out(dir / "user_ids.txt", std::ios::app);
    out << "carol\n";
  }
  EXPECT_THROW(MfModel::load(dir.string()), Error);
  fs::remove_all(dir);
}

TEST(MfModel, EveryFlippedBitOfEveryFileIsDetected) {
  const fs::path dir = temp_dir("flips");
  tiny().save(dir.string());
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir)) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  ASSERT_EQ(files.size(), 9u);  // 8 parts + manifest.json
  Rng rng(3);
  int trials = 0;
  for (const fs::path& f : files) {
    for (int t = 0; t < 20; ++t, ++trials) {
      const auto offset = static_cast<int64_t>(rng.uniform_int(fs::file_size(f)));
      const int bit = static_cast<int>(rng.uniform_int(8));
      test::flip_bit(f.string(), offset, bit);
      try {
        MfModel::load(dir.string());
        ADD_FAILURE() << "flip of bit " << bit << " at " << offset << " of " << f << " undetected";
      } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::kCorrupt) << e.what();
      }
      test::flip_bit(f.string(), offset, bit);
    }
  }
  EXPECT_EQ(trials, 180);
  EXPECT_NO_THROW(MfModel::load(dir.string()));
  fs::remove(dir / "manifest.json");
  EXPECT_NE(test::error_of([&] { MfModel::load(dir.string()); }, ErrorCode::kCorrupt)
                .find("has no manifest.json"),
            std::string::npos);
  fs::remove_all(dir);
}

TEST(MfModel, ChecksItemSets) {
  const MfModel m = tiny();
  data::IdMap same;
  for (const char* i : {"10", "20", "30"}) same.add(i);
  EXPECT_NO_THROW(m.check_same_items(same, "the test log"));
  data::IdMap other;
  for (const char* i : {"10", "30", "20", "40"}) other.add(i);
  EXPECT_EQ(m.map_items(other), (std::vector<int32_t>{0, 2, 1, -1}));
  try {
    m.check_same_items(other, "the test log");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(
        std::string(e.what()),
        "MF model was trained on a different item set: model has 3 items, the test log has 4");
  }
}

}  // namespace
}  // namespace rlrec::models
