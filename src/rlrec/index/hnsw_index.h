// HnswIndex: approximate k-NN search on a Hierarchical Navigable Small World graph.
//
// Paper: Yu. A. Malkov, D. A. Yashunin, "Efficient and robust approximate nearest neighbor search
// using Hierarchical Navigable Small World graphs", IEEE TPAMI 42(4), 2020 (arXiv:1603.09320).
// Implementation: hnswlib 0.6.2 (Debian libhnswlib-dev, header-only, by the paper's authors).
//
// What the paper specifies and this index uses unchanged: a node's top layer l = floor(-ln(U) * mL)
// with U ~ Uniform(0, 1) and mL = 1 / ln(M) (Alg. 1); greedy descent (ef = 1) through the layers
// above 0, then a beam search with a candidate list of size ef = max(ef_search, k) on layer 0
// (Alg. 2, Alg. 5); neighbour selection by the heuristic of Alg. 4 (a candidate is linked only if
// it is closer to the new node than to every neighbour already chosen; hnswlib runs it without the
// optional extendCandidates and keepPrunedConnections); M links per node on upper layers and
// Mmax0 = 2M on layer 0 (sec. 4.1).
//
// Deviations, each with its reason:
//   * Distance. hnswlib's inner-product space ranks by 1 - <q, x> and is vectorised only for the
//     instruction set chosen at compile time. We plug in our own space whose distance is -<q, x>
//     (same order; score = -distance = <q, x> exactly) or ||q - x||^2 (score = -distance), with
//     AVX2+FMA kernels chosen at run time (kernels.h), so portable builds run at native speed.
//   * Search. hnswlib builds the graph; searches run our own implementation of the same
//     algorithm (greedy descent, then Alg. 2 on layer 0 with hnswlib's visiting order and stopping
//     rule, so the same results) tuned for memory-bound catalogues: the unvisited neighbours of an
//     expanded node are collected and all their vectors prefetched before any distance is
//     computed, the next candidate's links are prefetched while the current one is scored, and
//     visited marks are a bitset that stays in L2. Measured at equal recall: 1.7-2x the queries/s
//     of hnswlib's searchKnn on a 1M x 20 catalogue (docs/wolpertinger.md), 1.45x on 1M x 64
//     clustered vectors at ef 40 (README).
//   * Large k. When count <= 2 * max(ef_search, 4k) the graph search would visit most items anyway,
//     so the query is answered by an exact scan of the stored vectors instead (same scores, ties by
//     insertion order). If the graph search returns fewer than k items (a disconnected graph), that
//     query is also answered by a scan: the result always has exactly k items.
//   * Inner product is not a metric; HNSW on it has no guarantee of the paper's navigability. On
//     unit-norm (cosine) data it equals L2 ranking; on unnormalised data recall is lower at the
//     same ef (measured in the report of the index bench).
//   * Files. The graph is written with our own header (index.h) and read back without hnswlib's
//     loadIndex (which needs a file of its own, rejects trailing bytes and leaves its
//     num_deleted_ counter uninitialised); every link is range-checked on load.
//
// Reproducibility: with threads = 1 the graph depends only on the seed and the insertion order.
// With threads > 1, rows are inserted concurrently (hnswlib's addPoint is thread-safe) and the
// graph depends on thread timing; search results then vary slightly between builds, recall does
// not change in distribution. Searches themselves are deterministic for a given graph.
#pragma once

#include <memory>

#include "rlrec/index/index.h"

namespace rlrec::index {

class HnswIndex final : public Index {
 public:
  // expected_items sizes the graph (it grows by doubling when exceeded).
  HnswIndex(size_t dim, const IndexConfig& config, size_t expected_items = 0);
  ~HnswIndex() override;

  // Sets ef_search for later searches (>= 1). Not safe while another thread searches.
  void set_ef_search(int ef);
  // Bytes held by the graph and the stored vectors.
  size_t memory_bytes() const;

 protected:
  void add_impl(MatrixView<const float> vectors, std::span<const int64_t> ids) override;
  void search_impl(MatrixView<const float> queries, size_t k, MatrixView<int64_t> out_ids,
                   MatrixView<float> out_scores) const override;
  void save_body(BinaryWriter& out) const override;
  void load_body(BinaryReader& in, size_t count) override;

 private:
  struct Impl;
  void scan_query(const float* query, size_t k, int64_t* out_ids, float* out_scores) const;

  std::unique_ptr<Impl> impl_;
};

}  // namespace rlrec::index
