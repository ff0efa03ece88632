// Exact k-NN search: BLAS scores over (query block x item tile) plus a top-k reservoir per query.
// Same scheme as faiss's IndexFlat search (exhaustive_inner_product_blas): one sgemm per tile, then
// selection; the L2 form uses ||q - x||^2 = ||q||^2 - 2<q, x> + ||x||^2.
#include "rlrec/index/exact_index.h"

#include <cblas.h>
#include <omp.h>

#include <algorithm>
#include <cmath>

#include "rlrec/index/io.h"
#include "rlrec/index/topk.h"

namespace rlrec::index {

namespace {

// Tuned with benchmarks/index_bench.cc on the project's 2-core machines (see BM_ExactBatch):
// 256 queries x 1024 items keeps the score tile (1 MiB) in L2 and amortises packing each item tile
// over many queries.
constexpr size_t kQueryBlock = 256;
constexpr size_t kItemTile = 1024;
// One query: sgemv over tiles of this many items, then selection while the scores are in cache.
constexpr size_t kGemvTile = 4096;
// Reservoir entries one block may hold (8 bytes each); bounds memory when k is large.
constexpr size_t kReservoirBudget = size_t{1} << 22;
// A single query is split across threads only when each thread gets at least this many items.
constexpr size_t kMinItemsPerThread = 32768;

// Makes OpenBLAS (OpenMP build) use n threads for calls from this thread; restores on exit.
class ScopedBlasThreads {
 public:
  explicit ScopedBlasThreads(int n) : prev_(omp_get_max_threads()), n_(n) {
    if (prev_ != n_) omp_set_num_threads(n_);
  }
  ~ScopedBlasThreads() {
    if (prev_ != n_) omp_set_num_threads(prev_);
  }
  ScopedBlasThreads(const ScopedBlasThreads&) = delete;
  ScopedBlasThreads& operator=(const ScopedBlasThreads&) = delete;

