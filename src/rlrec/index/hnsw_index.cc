// HNSW index on hnswlib 0.6.2 (paper, equations and deviations: hnsw_index.h).
//
// hnswlib.h defines non-inline functions, so it must be included by this one translation unit only.
#include "rlrec/index/hnsw_index.h"

// hnswlib 0.6.2's prefetch hints read one link past the end of a full neighbour list while
// building. On layer 0 that lands inside the same element; on upper layers it reads 4 bytes past
// a malloc(n * (4M + 4) + 1) block, which glibc always pads by >= 3 bytes (harmless), but
// AddressSanitizer rightly reports it. Sanitizer builds therefore compile hnswlib without its
// manual SSE code (prefetches only: our distance functions are our own).
#if defined(__SANITIZE_ADDRESS__)
#define NO_MANUAL_VECTORIZATION
#endif
#include <hnswlib/hnswlib.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <limits>

#if defined(__linux__)
#include <sys/mman.h>
#endif

#include "rlrec/core/progress.h"
#include "rlrec/index/io.h"
#include "rlrec/index/kernels.h"
#include "rlrec/index/topk.h"

namespace rlrec::index {

namespace {

using Graph = hnswlib::HierarchicalNSW<float>;

// Our distance for hnswlib: -<a, b> (inner product) or ||a - b||^2 (L2); lower = closer.
class Space final : public hnswlib::SpaceInterface<float> {
 public:
  Space(size_t dim, Metric metric)
      : dim_(dim),
        fn_(metric == Metric::kInnerProduct ? kernels::neg_dot_dist_fn()
                                            : kernels::l2_squared_dist_fn()) {}
  size_t get_data_size() override { return dim_ * sizeof(float); }
  hnswlib::DISTFUNC<float> get_dist_func() override { return fn_; }
  void* get_dist_func_param() override { return &dim_; }

 private:
  size_t dim_;
  hnswlib::DISTFUNC<float> fn_;
};

// Asks the kernel to back the graph's layer-0 block with transparent huge pages. A search touches
// a few hundred scattered elements of a block of ~400 bytes per item (400 MB at 1M items); with
// 4 KiB pages nearly every touch also misses the TLB. Takes effect for pages not yet touched (call
// right after allocation); a hint only, errors are ignored. Measured on a saved 300k x 64 graph,
// loaded with and without the hint: 1.3-2x more queries/s at ef_search 32.
void advise_huge_pages(const void* data, size_t bytes) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  constexpr uintptr_t kHuge = uintptr_t{2} << 20;
  const auto begin = reinterpret_cast<uintptr_t>(data);
  const uintptr_t first = (begin + kHuge - 1) & ~(kHuge - 1);
  const uintptr_t last = (begin + bytes) & ~(kHuge - 1);
  if (last > first) madvise(reinterpret_cast<void*>(first), last - first, MADV_HUGEPAGE);
#else
  (void)data;
  (void)bytes;
#endif
}

void advise_graph(const Graph& g) {
  advise_huge_pages(g.data_level0_memory_, g.max_elements_ * g.size_data_per_element_);
}

// hnswlib reports failures (out of memory, internal checks) as std::runtime_error.
template <class F>
void call_hnswlib(const char* what, F&& f) {
  try {
    f();
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    throw_error(ErrorCode::kInternal, "hnsw ", what, " failed: ", e.what());
  }
}

inline void prefetch(const void* p) { __builtin_prefetch(p, 0, 3); }

// Per-thread state of graph searches: visited marks as a bitset (1M items = 128 KB, which stays
// in L2; hnswlib's 16-bit tag per item is 2 MB and misses it), cleared after each query through
// the list of what was marked; the two heaps; the batch of neighbours to score.
class GraphSearch {
 public:
  using Entry = std::pair<float, hnswlib::tableint>;

