#include "rlrec/index/index.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>

#include "rlrec/core/manifest.h"
#include "rlrec/core/registry.h"
#include "rlrec/core/rng.h"
#include "rlrec/core/testing.h"
#include "rlrec/index/synthetic.h"
#include "rlrec/index/test_util.h"

namespace rlrec::index {
namespace {

using testing::expect_error;
using testing::gaussian;
using testing::scrambled_ids;

using test::temp_path;

TEST(Metric, ParseAndName) {
  EXPECT_EQ(parse_metric("ip"), Metric::kInnerProduct);
  EXPECT_EQ(parse_metric("l2"), Metric::kL2);
  EXPECT_EQ(metric_name(Metric::kL2), "l2");
  expect_error([] { parse_metric("cosine"); }, ErrorCode::kInvalidArgument,
               "index.metric must be one of ip, l2, got 'cosine'");
}

TEST(IndexConfig, ValidateAndReadFromToml) {
  IndexConfig c;
  c.validate();
  c.M = 1;
  expect_error([&] { c.validate(); }, ErrorCode::kInvalidArgument,
               "index.M must be in [2, 1024], got 1");
  Config cfg = Config::parse_string("[index]\nM = 8\nef_search = 32\nmetric = \"l2\"\n");
  IndexConfig r;
  read_section(cfg, "index", r);
  EXPECT_EQ(r.M, 8);
  EXPECT_EQ(r.ef_search, 32);
  EXPECT_EQ(r.metric, "l2");
  Config bad = Config::parse_string("[index]\nef_serch = 32\n");
  EXPECT_THROW(read_section(bad, "index", r), Error);
}

TEST(Registry, KindsAndLookup) {
  const auto names = registry_names(index_kinds());
  EXPECT_EQ(names, (std::vector<std::string>{"exact", "hnsw", "auto"}));
  expect_error([] { make_index("hnws", 4, IndexConfig{}); }, ErrorCode::kNotFound,
               "did you mean 'hnsw'");
  expect_error([] { make_index("exact", 0, IndexConfig{}); }, ErrorCode::kInvalidArgument,
               "index dim must be >= 1, got 0");
}

TEST(Registry, AutoFollowsThreshold) {
  IndexConfig c;
  c.auto_threshold = 1000;
  EXPECT_EQ(make_index("auto", 8, c, 999)->kind(), "exact");
  EXPECT_EQ(make_index("auto", 8, c, 1000)->kind(), "hnsw");
  const auto items = gaussian(50, 8, 1);
  EXPECT_EQ(build_index("auto", items.view(), scrambled_ids(50), c)->kind(), "exact");
  EXPECT_EQ(make_index("auto", 8, IndexConfig{}, 4999)->kind(), "exact");  // default threshold
  EXPECT_EQ(make_index("auto", 8, IndexConfig{}, 5000)->kind(), "hnsw");
}

// ---- bad input, for every kind --------------------------------------------------------------

class BadInputTest : public ::testing::TestWithParam<std::string> {
 protected:
  std::unique_ptr<Index> make() { return make_index(GetParam(), 4, IndexConfig{}); }
};

TEST_P(BadInputTest, EmptyIndex) {
  auto index = make();
  const auto q = gaussian(1, 4, 1);
  expect_error([&] { index->search(q.view(), 1); }, ErrorCode::kInvalidArgument,
               "index.search: the index is empty");
}

TEST_P(BadInputTest, SearchArguments) {
  auto index = make();
  const auto items = gaussian(20, 4, 2);
  index->add(items.view(), scrambled_ids(20));
  const auto q = gaussian(3, 4, 3);
  expect_error([&] { index->search(q.view(), 0); }, ErrorCode::kInvalidArgument,
               "index.search: k must be in [1, 20] (the number of items), got 0");
  expect_error([&] { index->search(q.view(), -2); }, ErrorCode::kInvalidArgument, "got -2");
  expect_error([&] { index->search(q.view(), 21); }, ErrorCode::kInvalidArgument,
               "k must be in [1, 20] (the number of items), got 21");
  const auto q5 = gaussian(3, 5, 3);
  expect_error([&] { index->search(q5.view(), 2); }, ErrorCode::kInvalidArgument,
               "index.search: query dimension 5 does not match the index dimension 4");
  auto nan_q = gaussian(3, 4, 4);
  nan_q(2, 1) = std::numeric_limits<float>::quiet_NaN();
  expect_error([&] { index->search(nan_q.view(), 2); }, ErrorCode::kInvalidArgument,
               "index.search: query 2 has a non-finite value (nan) at dimension 1");
  Matrix<int64_t> ids(3, 2);
  Matrix<float> scores(3, 3);
  expect_error([&] { index->search(q.view(), 2, ids.view(), scores.view()); },
               ErrorCode::kInvalidArgument,
               "index.search: the scores buffer must be 3 x 2 (queries x k), got 3 x 3");
  Matrix<int64_t> ids_short(2, 2);
  expect_error([&] { index->search(q.view(), 2, ids_short.view(), scores.view()); },
               ErrorCode::kInvalidArgument, "the ids buffer must be 3 x 2");
  // Zero queries: nothing to do.
  const auto none = index->search(MatrixView<const float>(nullptr, 0, 4), 3);
  EXPECT_EQ(none.ids.rows(), 0u);
}

TEST_P(BadInputTest, AddArguments) {
  auto index = make();
  const auto items = gaussian(5, 4, 5);
  std::vector<int64_t> ids = {1, 2, 3, 4, 5};
  expect_error([&] { index->add(items.view(), std::span(ids).subspan(0, 4)); },
               ErrorCode::kInvalidArgument, "index.add: got 5 vectors but 4 ids");
  const auto wide = gaussian(5, 6, 5);
  expect_error([&] { index->add(wide.view(), ids); }, ErrorCode::kInvalidArgument,
               "index.add: vector dimension 6 does not match the index dimension 4");
  auto inf = items;
  inf(3, 0) = std::numeric_limits<float>::infinity();
  expect_error([&] { index->add(inf.view(), ids); }, ErrorCode::kInvalidArgument,
               "index.add: vector 3 has a non-finite value (inf) at dimension 0");
  std::vector<int64_t> neg = {1, 2, -3, 4, 5};
  expect_error([&] { index->add(items.view(), neg); }, ErrorCode::kInvalidArgument,
               "index.add: item id -3 (row 2) is negative; ids must be >= 0");
  std::vector<int64_t> dup = {1, 2, 3, 2, 5};
  expect_error([&] { index->add(items.view(), dup); }, ErrorCode::kInvalidArgument,
               "index.add: item id 2 appears twice in the batch (rows 1 and 3)");
  EXPECT_EQ(index->size(), 0u);  // nothing was added by the failed calls
  index->add(items.view(), ids);
  std::vector<int64_t> again = {9, 10, 11, 12, 3};
  expect_error([&] { index->add(items.view(), again); }, ErrorCode::kInvalidArgument,
               "index.add: item id 3 (row 4) is already in the index");
  EXPECT_EQ(index->size(), 5u);
}

TEST_P(BadInputTest, SaveLoadRoundTripAndForeignCatalogue) {
  IndexConfig c;
  c.metric = "l2";
  c.M = 8;
  c.ef_search = 20;
  auto index = make_index(GetParam(), 16, c, 600);
  const auto items = gaussian(600, 16, 6);
  const auto ids = scrambled_ids(600);
  index->add(items.view(), ids);
  const std::string path = temp_path("roundtrip_" + GetParam() + ".idx");
  index->save(path);
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));

