// Item search for agents that turn a point of the item embedding space into items (Wolpertinger's
// kNN step; part of the agent kit). Torch-free.
//   ItemBox           the per-dimension bounding box of the item embeddings (the range an actor's
//                     output is squashed into): of a catalogue, or [lo, hi]^D from the env spec.
//   nearest_by_scan   exact L2 scan of n items: the kk nearest positions (distances accumulated in
//                     double; ties: lower position first).
//   top_k_of          the K largest of n scores, best first (ties: lower index first).
//   CatalogueSearch   an L2 index (exact or HNSW, rlrec::index) over a fixed catalogue, built once
//   or
//                     loaded from a file (rejected if it holds other vectors, another metric or was
//                     built for another catalogue), searched for many queries, in parallel on a
//                     pool (results do not depend on the pool: one search per query).
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <numeric>
#include <string>
#include <vector>

#include "rlrec/core/config.h"
#include "rlrec/core/matrix_view.h"
#include "rlrec/core/thread_pool.h"
#include "rlrec/index/index.h"
#include "rlrec/sim/environment.h"

namespace rlrec::agents {

struct ItemBox {
  std::vector<float> lo, hi;  // D each, hi > lo
};
// The bounding box of the rows of `features`; a dimension of zero width gets width 1e-3.
ItemBox bounding_box(MatrixView<const float> features);
// [lo, hi]^D; [-1, 1]^D when lo, hi are not finite, hi <= lo or hi - lo >= 1e6.
ItemBox uniform_box(int D, float lo, float hi);

// Exact L2 scan of n items, item p's D features at feature(p): writes the kk (<= n) nearest
// positions to out, nearest first (ties: lower position). dist and order are scratch.
template <class Feature>
void nearest_by_scan(const float* query, int n, int D, Feature feature, int64_t* out, int64_t kk,
                     std::vector<double>& dist, std::vector<int>& order) {
  dist.resize(n);
  for (int p = 0; p < n; ++p) {
    const float* f = feature(p);
    double d2 = 0;
    for (int d = 0; d < D; ++d) d2 += (static_cast<double>(f[d]) - query[d]) * (f[d] - query[d]);
    dist[p] = d2;
  }
  order.resize(n);
  std::iota(order.begin(), order.end(), 0);
  std::partial_sort(order.begin(), order.begin() + kk, order.end(), [&](int a, int b) {
    return dist[a] < dist[b] || (dist[a] == dist[b] && a < b);
  });
  for (int64_t j = 0; j < kk; ++j) out[j] = order[j];
}

// order[0..K) = the positions of the K largest of q[0..n), best first (ties: lower index first).
void top_k_of(const float* q, int64_t n, int K, std::vector<int64_t>& order);

// The config keys of a catalogue index (in an agent's section): index, hnsw_m,
// hnsw_ef_construction, hnsw_ef_search, index_threads, index_path.
struct CatalogueIndexOptions {
  std::string kind = "auto";  // exact | hnsw | auto (index::build_index)
  int hnsw_m = 16, hnsw_ef_construction = 200, hnsw_ef_search = 128;
  int build_threads = 1;  // 0 = all cores
  std::string path;       // "": build in memory; else loaded if it exists, else built and saved
  void visit(FieldVisitor& v);
  void validate(const std::string& section) const;
};

class CatalogueSearch {
 public:
  // Errors name `section`.index_path and the environment `env_name` (kInvalidArgument).
  CatalogueSearch(const sim::Catalogue& catalogue, const CatalogueIndexOptions& options,
                  const std::string& section, const std::string& env_name);

  // For each of the R queries (R x dim, row-major): its kk nearest catalogue ids, nearest first,
  // to ids (R x kk). With a pool of > 1 threads and R > 1 the queries are split over the pool.
  void search(const float* queries, int64_t R, int64_t kk, int64_t* ids,
              ThreadPool* pool = nullptr);

  index::Index& index() { return *index_; }
  uint64_t catalogue_fingerprint() const { return catalogue_fingerprint_; }

 private:
  size_t dim_;
  uint64_t catalogue_fingerprint_;
  std::unique_ptr<index::Index> index_;
  std::vector<float> scores_;
};

}  // namespace rlrec::agents
