// Log file format: writer, validating reader, in-memory columns, observation reconstruction.
// Spec: docs/logs.md. All multi-byte values are written little-endian byte by byte, so the files
// are portable whatever the host order.
#include "rlrec/logs/log.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <sstream>

#include "rlrec/core/error.h"
#include "rlrec/core/manifest.h"

namespace rlrec::logs {
namespace {

constexpr char kMagic[8] = {'R', 'L', 'R', 'E', 'C', 'L', 'O', 'G'};
constexpr uint32_t kRecordMagic = 0x31434552u;  // "REC1" read as little-endian bytes
constexpr uint32_t kMaxText = 64u << 20;

template <class T>
void put(std::vector<char>& b, T v) {
  uint8_t bytes[sizeof(T)];
  std::memcpy(bytes, &v, sizeof(T));
  if constexpr (std::endian::native == std::endian::big) std::reverse(bytes, bytes + sizeof(T));
  b.insert(b.end(), bytes, bytes + sizeof(T));
}
template <class T>
void put_n(std::vector<char>& b, const T* v, size_t n) {
  for (size_t i = 0; i < n; ++i) put(b, v[i]);
}

struct Cursor {
  const char* p;
  template <class T>
  T get() {
    uint8_t bytes[sizeof(T)];
    std::memcpy(bytes, p, sizeof(T));
    if constexpr (std::endian::native == std::endian::big) std::reverse(bytes, bytes + sizeof(T));
    p += sizeof(T);
    T v;
    std::memcpy(&v, bytes, sizeof(T));
    return v;
  }
  template <class T>
  void get_n(T* out, size_t n) {
    for (size_t i = 0; i < n; ++i) out[i] = get<T>();
  }
};

// A reader over [p, end) that throws Short when a field would run past the payload.
struct Short {};
struct Bounded {
  const char* p;
  const char* end;
  template <class T>
  T get() {
    if (end - p < static_cast<std::ptrdiff_t>(sizeof(T))) throw Short{};
    Cursor c{p};
    T v = c.get<T>();
    p = c.p;
    return v;
  }
  // LEB128; more than 10 bytes is not a u64.
  uint64_t varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 70; shift += 7) {
      const uint8_t b = get<uint8_t>();
      if (shift == 63 && b > 1) throw Short{};
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80)) return v;
    }
    throw Short{};
  }
  int64_t zigzag() {
    const uint64_t u = varint();
    return static_cast<int64_t>(u >> 1) ^ -static_cast<int64_t>(u & 1);
  }
};

