#include "rlrec/models/sparse.h"

#include <gtest/gtest.h>

#include "rlrec/core/error.h"

namespace rlrec::models {
namespace {

TEST(Csr, BuildsSortedRowsAndSumsDuplicates) {
  // Triplets (row, col, value): (1,2,1) (0,3,2) (1,0,4) (1,2,5) -> row 0: {3:2}; row 1: {0:4,
  // 2:1+5}
  const std::vector<int32_t> r = {1, 0, 1, 1}, c = {2, 3, 0, 2};
  const std::vector<float> v = {1, 2, 4, 5};
  const Csr m = build_csr(3, 4, r, c, v, Duplicates::kSum);
  EXPECT_EQ(m.indptr, (std::vector<int64_t>{0, 1, 3, 3}));
  EXPECT_EQ(m.indices, (std::vector<int32_t>{3, 0, 2}));
  EXPECT_EQ(m.values, (std::vector<float>{2, 4, 6}));
  EXPECT_TRUE(m.contains(1, 2));
  EXPECT_FALSE(m.contains(1, 3));
  EXPECT_FALSE(m.contains(2, 0));
  const Csr last = build_csr(3, 4, r, c, v, Duplicates::kLast);
  EXPECT_EQ(last.values, (std::vector<float>{2, 4, 5}));  // the later (1,2) row wins
}

TEST(Csr, TransposeRoundTrips) {
  const std::vector<int32_t> r = {0, 0, 1, 2, 2}, c = {1, 3, 1, 0, 3};
  const std::vector<float> v = {1, 2, 3, 4, 5};
  const Csr m = build_csr(3, 4, r, c, v, Duplicates::kSum);
  const Csr t = transpose(m);
  EXPECT_EQ(t.rows, 4);
  EXPECT_EQ(t.indptr, (std::vector<int64_t>{0, 1, 3, 3, 5}));
  EXPECT_EQ(t.indices, (std::vector<int32_t>{2, 0, 1, 0, 2}));
  EXPECT_EQ(t.values, (std::vector<float>{4, 1, 3, 2, 5}));
  const Csr back = transpose(t);
  EXPECT_EQ(back.indptr, m.indptr);
  EXPECT_EQ(back.indices, m.indices);
  EXPECT_EQ(back.values, m.values);
}

TEST(Csr, RejectsOutOfRangeIndices) {
  const std::vector<int32_t> r = {0, 5}, c = {0, 0};
  try {
    build_csr(3, 1, r, c, {}, Duplicates::kSum);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), "build_csr: row index 5 at entry 1 out of range [0, 3)");
  }
}

TEST(Csr, BalancedRangesCoverAllRowsByCost) {
  // Row degrees 10, 0, 0, 10, 10, 10 with row cost 0: two parts of 20 each -> split after row 3.
  std::vector<int32_t> r, c;
  for (int row : {0, 3, 4, 5})
    for (int k = 0; k < 10; ++k) {
      r.push_back(row);
      c.push_back(k);
    }
  const Csr m = build_csr(6, 10, r, c, {}, Duplicates::kSum);
  EXPECT_EQ(balanced_row_ranges(m, 2, 0), (std::vector<int32_t>{0, 4, 6}));
  EXPECT_EQ(balanced_row_ranges(m, 1, 0), (std::vector<int32_t>{0, 6}));
}

}  // namespace
}  // namespace rlrec::models
