#include "rlrec/experiment/index_experiment.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <limits>
#include <memory>
#include <optional>

#include "rlrec/core/error.h"
#include "rlrec/core/memory.h"
#include "rlrec/core/output.h"
#include "rlrec/core/registry.h"
#include "rlrec/core/stopwatch.h"
#include "rlrec/index/exact_index.h"
#include "rlrec/index/hnsw_index.h"
#include "rlrec/index/io.h"
#include "rlrec/index/kernels.h"
#include "rlrec/index/synthetic.h"

namespace rlrec::experiment {

namespace {

using Clock = std::chrono::steady_clock;
using nlohmann::json;

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  const size_t i = std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(i), v.end());
  return v[i];
}

// Searches all queries in calls of `batch` rows (1 = one query per call); fills ids.
IndexBenchRun measure(const index::Index& idx, const Matrix<float>& queries, int64_t k,
                      int64_t batch, Matrix<int64_t>& ids) {
  const size_t n = queries.rows(), d = queries.cols();
  const size_t b = static_cast<size_t>(batch);
  Matrix<float> scores(n, static_cast<size_t>(k));
  ids.resize(n, static_cast<size_t>(k));
  // Warm-up (untimed): touch scratch buffers and caches.
  const size_t warm = std::min<size_t>(n, std::max<size_t>(b, 20));
  for (size_t i = 0; i < warm; i += b) {
    const size_t rows = std::min(b, warm - i);
    idx.search(MatrixView<const float>(queries.row(i), rows, d), k,
               MatrixView<int64_t>(ids.row(i), rows, ids.cols()),
               MatrixView<float>(scores.row(i), rows, scores.cols()));
  }
  std::vector<double> latency;
  latency.reserve(n / b + 1);
  const auto t0 = Clock::now();
  const std::clock_t cpu0 = std::clock();
  for (size_t i = 0; i < n; i += b) {
    const size_t rows = std::min(b, n - i);
    const auto c0 = Clock::now();
    idx.search(MatrixView<const float>(queries.row(i), rows, d), k,
               MatrixView<int64_t>(ids.row(i), rows, ids.cols()),
               MatrixView<float>(scores.row(i), rows, scores.cols()));
    latency.push_back(seconds_since(c0) * 1e6);
  }
  IndexBenchRun r;
  r.qps = static_cast<double>(n) / seconds_since(t0);
  const double cpu = static_cast<double>(std::clock() - cpu0) / CLOCKS_PER_SEC;
  r.qps_cpu = cpu > 0 ? static_cast<double>(n) / cpu : 0.0;
  r.p50_us = percentile(latency, 0.50);
  r.p99_us = percentile(latency, 0.99);
  return r;
}

}  // namespace

void IndexBenchOptions::visit(FieldVisitor& v) {
  v.field("items", items, "catalogue size");
  v.field("dim", dim, "vector dimension");
  v.field("queries", queries, "number of queries");
  v.field("k", k, "neighbours per query");
  v.field("kind", kind, "index kind (rlrec list: index kinds)");
  v.field("metric", metric, "similarity: ip | l2");
  v.field("clusters", clusters,
          "clusters of unit vectors (resembles item embeddings); 0 = plain Gaussian vectors");
  v.field("spread", spread, "within-cluster noise norm around each unit centre");
  v.field("seed", seed, "seed of the synthetic vectors");
  v.field("M", M, "HNSW: links per node");
  v.field("ef_construction", ef_construction, "HNSW: build candidate list size");
  v.field("ef_search", ef_search, "HNSW: search candidate list sizes (one measured pass each)");
  v.field("threads", threads, "threads for the build (0 = all cores)");
  v.field("search_threads", search_threads, "threads for one search call (0 = all cores)");
  v.field("batch", batch, "queries per search call (0 = one query per call)");
  v.field("save", save, "write the built index to this file");
  v.field("load", load,
          "search a saved index instead of building one (built for the same vectors)");
}