void put_varint(std::vector<char>& b, uint64_t v) {
  while (v >= 0x80) {
    b.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  b.push_back(static_cast<char>(v));
}
void put_zigzag(std::vector<char>& b, int64_t v) {
  put_varint(b, (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63));
}

uint32_t bits_of(float f) {
  uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  return u;
}
// Floats that differ (bitwise) from `ref` (nullptr: zeros).
size_t count_changed(const float* v, const float* ref, size_t n) {
  size_t c = 0;
  for (size_t i = 0; i < n; ++i) c += bits_of(v[i]) != (ref ? bits_of(ref[i]) : 0u);
  return c;
}
// Version-2 float vector: u8 reference (0 zeros, 1 the previous record's vector; `prev` is nullptr
// when there is none), a bitmap of the values that differ from it bitwise, then those values.
void put_floats(std::vector<char>& b, const float* v, size_t n, const float* prev) {
  if (n == 0) return;
  const bool use_prev = prev && count_changed(v, prev, n) < count_changed(v, nullptr, n);
  const float* ref = use_prev ? prev : nullptr;
  put<uint8_t>(b, use_prev ? 1 : 0);
  const size_t at = b.size();
  b.resize(at + (n + 7) / 8, 0);
  for (size_t i = 0; i < n; ++i)
    if (bits_of(v[i]) != (ref ? bits_of(ref[i]) : 0u)) {
      b[at + i / 8] = static_cast<char>(b[at + i / 8] | (1 << (i % 8)));
      put<float>(b, v[i]);
    }
}

std::string hex(uint64_t v) {
  std::ostringstream os;
  os << "0x" << std::hex << v;
  return os.str();
}

std::string quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string meta_toml(const LogHeader& h) {
  std::ostringstream os;
  os << "[log]\nformat_version = " << h.format_version << "\nenv = " << quote(h.env)
     << "\npolicy = " << quote(h.policy) << "\nenv_seed = \"" << hex(h.env_seed)
     << "\"\npolicy_seed = \"" << hex(h.policy_seed) << "\"\ncatalogue_fingerprint = \""
     << hex(h.catalogue_fingerprint) << "\"\nnum_candidates = " << h.num_candidates
     << "\nslate_size = " << h.slate_size << "\nuser_dim = " << h.user_dim
     << "\nitem_dim = " << h.item_dim << "\nresponse_fields = [";
  for (size_t i = 0; i < h.response_fields.size(); ++i)
    os << (i ? ", " : "") << quote(h.response_fields[i]);
  os << "]\nhas_candidate_ids = " << (h.has_candidate_ids ? "true" : "false")
     << "\nhas_candidate_features = " << (h.has_candidate_features ? "true" : "false") << "\n";
  return os.str();
}

struct MetaFields {
  int64_t format_version = 0;
  std::string env, policy, env_seed, policy_seed, fingerprint;
  int num_candidates = 0, slate_size = 0, user_dim = 0, item_dim = 0;
  std::vector<std::string> response_fields;
  bool has_ids = false, has_features = false;
  void visit(FieldVisitor& v) {
    v.field("format_version", format_version, "");
    v.field("env", env, "");
    v.field("policy", policy, "");
    v.field("env_seed", env_seed, "");
    v.field("policy_seed", policy_seed, "");
    v.field("catalogue_fingerprint", fingerprint, "");
    v.field("num_candidates", num_candidates, "");
    v.field("slate_size", slate_size, "");
    v.field("user_dim", user_dim, "");
    v.field("item_dim", item_dim, "");
    v.field("response_fields", response_fields, "");
    v.field("has_candidate_ids", has_ids, "");
    v.field("has_candidate_features", has_features, "");
  }
};

uint64_t parse_hex(const std::string& path, const char* key, const std::string& s) {
  if (s.size() < 3 || s.compare(0, 2, "0x") != 0 || s.size() > 18 ||
      s.find_first_not_of("0123456789abcdef", 2) != std::string::npos)
    throw_error(ErrorCode::kCorrupt, path, ": header: ", key,
                " must be a hex string \"0x...\", got '", s, "'");
  return std::stoull(s.substr(2), nullptr, 16);
}

bool valid_prob(double p) { return p == -1.0 || (p > 0.0 && p <= 1.0 + 1e-9); }

constexpr uint32_t kRecordMagicV2 = 0x32434552u;  // "REC2"

}  // namespace

int64_t LogHeader::payload_bytes() const {
  const int64_t N = num_candidates, K = slate_size, R = response_dim();
  return 8 + 4 + 4 * user_dim + (has_candidate_ids ? 8 * N : 0) +
         (has_candidate_features ? 4 * N * item_dim : 0) + 4 * K + 4 * K * R + 4 + 8 + 2 + 8 +
         3 * 8 * K;
}

int64_t LogHeader::max_payload_bytes() const {
  if (format_version == 1) return payload_bytes();
  const int64_t N = num_candidates, K = slate_size, R = response_dim(), U = user_dim;
  auto floats = [](int64_t n) { return n ? 1 + (n + 7) / 8 + 4 * n : 0; };
  const int64_t P = 1 + 3 * K;
  return 10 + 5 + floats(U) + (has_candidate_ids ? 10 * N : 0) +
         (has_candidate_features ? floats(N * item_dim) : 0) + 5 * K + floats(K * R) + 5 + 8 + 1 +
         (P + 7) / 8 + 8 * P;
}

LogHeader make_header(const sim::Environment& env, const Config& config, uint64_t env_seed,
                      std::string policy, uint64_t policy_seed) {
  const auto& s = env.spec();
  LogHeader h;
  h.env = s.name;
  h.policy = std::move(policy);
  h.env_seed = env_seed;
  h.policy_seed = policy_seed;
  h.catalogue_fingerprint = env.catalogue() ? env.catalogue()->fingerprint : 0;
  h.num_candidates = s.num_candidates;
  h.slate_size = s.slate_size;
  h.user_dim = s.user_dim;
  h.item_dim = s.item_dim;
  h.response_fields = s.response_fields;
  h.has_candidate_ids = !s.candidates_are_catalogue();
  h.has_candidate_features = !s.fixed_corpus();
  h.env_config = config.to_toml();
  return h;
}

