// k-NN index throughput: exact (BLAS) vs HNSW, one thread, on clustered synthetic item vectors
// (synthetic.h, 1000 clusters), for catalogue sizes 1k..1M and dims 32/64, k = 10.
//
//   BM_ExactSingle/N/D  one query per call (sgemv + selection)
//   BM_ExactBatch/N/D   1000 queries per call (sgemm blocks + selection); items/s = queries/s
//   BM_HnswSingle/N/D   one query per call at the smallest ef_search in {10, 16, 24, 32, 48, 64,
//                       96, 128, 192, 256} whose recall@10 against exact search is >= 0.95
//                       (counters: recall, ef_search, build_s)
//
// The crossover (where HNSW starts answering single queries faster than exact search at recall
// >= 0.95) sets IndexConfig::auto_threshold. HNSW graphs are built once per (N, D) with all cores
// (build time is reported, not timed by the benchmark loop); the 1M graphs take minutes, so e.g.
//   index_bench --benchmark_filter='/(1000|10000|100000)/'
// skips them. The 1M x 64 HNSW measurement with recall is `rlrec index bench` (see README).
#include <benchmark/benchmark.h>

#include <chrono>
#include <map>
#include <memory>
#include <utility>

#include "rlrec/index/hnsw_index.h"
#include "rlrec/index/index.h"
#include "rlrec/index/synthetic.h"

namespace {

using namespace rlrec;
using namespace rlrec::index;

constexpr int64_t kK = 10;
constexpr size_t kQueries = 1000;

struct Dataset {
  Matrix<float> items, queries;
  std::vector<int64_t> ids;
  std::unique_ptr<Index> exact;
  Matrix<int64_t> truth;  // exact top-k of the queries
};

Dataset& dataset(size_t n, size_t d) {
  static std::map<std::pair<size_t, size_t>, std::unique_ptr<Dataset>> cache;
  auto& slot = cache[{n, d}];
  if (!slot) {
    slot = std::make_unique<Dataset>();
    SyntheticSpec spec;
    spec.dim = d;
    spec.clusters = 1000;
    spec.seed = 1;
    slot->items = synthetic_vectors(spec, n, kItemStream, 0);
    slot->queries = synthetic_vectors(spec, kQueries, kQueryStream, 0);
    slot->ids.resize(n);
    for (size_t i = 0; i < n; ++i) slot->ids[i] = static_cast<int64_t>(i);
    slot->exact = build_index("exact", slot->items.view(), slot->ids, IndexConfig{});
    slot->exact->set_threads(0);
    slot->truth = slot->exact->search(slot->queries.view(), kK).ids;
    slot->exact->set_threads(1);
  }
  return *slot;
}

void run_single(benchmark::State& state, const Index& index, const Dataset& data) {
  const size_t d = data.queries.cols();
  Matrix<int64_t> ids(1, kK);
  Matrix<float> scores(1, kK);
  size_t q = 0;
  for (auto _ : state) {
    index.search(MatrixView<const float>(data.queries.row(q), 1, d), kK, ids.view(), scores.view());
    benchmark::DoNotOptimize(ids.data());
    q = (q + 1) % kQueries;
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}

void BM_ExactSingle(benchmark::State& state) {
  const Dataset& data = dataset(state.range(0), state.range(1));
  run_single(state, *data.exact, data);
}

void BM_ExactBatch(benchmark::State& state) {
  const Dataset& data = dataset(state.range(0), state.range(1));
  Matrix<int64_t> ids(kQueries, kK);
  Matrix<float> scores(kQueries, kK);
  for (auto _ : state) {
    data.exact->search(data.queries.view(), kK, ids.view(), scores.view());
    benchmark::DoNotOptimize(ids.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kQueries));
}

struct Hnsw {
  std::unique_ptr<HnswIndex> index;
  double recall = 0, build_s = 0;
  int ef = 0;
};

void BM_HnswSingle(benchmark::State& state) {
  const size_t n = state.range(0), d = state.range(1);
  const Dataset& data = dataset(n, d);
  static std::map<std::pair<size_t, size_t>, Hnsw> cache;
  Hnsw& h = cache[{n, d}];
  if (!h.index) {
    IndexConfig cfg;
    cfg.threads = 0;
    const auto t0 = std::chrono::steady_clock::now();
    h.index = std::make_unique<HnswIndex>(d, cfg, n);
    h.index->add(data.items.view(), data.ids);
    h.build_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    h.index->set_threads(1);
    for (int ef : {10, 16, 24, 32, 48, 64, 96, 128, 192, 256}) {
      h.index->set_ef_search(ef);
      h.ef = ef;
      h.recall =
          recall_at_k(h.index->search(data.queries.view(), kK).ids.view(), data.truth.view());
      if (h.recall >= 0.95) break;
    }
  }
  h.index->set_ef_search(h.ef);
  run_single(state, *h.index, data);
  state.counters["recall"] = h.recall;
  state.counters["ef_search"] = h.ef;
  state.counters["build_s"] = h.build_s;
}

void sizes(benchmark::internal::Benchmark* b) {
  for (int64_t d : {32, 64})
    for (int64_t n : {1000, 3000, 10000, 30000, 100000, 1000000}) b->Args({n, d});
}

BENCHMARK(BM_ExactSingle)->Apply(sizes)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_ExactBatch)->Apply(sizes)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_HnswSingle)->Apply(sizes)->Unit(benchmark::kMicrosecond);

}  // namespace
