#include "rlrec/agents/replay.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>

#include "rlrec/core/check.h"
#include "rlrec/core/error.h"
#include "rlrec/core/memory.h"

namespace rlrec::agents {

namespace {
constexpr char kMagic[8] = {'R', 'L', 'R', 'E', 'P', 'L', 'A', 'Y'};
constexpr uint32_t kVersion = 1;
}  // namespace

ReplayBuffer::ReplayBuffer(int64_t capacity, std::vector<Column> columns)
    : capacity_(capacity), columns_(std::move(columns)) {
  if (capacity < 1) invalid_argument("replay capacity must be >= 1, got ", capacity);
  double floats = 0;
  for (const auto& c : columns_) floats += c.width;
  check_memory(static_cast<double>(capacity) * floats * sizeof(float),
               str_cat("a replay buffer of ", capacity, " transitions (replay_capacity) x ", floats,
                       " floats"));
  for (auto& c : columns_) {
    RLREC_CHECK(c.width >= 0, "column ", c.name);
    data_.emplace_back(static_cast<size_t>(capacity) * c.width, 0.f);
  }
}

int ReplayBuffer::column(const std::string& name) const {
  for (size_t i = 0; i < columns_.size(); ++i)
    if (columns_[i].name == name) return static_cast<int>(i);
  RLREC_CHECK(false, "unknown replay column ", name);
  return -1;
}

int64_t ReplayBuffer::add() {
  const int64_t idx = next_;
  next_ = (next_ + 1) % capacity_;
  if (size_ < capacity_) ++size_;
  return idx;
}

void ReplayBuffer::sample(int n, Rng& rng, std::vector<int64_t>& out) const {
  RLREC_CHECK(size_ > 0, "sample from an empty replay buffer");
  out.resize(n);
  for (int i = 0; i < n; ++i) out[i] = static_cast<int64_t>(rng.uniform_int(size_));
}

void ReplayBuffer::save(const std::string& path) const {
  std::ofstream os(path, std::ios::binary);
  if (!os) throw_error(ErrorCode::kIo, "cannot write replay file '", path, "'");
  os.write(kMagic, 8);
  auto put = [&](const auto& v) { os.write(reinterpret_cast<const char*>(&v), sizeof v); };
  put(kVersion);
  put(capacity_);
  put(size_);
  put(next_);
  const uint32_t ncol = static_cast<uint32_t>(columns_.size());
  put(ncol);
  for (auto& c : columns_) {
    const uint32_t len = static_cast<uint32_t>(c.name.size());
    put(len);
    os.write(c.name.data(), len);
    put(c.width);
  }
  for (size_t i = 0; i < columns_.size(); ++i)
    os.write(reinterpret_cast<const char*>(data_[i].data()),
             static_cast<std::streamsize>(sizeof(float) * size_ * columns_[i].width));
  if (!os) throw_error(ErrorCode::kIo, "error writing replay file '", path, "'");
}

void ReplayBuffer::load(const std::string& path) {
  std::ifstream is(path, std::ios::binary);
  if (!is) throw_error(ErrorCode::kNotFound, "cannot open replay file '", path, "'");
  auto corrupt = [&](const char* what) {
    throw_error(ErrorCode::kCorrupt, path, ": corrupt replay file (", what, ")");
  };
  char magic[8];
  is.read(magic, 8);
  if (!is || std::memcmp(magic, kMagic, 8) != 0) corrupt("bad magic");
  auto get = [&](auto& v) {
    is.read(reinterpret_cast<char*>(&v), sizeof v);
    if (!is) corrupt("truncated header");
  };
  uint32_t version;
  get(version);
  if (version != kVersion) corrupt("unknown version");
  int64_t capacity, size, next;
  get(capacity);
  get(size);
  get(next);
  uint32_t ncol;
  get(ncol);
  if (capacity != capacity_)
    invalid_argument(path, ": replay capacity ", capacity, " does not match the agent's ",
                     capacity_);
  if (ncol != columns_.size() || size < 0 || size > capacity || next < 0 || next >= capacity)
    corrupt("column count or size");
  for (auto& c : columns_) {
    uint32_t len;
    get(len);
    if (len > 1024) corrupt("column name");
    std::string name(len, '\0');
    is.read(name.data(), len);
    int width;
    get(width);
    if (name != c.name || width != c.width)
      invalid_argument(path, ": replay column '", name, "' (width ", width,
                       ") does not match the agent's '", c.name, "' (width ", c.width, ")");
  }
  for (size_t i = 0; i < columns_.size(); ++i) {
    is.read(reinterpret_cast<char*>(data_[i].data()),
            static_cast<std::streamsize>(sizeof(float) * size * columns_[i].width));
    if (!is) corrupt("truncated data");
  }
  size_ = size;
  next_ = next;
}

SumTree::SumTree(int64_t capacity) : cap_(1) {
  while (cap_ < capacity) cap_ <<= 1;
  tree_.assign(static_cast<size_t>(2 * cap_), 0.0);
}

void SumTree::set(int64_t i, double p) {
  int64_t k = i + cap_;
  tree_[k] = p;
  for (k >>= 1; k >= 1; k >>= 1) tree_[k] = tree_[2 * k] + tree_[2 * k + 1];
}

int64_t SumTree::find(double x) const {
  int64_t k = 1;
  while (k < cap_) {
    if (x < tree_[2 * k] || tree_[2 * k + 1] <= 0) {
      k = 2 * k;
    } else {
      x -= tree_[2 * k];
      k = 2 * k + 1;
    }
  }
  return k - cap_;
}

PrioritizedSampler::PrioritizedSampler(const ReplayBuffer& replay, double alpha, double beta)
    : replay_(&replay), alpha_(alpha), beta_(beta), tree_(replay.capacity()) {}

void PrioritizedSampler::sample(int n, Rng& rng, std::vector<int64_t>& idx,
                                std::vector<double>& weights) const {
  const int64_t size = replay_->size();
  RLREC_CHECK(size > 0, "sample from an empty replay buffer");
  idx.resize(n);
  weights.resize(n);
  const double total = tree_.total();
  double wmax = 0;
  for (int j = 0; j < n; ++j) {
    const double x = (j + rng.uniform()) * total / n;
    int64_t i = tree_.find(std::min(x, total * (1 - 1e-12)));
    if (i >= size) i = size - 1;
    idx[j] = i;
    const double p = tree_.get(i) / total;
    weights[j] = std::pow(static_cast<double>(size) * p, -beta_);
    wmax = std::max(wmax, weights[j]);
  }
  for (auto& w : weights) w /= wmax;
}

void PrioritizedSampler::update(const std::vector<int64_t>& idx, const float* abs_td) {
  for (size_t j = 0; j < idx.size(); ++j) {
    const double p = std::pow(static_cast<double>(abs_td[j]) + 1e-6, alpha_);
    tree_.set(idx[j], p);
    max_priority_ = std::max(max_priority_, p);
  }
}

void PrioritizedSampler::save(const std::string& path) const {
  std::ofstream os(path);
  os.precision(17);
  os << replay_->capacity() << " " << max_priority_ << "\n";
  for (int64_t i = 0; i < replay_->size(); ++i) os << tree_.get(i) << "\n";
  if (!os) throw_error(ErrorCode::kIo, "cannot write '", path, "'");
}

void PrioritizedSampler::load(const std::string& path) {
  std::ifstream is(path);
  int64_t cap = -1;
  double maxp = 0;
  is >> cap >> maxp;
  if (!is || cap != replay_->capacity())
    throw_error(ErrorCode::kCorrupt, path, ": bad header (capacity ", cap, ", replay capacity ",
                replay_->capacity(), ")");
  SumTree tree(replay_->capacity());
  for (int64_t i = 0; i < replay_->size(); ++i) {
    double p = 0;
    if (!(is >> p)) throw_error(ErrorCode::kCorrupt, path, ": truncated");
    tree.set(i, p);
  }
  tree_ = std::move(tree);
  max_priority_ = maxp;
}

}  // namespace rlrec::agents
