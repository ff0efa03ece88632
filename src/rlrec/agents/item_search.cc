#include "rlrec/agents/item_search.h"

#include <cmath>
#include <filesystem>

#include "rlrec/core/check.h"
#include "rlrec/core/error.h"

namespace rlrec::agents {

ItemBox bounding_box(MatrixView<const float> feats) {
  const size_t D = feats.cols;
  ItemBox box{std::vector<float>(D, INFINITY), std::vector<float>(D, -INFINITY)};
  for (size_t i = 0; i < feats.rows; ++i)
    for (size_t d = 0; d < D; ++d) {
      box.lo[d] = std::min(box.lo[d], feats.row(i)[d]);
      box.hi[d] = std::max(box.hi[d], feats.row(i)[d]);
    }
  for (size_t d = 0; d < D; ++d)
    if (!(box.hi[d] > box.lo[d])) box.hi[d] = box.lo[d] + 1e-3f;
  return box;
}

ItemBox uniform_box(int D, float lo, float hi) {
  if (!(std::isfinite(lo) && std::isfinite(hi) && hi > lo && hi - lo < 1e6f)) lo = -1.f, hi = 1.f;
  return {std::vector<float>(D, lo), std::vector<float>(D, hi)};
}

void top_k_of(const float* q, int64_t n, int K, std::vector<int64_t>& order) {
  order.resize(n);
  std::iota(order.begin(), order.end(), int64_t{0});
  std::partial_sort(order.begin(), order.begin() + K, order.end(),
                    [&](int64_t a, int64_t b) { return q[a] > q[b] || (q[a] == q[b] && a < b); });
}

void CatalogueIndexOptions::visit(FieldVisitor& v) {
  v.field("index", kind, "catalogue search: exact | hnsw | auto (exact below 5000 items)");
  v.field("hnsw_m", hnsw_m, "HNSW links per node (M)");
  v.field("hnsw_ef_construction", hnsw_ef_construction, "HNSW candidate list while building");
  v.field("hnsw_ef_search", hnsw_ef_search,
          "HNSW candidate list while searching (effective max(ef, k))");
  v.field("index_threads", build_threads,
          "threads building the index (0 = all cores; 1 = reproducible graph)");
  v.field("index_path", path,
          "catalogue index file: loaded if it exists (must match the catalogue), else built and "
          "saved there");
}

void CatalogueIndexOptions::validate(const std::string& s) const {
  check_one_of(s + ".index", kind, {"exact", "hnsw", "auto"});
  check_range(s + ".hnsw_m", hnsw_m, 2, 1024);
  check_range(s + ".hnsw_ef_construction", hnsw_ef_construction, 1, 1 << 20);
  check_range(s + ".hnsw_ef_search", hnsw_ef_search, 1, 1 << 24);
  check_range(s + ".index_threads", build_threads, 0, 1024);
}

CatalogueSearch::CatalogueSearch(const sim::Catalogue& cat, const CatalogueIndexOptions& o,
                                 const std::string& s, const std::string& env_name)
    : dim_(cat.features.cols()), catalogue_fingerprint_(cat.fingerprint) {
  const int64_t M = cat.size();
  MatrixView<const float> feats{cat.features.data(), static_cast<size_t>(M), dim_};
  std::vector<int64_t> ids(M);
  std::iota(ids.begin(), ids.end(), int64_t{0});
  const uint64_t fp = index::catalogue_fingerprint(feats, ids);
  index::IndexConfig icfg;
  icfg.metric = "l2";
  icfg.M = o.hnsw_m;
  icfg.ef_construction = o.hnsw_ef_construction;
  icfg.ef_search = o.hnsw_ef_search;
  icfg.threads = o.build_threads;
  if (!o.path.empty() && std::filesystem::exists(o.path)) {
    const auto h = index::read_index_header(o.path);
    if (h.dim != dim_)
      invalid_argument(s, ".index_path '", o.path, "' holds ", h.dim,
                       "-dimensional vectors, but env '", env_name, "' items have ", dim_,
                       " features");
    if (h.metric != index::Metric::kL2)
      invalid_argument(s, ".index_path '", o.path, "' uses metric '", index::metric_name(h.metric),
                       "'; wolpertinger needs 'l2'");
    index_ = index::load_index(o.path, fp);
  } else {
    index_ = index::build_index(o.kind, feats, ids, icfg);
    if (!o.path.empty()) index_->save(o.path);
  }
  index_->set_threads(1);
}

void CatalogueSearch::search(const float* queries, int64_t R, int64_t kk, int64_t* ids,
                             ThreadPool* pool) {
  scores_.resize(static_cast<size_t>(R) * kk);
  auto run = [&](size_t begin, size_t end) {
    if (begin == end) return;
    const size_t n = end - begin;
    index_->search({queries + begin * dim_, n, dim_}, kk,
                   {ids + begin * kk, n, static_cast<size_t>(kk)},
                   {scores_.data() + begin * kk, n, static_cast<size_t>(kk)});
  };
  if (pool && pool->size() > 1 && R > 1)
    pool->parallel_for(static_cast<size_t>(R), run);
  else
    run(0, static_cast<size_t>(R));
}

}  // namespace rlrec::agents
