#include "rlrec/models/sparse.h"

#include <algorithm>
#include <numeric>

#include "rlrec/core/error.h"

namespace rlrec::models {

bool Csr::contains(int32_t r, int32_t c) const {
  auto idx = row_indices(r);
  return std::binary_search(idx.begin(), idx.end(), c);
}

Csr build_csr(int32_t rows, int32_t cols, std::span<const int32_t> row,
              std::span<const int32_t> col, std::span<const float> value, Duplicates duplicates) {
  const size_t n = row.size();
  if (col.size() != n || (!value.empty() && value.size() != n))
    invalid_argument("build_csr: row, col and value must have the same length, got ", n, ", ",
                     col.size(), ", ", value.size());
  if (rows < 0 || cols < 0) invalid_argument("build_csr: negative shape ", rows, " x ", cols);
  // Counting sort by row, keeping input order within a row (stable), then sort each row by column.
  std::vector<int64_t> count(static_cast<size_t>(rows) + 1, 0);
  for (size_t k = 0; k < n; ++k) {
    if (row[k] < 0 || row[k] >= rows)
      invalid_argument("build_csr: row index ", row[k], " at entry ", k, " out of range [0, ", rows,
                       ")");
    if (col[k] < 0 || col[k] >= cols)
      invalid_argument("build_csr: column index ", col[k], " at entry ", k, " out of range [0, ",
                       cols, ")");
    ++count[row[k] + 1];
  }
  std::partial_sum(count.begin(), count.end(), count.begin());
  std::vector<int64_t> next(count.begin(), count.end() - 1);
  std::vector<int32_t> order(n);
  for (size_t k = 0; k < n; ++k) order[next[row[k]]++] = static_cast<int32_t>(k);

  Csr m;
  m.rows = rows;
  m.cols = cols;
  m.indptr.assign(static_cast<size_t>(rows) + 1, 0);
  m.indices.reserve(n);
  m.values.reserve(n);
  std::vector<int32_t> tmp;
  for (int32_t r = 0; r < rows; ++r) {
    tmp.assign(order.begin() + count[r], order.begin() + count[r + 1]);
    std::stable_sort(tmp.begin(), tmp.end(), [&](int32_t a, int32_t b) { return col[a] < col[b]; });
    for (size_t t = 0; t < tmp.size(); ++t) {
      const int32_t k = tmp[t];
      const float v = value.empty() ? 1.0f : value[k];
      if (t > 0 && col[tmp[t - 1]] == col[k]) {
        if (duplicates == Duplicates::kSum)
          m.values.back() += v;
        else
          m.values.back() = v;  // stable sort: later input rows come later
        continue;
      }
      m.indices.push_back(col[k]);
      m.values.push_back(v);
    }
    m.indptr[r + 1] = static_cast<int64_t>(m.indices.size());
  }
  return m;
}

Csr user_item_matrix(const data::InteractionLog& log, Duplicates duplicates) {
  return build_csr(log.num_users(), log.num_items(), log.user, log.item, log.rating, duplicates);
}

Csr transpose(const Csr& m) {
  Csr t;
  t.rows = m.cols;
  t.cols = m.rows;
  t.indptr.assign(static_cast<size_t>(m.cols) + 1, 0);
  for (int32_t c : m.indices) ++t.indptr[c + 1];
  std::partial_sum(t.indptr.begin(), t.indptr.end(), t.indptr.begin());
  t.indices.resize(m.indices.size());
  t.values.resize(m.values.size());
  std::vector<int64_t> next(t.indptr.begin(), t.indptr.end() - 1);
  // Rows visited in ascending order, so each transposed row comes out sorted.
  for (int32_t r = 0; r < m.rows; ++r) {
    for (int64_t k = m.indptr[r]; k < m.indptr[r + 1]; ++k) {
      const int64_t dst = next[m.indices[k]]++;
      t.indices[dst] = r;
      t.values[dst] = m.values[k];
    }
  }
  return t;
}

std::vector<int32_t> balanced_row_ranges(const Csr& m, int parts, int64_t row_cost) {
  if (parts < 1) parts = 1;
  const int64_t total = m.nnz() + row_cost * m.rows;
  std::vector<int32_t> bounds(static_cast<size_t>(parts) + 1, m.rows);
  bounds[0] = 0;
  int32_t r = 0;
  int64_t acc = 0;
  for (int p = 1; p < parts; ++p) {
    const int64_t target = total * p / parts;
    while (r < m.rows && acc + (m.indptr[r + 1] - m.indptr[r]) + row_cost <= target) {
      acc += (m.indptr[r + 1] - m.indptr[r]) + row_cost;
      ++r;
    }
    bounds[p] = r;
  }
  return bounds;
}

}  // namespace rlrec::models
