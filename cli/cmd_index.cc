// `rlrec index bench`: build an index over synthetic item vectors and report build time,
// queries/s, latency and recall@k against exact search.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/common.h"
#include "rlrec/core/error.h"
#include "rlrec/core/registry.h"
#include "rlrec/index/exact_index.h"
#include "rlrec/index/hnsw_index.h"
#include "rlrec/index/index.h"
#include "rlrec/index/kernels.h"
#include "rlrec/index/synthetic.h"

namespace rlrec::cli {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

struct BenchFlags {
  int64_t items = 100000;
  int64_t dim = 64;
  int64_t queries = 1000;
  int64_t k = 10;
  std::string kind = "auto";
  std::string metric = "ip";
  int64_t clusters = 1000;
  double spread = 0.5;
  uint64_t seed = 0;
  int M = index::IndexConfig{}.M;
  int ef_construction = index::IndexConfig{}.ef_construction;
  std::vector<int> ef_search = {index::IndexConfig{}.ef_search};
  int threads = 1;
  int search_threads = 1;
  int64_t batch = 0;  // 0 = one query per call
  std::string save, load;
  bool json = false;
};

struct Run {
  int ef_search = 0;
  double qps = 0, recall = 0, p50_us = 0, p99_us = 0;
  double qps_cpu = 0;  // queries per CPU second of the process (= qps on an idle machine, 1 thread)
};

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  const size_t i = std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(i), v.end());
  return v[i];
}

// Searches all queries in calls of `batch` rows (1 = one query per call); fills ids.
Run measure(const index::Index& idx, const Matrix<float>& queries, int64_t k, int64_t batch,
            Matrix<int64_t>& ids) {
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
  Run r;
  r.qps = static_cast<double>(n) / seconds_since(t0);
  const double cpu = static_cast<double>(std::clock() - cpu0) / CLOCKS_PER_SEC;
  r.qps_cpu = cpu > 0 ? static_cast<double>(n) / cpu : 0.0;
  r.p50_us = percentile(latency, 0.50);
  r.p99_us = percentile(latency, 0.99);
  return r;
}

