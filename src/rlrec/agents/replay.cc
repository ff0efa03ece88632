#include "rlrec/agents/replay.h"

#include <cstring>
#include <fstream>

#include "rlrec/core/check.h"
#include "rlrec/core/error.h"

namespace rlrec::agents {

namespace {
constexpr char kMagic[8] = {'R', 'L', 'R', 'E', 'P', 'L', 'A', 'Y'};
constexpr uint32_t kVersion = 1;
}  // namespace

ReplayBuffer::ReplayBuffer(int64_t capacity, std::vector<Column> columns)
    : capacity_(capacity), columns_(std::move(columns)) {
  if (capacity < 1) invalid_argument("replay capacity must be >= 1, got ", capacity);
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
    invalid_argument(path, ": replay capacity ", capacity, " does not match the agent's ", capacity_);
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

}  // namespace rlrec::agents