  const IndexFileHeader h = read_index_header(path);
  EXPECT_EQ(h.kind, index->kind());
  EXPECT_EQ(h.metric, Metric::kL2);
  EXPECT_EQ(h.dim, 16u);
  EXPECT_EQ(h.count, 600u);
  EXPECT_EQ(h.fingerprint, catalogue_fingerprint(items.view(), ids));
  EXPECT_EQ(h.config.M, 8);
  EXPECT_EQ(h.config.ef_search, 20);

  auto loaded = load_index(path, catalogue_fingerprint(items.view(), ids));
  EXPECT_EQ(loaded->kind(), index->kind());
  EXPECT_EQ(loaded->size(), 600u);
  EXPECT_EQ(loaded->metric(), Metric::kL2);
  const auto q = gaussian(40, 16, 7);
  const auto a = index->search(q.view(), 15);
  const auto b = loaded->search(q.view(), 15);
  EXPECT_EQ(a.ids.storage(), b.ids.storage());
  EXPECT_EQ(a.scores.storage(), b.scores.storage());
  // Loaded indexes keep growing like fresh ones; re-adding a saved id is still rejected.
  const auto more = gaussian(10, 16, 8);
  std::vector<int64_t> more_ids(10);
  for (int i = 0; i < 10; ++i) more_ids[i] = 2000000 + i;
  loaded->add(more.view(), more_ids);
  EXPECT_EQ(loaded->size(), 610u);
  expect_error(
      [&] {
        loaded->add(MatrixView<const float>(more.row(0), 1, 16), std::span(ids).subspan(0, 1));
      },
      ErrorCode::kInvalidArgument, "is already in the index");