void check_compatible(const LogHeader& h, const sim::Environment& env, const std::string& what) {
  const auto& s = env.spec();
  if (h.env != s.name)
    invalid_argument(what, ": log was written for environment '", h.env, "', not '", s.name, "'");
  if (h.num_candidates != s.num_candidates || h.slate_size != s.slate_size ||
      h.user_dim != s.user_dim || h.item_dim != s.item_dim ||
      h.response_fields != s.response_fields)
    invalid_argument(what, ": log shapes (num_candidates ", h.num_candidates, ", slate_size ",
                     h.slate_size, ", user_dim ", h.user_dim, ", item_dim ", h.item_dim,
                     ") do not match the environment (", s.num_candidates, ", ", s.slate_size, ", ",
                     s.user_dim, ", ", s.item_dim, ")");
  const uint64_t fp = env.catalogue() ? env.catalogue()->fingerprint : 0;
  if (h.catalogue_fingerprint != fp)
    invalid_argument(what, ": log catalogue fingerprint ", hex(h.catalogue_fingerprint),
                     " does not match the environment's catalogue ", hex(fp),
                     " (another env config or seed)");
}

// ---------------------------------------------------------------------------------------- writer

namespace {
// An rlrec log at `p`: a regular file that starts with the magic bytes.
bool is_log_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  char head[8];
  return in.read(head, 8) && std::memcmp(head, kMagic, 8) == 0;
}
}  // namespace

LogWriter::LogWriter(std::string path, LogHeader header, bool force)
    : path_(std::move(path)), header_(std::move(header)) {
  if (header_.num_candidates < 1 || header_.slate_size < 1 ||
      header_.slate_size > header_.num_candidates || header_.user_dim < 0 || header_.item_dim < 0)
    invalid_argument("log header for '", path_, "': invalid shapes (num_candidates ",
                     header_.num_candidates, ", slate_size ", header_.slate_size, ")");
  if (header_.format_version != 1 && header_.format_version != kFormatVersion)
    invalid_argument("log header for '", path_, "': format_version ", header_.format_version,
                     " cannot be written (valid: 1, ", kFormatVersion, ")");
  lock_.emplace(claim_output(path_, OutputKind::kFile, {force, is_log_file}, "log"));
  tmp_file_.emplace(path_);
  tmp_ = tmp_file_->path().string();
  os_.open(tmp_, std::ios::binary | std::ios::trunc);
  if (!os_) throw_error(ErrorCode::kIo, "cannot write log '", tmp_, "'");
  std::vector<char> b(kMagic, kMagic + 8);
  const std::string meta = meta_toml(header_);
  put<uint32_t>(b, header_.format_version);
  put<uint32_t>(b, static_cast<uint32_t>(meta.size()));
  b.insert(b.end(), meta.begin(), meta.end());
  put<uint32_t>(b, static_cast<uint32_t>(header_.env_config.size()));
  b.insert(b.end(), header_.env_config.begin(), header_.env_config.end());
  os_.write(b.data(), static_cast<std::streamsize>(b.size()));
}

LogWriter::~LogWriter() {
  if (!closed_) os_.close();  // tmp_file_ then removes the temporary file, lock_ the claim
}

void LogWriter::write(const LogRecord& r) {
  const auto& h = header_;
  const size_t N = h.num_candidates, K = h.slate_size, R = h.response_dim(), D = h.item_dim;
  auto size_is = [&](const char* what, size_t got, size_t want) {
    if (got != want)
      invalid_argument("log '", path_, "': record ", records_, ": ", what, " has ", got,
                       " values, the header needs ", want);
  };
  size_is("user", r.user.size(), h.user_dim);
  size_is("candidate_ids", r.candidate_ids.size(), h.has_candidate_ids ? N : 0);
  size_is("candidate_features", r.candidate_features.size(), h.has_candidate_features ? N * D : 0);
  size_is("slate", r.slate.size(), K);
  size_is("responses", r.responses.size(), K * R);
  size_is("marginal", r.marginal.size(), K);
  size_is("inclusion", r.inclusion.size(), K);
  size_is("conditional", r.conditional.size(), K);
  buf_.clear();
  if (h.format_version == 1)
    encode_v1(r);
  else
    encode_v2(r);
  os_.write(buf_.data(), static_cast<std::streamsize>(buf_.size()));
  if (!os_) throw_error(ErrorCode::kIo, "cannot write log '", tmp_, "' (disk full?)");
  ++records_;
}

