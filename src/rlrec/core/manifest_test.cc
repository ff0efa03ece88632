// Manifests: a written manifest verifies; every flipped bit, truncation, missing or extra part, and
// a foreign format or kind is reported as corrupt, naming the file.
#include "rlrec/core/manifest.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "rlrec/core/error.h"
#include "rlrec/core/rng.h"
#include "rlrec/core/testing.h"

namespace rlrec {
namespace {

namespace fs = std::filesystem;

class ManifestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test::temp_path(
        "manifest_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    write("a.bin", std::string(300, 'a') + "tail");
    write("b.txt", "hello\n");
    write_manifest(dir_, 1, {"kind", "thing"}, {"a.bin", "b.txt"});
  }
  void write(const std::string& file, const std::string& text) {
    std::ofstream(dir_ + "/" + file, std::ios::binary) << text;
  }
  std::vector<std::string> verify() {
    return verify_manifest(dir_, 1, {"kind", "thing"}, {"a.bin", "b.txt"}, "thing");
  }
  std::string dir_;
};

TEST(Fnv1a64, KnownValues) {
  EXPECT_EQ(fnv1a64(""), 0xcbf29ce484222325ULL);
  EXPECT_EQ(fnv1a64("a"), 0xaf63dc4c8601ec8cULL);
  const std::string path = test::write_temp("fnv_file", "a");
  // FNV-1a 64 of "a": (0xcbf29ce484222325 ^ 0x61) * 0x100000001b3 = 0xaf63dc4c8601ec8c.
  EXPECT_EQ(file_checksum(path), (std::pair<uint64_t, int64_t>{0xaf63dc4c8601ec8cULL, 1}));
  EXPECT_EQ(file_checksum(test::write_temp("fnv_empty", "")),
            (std::pair<uint64_t, int64_t>{0xcbf29ce484222325ULL, 0}));  // the offset basis
}

TEST_F(ManifestTest, VerifiesWhatWasWritten) {
  EXPECT_EQ(verify(), (std::vector<std::string>{"a.bin", "b.txt"}));
  // No expectation on the parts or the label value: any listed parts are verified.
  EXPECT_EQ(verify_manifest(dir_, 1, {"kind", ""}, {}, "thing").size(), 2u);
}

TEST_F(ManifestTest, EveryFlippedBitIsDetected) {
  Rng rng(7);
  for (int trial = 0; trial < 300; ++trial) {
    const std::string file = trial % 3 == 0 ? "a.bin" : trial % 3 == 1 ? "b.txt" : "manifest.json";
    const int64_t size = static_cast<int64_t>(fs::file_size(dir_ + "/" + file));
    const int64_t offset = static_cast<int64_t>(rng.uniform_int(static_cast<uint64_t>(size)));
    const int bit = static_cast<int>(rng.uniform_int(8));
    test::flip_bit(dir_ + "/" + file, offset, bit);
    const std::string msg = test::error_of([&] { verify(); }, ErrorCode::kCorrupt);
    // A flipped part names the part; a flipped manifest names itself, or the part whose size or
    // checksum it no longer matches.
    EXPECT_EQ(msg.find(dir_ + "/"), 0u) << msg;
    if (file != "manifest.json") {
      EXPECT_EQ(msg.find(dir_ + "/" + file + ": checksum "), 0u) << msg;
    }
    test::flip_bit(dir_ + "/" + file, offset, bit);  // restore
    EXPECT_NO_THROW(verify());
  }
}

TEST_F(ManifestTest, SizeMissingPartsFormatAndKind) {
  write("b.txt", "hello");
  EXPECT_EQ(test::error_of([&] { verify(); }, ErrorCode::kCorrupt),
            dir_ + "/b.txt: 5 bytes, the thing manifest says 6");
  fs::remove(dir_ + "/b.txt");
  EXPECT_EQ(test::error_of([&] { verify(); }, ErrorCode::kCorrupt),
            dir_ + "/b.txt: missing or unreadable, the thing manifest lists it");
  write("b.txt", "hello\n");
  EXPECT_NE(test::error_of(
                [&] {
                  verify_manifest(dir_, 1, {"kind", "thing"}, {"a.bin", "c.txt"}, "thing");
                },
                ErrorCode::kCorrupt)
                .find("parts (a.bin, b.txt) are not the expected (a.bin, c.txt)"),
            std::string::npos);
  EXPECT_EQ(test::error_of(
                [&] {
                  verify_manifest(dir_, 2, {"kind", "thing"}, {}, "thing");
                },
                ErrorCode::kCorrupt),
            dir_ + "/manifest.json: format 1, this build reads format 2");
  EXPECT_EQ(test::error_of(
                [&] {
                  verify_manifest(dir_, 1, {"kind", "other"}, {}, "thing");
                },
                ErrorCode::kCorrupt),
            dir_ + "/manifest.json: kind 'thing', expected 'other'");
  fs::remove(dir_ + "/manifest.json");
  EXPECT_EQ(test::error_of([&] { verify(); }, ErrorCode::kNotFound),
            "thing manifest '" + dir_ + "/manifest.json' not found");
}

TEST_F(ManifestTest, MalformedOrEscapingPartLines) {
  for (const std::string bad :
       {"{\"file\": \"../x\", \"bytes\": 1, \"fnv1a64\": \"0123456789abcdef\"}",
        "{\"file\": \"a.bin\", \"bytes\": x, \"fnv1a64\": \"0123\"}", "junk"}) {
    std::ofstream(dir_ + "/manifest.json") << "{\"format\": 1, \"kind\": \"thing\", \"parts\": [\n"
                                           << bad << "]}\n";
    EXPECT_NE(test::error_of(
                  [&] {
                    verify_manifest(dir_, 1, {"kind", "thing"}, {}, "thing");
                  },
                  ErrorCode::kCorrupt)
                  .find("malformed part line"),
              std::string::npos);
  }
}

}  // namespace
}  // namespace rlrec
