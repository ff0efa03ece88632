// The nearest-neighbour index benchmark as a library call (`rlrec index bench` calls it): build an
// index (index/index.h: exact, hnsw, auto) over synthetic item vectors (index/synthetic.h), or load
// a saved one built for the same vectors, search synthetic queries and report build time,
// queries/s (wall and per CPU second), latency percentiles and recall@k against exact search.
//
// Protocol: items and queries are streams kItemStream and kQueryStream of the same SyntheticSpec
// (dim, clusters, spread, seed); ids are the row numbers. The ground truth is exact batched search
// over all cores (not timed). Each measured pass searches all queries in calls of `batch` rows
// after an untimed warm-up of max(batch, 20) queries; latency is per call. An hnsw index is
// measured once per value of ef_search (in the given order); other kinds once. Timings depend on
// the machine and its load; recall does not (with threads = 1 the HNSW graph is reproducible).
//
// Errors (rlrec::Error) name the [index] key, e.g. "index.k must be <= index.items (100), got 200".
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "rlrec/core/config.h"
#include "rlrec/index/index.h"

namespace rlrec::experiment {

struct IndexBenchOptions {
  int64_t items = 100000;          // catalogue size, in [1, 2^32]
  int64_t dim = 64;                // vector dimension, in [1, 65536]
  int64_t queries = 1000;          // number of queries, in [1, 2^32]
  int64_t k = 10;                  // neighbours per query, in [1, items]
  std::string kind = "auto";       // index kind (index::index_kinds())
  std::string metric = "ip";       // ip | l2
  int64_t clusters = 1000;         // clusters of unit vectors; 0 = plain Gaussian vectors
  double spread = 0.5;             // within-cluster noise norm around each unit centre, in [0, 100]
  int64_t seed = 0;                // seed of the synthetic vectors, >= 0
  int M = index::IndexConfig{}.M;  // HNSW: links per node
  int ef_construction = index::IndexConfig{}.ef_construction;         // HNSW: build candidate list
  std::vector<int64_t> ef_search = {index::IndexConfig{}.ef_search};  // HNSW: one pass per value
  int threads = 1;         // threads of the build (0 = all cores)
  int search_threads = 1;  // threads of one search call (0 = all cores)
  int64_t batch = 0;       // queries per search call (0 = one query per call)
  std::string save;        // write the built index to this file ("" = no)
  std::string load;        // search this saved index instead of building one ("" = build)
  bool verbose = true;     // not a config key: progress lines on stderr
  bool force = false;      // not a config key: `save` may replace a regular file that is not an
                           // index (an index file is replaced without it)

  void visit(FieldVisitor& v);
  void validate() const;
};

// One measured pass over all queries.
struct IndexBenchRun {
  int ef_search = 0;  // 0 unless hnsw
  double qps = 0, recall = 0, p50_us = 0, p99_us = 0;
  double qps_cpu = 0;  // queries per CPU second of the process (= qps on an idle machine, 1 thread)
};

struct IndexBenchResult {
  IndexBenchOptions options;  // as run
  std::string kind;           // the index's kind (auto resolved)
  std::string metric;
  int64_t batch = 1;   // effective queries per call
  std::string kernel;  // index::kernels::kernel_name()
  bool hnsw = false;
  int M = 0, ef_construction = 0;                   // hnsw only; from the file when loaded
  size_t memory_bytes = 0;                          // hnsw only
  double build_seconds = 0, build_cpu_seconds = 0;  // when built
  double load_seconds = 0;                          // when loaded
  std::vector<IndexBenchRun> runs;
};

IndexBenchResult run_index_bench(const IndexBenchOptions& options);
// The JSON object of `rlrec index bench --json` (top-level qps/recall/latency: the first run).
nlohmann::json to_json(const IndexBenchResult& r);

}  // namespace rlrec::experiment