void LogWriter::encode_v1(const LogRecord& r) {
  const auto& h = header_;
  const size_t K = h.slate_size;
  put<uint32_t>(buf_, kRecordMagic);
  put<uint32_t>(buf_, static_cast<uint32_t>(h.payload_bytes()));
  const size_t start = buf_.size();
  put<uint64_t>(buf_, r.episode);
  put<int32_t>(buf_, r.step);
  put_n(buf_, r.user.data(), r.user.size());
  put_n(buf_, r.candidate_ids.data(), r.candidate_ids.size());
  put_n(buf_, r.candidate_features.data(), r.candidate_features.size());
  put_n(buf_, r.slate.data(), K);
  put_n(buf_, r.responses.data(), r.responses.size());
  put<int32_t>(buf_, r.choice);
  put<double>(buf_, r.reward);
  put<uint8_t>(buf_, r.terminated);
  put<uint8_t>(buf_, r.truncated);
  put<double>(buf_, r.slate_propensity);
  put_n(buf_, r.marginal.data(), K);
  put_n(buf_, r.inclusion.data(), K);
  put_n(buf_, r.conditional.data(), K);
  put<uint32_t>(buf_, fnv1a32({buf_.data() + start, buf_.size() - start}));
}

void LogWriter::encode_v2(const LogRecord& r) {
  const size_t K = header_.slate_size;
  // The previous record is the reference for deltas when this record continues its episode.
  const bool cont = records_ > 0 && r.step > 0;
  put<uint32_t>(buf_, kRecordMagicV2);
  put<uint32_t>(buf_, 0);  // payload length, patched below
  const size_t start = buf_.size();
  put_varint(buf_, r.episode);
  put_zigzag(buf_, r.step);
  put_floats(buf_, r.user.data(), r.user.size(), cont ? prev_.user.data() : nullptr);
  int64_t last = cont && !prev_.candidate_ids.empty() ? prev_.candidate_ids[0] : 0;
  for (int64_t id : r.candidate_ids) {
    put_zigzag(buf_, static_cast<int64_t>(static_cast<uint64_t>(id) - static_cast<uint64_t>(last)));
    last = id;
  }
  put_floats(buf_, r.candidate_features.data(), r.candidate_features.size(),
             cont ? prev_.candidate_features.data() : nullptr);
  for (size_t k = 0; k < K; ++k) put_zigzag(buf_, r.slate[k]);
  put_floats(buf_, r.responses.data(), r.responses.size(), cont ? prev_.responses.data() : nullptr);
  put_zigzag(buf_, r.choice);
  put<double>(buf_, r.reward);
  put<uint8_t>(buf_, static_cast<uint8_t>((r.terminated ? 1 : 0) | (r.truncated ? 2 : 0)));
  // Propensities: a bitmap of the known ones (not -1), then their f64 values.
  std::vector<double> p;
  p.reserve(1 + 3 * K);
  p.push_back(r.slate_propensity);
  p.insert(p.end(), r.marginal.begin(), r.marginal.end());
  p.insert(p.end(), r.inclusion.begin(), r.inclusion.end());
  p.insert(p.end(), r.conditional.begin(), r.conditional.end());
  const size_t at = buf_.size();
  buf_.resize(at + (p.size() + 7) / 8, 0);
  for (size_t i = 0; i < p.size(); ++i)
    if (p[i] != -1.0) {
      buf_[at + i / 8] = static_cast<char>(buf_[at + i / 8] | (1 << (i % 8)));
      put<double>(buf_, p[i]);
    }
  const uint32_t len = static_cast<uint32_t>(buf_.size() - start);
  for (int i = 0; i < 4; ++i) buf_[start - 4 + i] = static_cast<char>((len >> (8 * i)) & 0xff);
  put<uint32_t>(buf_, fnv1a32({buf_.data() + start, buf_.size() - start}));
  prev_.user = r.user;
  prev_.candidate_ids = r.candidate_ids;
  prev_.candidate_features = r.candidate_features;
  prev_.responses = r.responses;
}

void LogWriter::close() {
  if (closed_) return;
  os_.close();
  if (!os_) throw_error(ErrorCode::kIo, "cannot finish log '", tmp_, "'");
  tmp_file_->commit();
  closed_ = true;
}

// ---------------------------------------------------------------------------------------- reader