 private:
  int prev_, n_;
};

// Per-thread buffers, reused across calls (search is const and may run on many threads).
struct Scratch {
  std::vector<float> scores;
  std::vector<float> query_sq_norms;
  std::vector<TopK> topk;
};
Scratch& scratch() {
  static thread_local Scratch s;
  return s;
}

float sq_norm(const float* x, size_t d) {
  float s = 0;
  for (size_t j = 0; j < d; ++j) s += x[j] * x[j];
  return s;
}

// L2 scores from inner products, in place: -(||q||^2 - 2<q,x> + ||x||^2), clamped to <= 0.
void l2_from_dot(float* s, size_t n, const float* x_sq_norms, float q_sq_norm) {
  for (size_t j = 0; j < n; ++j) s[j] = std::min(0.0f, 2.0f * s[j] - x_sq_norms[j] - q_sq_norm);
}

}  // namespace

ExactIndex::ExactIndex(size_t dim, const IndexConfig& config, size_t expected_items)
    : Index("exact", dim, config) {
  data_.reserve(expected_items * dim);
  ids_.reserve(expected_items);
}

ExactIndex::~ExactIndex() = default;

void ExactIndex::add_impl(MatrixView<const float> vectors, std::span<const int64_t> ids) {
  data_.insert(data_.end(), vectors.data, vectors.data + vectors.rows * vectors.cols);
  ids_.insert(ids_.end(), ids.begin(), ids.end());
  if (metric() == Metric::kL2)
    for (size_t i = 0; i < vectors.rows; ++i) sq_norms_.push_back(sq_norm(vectors.row(i), dim()));
}

void ExactIndex::search_impl(MatrixView<const float> queries, size_t k, MatrixView<int64_t> out_ids,
                             MatrixView<float> out_scores) const {
  const size_t n = queries.rows;
  if (n == 1) {
    search_one(queries.row(0), k, out_ids.row(0), out_scores.row(0));
    return;
  }
  // Query blocks of a fixed size (fewer rows when k is large, to bound reservoir memory). OpenBLAS
  // rounds an entry of a product differently depending on the shape of the call, so the blocks
  // (and the item tiles) must not depend on the thread count: threads either take whole blocks, or,
  // when there are fewer blocks than threads, split each block's item tiles and merge.
  const size_t block = std::clamp<size_t>(kReservoirBudget / (2 * k + 64), 1, kQueryBlock);
  const size_t blocks = (n + block - 1) / block;
  const size_t threads = pool() ? static_cast<size_t>(pool()->size()) : 1;
  const size_t tiles = (ids_.size() + kItemTile - 1) / kItemTile;
  if (threads > 1 && blocks < threads && tiles > 1) {
    for (size_t b = 0; b < blocks; ++b) {
      const size_t first = b * block, rows = std::min(block, n - first);
      const size_t parts = std::min(threads, tiles);
      std::vector<std::vector<TopK>> topk(parts, std::vector<TopK>(rows));
      pool()->parallel_for(parts, [&](size_t p0, size_t p1) {
        ScopedBlasThreads one(1);
        for (size_t p = p0; p < p1; ++p) {
          const auto [t0, t1] = ThreadPool::chunk(tiles, parts, p);
          for (auto& t : topk[p]) t.reset(k);
          score_tiles(queries, first, rows, t0 * kItemTile, std::min(t1 * kItemTile, ids_.size()),
                      topk[p].data());
        }
      });
      TopK merged;
      for (size_t i = 0; i < rows; ++i) {
        merged.reset(k);
        for (auto& part : topk)
          for (const auto& c : part[i].finish()) merged.push(c.score, c.pos);
        write_result(merged, k, out_ids.row(first + i), out_scores.row(first + i));
      }
    }
    return;
  }
  auto run = [&](size_t b0, size_t b1) {
    ScopedBlasThreads one(1);
    Scratch& s = scratch();
    for (size_t b = b0; b < b1; ++b) {
      const size_t first = b * block, rows = std::min(block, n - first);
      if (s.topk.size() < rows) s.topk.resize(rows);
      for (size_t i = 0; i < rows; ++i) s.topk[i].reset(k);
      score_tiles(queries, first, rows, 0, ids_.size(), s.topk.data());
      for (size_t i = 0; i < rows; ++i)
        write_result(s.topk[i], k, out_ids.row(first + i), out_scores.row(first + i));
    }
  };
  if (threads > 1 && blocks > 1)
    pool()->parallel_for(blocks, run);
  else
    run(0, blocks);
}

void ExactIndex::score_tiles(MatrixView<const float> queries, size_t first, size_t n, size_t begin,
                             size_t end, TopK* topk) const {
  const size_t d = dim();
  const bool l2 = metric() == Metric::kL2;
  Scratch& s = scratch();
  s.scores.resize(std::max(s.scores.size(), n * kItemTile));
  s.query_sq_norms.resize(n);
  if (l2)
    for (size_t i = 0; i < n; ++i) s.query_sq_norms[i] = sq_norm(queries.row(first + i), d);
  for (size_t t0 = begin; t0 < end; t0 += kItemTile) {
    const size_t tb = std::min(kItemTile, end - t0);
    // scores (n x tb) = Q_block (n x d) * X_tile^T (d x tb)
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, static_cast<int>(n), static_cast<int>(tb),
                static_cast<int>(d), 1.0f, queries.row(first), static_cast<int>(d),
                data_.data() + t0 * d, static_cast<int>(d), 0.0f, s.scores.data(),
                static_cast<int>(tb));
    for (size_t i = 0; i < n; ++i) {
      float* row = s.scores.data() + i * tb;
      if (l2) l2_from_dot(row, tb, sq_norms_.data() + t0, s.query_sq_norms[i]);
      topk[i].push_range(row, tb, static_cast<uint32_t>(t0));
    }
  }
}

