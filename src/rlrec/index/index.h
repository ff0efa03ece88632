// Index: k-nearest-neighbour search over item vectors (the `index` module's contract).
//
// An index holds `size()` items, each a vector of dimension `dim()` and an int64 item id, and
// answers "the k items most similar to each query" in batches, following faiss's convention: a
// batch of n vectors is one MatrixView (n x dim, row-major floats), results go to caller-provided
// buffers.
//
// Similarity (higher = closer), per Metric:
//   kInnerProduct: score = <q, x>
//   kL2:           score = -||q - x||^2   (negative squared Euclidean distance, so that "higher is
//                                          closer" holds for both metrics; exact search clamps
//                                          rounding so scores are <= 0)
// Results of one query are ordered best first. Exact search orders equal scores by insertion order
// (the item added first comes first); approximate indexes order ties arbitrarily.
//
// Kinds (registry `index_kinds()`): "exact" (BLAS, recall 1), "hnsw" (graph, approximate) and
// "auto" (exact below IndexConfig::auto_threshold = 5000 items, hnsw from there on; index.cc has
// the measurement behind the default).
//
// Thread-safety: search() is const and safe to call from many threads at once. add() and load are
// not safe concurrently with anything else on the same index. With config.threads > 1 one search
// call uses that many threads; concurrent calls then take turns on the index's thread pool, so
// callers that parallelise themselves should keep threads = 1.
//
// Bad input (dimension mismatch, k out of [1, size()], empty index, non-finite values, duplicate or
// negative ids, wrong buffer shapes, unreadable or foreign files) throws rlrec::Error with a
// one-line message.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "rlrec/core/config.h"
#include "rlrec/core/matrix_view.h"
#include "rlrec/core/thread_pool.h"

namespace rlrec::index {

class BinaryReader;  // io.h
class BinaryWriter;

enum class Metric { kInnerProduct, kL2 };

// "ip" / "l2".
std::string_view metric_name(Metric metric);
// Parses "ip" or "l2"; throws kInvalidArgument naming the valid choices.
Metric parse_metric(std::string_view name, std::string_view key = "index.metric");

struct IndexConfig {
  // Similarity: "ip" (inner product) or "l2" (negative squared Euclidean distance).
  std::string metric = "ip";
  // HNSW: neighbours per node on upper layers (2*M on layer 0); Malkov & Yashunin (2018) sec. 4.
  int M = 16;
  // HNSW: size of the candidate list while inserting (efConstruction).
  int ef_construction = 200;
  // HNSW: size of the candidate list while searching; the effective value is max(ef_search, k).
  int ef_search = 64;
  // Threads for one add() (HNSW build) or one batch search(); 0 = all cores. Exact search results
  // do not depend on it; an HNSW graph built with threads > 1 depends on thread timing (its recall
  // does not change in distribution), so threads = 1 is the reproducible choice.
  int threads = 1;
  // HNSW: seed of the level generator (the graph is a function of the seed and the insertion
  // order).
  int64_t seed = 100;
  // "auto" uses exact search below this many items and hnsw from it on (measured crossover, see
  // the table in index.cc).
  int64_t auto_threshold = 5000;

  void visit(FieldVisitor& v);
  // Throws kInvalidArgument naming the field, the rule and the value.
  void validate() const;
};

// Streaming hash of a catalogue (dimension, then each row's id and vector bytes, in order). An
// index that was given these rows, in this order and in any number of add() calls, has this
// fingerprint.
uint64_t catalogue_fingerprint(MatrixView<const float> vectors, std::span<const int64_t> ids);

class Index {
 public:
  virtual ~Index();
  Index(const Index&) = delete;
  Index& operator=(const Index&) = delete;

  // Registry name of the implementation ("exact" or "hnsw").
  std::string_view kind() const { return kind_; }
  Metric metric() const { return metric_; }
  size_t dim() const { return dim_; }
  size_t size() const { return count_; }
  const IndexConfig& config() const { return config_; }
  // catalogue_fingerprint() of everything added so far.
  uint64_t fingerprint() const { return fingerprint_; }

  // Adds vectors (n x dim) with their item ids (n, each >= 0, unique within the index). All
  // validation happens before anything is added: on error the index is unchanged.
  void add(MatrixView<const float> vectors, std::span<const int64_t> ids);

