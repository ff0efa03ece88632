// ExactIndex: brute-force k-nearest-neighbour search with BLAS (the ground truth for recall).
//
// Scores of a block of queries against a tile of items come from one sgemm (one query: sgemv), and
// a TopK reservoir per query keeps the k best (topk.h). Inner product: score = <q, x>. L2: score =
// 2<q, x> - ||x||^2 - ||q||^2 = -||q - x||^2, clamped to <= 0 (the expansion can round to small
// positive values). Equal scores are ordered by insertion order.
//
// Results do not depend on config.threads: the BLAS calls (query blocks x item tiles) are the same
// whatever the thread count, threads share them out (whole blocks, or a block's tiles when there
// are fewer blocks than threads) and BLAS runs single-threaded inside each call (the caller's
// OpenMP setting is restored afterwards). A batch and the same queries searched one at a time
// (sgemv) return the same items (up to near-ties); scores may differ in the last bits, as BLAS sums
// in another order. This relies on the OpenMP build of OpenBLAS, which sizes its thread team from
// the calling thread's omp_get_max_threads().
#pragma once

#include <memory>
#include <span>
#include <vector>

#include "rlrec/index/index.h"

namespace rlrec::index {

class TopK;  // topk.h

class ExactIndex final : public Index {
 public:
  // expected_items only reserves memory.
  ExactIndex(size_t dim, const IndexConfig& config, size_t expected_items = 0);
  ~ExactIndex() override;

  // The stored vectors (size() x dim, insertion order) and their ids.
  MatrixView<const float> vectors() const { return {data_.data(), ids_.size(), dim()}; }
  std::span<const int64_t> ids() const { return ids_; }

 protected:
  void add_impl(MatrixView<const float> vectors, std::span<const int64_t> ids) override;
  void search_impl(MatrixView<const float> queries, size_t k, MatrixView<int64_t> out_ids,
                   MatrixView<float> out_scores) const override;
  void save_body(BinaryWriter& out) const override;
  void load_body(BinaryReader& in, size_t count) override;

 private:
  // Offers items [begin, end) (tile-aligned) scored against queries [first, first + n) to
  // topk[0..n).
  void score_tiles(MatrixView<const float> queries, size_t first, size_t n, size_t begin,
                   size_t end, TopK* topk) const;
  void write_result(TopK& topk, size_t k, int64_t* out_ids, float* out_scores) const;
  void search_one(const float* query, size_t k, int64_t* out_ids, float* out_scores) const;
  // Offers items [begin, end) scored against one query to `topk` (sgemv per tile).
  void scan_one(const float* query, float query_sq_norm, size_t begin, size_t end,
                TopK& topk) const;

  std::vector<float> data_;      // size() x dim, row-major
  std::vector<int64_t> ids_;     // size()
  std::vector<float> sq_norms_;  // ||x||^2 per item (L2 only)
};

}  // namespace rlrec::index