void ExactIndex::write_result(TopK& topk, size_t k, int64_t* out_ids, float* out_scores) const {
  const auto& best = topk.finish();
  for (size_t j = 0; j < k; ++j) {
    out_ids[j] = ids_[best[j].pos];
    out_scores[j] = best[j].score;
  }
}

void ExactIndex::scan_one(const float* query, float query_sq_norm, size_t begin, size_t end,
                          TopK& topk) const {
  const size_t d = dim();
  const bool l2 = metric() == Metric::kL2;
  std::vector<float>& buf = scratch().scores;
  buf.resize(std::max(buf.size(), kGemvTile));
  for (size_t t0 = begin; t0 < end; t0 += kGemvTile) {
    const size_t tb = std::min(kGemvTile, end - t0);
    cblas_sgemv(CblasRowMajor, CblasNoTrans, static_cast<int>(tb), static_cast<int>(d), 1.0f,
                data_.data() + t0 * d, static_cast<int>(d), query, 1, 0.0f, buf.data(), 1);
    if (l2) l2_from_dot(buf.data(), tb, sq_norms_.data() + t0, query_sq_norm);
    topk.push_range(buf.data(), tb, static_cast<uint32_t>(t0));
  }
}

void ExactIndex::search_one(const float* query, size_t k, int64_t* out_ids,
                            float* out_scores) const {
  const size_t count = ids_.size();
  const float qn = metric() == Metric::kL2 ? sq_norm(query, dim()) : 0.0f;
  const size_t threads = pool() ? static_cast<size_t>(pool()->size()) : 1;
  TopK merged;
  merged.reset(k);
  if (threads > 1 && count >= threads * kMinItemsPerThread) {
    // Each thread selects over whole gemv tiles (the same calls as one thread makes); the union of
    // the slices' top-k holds the global top-k, and TopK's total order makes the merge independent
    // of the split.
    const size_t tiles = (count + kGemvTile - 1) / kGemvTile;
    std::vector<std::vector<ScoredPos>> parts(threads);
    pool()->parallel_for(threads, [&](size_t c0, size_t c1) {
      ScopedBlasThreads one(1);
      TopK local;
      for (size_t c = c0; c < c1; ++c) {
        const auto [t0, t1] = ThreadPool::chunk(tiles, threads, c);
        const size_t b = t0 * kGemvTile, e = std::min(t1 * kGemvTile, count);
        if (b >= e) continue;
        local.reset(std::min(k, e - b));
        scan_one(query, qn, b, e, local);
        parts[c] = local.finish();
      }
    });
    for (const auto& p : parts)
      for (const auto& c : p) merged.push(c.score, c.pos);
  } else {
    ScopedBlasThreads one(1);
    scan_one(query, qn, 0, count, merged);
  }
  write_result(merged, k, out_ids, out_scores);
}

void ExactIndex::save_body(BinaryWriter& out) const {
  out.bytes(ids_.data(), ids_.size() * sizeof(int64_t));
  out.bytes(data_.data(), data_.size() * sizeof(float));
}

void ExactIndex::load_body(BinaryReader& in, size_t count) {
  const uint64_t need = count * (sizeof(int64_t) + dim() * sizeof(float));
  in.require(need, "ids and vectors");
  ids_.resize(count);
  data_.resize(count * dim());
  in.bytes(ids_.data(), count * sizeof(int64_t), "ids");
  in.bytes(data_.data(), data_.size() * sizeof(float), "vectors");
  for (size_t i = 0; i < data_.size(); ++i)
    if (!std::isfinite(data_[i])) in.corrupt("vector ", i / dim(), " has a non-finite value");
  set_loaded_ids(ids_, in.source());
  sq_norms_.clear();
  if (metric() == Metric::kL2)
    for (size_t i = 0; i < count; ++i)
      sq_norms_.push_back(sq_norm(data_.data() + i * dim(), dim()));
}

}  // namespace rlrec::index