LogReader::LogReader(std::string path) : path_(std::move(path)) {
  if (!std::filesystem::exists(path_))
    throw_error(ErrorCode::kNotFound, "log file '", path_, "' not found");
  is_.open(path_, std::ios::binary);
  if (!is_) throw_error(ErrorCode::kIo, "cannot open log '", path_, "'");
  auto corrupt = [&](const std::string& m) {
    throw_error(ErrorCode::kCorrupt, path_, ": header: ", m);
  };
  char head[16];
  if (!is_.read(head, 16)) corrupt("file too short for the 16-byte preamble (not an rlrec log)");
  if (std::memcmp(head, kMagic, 8) != 0) corrupt("bad magic (not an rlrec log file)");
  Cursor c{head + 8};
  const uint32_t version = c.get<uint32_t>();
  if (version != 1 && version != kFormatVersion)
    corrupt(str_cat("format version ", version,
                    " is not supported (this build reads versions 1 and ", kFormatVersion, ")"));
  const uint32_t meta_len = c.get<uint32_t>();
  if (meta_len > kMaxText) corrupt(str_cat("metadata length ", meta_len, " is implausible"));
  std::string meta(meta_len, '\0');
  char len4[4];
  if (!is_.read(meta.data(), meta_len) || !is_.read(len4, 4)) corrupt("truncated metadata");
  const uint32_t cfg_len = Cursor{len4}.get<uint32_t>();
  if (cfg_len > kMaxText) corrupt(str_cat("config length ", cfg_len, " is implausible"));
  header_.env_config.assign(cfg_len, '\0');
  if (!is_.read(header_.env_config.data(), cfg_len)) corrupt("truncated env config");
  offset_ = 16 + meta_len + 4 + cfg_len;
  MetaFields m;
  try {
    Config mc = Config::parse_string(meta, path_ + " header");
    read_section(mc, "log", m, {});
  } catch (const Error& e) {
    corrupt(e.what());
  }
  if (m.format_version != version)
    corrupt(str_cat("metadata format_version ", m.format_version, " differs from the preamble's ",
                    version));
  header_.format_version = version;
  header_.env = m.env;
  header_.policy = m.policy;
  header_.env_seed = parse_hex(path_, "env_seed", m.env_seed);
  header_.policy_seed = parse_hex(path_, "policy_seed", m.policy_seed);
  header_.catalogue_fingerprint = parse_hex(path_, "catalogue_fingerprint", m.fingerprint);
  header_.num_candidates = m.num_candidates;
  header_.slate_size = m.slate_size;
  header_.user_dim = m.user_dim;
  header_.item_dim = m.item_dim;
  header_.response_fields = m.response_fields;
  header_.has_candidate_ids = m.has_ids;
  header_.has_candidate_features = m.has_features;
  if (m.env.empty()) corrupt("env is empty");
  if (m.num_candidates < 1 || m.slate_size < 1 || m.slate_size > m.num_candidates ||
      m.user_dim < 0 || m.item_dim < 0)
    corrupt(str_cat("invalid shapes (num_candidates ", m.num_candidates, ", slate_size ",
                    m.slate_size, ", user_dim ", m.user_dim, ", item_dim ", m.item_dim, ")"));
}

void LogReader::fail(const std::string& problem) const {
  throw_error(ErrorCode::kCorrupt, path_, ": record ", index_, " (byte offset ", record_offset_,
              "): ", problem);
}