void run_bench(const BenchFlags& f) {
  if (f.k > f.items) invalid_argument("--k must be <= --items (", f.items, "), got ", f.k);
  if (f.batch < 0) invalid_argument("--batch must be >= 0 (0 = one query per call), got ", f.batch);
  check_range("--threads", f.threads, 0, 1024);
  check_range("--search-threads", f.search_threads, 0, 1024);
  check_range("--M", f.M, 2, 1024);
  check_range("--ef-construction", f.ef_construction, 1, 1 << 20);
  for (int ef : f.ef_search) check_range("--ef-search", ef, 1, 1 << 24);
  index::parse_metric(f.metric, "--metric");
  registry_lookup(index::index_kinds(), f.kind, "index kind");
  const int64_t batch = f.batch == 0 ? 1 : std::min(f.batch, f.queries);

  index::IndexConfig cfg;
  cfg.metric = f.metric;
  cfg.M = f.M;
  cfg.ef_construction = f.ef_construction;
  cfg.ef_search = f.ef_search.front();
  cfg.threads = f.threads;
  cfg.validate();

  index::SyntheticSpec spec;
  spec.dim = static_cast<size_t>(f.dim);
  spec.clusters = f.clusters;
  spec.spread = f.spread;
  spec.seed = f.seed;
  std::fprintf(stderr, "generating %lld x %lld vectors (%s)...\n", static_cast<long long>(f.items),
               static_cast<long long>(f.dim),
               f.clusters > 0 ? "clustered unit vectors" : "plain Gaussian");
  const auto items =
      index::synthetic_vectors(spec, static_cast<size_t>(f.items), index::kItemStream, 0);
  const auto queries =
      index::synthetic_vectors(spec, static_cast<size_t>(f.queries), index::kQueryStream, 0);
  std::vector<int64_t> ids(static_cast<size_t>(f.items));
  for (size_t i = 0; i < ids.size(); ++i) ids[i] = static_cast<int64_t>(i);

  // Build (or load a saved index, which must have been built for these vectors).
  std::unique_ptr<index::Index> idx;
  double build_seconds = 0, build_cpu_seconds = 0, load_seconds = 0;
  if (!f.load.empty()) {
    std::fprintf(stderr, "loading %s...\n", f.load.c_str());
    const auto t0 = Clock::now();
    idx = index::load_index(f.load, index::catalogue_fingerprint(items.view(), ids));
    load_seconds = seconds_since(t0);
  } else {
    std::fprintf(stderr, "building %s index...\n", f.kind.c_str());
    const auto t0 = Clock::now();
    const std::clock_t c0 = std::clock();
    idx = index::make_index(f.kind, spec.dim, cfg, ids.size());
    idx->add(items.view(), ids);
    build_seconds = seconds_since(t0);
    // CPU time of all threads: on a shared machine wall time alone overstates the build cost.
    build_cpu_seconds = static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC;
  }
  if (!f.save.empty()) idx->save(f.save);
  idx->set_threads(f.search_threads);

  // Ground truth: exact batched search over all cores (not timed).
  std::fprintf(stderr, "exact ground truth...\n");
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
    truth = exact->search(queries.view(), f.k).ids;
    idx->set_threads(f.search_threads);
  }

  auto* hnsw = dynamic_cast<index::HnswIndex*>(idx.get());
  std::vector<Run> runs;
  const std::vector<int> efs = hnsw ? f.ef_search : std::vector<int>{0};
  for (int ef : efs) {
    if (hnsw) {
      hnsw->set_ef_search(ef);
      std::fprintf(stderr, "searching (ef_search %d)...\n", ef);
    }
    Matrix<int64_t> got;
    Run r = measure(*idx, queries, f.k, batch, got);
    r.ef_search = ef;
    r.recall = index::recall_at_k(got.view(), truth.view());
    runs.push_back(r);
  }

  if (f.json) {
    nlohmann::json j;
    j["kind"] = std::string(idx->kind());
    j["requested_kind"] = f.kind;
    j["metric"] = std::string(index::metric_name(idx->metric()));
    j["items"] = f.items;
    j["dim"] = f.dim;
    j["queries"] = f.queries;
    j["k"] = f.k;
    j["clusters"] = f.clusters;
    j["spread"] = f.spread;
    j["seed"] = f.seed;
    j["threads"] = f.threads;
    j["search_threads"] = f.search_threads;
    j["batch"] = batch;
    j["kernel"] = index::kernels::kernel_name();
    if (hnsw) {
      j["M"] = idx->config().M;  // from the file when loaded
      j["ef_construction"] = idx->config().ef_construction;
      j["ef_search"] = runs.front().ef_search;
      j["memory_bytes"] = hnsw->memory_bytes();
    }
    if (f.load.empty()) {
      j["build_seconds"] = build_seconds;
      j["build_cpu_seconds"] = build_cpu_seconds;
    } else {
      j["build_seconds"] = nullptr;
      j["load_seconds"] = load_seconds;
      j["loaded_from"] = f.load;
    }
    j["qps"] = runs.front().qps;
    j["qps_cpu"] = runs.front().qps_cpu;
    j["recall"] = runs.front().recall;
    j["latency_p50_us"] = runs.front().p50_us;
    j["latency_p99_us"] = runs.front().p99_us;
    nlohmann::json all = nlohmann::json::array();
    for (const auto& r : runs) {
      nlohmann::json e;
      if (hnsw) e["ef_search"] = r.ef_search;
      e["qps"] = r.qps;
      e["qps_cpu"] = r.qps_cpu;
      e["recall"] = r.recall;
      e["latency_p50_us"] = r.p50_us;
      e["latency_p99_us"] = r.p99_us;
      all.push_back(e);
    }
    j["runs"] = all;
    print_json(j);
    return;
  }
  std::printf(
      "%s index, %lld x %lld %s, %s, %lld queries, k = %lld, %s\n",
      std::string(idx->kind()).c_str(), static_cast<long long>(f.items),
      static_cast<long long>(f.dim), std::string(index::metric_name(idx->metric())).c_str(),
      f.clusters > 0 ? (std::to_string(f.clusters) + " clusters").c_str() : "plain Gaussian",
      static_cast<long long>(f.queries), static_cast<long long>(f.k),
      batch == 1 ? "one query per call" : (std::to_string(batch) + " queries per call").c_str());
  if (f.load.empty())
    std::printf("build: %.3f s (%d thread%s, %.3f s CPU); ", build_seconds, f.threads,
                f.threads == 1 ? "" : "s", build_cpu_seconds);
  else
    std::printf("loaded %s in %.3f s; ", f.load.c_str(), load_seconds);
  std::printf("search: %d thread%s\n\n", f.search_threads, f.search_threads == 1 ? "" : "s");
  std::vector<std::string> header = {"queries/s", "q/CPU-s", "recall@k", "p50 us", "p99 us"};
  if (hnsw) header.insert(header.begin(), "ef_search");
  Table t(header);
  for (const auto& r : runs) {
    std::vector<std::string> row;
    if (hnsw) row.push_back(std::to_string(r.ef_search));
    row.push_back(fmt(r.qps, 0));
    row.push_back(fmt(r.qps_cpu, 0));
    row.push_back(fmt(r.recall, 4));
    row.push_back(fmt(r.p50_us, 1));
    row.push_back(fmt(r.p99_us, 1));
    t.add_row(row);
  }
  std::printf("%s", t.to_string().c_str());
}

}  // namespace