  // Another catalogue: one vector changed.
  auto other = items;
  other(17, 3) += 0.5f;
  expect_error([&] { load_index(path, catalogue_fingerprint(other.view(), ids)); },
               ErrorCode::kInvalidArgument, "' was built for another catalogue (fingerprint ");
}

INSTANTIATE_TEST_SUITE_P(Kinds, BadInputTest, ::testing::Values("exact", "hnsw"));

// ---- files ----------------------------------------------------------------------------------

TEST(IndexFile, BadFilesAreRejected) {
  expect_error([] { load_index(temp_path("does_not_exist.idx")); }, ErrorCode::kNotFound,
               "not found");
  const std::string junk = temp_path("junk.idx");
  std::ofstream(junk) << "this is not an index";
  expect_error([&] { load_index(junk); }, ErrorCode::kCorrupt,
               "is not an rlrec index file (bad magic)");

  auto index = make_index("hnsw", 8, IndexConfig{}, 300);
  const auto items = gaussian(300, 8, 9);
  index->add(items.view(), scrambled_ids(300));
  const std::string path = temp_path("truncated.idx");
  index->save(path);
  const auto full = std::filesystem::file_size(path);
  for (auto cut : {full - 3, full / 2, uintmax_t{30}}) {
    std::filesystem::copy_file(path, path + ".cut",
                               std::filesystem::copy_options::overwrite_existing);
    std::filesystem::resize_file(path + ".cut", cut);
    expect_error([&] { load_index(path + ".cut"); }, ErrorCode::kCorrupt, "is corrupt: ");
  }
  // A link pointing outside the graph is caught, not followed.
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    std::vector<char> bytes((std::istreambuf_iterator<char>(f)), {});
    // Layer-0 block of element 0 starts after the header; its first link follows the 4-byte count.
    const std::string toml = dump_section("index", "", IndexConfig{});
    const size_t header = 8 + 4 + 4 + 8 + 8 + 8 + 4 + 4 + 4 + toml.size();
    const size_t level0 = header + 7 * 8 + 4 + 4;
    const uint32_t bad = 1000000;
    std::memcpy(bytes.data() + level0 + 4, &bad, 4);
    // Re-seal the checksum, so that the graph check itself is exercised.
    const uint64_t h = fnv1a64(std::string_view(bytes.data(), bytes.size() - 8));
    std::memcpy(bytes.data() + bytes.size() - 8, &h, 8);
    f.seekp(0);
    f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }
  expect_error([&] { load_index(path); }, ErrorCode::kCorrupt, "links to 1000000 on level 0");
}

TEST(IndexFile, CountLargerThanTheFileIsRejectedBeforeAllocating) {
  // A count of 4e9 items (checksum re-sealed) once sized an HNSW graph of ~0.5 TB before the body
  // was read (found by fuzz/index_fuzz.cc); now the file's size bounds what is allocated.
  for (const char* kind : {"exact", "hnsw"}) {
    auto index = make_index(kind, 4, IndexConfig{}, 20);
    index->add(gaussian(20, 4, 5).view(), scrambled_ids(20));
    const std::string path = temp_path(std::string("count_") + kind + ".idx");
    index->save(path);
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    std::vector<char> bytes((std::istreambuf_iterator<char>(f)), {});
    const uint64_t count = 4000000000ULL;  // "RLRECIDX" u32 version u32 metric u64 dim u64 count
    std::memcpy(bytes.data() + 8 + 4 + 4 + 8, &count, 8);
    const uint64_t h = fnv1a64(std::string_view(bytes.data(), bytes.size() - 8));
    std::memcpy(bytes.data() + bytes.size() - 8, &h, 8);
    f.seekp(0);
    f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    f.close();
    expect_error([&] { load_index(path); }, ErrorCode::kCorrupt,
                 "truncated (the items' vectors and ids needs 96000000000 bytes");
  }
}

