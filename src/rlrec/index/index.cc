// The Index base (input validation, fingerprint, file framing), the registry and recall@k.
#include "rlrec/index/index.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <limits>

#include "rlrec/core/error.h"
#include "rlrec/core/output.h"
#include "rlrec/core/registry.h"
#include "rlrec/core/rng.h"
#include "rlrec/index/exact_index.h"
#include "rlrec/index/hnsw_index.h"
#include "rlrec/index/io.h"

namespace rlrec::index {

std::string_view metric_name(Metric metric) {
  return metric == Metric::kInnerProduct ? "ip" : "l2";
}

Metric parse_metric(std::string_view name, std::string_view key) {
  if (name == "ip") return Metric::kInnerProduct;
  if (name == "l2") return Metric::kL2;
  invalid_argument(key, " must be one of ip, l2, got '", name, "'");
}

void IndexConfig::visit(FieldVisitor& v) {
  v.field("metric", metric, "similarity: ip (inner product) or l2 (negative squared distance)");
  v.field("M", M, "HNSW: neighbours per node on upper layers (2*M on layer 0)");
  v.field("ef_construction", ef_construction, "HNSW: candidate list size while inserting");
  v.field("ef_search", ef_search, "HNSW: candidate list size while searching (>= k is used)");
  v.field("threads", threads,
          "threads for one add (HNSW build) or one batch search; 0 = all cores");
  v.field("seed", seed, "HNSW: seed of the level generator");
  v.field("auto_threshold", auto_threshold,
          "kind 'auto': exact search below this many items, hnsw from it on");
}

void IndexConfig::validate() const {
  parse_metric(metric);
  check_range("index.M", M, 2, 1024);
  check_range("index.ef_construction", ef_construction, 1, 1 << 20);
  check_range("index.ef_search", ef_search, 1, 1 << 24);
  check_range("index.threads", threads, 0, 1024);
  check_range("index.seed", seed, 0, std::numeric_limits<int64_t>::max());
  check_range("index.auto_threshold", auto_threshold, 0, std::numeric_limits<int64_t>::max());
}

// ---------------------------------------------------------------------------------------------
// Fingerprint: state = combine(seed, dim), then state = combine(state, hash(id, row bytes)) per
// row.

namespace {

constexpr size_t kMaxItems = std::numeric_limits<uint32_t>::max();

uint64_t fingerprint_start(size_t dim) {
  return combine_keys(hash_name("rlrec.index.catalogue.v1"), dim);
}

uint64_t row_hash(int64_t id, const float* x, size_t dim) {
  uint64_t h = mix64(static_cast<uint64_t>(id));
  size_t j = 0;
  for (; j + 2 <= dim; j += 2) {
    uint64_t w;
    std::memcpy(&w, x + j, sizeof w);
    h = (h ^ w) * 0xff51afd7ed558ccdULL;
    h ^= h >> 32;
  }
  if (j < dim) {
    uint32_t w;
    std::memcpy(&w, x + j, sizeof w);
    h = (h ^ w) * 0xff51afd7ed558ccdULL;
  }
  return mix64(h);
}

uint64_t fingerprint_rows(uint64_t state, MatrixView<const float> v, std::span<const int64_t> ids) {
  for (size_t i = 0; i < v.rows; ++i)
    state = combine_keys(state, row_hash(ids[i], v.row(i), v.cols));
  return state;
}

// The first non-finite value of a batch, reported as "<what> i has a non-finite value ...".
void check_finite(MatrixView<const float> v, std::string_view op, std::string_view what) {
  for (size_t i = 0; i < v.rows; ++i) {
    const float* r = v.row(i);
    for (size_t j = 0; j < v.cols; ++j)
      if (!std::isfinite(r[j]))
        invalid_argument(op, ": ", what, " ", i, " has a non-finite value (", r[j],
                         ") at dimension ", j, "; vectors must be finite");
  }
}

}  // namespace

uint64_t catalogue_fingerprint(MatrixView<const float> vectors, std::span<const int64_t> ids) {
  if (ids.size() != vectors.rows)
    invalid_argument("catalogue_fingerprint: got ", vectors.rows, " vectors but ", ids.size(),
                     " ids");
  return fingerprint_rows(fingerprint_start(vectors.cols), vectors, ids);
}

// ---------------------------------------------------------------------------------------------
// Index base.

Index::Index(std::string_view kind, size_t dim, const IndexConfig& config)
    : kind_(kind), dim_(dim), config_(config) {
  config_.validate();
  metric_ = parse_metric(config_.metric);
  if (dim == 0) invalid_argument("index dim must be >= 1, got 0");
  fingerprint_ = fingerprint_start(dim);
  set_threads(config_.threads);
}

void Index::set_threads(int threads) {
  check_range("index.threads", threads, 0, 1024);
  config_.threads = threads;
  pool_.reset();
  if (threads != 1) pool_ = std::make_unique<ThreadPool>(threads);
}

Index::~Index() = default;

void Index::add(MatrixView<const float> vectors, std::span<const int64_t> ids) {
  if (vectors.rows != ids.size())
    invalid_argument("index.add: got ", vectors.rows, " vectors but ", ids.size(),
                     " ids; give one id per vector");
  if (vectors.rows == 0) return;
  if (vectors.cols != dim_)
    invalid_argument("index.add: vector dimension ", vectors.cols,
                     " does not match the index dimension ", dim_);
  if (vectors.data == nullptr) invalid_argument("index.add: vectors.data is null");
  if (count_ + vectors.rows > kMaxItems)
    invalid_argument("index.add: an index holds at most ", kMaxItems, " items; ", count_,
                     " present + ", vectors.rows, " new is too many");
  check_finite(vectors, "index.add", "vector");

  // Ids: >= 0, unique within the batch and new to the index.
  std::vector<std::pair<int64_t, size_t>> batch(ids.size());
  for (size_t i = 0; i < ids.size(); ++i) {
    if (ids[i] < 0)
      invalid_argument("index.add: item id ", ids[i], " (row ", i,
                       ") is negative; ids must be >= 0");
    batch[i] = {ids[i], i};
  }
  std::sort(batch.begin(), batch.end());
  for (size_t i = 1; i < batch.size(); ++i)
    if (batch[i].first == batch[i - 1].first)
      invalid_argument("index.add: item id ", batch[i].first, " appears twice in the batch (rows ",
                       batch[i - 1].second, " and ", batch[i].second, "); ids must be unique");
  for (const auto& [id, row] : batch)
    if (std::binary_search(sorted_ids_.begin(), sorted_ids_.end(), id))
      invalid_argument("index.add: item id ", id, " (row ", row,
                       ") is already in the index; ids must be unique");

  add_impl(vectors, ids);

  const size_t old = sorted_ids_.size();
  sorted_ids_.reserve(old + batch.size());
  for (const auto& b : batch) sorted_ids_.push_back(b.first);
  std::inplace_merge(sorted_ids_.begin(), sorted_ids_.begin() + static_cast<std::ptrdiff_t>(old),
                     sorted_ids_.end());
  count_ += vectors.rows;
  fingerprint_ = fingerprint_rows(fingerprint_, vectors, ids);
}

void Index::set_loaded_ids(std::span<const int64_t> ids, const std::string& source) {
  sorted_ids_.assign(ids.begin(), ids.end());
  std::sort(sorted_ids_.begin(), sorted_ids_.end());
  for (size_t i = 0; i < sorted_ids_.size(); ++i) {
    if (sorted_ids_[i] < 0)
      throw_error(ErrorCode::kCorrupt, "index file '", source, "' holds a negative item id (",
                  sorted_ids_[i], ")");
    if (i > 0 && sorted_ids_[i] == sorted_ids_[i - 1])
      throw_error(ErrorCode::kCorrupt, "index file '", source, "' holds item id ", sorted_ids_[i],
                  " twice");
  }
}

void Index::search(MatrixView<const float> queries, int64_t k, MatrixView<int64_t> out_ids,
                   MatrixView<float> out_scores) const {
  if (count_ == 0) invalid_argument("index.search: the index is empty; add items before searching");
  if (k <= 0 || static_cast<uint64_t>(k) > count_)
    invalid_argument("index.search: k must be in [1, ", count_, "] (the number of items), got ", k);
  if (queries.rows > 0 && queries.cols != dim_)
    invalid_argument("index.search: query dimension ", queries.cols,
                     " does not match the index dimension ", dim_);
  const size_t n = queries.rows;
  const size_t kk = static_cast<size_t>(k);
  if (out_ids.rows != n || out_ids.cols != kk)
    invalid_argument("index.search: the ids buffer must be ", n, " x ", kk, " (queries x k), got ",
                     out_ids.rows, " x ", out_ids.cols);
  if (out_scores.rows != n || out_scores.cols != kk)
    invalid_argument("index.search: the scores buffer must be ", n, " x ", kk,
                     " (queries x k), got ", out_scores.rows, " x ", out_scores.cols);
  if (n == 0) return;
  if (queries.data == nullptr || out_ids.data == nullptr || out_scores.data == nullptr)
    invalid_argument("index.search: a query or result buffer is null");
  check_finite(queries, "index.search", "query");
  search_impl(queries, kk, out_ids, out_scores);
}

Index::Result Index::search(MatrixView<const float> queries, int64_t k) const {
  Result r;
  const size_t kk = k > 0 ? static_cast<size_t>(k) : 0;
  r.ids.resize(queries.rows, kk);
  r.scores.resize(queries.rows, kk);
  search(queries, k, r.ids.view(), r.scores.view());
  return r;
}

// ---------------------------------------------------------------------------------------------
// Files. Layout (native little-endian):
//   "RLRECIDX" | u32 version | u32 metric | u64 dim | u64 count | u64 fingerprint |
//   u32 len + kind | u32 len + config as TOML ([index] section) | kind-specific body | "RLRECEND" |
//   u64 FNV-1a 64 of every byte before it (version 2; load_index verifies it before parsing)

namespace {

constexpr char kMagic[8] = {'R', 'L', 'R', 'E', 'C', 'I', 'D', 'X'};
constexpr char kEndMagic[8] = {'R', 'L', 'R', 'E', 'C', 'E', 'N', 'D'};
constexpr uint32_t kVersion = 2;
constexpr uint32_t kMaxStringBytes = 1 << 20;

std::string read_string(BinaryReader& r) {
  const uint32_t n = r.pod<uint32_t>("string length");
  if (n > kMaxStringBytes) r.corrupt("string length ", n, " is implausible");
  std::string s(n, '\0');
  r.bytes(s.data(), n, "string");
  return s;
}

void write_string(BinaryWriter& w, const std::string& s) {
  w.pod(static_cast<uint32_t>(s.size()));
  w.bytes(s.data(), s.size());
}

IndexFileHeader read_header(BinaryReader& r) {
  char magic[8];
  r.bytes(magic, sizeof magic, "magic");
  if (std::memcmp(magic, kMagic, sizeof magic) != 0)
    throw_error(ErrorCode::kCorrupt, "'", r.source(), "' is not an rlrec index file (bad magic)");
  const uint32_t version = r.pod<uint32_t>("version");
  if (version != kVersion)
    throw_error(ErrorCode::kNotSupported, "index file '", r.source(), "' has format version ",
                version, "; this build reads version ", kVersion);
  IndexFileHeader h;
  const uint32_t metric = r.pod<uint32_t>("metric");
  if (metric > 1) r.corrupt("unknown metric code ", metric);
  h.metric = metric == 0 ? Metric::kInnerProduct : Metric::kL2;
  h.dim = r.pod<uint64_t>("dim");
  h.count = r.pod<uint64_t>("count");
  h.fingerprint = r.pod<uint64_t>("fingerprint");
  h.kind = read_string(r);
  const std::string toml = read_string(r);
  if (h.dim == 0 || h.dim > (1u << 20)) r.corrupt("dim ", h.dim, " is implausible");
  if (h.count > kMaxItems) r.corrupt("count ", h.count, " is implausible");
  try {
    Config cfg = Config::parse_string(toml, r.source());
    read_section(cfg, "index", h.config, {});
    h.config.validate();
  } catch (const Error& e) {
    r.corrupt("bad config in header (", e.what(), ")");
  }
  if (parse_metric(h.config.metric) != h.metric) r.corrupt("metric in header and config disagree");
  return h;
}

}  // namespace

void Index::save(const std::string& path) const {
  TempFile tmp(path);  // renamed onto `path` when complete, removed otherwise
  {
    BinaryWriter w(tmp.path().string());
    w.bytes(kMagic, sizeof kMagic);
    w.pod(kVersion);
    w.pod(static_cast<uint32_t>(metric_ == Metric::kInnerProduct ? 0 : 1));
    w.pod(static_cast<uint64_t>(dim_));
    w.pod(static_cast<uint64_t>(count_));
    w.pod(fingerprint_);
    write_string(w, kind_);
    write_string(w, dump_section("index", "", config_));
    save_body(w);
    w.bytes(kEndMagic, sizeof kEndMagic);
    const uint64_t checksum = w.checksum();
    w.pod(checksum);
    w.close();
  }
  tmp.commit();
}

bool is_index_file(const std::string& path) {
  char magic[8] = {};
  std::ifstream(path, std::ios::binary).read(magic, sizeof magic);
  return std::memcmp(magic, kMagic, sizeof kMagic) == 0;
}

IndexFileHeader read_index_header(const std::string& path) {
  BinaryReader r(path, "index file");
  return read_header(r);
}

std::unique_ptr<Index> load_index(const std::string& path) {
  BinaryReader r(path, "index file");
  {  // Verify the checksum before trusting any field; a version-1 file (no checksum) gets the
     // version message from read_header instead.
    char head[12] = {};
    std::ifstream(path, std::ios::binary).read(head, sizeof head);
    uint32_t version = 0;
    std::memcpy(&version, head + 8, sizeof version);
    if (std::memcmp(head, kMagic, sizeof kMagic) == 0 && version != 1)
      verify_trailing_checksum(path, "index file");
  }
  IndexFileHeader h = read_header(r);
  const IndexKind* entry = nullptr;
  for (const auto& e : index_kinds())
    if (e.name == h.kind && e.name != "auto") entry = &e;
  if (entry == nullptr) r.corrupt("unknown index kind '", h.kind, "'");
  // Every kind stores at least each item's vector and 8-byte id: check that the file holds them
  // before make() sizes the index by the header's count (a corrupt count once allocated an HNSW
  // graph for billions of items; found by fuzz/index_fuzz.cc).
  r.require(h.count * (h.dim * sizeof(float) + sizeof(int64_t)), "the items' vectors and ids");
  std::unique_ptr<Index> index = entry->make(h.dim, h.config, h.count);
  index->load_body(r, h.count);
  char end[8];
  r.bytes(end, sizeof end, "end marker");
  if (std::memcmp(end, kEndMagic, sizeof end) != 0) r.corrupt("bad end marker");
  r.pod<uint64_t>("checksum");  // verified above
  if (r.remaining() != 0) r.corrupt(r.remaining(), " bytes after the end marker");
  index->count_ = h.count;
  index->fingerprint_ = h.fingerprint;
  if (index->sorted_ids_.size() != h.count)
    r.corrupt("holds ", index->sorted_ids_.size(), " ids but its header says ", h.count);
  return index;
}

std::unique_ptr<Index> load_index(const std::string& path, uint64_t expected_fingerprint) {
  std::unique_ptr<Index> index = load_index(path);
  if (index->fingerprint() != expected_fingerprint) {
    char got[32], want[32];
    std::snprintf(got, sizeof got, "%016llx",
                  static_cast<unsigned long long>(index->fingerprint()));
    std::snprintf(want, sizeof want, "%016llx",
                  static_cast<unsigned long long>(expected_fingerprint));
    invalid_argument("index file '", path, "' was built for another catalogue (fingerprint ", got,
                     ", ", index->size(), " items x ", index->dim(), "; expected ", want,
                     "); rebuild the index for this catalogue");
  }
  return index;
}

// ---------------------------------------------------------------------------------------------
// Registry.
//
// The "auto" threshold. benchmarks/index_bench.cc, clustered unit vectors (1000 clusters), k = 10,
// one thread, queries per CPU-second on the shared 2-core machine (wall-clock q/s were 1.5-6x
// lower under other users' load); HNSW M = 16, ef_construction = 200, at the smallest ef_search
// with recall@10 >= 0.95:
//
//   items   dim | exact, 1 query/call | exact, 1000/call | hnsw, 1 query/call (ef, recall)
//   1,000    32 |   103k              |  137k            |  56k (24, 0.978)
//   3,000    32 |    42k              |   73k            |  66k (16, 0.957)
//   10,000   32 |    16k              |   32k            |  56k (10, 0.987)
//   100,000  32 |   0.6k              |  4.2k            |  19k (16, 0.986)
//   1,000    64 |    71k              |  122k            |  40k (32, 0.973)
//   3,000    64 |    34k              |   60k            |  38k (24, 0.958)
//   10,000   64 |    12k              |   26k            |  37k (10, 0.985)
//   100,000  64 |   0.3k              |  3.5k            |  15k (16, 0.977)
//   1,000,000 64|  0.03k              |  0.3k            | 6.0k (40, 0.968)  (rlrec index bench)
//
// HNSW overtakes single-query exact search at 2-3k items and batched exact search at about 3.5k
// (dim 32) to 5.5k (dim 64) items. Batches are the common case (many users per step), and below
// the crossover exact search also has recall 1 and no build, so "auto" switches at 5,000 items.

namespace {

std::unique_ptr<Index> make_exact(size_t dim, const IndexConfig& config, size_t expected) {
  return std::make_unique<ExactIndex>(dim, config, expected);
}
std::unique_ptr<Index> make_hnsw(size_t dim, const IndexConfig& config, size_t expected) {
  return std::make_unique<HnswIndex>(dim, config, expected);
}
std::unique_ptr<Index> make_auto(size_t dim, const IndexConfig& config, size_t expected) {
  config.validate();
  if (expected < static_cast<uint64_t>(config.auto_threshold))
    return make_exact(dim, config, expected);
  return make_hnsw(dim, config, expected);
}

constexpr IndexKind kIndexKinds[] = {
    {"exact", "exact search: BLAS sgemm/sgemv scores + top-k selection (recall 1)", make_exact},
    {"hnsw", "approximate search on an HNSW graph (hnswlib 0.6.2)", make_hnsw},
    {"auto", "exact below index.auto_threshold items, hnsw from there on", make_auto},
};

}  // namespace

std::span<const IndexKind> index_kinds() { return kIndexKinds; }

std::unique_ptr<Index> make_index(std::string_view kind, size_t dim, const IndexConfig& config,
                                  size_t expected_items) {
  const IndexKind& e = registry_lookup(index_kinds(), kind, "index kind");
  return e.make(dim, config, expected_items);
}

std::unique_ptr<Index> build_index(std::string_view kind, MatrixView<const float> vectors,
                                   std::span<const int64_t> ids, const IndexConfig& config) {
  std::unique_ptr<Index> index = make_index(kind, vectors.cols, config, vectors.rows);
  index->add(vectors, ids);
  return index;
}

double recall_at_k(MatrixView<const int64_t> approx, MatrixView<const int64_t> exact) {
  if (approx.rows != exact.rows || approx.cols != exact.cols)
    invalid_argument("recall_at_k: result shapes differ (", approx.rows, " x ", approx.cols, " vs ",
                     exact.rows, " x ", exact.cols, ")");
  if (exact.rows == 0 || exact.cols == 0) return 0.0;
  std::vector<int64_t> truth(exact.cols);
  size_t hits = 0;
  for (size_t i = 0; i < exact.rows; ++i) {
    truth.assign(exact.row(i), exact.row(i) + exact.cols);
    std::sort(truth.begin(), truth.end());
    for (size_t j = 0; j < approx.cols; ++j)
      hits += std::binary_search(truth.begin(), truth.end(), approx(i, j)) ? 1 : 0;
  }
  return static_cast<double>(hits) / static_cast<double>(exact.rows * exact.cols);
}

}  // namespace rlrec::index