bool LogReader::next(LogRecord& r) {
  const auto& h = header_;
  const int N = h.num_candidates, K = h.slate_size;
  record_offset_ = offset_;
  char pre[8];
  is_.read(pre, 8);
  const auto got = is_.gcount();
  if (got == 0) {
    if (episode_open_)
      fail(str_cat("end of file inside episode ", episode_,
                   " (its last record is neither "
                   "terminated nor truncated: the log was cut short)"));
    return false;
  }
  if (got < 8) fail("truncated record preamble");
  Cursor pc{pre};
  const bool v1 = h.format_version == 1;
  if (pc.get<uint32_t>() != (v1 ? kRecordMagic : kRecordMagicV2))
    fail("bad record magic (not at a record boundary)");
  const uint32_t len = pc.get<uint32_t>();
  if (v1 && len != h.payload_bytes())
    fail(str_cat("payload length ", len, " does not match the header's shapes (", h.payload_bytes(),
                 ")"));
  if (len > h.max_payload_bytes())
    fail(str_cat("payload length ", len, " exceeds the most the header's shapes allow (",
                 h.max_payload_bytes(), ")"));
  buf_.resize(len + 4);
  if (!is_.read(buf_.data(), len + 4)) fail("truncated record payload");
  offset_ += 8 + len + 4;
  const uint32_t sum = Cursor{buf_.data() + len}.get<uint32_t>();
  if (sum != fnv1a32({buf_.data(), len})) fail("checksum mismatch (corrupted bytes)");
  if (v1)
    decode_v1(r);
  else
    decode_v2(r, len);
  // Semantic checks.
  auto finite = [&](const char* what, const float* v, size_t n) {
    for (size_t i = 0; i < n; ++i)
      if (!std::isfinite(v[i])) fail(str_cat(what, "[", i, "] is not finite"));
  };
  finite("user", r.user.data(), r.user.size());
  finite("candidate_features", r.candidate_features.data(), r.candidate_features.size());
  finite("responses", r.responses.data(), r.responses.size());
  if (!std::isfinite(r.reward)) fail("reward is not finite");
  for (int k = 0; k < K; ++k) {
    if (r.slate[k] < 0 || r.slate[k] >= N)
      fail(
          str_cat("slate[", k, "] = ", r.slate[k], " is not a candidate position in [0, ", N, ")"));
    for (int j = 0; j < k; ++j)
      if (r.slate[j] == r.slate[k]) fail(str_cat("slate repeats position ", r.slate[k]));
  }
  if (r.choice < -1 || r.choice >= K)
    fail(str_cat("choice ", r.choice, " must be a slot in [0, ", K, ") or -1"));
  if (!valid_prob(r.slate_propensity))
    fail(str_cat("slate_propensity ", r.slate_propensity, " must be in (0, 1] or -1 (unknown)"));
  for (int k = 0; k < K; ++k) {
    if (!valid_prob(r.marginal[k]))
      fail(str_cat("marginal[", k, "] = ", r.marginal[k], " must be in (0, 1] or -1 (unknown)"));
    if (!valid_prob(r.inclusion[k]))
      fail(str_cat("inclusion[", k, "] = ", r.inclusion[k], " must be in (0, 1] or -1 (unknown)"));
    if (!valid_prob(r.conditional[k]))
      fail(str_cat("conditional[", k, "] = ", r.conditional[k],
                   " must be in (0, 1] or -1 (unknown)"));
  }
  // Episode structure: contiguous episodes, steps 0, 1, 2, ...
  if (episode_open_) {
    if (r.episode != episode_)
      fail(str_cat("episode ", r.episode, " starts before episode ", episode_,
                   " ended (records of an episode must be contiguous)"));
    if (r.step != last_step_ + 1)
      fail(str_cat("episode ", r.episode, ": step ", r.step, " follows step ", last_step_));
  } else if (r.step != 0) {
    fail(str_cat("episode ", r.episode, " starts at step ", r.step, ", not 0"));
  }
  episode_ = r.episode;
  last_step_ = r.step;
  episode_open_ = !(r.terminated || r.truncated);
  ++index_;
  return true;
}

void LogReader::decode_v1(LogRecord& r) {
  const auto& h = header_;
  const int N = h.num_candidates, K = h.slate_size, R = h.response_dim();
  Cursor c{buf_.data()};
  r.episode = c.get<uint64_t>();
  r.step = c.get<int32_t>();
  r.user.resize(h.user_dim);
  c.get_n(r.user.data(), r.user.size());
  r.candidate_ids.resize(h.has_candidate_ids ? N : 0);
  c.get_n(r.candidate_ids.data(), r.candidate_ids.size());
  r.candidate_features.resize(h.has_candidate_features ? static_cast<size_t>(N) * h.item_dim : 0);
  c.get_n(r.candidate_features.data(), r.candidate_features.size());
  r.slate.resize(K);
  c.get_n(r.slate.data(), K);
  r.responses.resize(static_cast<size_t>(K) * R);
  c.get_n(r.responses.data(), r.responses.size());
  r.choice = c.get<int32_t>();
  r.reward = c.get<double>();
  const uint8_t term = c.get<uint8_t>(), trunc = c.get<uint8_t>();
  r.slate_propensity = c.get<double>();
  r.marginal.resize(K);
  r.inclusion.resize(K);
  r.conditional.resize(K);
  c.get_n(r.marginal.data(), K);
  c.get_n(r.inclusion.data(), K);
  c.get_n(r.conditional.data(), K);
  if (term > 1 || trunc > 1) fail("terminated/truncated flags must be 0 or 1");
  r.terminated = term;
  r.truncated = trunc;
}

