// Compressed sparse rows (CSR) of an interaction log: the layout ALS, BPR, the top-k exclusion and
// the baselines read. Row r's entries are indices[indptr[r] .. indptr[r+1]) with their values, the
// column indices sorted ascending within a row.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "rlrec/data/interactions.h"

namespace rlrec::models {

struct Csr {
  int32_t rows = 0, cols = 0;
  std::vector<int64_t> indptr;   // rows + 1 offsets
  std::vector<int32_t> indices;  // column index per entry, ascending within a row
  std::vector<float> values;     // value per entry

  int64_t nnz() const { return static_cast<int64_t>(indices.size()); }
  std::span<const int32_t> row_indices(int32_t r) const {
    return {indices.data() + indptr[r], static_cast<size_t>(indptr[r + 1] - indptr[r])};
  }
  std::span<const float> row_values(int32_t r) const {
    return {values.data() + indptr[r], static_cast<size_t>(indptr[r + 1] - indptr[r])};
  }
  // True if (r, c) is stored (binary search in row r).
  bool contains(int32_t r, int32_t c) const;
};

// What to do with several entries at the same (row, col).
enum class Duplicates {
  kSum,   // add the values (implicit feedback: repeated views add confidence)
  kLast,  // keep the value of the last occurrence in input order (a re-rating replaces the rating)
};

// Builds a rows x cols CSR from coordinate triplets (row[k], col[k], value[k]), k < n. Indices
// must be in range (checked; throws rlrec::Error). value may be null (all 1).
Csr build_csr(int32_t rows, int32_t cols, std::span<const int32_t> row,
              std::span<const int32_t> col, std::span<const float> value, Duplicates duplicates);

// The user x item matrix of a log (users rows, items columns, rating values).
Csr user_item_matrix(const data::InteractionLog& log, Duplicates duplicates);

// The transpose (cols x rows), columns sorted within each row.
Csr transpose(const Csr& m);

// Splits rows [0, m.rows) into `parts` contiguous ranges with about equal nnz + rows (row r costs
// `row_cost` + its nnz), so that threads with different row degrees finish together. Returns
// parts + 1 boundaries. Depends only on the matrix and `parts`.
std::vector<int32_t> balanced_row_ranges(const Csr& m, int parts, int64_t row_cost);

}  // namespace rlrec::models