void add_index_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("index", std::string(command_description("index")));
  cmd->require_subcommand(1, 1);
  auto* bench = cmd->add_subcommand(
      "bench",
      "build an index over synthetic item vectors; report build seconds, queries/s and recall@k "
      "against exact search");
  auto f = std::make_shared<BenchFlags>();
  const std::string kinds = join(registry_names(index::index_kinds()), "|");
  bench->add_option("--items", f->items, "catalogue size")
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 32))
      ->capture_default_str();
  bench->add_option("--dim", f->dim, "vector dimension")
      ->check(CLI::Range(1, 1 << 16))
      ->capture_default_str();
  bench->add_option("--queries", f->queries, "number of queries")
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 32))
      ->capture_default_str();
  bench->add_option("--k", f->k, "neighbours per query")
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 32))
      ->capture_default_str();
  bench->add_option("--kind", f->kind, "index kind: " + kinds)->capture_default_str();
  bench->add_option("--metric", f->metric, "similarity: ip|l2")->capture_default_str();
  bench
      ->add_option("--clusters", f->clusters,
                   "clusters of unit vectors (resembles item embeddings); 0 = plain Gaussian "
                   "vectors (the hard case)")
      ->check(CLI::Range(int64_t{0}, int64_t{1} << 31))
      ->capture_default_str();
  bench->add_option("--spread", f->spread, "within-cluster noise norm around each unit centre")
      ->check(CLI::Range(0.0, 100.0))
      ->capture_default_str();
  bench->add_option("--seed", f->seed, "seed of the synthetic vectors")->capture_default_str();
  bench->add_option("--M", f->M, "HNSW: links per node")->capture_default_str();
  bench->add_option("--ef-construction", f->ef_construction, "HNSW: build candidate list size")
      ->capture_default_str();
  bench
      ->add_option("--ef-search", f->ef_search,
                   "HNSW: search candidate list size; a comma-separated list measures each")
      ->delimiter(',')
      ->capture_default_str();
  bench->add_option("--threads", f->threads, "threads for the build (0 = all cores)")
      ->capture_default_str();
  bench
      ->add_option("--search-threads", f->search_threads,
                   "threads for one search call (matters with --batch; 0 = all cores)")
      ->capture_default_str();
  bench->add_option("--batch", f->batch, "queries per search call (0 = one query per call)")
      ->capture_default_str();
  bench->add_option("--save", f->save, "write the built index to this file");
  bench->add_option("--load", f->load,
                    "search a saved index instead of building one (it must have been built for "
                    "the same --items/--dim/--clusters/--spread/--seed)");
  bench->add_flag("--json", f->json,
                  "print one JSON object (keys build_seconds, qps, recall, ...)");
  bench->callback([f] { run_bench(*f); });
}

}  // namespace rlrec::cli