void LogReader::decode_v2(LogRecord& r, uint32_t len) {
  const auto& h = header_;
  const size_t N = h.num_candidates, K = h.slate_size, R = h.response_dim();
  Bounded c{buf_.data(), buf_.data() + len};
  auto int32 = [&](const char* what) {
    const int64_t v = c.zigzag();
    if (v < INT32_MIN || v > INT32_MAX) fail(str_cat(what, " ", v, " does not fit in 32 bits"));
    return static_cast<int32_t>(v);
  };
  try {
    r.episode = c.varint();
    r.step = int32("step");
    // Deltas refer to the previous record, which must be of this episode.
    const bool cont = index_ > 0 && r.step > 0;
    auto floats = [&](const char* what, std::vector<float>& v, size_t n, std::vector<float>& prev) {
      v.resize(n);
      if (n == 0) return;
      const uint8_t ref = c.get<uint8_t>();
      if (ref > 1)
        fail(str_cat(what, ": reference ", int(ref), " must be 0 (zeros) or 1 (previous)"));
      if (ref == 1 && !cont)
        fail(str_cat(what, " refers to a previous record, but this record starts an episode"));
      const char* bitmap = c.p;
      for (size_t i = 0; i < (n + 7) / 8; ++i) c.get<uint8_t>();
      for (size_t i = 0; i < n; ++i)
        v[i] = (bitmap[i / 8] >> (i % 8)) & 1 ? c.get<float>() : (ref ? prev[i] : 0.f);
      prev = v;
    };
    floats("user", r.user, h.user_dim, prev_user_);
    r.candidate_ids.resize(h.has_candidate_ids ? N : 0);
    int64_t last = cont && !prev_ids_.empty() ? prev_ids_[0] : 0;
    for (auto& id : r.candidate_ids)
      last = id =
          static_cast<int64_t>(static_cast<uint64_t>(last) + static_cast<uint64_t>(c.zigzag()));
    prev_ids_ = r.candidate_ids;
    floats("candidate_features", r.candidate_features,
           h.has_candidate_features ? N * h.item_dim : 0, prev_features_);
    r.slate.resize(K);
    for (auto& s : r.slate) s = int32("slate position");
    floats("responses", r.responses, K * R, prev_responses_);
    r.choice = int32("choice");
    r.reward = c.get<double>();
    const uint8_t flags = c.get<uint8_t>();
    if (flags > 3)
      fail(str_cat("flags byte ", int(flags),
                   " has bits other than terminated (1) and truncated (2)"));
    r.terminated = flags & 1;
    r.truncated = flags & 2;
    r.marginal.resize(K);
    r.inclusion.resize(K);
    r.conditional.resize(K);
    double* dst[4] = {&r.slate_propensity, r.marginal.data(), r.inclusion.data(),
                      r.conditional.data()};
    const size_t P = 1 + 3 * K;
    const char* bitmap = c.p;
    for (size_t i = 0; i < (P + 7) / 8; ++i) c.get<uint8_t>();
    for (size_t i = 0; i < P; ++i) {
      double& out = i == 0 ? *dst[0] : dst[1 + (i - 1) / K][(i - 1) % K];
      out = (bitmap[i / 8] >> (i % 8)) & 1 ? c.get<double>() : -1.0;
    }
  } catch (const Short&) {
    fail(str_cat("payload of ", len, " bytes ends inside a field (or a varint is malformed)"));
  }
  if (c.p != c.end) fail(str_cat("payload has ", c.end - c.p, " bytes after its last field"));
}

LogData read_log(const std::string& path) {
  LogReader reader(path);
  LogData d;
  d.header = reader.header();
  LogRecord r;
  while (reader.next(r)) append(d, r);
  return d;
}