  // Greedy descent through the upper layers (ef = 1), then the layer-0 beam search of Malkov &
  // Yashunin, Alg. 2 (SEARCH-LAYER with ef), with hnswlib's visiting order and stopping rule
  // (stop when the closest unexpanded candidate is farther than the worst of the ef results).
  // Changes for speed, not results: the unvisited neighbours of an expanded node are collected
  // and all their vectors prefetched before any distance is computed (hnswlib prefetches one
  // neighbour ahead), so their cache misses overlap; the next candidate's link list is prefetched
  // while the current one is scored; visited marks are a bitset. Returns the best ef items as a
  // max-heap on distance (fewer only if the graph is disconnected).
  std::vector<Entry>& run(const Graph& g, const float* query, size_t ef) {
    using hnswlib::tableint;
    begin(g.cur_element_count);
    const auto dist = g.fstdistfunc_;
    const void* param = g.dist_func_param_;
    tableint cur = g.enterpoint_node_;
    float cur_dist = dist(query, g.getDataByInternalId(cur), param);
    for (int level = g.maxlevel_; level > 0; --level) {
      for (bool changed = true; changed;) {
        changed = false;
        unsigned int* list = g.get_linklist(cur, level);
        const int n = g.getListCount(list);
        const tableint* links = reinterpret_cast<const tableint*>(list + 1);
        for (int i = 0; i < n; ++i) prefetch(g.getDataByInternalId(links[i]));
        for (int i = 0; i < n; ++i) {
          const float d = dist(query, g.getDataByInternalId(links[i]), param);
          if (d < cur_dist) {
            cur_dist = d;
            cur = links[i];
            changed = true;
          }
        }
      }
    }

    top_.emplace_back(cur_dist, cur);
    cand_.emplace_back(cur_dist, cur);
    visit(cur);
    float bound = cur_dist;
    while (!cand_.empty()) {
      const auto [d_c, c] = cand_.front();
      if (d_c > bound) break;
      std::pop_heap(cand_.begin(), cand_.end(), closer);
      cand_.pop_back();
      unsigned int* list = g.get_linklist0(c);
      const int n = g.getListCount(list);
      const tableint* links = reinterpret_cast<const tableint*>(list + 1);
      fresh_.clear();
      for (int i = 0; i < n; ++i) {
        const tableint e = links[i];
        if (!visit(e)) continue;
        const char* x = g.getDataByInternalId(e);
        for (size_t off = 0; off < g.data_size_; off += 64) prefetch(x + off);
        prefetch(x + g.data_size_ - 1);  // (the last line when the vector straddles one more)
        fresh_.push_back(e);
      }
      for (const tableint e : fresh_) {
        const float d = dist(query, g.getDataByInternalId(e), param);
        if (top_.size() < ef || d < bound) {
          cand_.emplace_back(d, e);
          std::push_heap(cand_.begin(), cand_.end(), closer);
          top_.emplace_back(d, e);
          std::push_heap(top_.begin(), top_.end());
          if (top_.size() > ef) {
            std::pop_heap(top_.begin(), top_.end());
            top_.pop_back();
          }
          bound = top_.front().first;
        }
      }
      if (!cand_.empty()) prefetch(g.get_linklist0(cand_.front().second));
    }
    return top_;
  }

 private:
  struct Closer {  // min-heap order (a type, not a function pointer, so the heap code inlines it)
    bool operator()(const Entry& a, const Entry& b) const { return a.first > b.first; }
  };
  static constexpr Closer closer{};

  void begin(size_t count) {
    for (const auto e : marked_) visited_[e >> 6] = 0;
    marked_.clear();
    if (visited_.size() < (count + 63) / 64) visited_.assign((count + 63) / 64, 0);
    top_.clear();
    cand_.clear();
  }
  // Marks e visited; false if it already was.
  bool visit(hnswlib::tableint e) {
    uint64_t& word = visited_[e >> 6];
    const uint64_t bit = uint64_t{1} << (e & 63);
    if (word & bit) return false;
    word |= bit;
    marked_.push_back(e);
    return true;
  }

  std::vector<uint64_t> visited_;
  std::vector<hnswlib::tableint> marked_, fresh_;
  std::vector<Entry> top_;   // max-heap on distance: the best ef so far
  std::vector<Entry> cand_;  // min-heap on distance: not yet expanded
};

}  // namespace

struct HnswIndex::Impl {
  Impl(size_t dim, Metric metric) : space(dim, metric) {}
  Space space;  // must outlive graph (hnswlib keeps a pointer to its dimension)
  std::unique_ptr<Graph> graph;
};

HnswIndex::HnswIndex(size_t dim, const IndexConfig& config, size_t expected_items)
    : Index("hnsw", dim, config), impl_(std::make_unique<Impl>(dim, metric())) {
  const IndexConfig& c = this->config();
  call_hnswlib("construction", [&] {
    impl_->graph = std::make_unique<Graph>(
        &impl_->space, std::max<size_t>(expected_items, 16), static_cast<size_t>(c.M),
        static_cast<size_t>(c.ef_construction), static_cast<size_t>(c.seed));
  });
  impl_->graph->setEf(static_cast<size_t>(c.ef_search));
  advise_graph(*impl_->graph);
}

HnswIndex::~HnswIndex() = default;

void HnswIndex::set_ef_search(int ef) {
  check_range("index.ef_search", ef, 1, 1 << 24);
  mutable_config().ef_search = ef;
  impl_->graph->setEf(static_cast<size_t>(ef));
}

