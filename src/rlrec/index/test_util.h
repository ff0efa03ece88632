// Helpers shared by the index tests (not part of the library).
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <numeric>
#include <string>
#include <vector>

#include "rlrec/core/error.h"
#include "rlrec/core/matrix_view.h"
#include "rlrec/core/rng.h"
#include "rlrec/index/index.h"

namespace rlrec::index::testing {

// Runs f, expects an rlrec::Error with `code` whose one-line message contains `needle`.
inline void expect_error(const std::function<void()>& f, ErrorCode code,
                         const std::string& needle) {
  try {
    f();
    ADD_FAILURE() << "expected an error containing '" << needle << "'";
  } catch (const Error& e) {
    const std::string msg = e.what();
    EXPECT_EQ(e.code(), code) << msg;
    EXPECT_NE(msg.find(needle), std::string::npos) << "message: " << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos) << "message is not one line: " << msg;
  }
}

inline Matrix<float> gaussian(size_t n, size_t d, uint64_t seed) {
  Matrix<float> m(n, d);
  Rng rng(seed, 7);
  for (size_t i = 0; i < n; ++i)
    for (size_t j = 0; j < d; ++j) m(i, j) = static_cast<float>(rng.normal());
  return m;
}

// Ids that are not 0..n-1 and not sorted, so tests notice ids mixed up with positions.
inline std::vector<int64_t> scrambled_ids(size_t n) {
  std::vector<int64_t> ids(n);
  for (size_t i = 0; i < n; ++i) ids[i] = static_cast<int64_t>((i * 7919 + 13) % 1000003) + 5;
  return ids;
}

// Brute force in double precision: for each query, (score, position) sorted by score descending,
// then position ascending (the ExactIndex order).
struct Ranked {
  double score;
  size_t pos;
};
inline std::vector<std::vector<Ranked>> brute_force(MatrixView<const float> items,
                                                    MatrixView<const float> queries,
                                                    Metric metric) {
  std::vector<std::vector<Ranked>> out(queries.rows);
  for (size_t q = 0; q < queries.rows; ++q) {
    for (size_t i = 0; i < items.rows; ++i) {
      double s = 0;
      for (size_t j = 0; j < items.cols; ++j) {
        if (metric == Metric::kInnerProduct) {
          s += static_cast<double>(queries(q, j)) * items(i, j);
        } else {
          const double diff = static_cast<double>(queries(q, j)) - items(i, j);
          s -= diff * diff;
        }
      }
      out[q].push_back({s, i});
    }
    std::stable_sort(out[q].begin(), out[q].end(),
                     [](const Ranked& a, const Ranked& b) { return a.score > b.score; });
  }
  return out;
}

}  // namespace rlrec::index::testing