void append(LogData& d, const LogRecord& r) {
  d.episode.push_back(r.episode);
  d.step.push_back(r.step);
  d.user.insert(d.user.end(), r.user.begin(), r.user.end());
  d.ids.insert(d.ids.end(), r.candidate_ids.begin(), r.candidate_ids.end());
  d.features.insert(d.features.end(), r.candidate_features.begin(), r.candidate_features.end());
  d.slate.insert(d.slate.end(), r.slate.begin(), r.slate.end());
  d.responses.insert(d.responses.end(), r.responses.begin(), r.responses.end());
  d.choice.push_back(r.choice);
  d.reward.push_back(r.reward);
  d.terminated.push_back(r.terminated);
  d.truncated.push_back(r.truncated);
  d.slate_propensity.push_back(r.slate_propensity);
  d.marginal.insert(d.marginal.end(), r.marginal.begin(), r.marginal.end());
  d.inclusion.insert(d.inclusion.end(), r.inclusion.begin(), r.inclusion.end());
  d.conditional.insert(d.conditional.end(), r.conditional.begin(), r.conditional.end());
  ++d.size;
}

LogRecord record_at(const LogData& d, int64_t i) {
  const auto& h = d.header;
  const size_t N = h.num_candidates, K = h.slate_size, U = h.user_dim;
  const size_t F = N * h.item_dim, KR = K * h.response_dim();
  LogRecord r;
  r.episode = d.episode[i];
  r.step = d.step[i];
  r.user.assign(d.user.begin() + i * U, d.user.begin() + (i + 1) * U);
  if (h.has_candidate_ids)
    r.candidate_ids.assign(d.ids.begin() + i * N, d.ids.begin() + (i + 1) * N);
  if (h.has_candidate_features)
    r.candidate_features.assign(d.features.begin() + i * F, d.features.begin() + (i + 1) * F);
  r.slate.assign(d.slate.begin() + i * K, d.slate.begin() + (i + 1) * K);
  r.responses.assign(d.responses.begin() + i * KR, d.responses.begin() + (i + 1) * KR);
  r.choice = d.choice[i];
  r.reward = d.reward[i];
  r.terminated = d.terminated[i];
  r.truncated = d.truncated[i];
  r.slate_propensity = d.slate_propensity[i];
  r.marginal.assign(d.marginal.begin() + i * K, d.marginal.begin() + (i + 1) * K);
  r.inclusion.assign(d.inclusion.begin() + i * K, d.inclusion.begin() + (i + 1) * K);
  r.conditional.assign(d.conditional.begin() + i * K, d.conditional.begin() + (i + 1) * K);
  return r;
}

// ---------------------------------------------------------------------- observation reconstruction

LoggedObservation::LoggedObservation(const LogData& data, const sim::Catalogue* catalogue)
    : data_(data), catalogue_(catalogue) {
  const auto& h = data.header;
  if (!h.has_candidate_features) {
    if (!catalogue)
      invalid_argument("log for '", h.env,
                       "' stores no candidate features (fixed corpus): a "
                       "catalogue is needed to rebuild observations");
    if (catalogue->fingerprint != h.catalogue_fingerprint)
      invalid_argument("catalogue fingerprint ", hex(catalogue->fingerprint),
                       " does not match the log's ", hex(h.catalogue_fingerprint));
  }
  last_responses_.assign(static_cast<size_t>(h.slate_size) * h.response_dim(), 0.f);
  obs_.batch = 1;
  obs_.num_candidates = h.num_candidates;
  obs_.slate_size = h.slate_size;
  obs_.user_dim = h.user_dim;
  obs_.item_dim = h.item_dim;
  obs_.response_dim = h.response_dim();
  obs_.catalogue = catalogue;
}

const sim::Observation& LoggedObservation::at(int64_t i) {
  const auto& h = data_.header;
  const size_t N = h.num_candidates, KR = static_cast<size_t>(h.slate_size) * h.response_dim();
  obs_.user = data_.user.data() + i * h.user_dim;
  obs_.candidate_ids = h.has_candidate_ids ? data_.ids.data() + i * N : nullptr;
  obs_.candidate_features =
      h.has_candidate_features ? data_.features.data() + i * N * h.item_dim : nullptr;
  step_ = data_.step[i];
  if (data_.step[i] == 0) {
    std::fill(last_responses_.begin(), last_responses_.end(), 0.f);
    last_choice_ = -1;
  } else {
    std::copy(data_.responses.begin() + (i - 1) * KR, data_.responses.begin() + i * KR,
              last_responses_.begin());
    last_choice_ = data_.choice[i - 1];
  }
  obs_.episode_step = &step_;
  obs_.last_responses = last_responses_.data();
  obs_.last_choice = &last_choice_;
  return obs_;
}

}  // namespace rlrec::logs