void IndexBenchOptions::validate() const {
  check_range("index.items", items, 1, int64_t{1} << 32);
  check_range("index.dim", dim, 1, 1 << 16);
  check_range("index.queries", queries, 1, int64_t{1} << 32);
  check_range("index.k", k, 1, int64_t{1} << 32);
  if (k > items) invalid_argument("index.k must be <= index.items (", items, "), got ", k);
  if (batch < 0) invalid_argument("index.batch must be >= 0 (0 = one query per call), got ", batch);
  check_range("index.clusters", clusters, 0, int64_t{1} << 31);
  check_range("index.spread", spread, 0.0, 100.0);
  check_range("index.seed", seed, 0, std::numeric_limits<int64_t>::max());
  check_range("index.threads", threads, 0, 1024);
  check_range("index.search_threads", search_threads, 0, 1024);
  check_range("index.M", M, 2, 1024);
  check_range("index.ef_construction", ef_construction, 1, 1 << 20);
  if (ef_search.empty()) invalid_argument("index.ef_search needs at least one value");
  for (int64_t ef : ef_search) check_range("index.ef_search", ef, 1, 1 << 24);
  index::parse_metric(metric, "index.metric");
  registry_lookup(index::index_kinds(), kind, "index kind");
}

IndexBenchResult run_index_bench(const IndexBenchOptions& o) {
  o.validate();
  // Before generating anything: the item vectors and the index's copy of them, ids, HNSW links
  // (2M per node on layer 0), the queries and their results.
  const double d = static_cast<double>(o.dim);
  check_memory(static_cast<double>(o.items) * (2 * 4 * d + 8 + 8.0 * o.M) +
                   static_cast<double>(o.queries) * (4 * d + 12.0 * o.k),
               str_cat("index.items = ", o.items, " x index.dim = ", o.dim,
                       " (and index.queries = ", o.queries, ", index.k = ", o.k, ")"));
  // Claim the index file before building: an index file may be replaced, nothing else may.
  std::optional<OutputLock> claim;
  if (!o.save.empty())
    claim.emplace(claim_output(
        o.save, OutputKind::kFile,
        {o.force, [](const std::filesystem::path& p) { return index::is_index_file(p.string()); }},
        "index file"));
  // A --load path that cannot be an index fails before the vectors are generated.
  if (!o.load.empty()) index::BinaryReader(o.load, "index file");
  IndexBenchResult r;
  r.options = o;
  r.batch = o.batch == 0 ? 1 : std::min(o.batch, o.queries);

  index::IndexConfig cfg;
  cfg.metric = o.metric;
  cfg.M = o.M;
  cfg.ef_construction = o.ef_construction;
  cfg.ef_search = static_cast<int>(o.ef_search.front());
  cfg.threads = o.threads;
  cfg.validate();

  index::SyntheticSpec spec;
  spec.dim = static_cast<size_t>(o.dim);
  spec.clusters = o.clusters;
  spec.spread = o.spread;
  spec.seed = static_cast<uint64_t>(o.seed);
  if (o.verbose)
    std::fprintf(stderr, "generating %lld x %lld vectors (%s)...\n",
                 static_cast<long long>(o.items), static_cast<long long>(o.dim),
                 o.clusters > 0 ? "clustered unit vectors" : "plain Gaussian");
  const auto items =
      index::synthetic_vectors(spec, static_cast<size_t>(o.items), index::kItemStream, 0);
  const auto queries =
      index::synthetic_vectors(spec, static_cast<size_t>(o.queries), index::kQueryStream, 0);
  std::vector<int64_t> ids(static_cast<size_t>(o.items));
  for (size_t i = 0; i < ids.size(); ++i) ids[i] = static_cast<int64_t>(i);

  // Build (or load a saved index, which must have been built for these vectors).
  std::unique_ptr<index::Index> idx;
  if (!o.load.empty()) {
    if (o.verbose) std::fprintf(stderr, "loading %s...\n", o.load.c_str());
    const auto t0 = Clock::now();
    idx = index::load_index(o.load, index::catalogue_fingerprint(items.view(), ids));
    r.load_seconds = seconds_since(t0);
  } else {
    if (o.verbose) std::fprintf(stderr, "building %s index...\n", o.kind.c_str());
    const auto t0 = Clock::now();
    const std::clock_t c0 = std::clock();
    idx = index::make_index(o.kind, spec.dim, cfg, ids.size());
    idx->add(items.view(), ids);
    r.build_seconds = seconds_since(t0);
    // CPU time of all threads: on a shared machine wall time alone overstates the build cost.
    r.build_cpu_seconds = static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC;
  }
  if (!o.save.empty()) idx->save(o.save);
  idx->set_threads(o.search_threads);

  // Ground truth: exact batched search over all cores (not timed).
  if (o.verbose) std::fprintf(stderr, "exact ground truth...\n");
  Matrix<int64_t> truth;
  {
    std::unique_ptr<index::Index> owned;
    const index::Index* exact = idx.get();
    if (idx->kind() != "exact") {
      index::IndexConfig ecfg;
      ecfg.metric = std::string(index::metric_name(idx->metric()));
      ecfg.threads = 0;
      owned = index::build_index("exact", items.view(), ids, ecfg);
      exact = owned.get();
    } else {
      idx->set_threads(0);
    }
    truth = exact->search(queries.view(), o.k).ids;
    idx->set_threads(o.search_threads);
  }

  auto* hnsw = dynamic_cast<index::HnswIndex*>(idx.get());
  const std::vector<int64_t> efs = hnsw ? o.ef_search : std::vector<int64_t>{0};
  for (int64_t ef : efs) {
    if (hnsw) {
      hnsw->set_ef_search(static_cast<int>(ef));
      if (o.verbose) std::fprintf(stderr, "searching (ef_search %d)...\n", static_cast<int>(ef));
    }
    Matrix<int64_t> got;
    IndexBenchRun run = measure(*idx, queries, o.k, r.batch, got);
    run.ef_search = static_cast<int>(ef);
    run.recall = index::recall_at_k(got.view(), truth.view());
    r.runs.push_back(run);
  }
  r.kind = std::string(idx->kind());
  r.metric = std::string(index::metric_name(idx->metric()));
  r.kernel = index::kernels::kernel_name();
  r.hnsw = hnsw != nullptr;
  if (hnsw) {
    r.M = idx->config().M;  // from the file when loaded
    r.ef_construction = idx->config().ef_construction;
    r.memory_bytes = hnsw->memory_bytes();
  }
  return r;
}