  // For each of the n queries (n x dim), the k best items: ids and scores (both n x k, row-major,
  // caller-owned), best first. Requires 1 <= k <= size(). n = 0 is allowed and does nothing.
  void search(MatrixView<const float> queries, int64_t k, MatrixView<int64_t> out_ids,
              MatrixView<float> out_scores) const;

  struct Result {
    Matrix<int64_t> ids;   // n x k
    Matrix<float> scores;  // n x k
  };
  // Same, allocating the result.
  Result search(MatrixView<const float> queries, int64_t k) const;

  // Changes config().threads (0 = all cores) for later add/search calls, e.g. after load_index or
  // to build with several threads and search with one. Not safe while another call runs.
  void set_threads(int threads);

  // Writes the index to `path` (through a temporary file renamed into place). The file starts with
  // a header recording kind, metric, dim, count, fingerprint and config (see read_index_header).
  void save(const std::string& path) const;

 protected:
  Index(std::string_view kind, size_t dim, const IndexConfig& config);

  // Validated input: vectors.cols == dim, finite, ids fresh and >= 0, n >= 1.
  virtual void add_impl(MatrixView<const float> vectors, std::span<const int64_t> ids) = 0;
  // Validated input: 1 <= k <= size(), queries finite, buffers n x k, n >= 1.
  virtual void search_impl(MatrixView<const float> queries, size_t k, MatrixView<int64_t> out_ids,
                           MatrixView<float> out_scores) const = 0;
  // The kind-specific part of the file, after the common header.
  virtual void save_body(BinaryWriter& out) const = 0;
  // Reads what save_body wrote for `count` items into this empty index (made from the file's
  // header). Throws kCorrupt on malformed content. Must call set_loaded_ids.
  virtual void load_body(BinaryReader& in, size_t count) = 0;

  // For settings that may change after construction (HNSW ef_search).
  IndexConfig& mutable_config() { return config_; }
  // The pool for config().threads, or null when threads == 1. Calls on it take turns.
  ThreadPool* pool() const { return pool_.get(); }

  // For load_body: the ids present (checked >= 0 and unique; kCorrupt otherwise).
  void set_loaded_ids(std::span<const int64_t> ids, const std::string& source);

 private:
  friend std::unique_ptr<Index> load_index(const std::string& path);

  std::string kind_;
  Metric metric_;
  size_t dim_;
  IndexConfig config_;
  size_t count_ = 0;
  uint64_t fingerprint_ = 0;
  std::vector<int64_t> sorted_ids_;  // every id present, sorted (for the duplicate check)
  std::unique_ptr<ThreadPool> pool_;
};

// The registry of index kinds.
struct IndexKind {
  std::string_view name;
  std::string_view description;
  // An empty index; expected_items sizes it (and picks the implementation for "auto").
  std::unique_ptr<Index> (*make)(size_t dim, const IndexConfig& config, size_t expected_items);
};
std::span<const IndexKind> index_kinds();

// An empty index of the named kind; throws kNotFound (did-you-mean) for an unknown kind and
// kInvalidArgument for a bad config or dim == 0.
std::unique_ptr<Index> make_index(std::string_view kind, size_t dim, const IndexConfig& config,
                                  size_t expected_items = 0);
// make_index + add.
std::unique_ptr<Index> build_index(std::string_view kind, MatrixView<const float> vectors,
                                   std::span<const int64_t> ids, const IndexConfig& config);

// What an index file's header records (read without loading the body).
struct IndexFileHeader {
  std::string kind;
  Metric metric = Metric::kInnerProduct;
  size_t dim = 0;
  size_t count = 0;
  uint64_t fingerprint = 0;
  IndexConfig config;
};
// Throws kNotFound (missing file), kIo (unreadable), kCorrupt (not an rlrec index / truncated),
// kNotSupported (newer format version).
IndexFileHeader read_index_header(const std::string& path);
// Whether the file at `path` starts with an rlrec index file's magic bytes (any version): the
// outputs an index save may replace (core/output.h).
bool is_index_file(const std::string& path);
std::unique_ptr<Index> load_index(const std::string& path);
// load_index, then rejects an index built for another catalogue (fingerprint mismatch) with
// kInvalidArgument: "index file 'x' was built for another catalogue (...)".
std::unique_ptr<Index> load_index(const std::string& path, uint64_t expected_fingerprint);

// Mean over queries of |approx_i ∩ exact_i| / k (recall@k against exact ground truth); both n x k.
double recall_at_k(MatrixView<const int64_t> approx, MatrixView<const int64_t> exact);

}  // namespace rlrec::index