size_t HnswIndex::memory_bytes() const {
  const Graph& g = *impl_->graph;
  size_t bytes = g.max_elements_ * (g.size_data_per_element_ + sizeof(void*) + sizeof(int));
  for (size_t i = 0; i < g.cur_element_count; ++i)
    bytes += static_cast<size_t>(g.element_levels_[i]) * g.size_links_per_element_;
  // label_lookup_ (an unordered_map): about a node and a bucket per item.
  bytes += g.cur_element_count * (sizeof(void*) * 3 + sizeof(hnswlib::labeltype) * 2);
  return bytes;
}

void HnswIndex::add_impl(MatrixView<const float> vectors, std::span<const int64_t> ids) {
  Graph& g = *impl_->graph;
  const size_t need = g.cur_element_count + vectors.rows;
  if (need > g.max_elements_)
    call_hnswlib("resize", [&] {
      g.resizeIndex(std::max(need, 2 * g.max_elements_));
      advise_graph(g);
    });

  const size_t n = vectors.rows;
  Progress progress("hnsw build", n);
  std::atomic<size_t> done{0};
  auto insert = [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) {
      g.addPoint(vectors.row(i), static_cast<hnswlib::labeltype>(ids[i]));
      if ((i - begin) % 1024 == 1023) {
        const size_t total = done.fetch_add(1024) + 1024;
        if (begin == 0) progress.set(total);  // only the calling thread draws
      }
    }
  };
  call_hnswlib("insert", [&] {
    if (pool() && n > 1)
      pool()->parallel_for(n, insert);
    else
      insert(0, n);
  });
  progress.finish();
}

void HnswIndex::search_impl(MatrixView<const float> queries, size_t k, MatrixView<int64_t> out_ids,
                            MatrixView<float> out_scores) const {
  const Graph& g = *impl_->graph;
  const size_t ef = std::max(static_cast<size_t>(config().ef_search), k);
  // Small catalogues (the graph search would visit most items anyway): exact scan.
  const bool scan = size() <= 2 * std::max(ef, 4 * k);
  auto run = [&](size_t begin, size_t end) {
    if (scan) {
      for (size_t i = begin; i < end; ++i)
        scan_query(queries.row(i), k, out_ids.row(i), out_scores.row(i));
      return;
    }
    static thread_local GraphSearch search;
    for (size_t row = begin; row < end; ++row) {
      auto& top = search.run(g, queries.row(row), ef);
      if (top.size() < k) {  // a disconnected graph: answer by a scan
        scan_query(queries.row(row), k, out_ids.row(row), out_scores.row(row));
        continue;
      }
      // Keep the k closest, best first (ties by internal id).
      std::sort_heap(top.begin(), top.end());
      for (size_t j = 0; j < k; ++j) {
        out_ids.row(row)[j] = static_cast<int64_t>(g.getExternalLabel(top[j].second));
        out_scores.row(row)[j] = -top[j].first;
      }
    }
  };
  call_hnswlib("search", [&] {
    if (pool() && queries.rows > 1)
      pool()->parallel_for(queries.rows, run);
    else
      run(0, queries.rows);
  });
}

void HnswIndex::scan_query(const float* query, size_t k, int64_t* out_ids,
                           float* out_scores) const {
  const Graph& g = *impl_->graph;
  const auto dist = g.fstdistfunc_;
  const void* param = g.dist_func_param_;
  static thread_local TopK topk;
  topk.reset(k);
  const size_t count = g.cur_element_count;
  for (size_t i = 0; i < count; ++i)
    topk.push(-dist(query, g.getDataByInternalId(static_cast<hnswlib::tableint>(i)), param),
              static_cast<uint32_t>(i));
  const auto& best = topk.finish();
  for (size_t j = 0; j < k; ++j) {
    out_ids[j] = static_cast<int64_t>(g.getExternalLabel(best[j].pos));
    out_scores[j] = best[j].score;
  }
}

// Body: layout parameters (checked against those a graph with this config has), then hnswlib's
// layer-0 block (links, vector, label per element) and each element's upper-layer links.
void HnswIndex::save_body(BinaryWriter& out) const {
  const Graph& g = *impl_->graph;
  const uint64_t layout[7] = {g.M_,
                              g.maxM_,
                              g.maxM0_,
                              g.size_data_per_element_,
                              g.size_links_per_element_,
                              g.label_offset_,
                              g.offsetData_};
  out.bytes(layout, sizeof layout);
  out.pod(static_cast<int32_t>(g.maxlevel_));
  out.pod(static_cast<uint32_t>(g.enterpoint_node_));
  out.bytes(g.data_level0_memory_, g.cur_element_count * g.size_data_per_element_);
  for (size_t i = 0; i < g.cur_element_count; ++i) {
    const uint32_t bytes = static_cast<uint32_t>(g.element_levels_[i]) *
                           static_cast<uint32_t>(g.size_links_per_element_);
    out.pod(bytes);
    if (bytes) out.bytes(g.linkLists_[i], bytes);
  }
}

