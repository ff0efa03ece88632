#include "rlrec/models/ranking.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "rlrec/core/error.h"
#include "rlrec/core/rng.h"

namespace rlrec::models {

BlockScorer mf_scorer(const MfModel& model) {
  return [&model](std::span<const int32_t> users, MatrixView<float> out) {
    model.score_block(users, out);
  };
}

BlockScorer constant_scorer(std::vector<float> scores) {
  return [s = std::move(scores)](std::span<const int32_t> users, MatrixView<float> out) {
    if (out.cols != s.size())
      invalid_argument("constant_scorer: ", s.size(), " scores for ", out.cols, " items");
    for (size_t r = 0; r < users.size(); ++r) std::copy(s.begin(), s.end(), out.row(r));
  };
}

BlockScorer random_scorer(uint64_t seed) {
  return [seed](std::span<const int32_t> users, MatrixView<float> out) {
    for (size_t r = 0; r < users.size(); ++r) {
      Rng rng(combine_keys(seed, hash_name("random_scorer")), static_cast<uint64_t>(users[r]));
      float* row = out.row(r);
      for (size_t i = 0; i < out.cols; ++i) row[i] = static_cast<float>(rng.uniform());
    }
  };
}

std::vector<float> item_popularity(const Csr& user_items) {
  std::vector<float> pop(static_cast<size_t>(user_items.cols), 0.0f);
  for (int32_t i : user_items.indices) pop[i] += 1.0f;
  return pop;
}

namespace {

struct Scored {
  float score;
  int32_t item;
};
// a ranks before b.
inline bool before(const Scored& a, const Scored& b) {
  return a.score > b.score || (a.score == b.score && a.item < b.item);
}

}  // namespace

Matrix<int32_t> top_k(std::span<const int32_t> users, int32_t num_items, int k,
                      const BlockScorer& scorer, const Csr* exclude, ThreadPool& pool) {
  if (k < 1) invalid_argument("top_k: k must be >= 1, got ", k);
  if (num_items < 0) invalid_argument("top_k: num_items must be >= 0, got ", num_items);
  if (exclude && exclude->cols != num_items)
    invalid_argument("top_k: exclusion matrix has ", exclude->cols, " items, expected ", num_items);
  for (int32_t u : users)
    if (u < 0 || (exclude && u >= exclude->rows))
      invalid_argument("top_k: user id ", u, " out of range");
  Matrix<int32_t> out(users.size(), static_cast<size_t>(k), -1);
  constexpr size_t kBlock = 256;
  const size_t blocks = (users.size() + kBlock - 1) / kBlock;
  pool.parallel_for(blocks, [&](size_t lo, size_t hi) {
    std::vector<float> buf;
    std::vector<Scored> heap;
    heap.reserve(static_cast<size_t>(k) + 1);
    for (size_t blk = lo; blk < hi; ++blk) {
      const size_t b = blk * kBlock, e = std::min(users.size(), b + kBlock);
      buf.resize((e - b) * static_cast<size_t>(num_items));
      MatrixView<float> scores(buf.data(), e - b, static_cast<size_t>(num_items));
      scorer(users.subspan(b, e - b), scores);
      for (size_t r = b; r < e; ++r) {
        const float* s = scores.row(r - b);
        std::span<const int32_t> ex;
        if (exclude) ex = exclude->row_indices(users[r]);
        size_t next_ex = 0;
        heap.clear();
        // heap holds the best k so far with the worst on top (std heap with `before` as less-than
        // puts the element that ranks last at the front).
        for (int32_t i = 0; i < num_items; ++i) {
          if (next_ex < ex.size() && ex[next_ex] == i) {
            ++next_ex;
            continue;
          }
          Scored c{std::isnan(s[i]) ? -std::numeric_limits<float>::infinity() : s[i], i};
          if (heap.size() < static_cast<size_t>(k)) {
            heap.push_back(c);
            std::push_heap(heap.begin(), heap.end(), before);
          } else if (before(c, heap.front())) {
            std::pop_heap(heap.begin(), heap.end(), before);
            heap.back() = c;
            std::push_heap(heap.begin(), heap.end(), before);
          }
        }
        std::sort_heap(heap.begin(), heap.end(), before);
        for (size_t t = 0; t < heap.size(); ++t) out(r, t) = heap[t].item;
      }
    }
  });
  return out;
}

}  // namespace rlrec::models