json to_json(const IndexBenchResult& r) {
  const IndexBenchOptions& o = r.options;
  json j;
  j["kind"] = r.kind;
  j["requested_kind"] = o.kind;
  j["metric"] = r.metric;
  j["items"] = o.items;
  j["dim"] = o.dim;
  j["queries"] = o.queries;
  j["k"] = o.k;
  j["clusters"] = o.clusters;
  j["spread"] = o.spread;
  j["seed"] = static_cast<uint64_t>(o.seed);
  j["threads"] = o.threads;
  j["search_threads"] = o.search_threads;
  j["batch"] = r.batch;
  j["kernel"] = r.kernel;
  if (r.hnsw) {
    j["M"] = r.M;
    j["ef_construction"] = r.ef_construction;
    j["ef_search"] = r.runs.front().ef_search;
    j["memory_bytes"] = r.memory_bytes;
  }
  if (o.load.empty()) {
    j["build_seconds"] = r.build_seconds;
    j["build_cpu_seconds"] = r.build_cpu_seconds;
  } else {
    j["build_seconds"] = nullptr;
    j["load_seconds"] = r.load_seconds;
    j["loaded_from"] = o.load;
  }
  const IndexBenchRun& first = r.runs.front();
  j["qps"] = first.qps;
  j["qps_cpu"] = first.qps_cpu;
  j["recall"] = first.recall;
  j["latency_p50_us"] = first.p50_us;
  j["latency_p99_us"] = first.p99_us;
  json all = json::array();
  for (const auto& run : r.runs) {
    json e;
    if (r.hnsw) e["ef_search"] = run.ef_search;
    e["qps"] = run.qps;
    e["qps_cpu"] = run.qps_cpu;
    e["recall"] = run.recall;
    e["latency_p50_us"] = run.p50_us;
    e["latency_p99_us"] = run.p99_us;
    all.push_back(e);
  }
  j["runs"] = all;
  return j;
}

}  // namespace rlrec::experiment