void HnswIndex::load_body(BinaryReader& in, size_t count) {
  Graph& g = *impl_->graph;
  if (g.max_elements_ < count) {
    g.resizeIndex(count);
    advise_graph(g);
  }
  uint64_t layout[7];
  in.bytes(layout, sizeof layout, "graph layout");
  const uint64_t expect[7] = {g.M_,
                              g.maxM_,
                              g.maxM0_,
                              g.size_data_per_element_,
                              g.size_links_per_element_,
                              g.label_offset_,
                              g.offsetData_};
  if (std::memcmp(layout, expect, sizeof layout) != 0)
    in.corrupt("graph layout does not match M = ", config().M, " and dim = ", dim());
  const int32_t maxlevel = in.pod<int32_t>("max level");
  const uint32_t entry = in.pod<uint32_t>("entry point");
  if (count > 0 && (entry >= count || maxlevel < 0))
    in.corrupt("entry point ", entry, " / max level ", maxlevel, " out of range");
  in.require(count * g.size_data_per_element_, "layer 0");
  in.bytes(g.data_level0_memory_, count * g.size_data_per_element_, "layer 0");

  // From here the graph owns what we allocate: the destructor frees linkLists_[i] for
  // element_levels_[i] > 0, so levels are recorded as each list is allocated.
  for (size_t i = 0; i < count; ++i) {
    const uint32_t bytes = in.pod<uint32_t>("link list size");
    if (bytes % g.size_links_per_element_ != 0 || bytes / g.size_links_per_element_ > 64)
      in.corrupt("element ", i, " has a link list of ", bytes, " bytes");
    const int level = static_cast<int>(bytes / g.size_links_per_element_);
    g.element_levels_[i] = 0;
    g.linkLists_[i] = nullptr;
    if (level > 0) {
      in.require(bytes, "link list");
      char* p = static_cast<char*>(std::malloc(bytes));
      if (p == nullptr) throw_error(ErrorCode::kInternal, "out of memory loading an hnsw graph");
      g.linkLists_[i] = p;
      g.element_levels_[i] = level;
      g.cur_element_count = i + 1;  // so the destructor frees what is allocated so far
      in.bytes(p, bytes, "link list");
    }
  }
  g.cur_element_count = count;

  // Check every link so that a damaged file cannot make searches read out of bounds.
  std::vector<int64_t> ids(count);
  for (size_t i = 0; i < count; ++i) {
    const auto id = static_cast<hnswlib::tableint>(i);
    if (g.isMarkedDeleted(id)) in.corrupt("element ", i, " is marked deleted");
    for (int level = 0; level <= g.element_levels_[i]; ++level) {
      hnswlib::linklistsizeint* list = g.get_linklist_at_level(id, level);
      const size_t n = g.getListCount(list);
      if (n > (level == 0 ? g.maxM0_ : g.maxM_))
        in.corrupt("element ", i, " has ", n, " links on level ", level);
      const auto* links = reinterpret_cast<const hnswlib::tableint*>(list + 1);
      for (size_t j = 0; j < n; ++j)
        if (links[j] >= count || g.element_levels_[links[j]] < level)
          in.corrupt("element ", i, " links to ", links[j], " on level ", level);
    }
    const float* x = reinterpret_cast<const float*>(g.getDataByInternalId(id));
    for (size_t j = 0; j < dim(); ++j)
      if (!std::isfinite(x[j])) in.corrupt("vector ", i, " has a non-finite value");
    const hnswlib::labeltype label = g.getExternalLabel(id);
    if (label > static_cast<hnswlib::labeltype>(std::numeric_limits<int64_t>::max()))
      in.corrupt("element ", i, " has label ", label);
    ids[i] = static_cast<int64_t>(label);
  }
  if (count > 0 && g.element_levels_[entry] != maxlevel)
    in.corrupt("entry point ", entry, " is not on the top level ", maxlevel);
  set_loaded_ids(ids, in.source());
  g.maxlevel_ = count > 0 ? maxlevel : -1;
  g.enterpoint_node_ = count > 0 ? entry : static_cast<hnswlib::tableint>(-1);
  g.label_lookup_.reserve(count);
  for (size_t i = 0; i < count; ++i)
    g.label_lookup_[static_cast<hnswlib::labeltype>(ids[i])] = static_cast<hnswlib::tableint>(i);
}

}  // namespace rlrec::index