TEST(IndexFile, EveryFlippedBitIsDetected) {
  for (const char* kind : {"exact", "hnsw"}) {
    auto index = make_index(kind, 4, IndexConfig{}, 50);
    index->add(gaussian(50, 4, 3).view(), scrambled_ids(50));
    const std::string path = temp_path(std::string("flips_") + kind + ".idx");
    index->save(path);
    const auto size = std::filesystem::file_size(path);
    Rng rng(11);
    for (int t = 0; t < 100; ++t) {
      const auto offset = static_cast<int64_t>(rng.uniform_int(size));
      const int bit = static_cast<int>(rng.uniform_int(8));
      test::flip_bit(path, offset, bit);
      expect_error([&] { load_index(path); }, ErrorCode::kCorrupt, "");
      test::flip_bit(path, offset, bit);
    }
    EXPECT_EQ(load_index(path)->size(), 50);
    // A version-1 file (no checksum) is named as such.
    {
      std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
      const uint32_t v1 = 1;
      f.seekp(8);
      f.write(reinterpret_cast<const char*>(&v1), 4);
    }
    expect_error([&] { load_index(path); }, ErrorCode::kNotSupported,
                 "has format version 1; this build reads version 2");
  }
}

// ---- helpers --------------------------------------------------------------------------------

TEST(Fingerprint, StreamsOverAddsAndSeesEveryChange) {
  const auto items = gaussian(100, 5, 10);
  const auto ids = scrambled_ids(100);
  const uint64_t f = catalogue_fingerprint(items.view(), ids);
  EXPECT_EQ(f, catalogue_fingerprint(items.view(), ids));
  auto changed_ids = ids;
  changed_ids[50] += 1;
  EXPECT_NE(f, catalogue_fingerprint(items.view(), changed_ids));
  EXPECT_NE(f, catalogue_fingerprint(MatrixView<const float>(items.data(), 99, 5),
                                     std::span(ids).subspan(0, 99)));
  auto idx = make_index("exact", 5, IndexConfig{});
  idx->add(MatrixView<const float>(items.data(), 60, 5), std::span(ids).subspan(0, 60));
  idx->add(MatrixView<const float>(items.row(60), 40, 5), std::span(ids).subspan(60));
  EXPECT_EQ(idx->fingerprint(), f);
}

TEST(Recall, CountsOverlap) {
  Matrix<int64_t> exact(2, 3), approx(2, 3);
  const int64_t e[] = {1, 2, 3, 4, 5, 6}, a[] = {3, 9, 1, 6, 5, 4};
  std::copy(e, e + 6, exact.data());
  std::copy(a, a + 6, approx.data());
  EXPECT_DOUBLE_EQ(recall_at_k(approx.view(), exact.view()), 5.0 / 6.0);  // 2/3 and 3/3
  Matrix<int64_t> wrong(2, 2);
  EXPECT_THROW(recall_at_k(wrong.view(), exact.view()), Error);
}

TEST(Synthetic, DeterministicUnitVectorsForAnyThreadCount) {
  SyntheticSpec spec;
  spec.dim = 16;
  spec.clusters = 10;
  const auto a = synthetic_vectors(spec, 500, kItemStream, 1);
  const auto b = synthetic_vectors(spec, 500, kItemStream, 3);
  EXPECT_EQ(a.storage(), b.storage());
  for (size_t i = 0; i < a.rows(); ++i) {
    double s = 0;
    for (size_t j = 0; j < 16; ++j) s += a(i, j) * a(i, j);
    EXPECT_NEAR(s, 1.0, 1e-5);
  }
  const auto q = synthetic_vectors(spec, 500, kQueryStream, 1);
  EXPECT_NE(q.storage(), a.storage());
  // Plain Gaussian rows are not normalised.
  spec.clusters = 0;
  const auto g = synthetic_vectors(spec, 10, kItemStream, 1);
  double s = 0;
  for (size_t j = 0; j < 16; ++j) s += g(0, j) * g(0, j);
  EXPECT_GT(std::abs(s - 1.0), 1e-3);
  spec.clusters = -1;
  expect_error([&] { synthetic_vectors(spec, 1, kItemStream); }, ErrorCode::kInvalidArgument,
               "clusters must be >= 0 (0 = plain Gaussian), got -1");
}

}  // namespace
}  // namespace rlrec::index
