#include "rlrec/models/mf_model.h"

#include <Eigen/Core>
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "rlrec/core/error.h"
#include "rlrec/core/manifest.h"
#include "rlrec/models/kernels.h"

namespace rlrec::models {

namespace fs = std::filesystem;

namespace {

void check_ids(const MfModel& m, int32_t user, int32_t item) {
  if (user < 0 || user >= m.num_users())
    invalid_argument("MF user id ", user, " out of range [0, ", m.num_users(), ")");
  if (item < 0 || item >= m.num_items())
    invalid_argument("MF item id ", item, " out of range [0, ", m.num_items(), ")");
}

std::string fmt_float(float v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", static_cast<double>(v));
  return buf;
}

// Writes `bytes` to dir/name through a temporary file and a rename.
void write_file(const fs::path& dir, const std::string& name, const void* data, size_t bytes) {
  const fs::path tmp = dir / (name + ".tmp");
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw_error(ErrorCode::kIo, "cannot write ", tmp.string());
    out.write(static_cast<const char*>(data), static_cast<std::streamsize>(bytes));
    out.flush();
    if (!out) throw_error(ErrorCode::kIo, "write failed: ", tmp.string());
  }
  std::error_code ec;
  fs::rename(tmp, dir / name, ec);
  if (ec) throw_error(ErrorCode::kIo, "cannot rename ", tmp.string(), ": ", ec.message());
}

void write_text(const fs::path& dir, const std::string& name, const std::string& text) {
  write_file(dir, name, text.data(), text.size());
}

std::string ids_text(const data::IdMap& ids, std::string_view what) {
  std::string out;
  for (const auto& s : ids.originals()) {
    if (s.find_first_of("\n\r") != std::string::npos)
      invalid_argument("cannot save ", what, " id containing a newline");
    out += s;
    out += '\n';
  }
  return out;
}

std::string read_all(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw_error(ErrorCode::kNotFound, "MF model file not found: ", p.string());
  std::ostringstream os;
  os << in.rdbuf();
  return os.str();
}

void read_floats(const fs::path& p, std::vector<float>& out, size_t count, std::string_view shape) {
  const std::string bytes = read_all(p);
  if (bytes.size() != count * sizeof(float))
    throw_error(ErrorCode::kCorrupt, p.string(), ": expected ", count * sizeof(float), " bytes (",
                shape, " float32), got ", bytes.size());
  out.resize(count);
  if (count) std::memcpy(out.data(), bytes.data(), bytes.size());
}

data::IdMap read_ids(const fs::path& p, int32_t expected) {
  const std::string text = read_all(p);
  data::IdMap ids;
  size_t pos = 0;
  int line = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    ++line;
    const std::string_view id(text.data() + pos, nl - pos);
    if (ids.find(id) >= 0)
      throw_error(ErrorCode::kCorrupt, p.string(), ":", line, ": duplicate id '", id, "'");
    ids.add(id);
    pos = nl + 1;
  }
  if (ids.size() != expected)
    throw_error(ErrorCode::kCorrupt, p.string(), ": expected ", expected, " ids (header), got ",
                ids.size());
  return ids;
}

}  // namespace

float MfModel::score(int32_t user, int32_t item) const {
  check_ids(*this, user, item);
  float s = global_bias;
  if (!user_bias.empty()) s += user_bias[user];
  if (!item_bias.empty()) s += item_bias[item];
  return s + kernels::dot<0>(user_factors.row(user), item_factors.row(item), factors());
}

float MfModel::predict(int32_t user, int32_t item) const {
  const float s = score(user, item);
  return clip ? std::clamp(s, min_rating, max_rating) : s;
}

void MfModel::score_items(int32_t user, std::span<float> out) const {
  if (user < 0 || user >= num_users())
    invalid_argument("MF user id ", user, " out of range [0, ", num_users(), ")");
  if (out.size() != static_cast<size_t>(num_items()))
    invalid_argument("score_items: output has ", out.size(),
                     " entries, expected num_items = ", num_items());
  const float base = global_bias + (user_bias.empty() ? 0.0f : user_bias[user]);
  const float* p = user_factors.row(user);
  const int k = factors();
  for (int32_t i = 0; i < num_items(); ++i)
    out[i] = base + (item_bias.empty() ? 0.0f : item_bias[i]) +
             kernels::dot<0>(p, item_factors.row(i), k);
}

void MfModel::score_block(std::span<const int32_t> users, MatrixView<float> out) const {
  if (out.rows != users.size() || out.cols != static_cast<size_t>(num_items()))
    invalid_argument("score_block: output is ", out.rows, " x ", out.cols, ", expected ",
                     users.size(), " x ", num_items());
  using RowMat = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  const int k = factors();
  RowMat p(static_cast<Eigen::Index>(users.size()), k);
  for (size_t r = 0; r < users.size(); ++r) {
    if (users[r] < 0 || users[r] >= num_users())
      invalid_argument("MF user id ", users[r], " out of range [0, ", num_users(), ")");
    std::copy_n(user_factors.row(users[r]), k, p.row(static_cast<Eigen::Index>(r)).data());
  }
  Eigen::Map<const RowMat> q(item_factors.data(), num_items(), k);
  Eigen::Map<RowMat> o(out.data, static_cast<Eigen::Index>(out.rows), num_items());
  o.noalias() = p * q.transpose();
  for (size_t r = 0; r < users.size(); ++r) {
    const float base = global_bias + (user_bias.empty() ? 0.0f : user_bias[users[r]]);
    float* row = out.row(r);
    if (item_bias.empty()) {
      for (int32_t i = 0; i < num_items(); ++i) row[i] += base;
    } else {
      for (int32_t i = 0; i < num_items(); ++i) row[i] += base + item_bias[i];
    }
  }
}

std::vector<int32_t> MfModel::map_items(const data::IdMap& other) const {
  std::vector<int32_t> out(static_cast<size_t>(other.size()));
  for (int32_t i = 0; i < other.size(); ++i) out[i] = items.find(other.original(i));
  return out;
}

void MfModel::check_same_items(const data::IdMap& other, std::string_view what) const {
  if (other.size() != items.size())
    invalid_argument("MF model was trained on a different item set: model has ", items.size(),
                     " items, ", what, " has ", other.size());
  for (int32_t i = 0; i < items.size(); ++i)
    if (other.original(i) != items.original(i))
      invalid_argument("MF model was trained on a different item set: item ", i, " is '",
                       items.original(i), "' in the model and '", other.original(i), "' in ", what);
}

void MfModel::validate(std::string_view where) const {
  auto bad = [&](auto... parts) { throw_error(ErrorCode::kCorrupt, where, ": ", parts...); };
  if (user_factors.cols() != item_factors.cols())
    bad("user factors have ", user_factors.cols(), " columns, item factors ", item_factors.cols());
  if (users.size() != num_users()) bad(users.size(), " user ids for ", num_users(), " user rows");
  if (items.size() != num_items()) bad(items.size(), " item ids for ", num_items(), " item rows");
  if (!user_bias.empty() && user_bias.size() != static_cast<size_t>(num_users()))
    bad(user_bias.size(), " user biases for ", num_users(), " users");
  if (!item_bias.empty() && item_bias.size() != static_cast<size_t>(num_items()))
    bad(item_bias.size(), " item biases for ", num_items(), " items");
  if (clip && !(min_rating <= max_rating))
    bad("min_rating ", min_rating, " > max_rating ", max_rating);
}

void MfModel::save(const std::string& dir_name) const {
  static_assert(sizeof(float) == 4);
  if constexpr (std::endian::native != std::endian::little)
    throw_error(ErrorCode::kNotSupported, "MF model save needs a little-endian machine");
  validate("MF model");
  const fs::path dir(dir_name);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw_error(ErrorCode::kIo, "cannot create directory ", dir_name, ": ", ec.message());
  // Remove the old manifest and header first so that a crash mid-save never leaves them over stale
  // data.
  fs::remove(dir / "manifest.json", ec);
  fs::remove(dir / "mf_model.txt", ec);
  write_text(dir, "user_ids.txt", ids_text(users, "user"));
  write_text(dir, "item_ids.txt", ids_text(items, "item"));
  write_file(dir, "user_factors.f32", user_factors.data(), user_factors.storage().size() * 4);
  write_file(dir, "item_factors.f32", item_factors.data(), item_factors.storage().size() * 4);
  for (const char* name : {"user_bias.f32", "item_bias.f32"}) fs::remove(dir / name, ec);
  if (!user_bias.empty()) write_file(dir, "user_bias.f32", user_bias.data(), user_bias.size() * 4);
  if (!item_bias.empty()) write_file(dir, "item_bias.f32", item_bias.data(), item_bias.size() * 4);
  if (!config_toml.empty()) write_text(dir, "config.toml", config_toml);
  std::ostringstream h;
  h << "rlrec-mf 1\n"
    << "kind = " << kind << "\n"
    << "factors = " << factors() << "\n"
    << "num_users = " << num_users() << "\n"
    << "num_items = " << num_items() << "\n"
    << "global_bias = " << fmt_float(global_bias) << "\n"
    << "user_bias = " << (user_bias.empty() ? "no" : "yes") << "\n"
    << "item_bias = " << (item_bias.empty() ? "no" : "yes") << "\n"
    << "clip = " << (clip ? "yes" : "no") << "\n"
    << "min_rating = " << fmt_float(min_rating) << "\n"
    << "max_rating = " << fmt_float(max_rating) << "\n";
  write_text(dir, "mf_model.txt", h.str());
  std::vector<std::string> parts{"mf_model.txt", "user_ids.txt", "item_ids.txt", "user_factors.f32",
                                 "item_factors.f32"};
  if (!user_bias.empty()) parts.push_back("user_bias.f32");
  if (!item_bias.empty()) parts.push_back("item_bias.f32");
  if (!config_toml.empty()) parts.push_back("config.toml");
  write_manifest(dir_name, kManifestFormat, {"kind", "mf_model"}, parts);
}

MfModel MfModel::load(const std::string& dir_name) {
  if constexpr (std::endian::native != std::endian::little)
    throw_error(ErrorCode::kNotSupported, "MF model load needs a little-endian machine");
  const fs::path dir(dir_name);
  const fs::path header = dir / "mf_model.txt";
  if (!fs::exists(header))
    throw_error(ErrorCode::kNotFound, "no MF model in ", dir_name, " (", header.string(),
                " not found)");
  if (!fs::exists(dir / "manifest.json"))
    throw_error(ErrorCode::kCorrupt, "MF model ", dir_name,
                " has no manifest.json (saved by an rlrec older than format 1 of the manifest, or "
                "saved incompletely): fit it again");
  const std::vector<std::string> parts =
      verify_manifest(dir_name, kManifestFormat, {"kind", "mf_model"}, {}, "MF model");
  std::istringstream in(read_all(header));
  std::string line;
  std::getline(in, line);
  if (line != "rlrec-mf 1")
    throw_error(ErrorCode::kCorrupt, header.string(), ":1: expected 'rlrec-mf 1', got '", line,
                "'");
  std::vector<std::pair<std::string, std::string>> kv;
  for (int n = 2; std::getline(in, line); ++n) {
    if (line.empty()) continue;
    const size_t eq = line.find(" = ");
    if (eq == std::string::npos)
      throw_error(ErrorCode::kCorrupt, header.string(), ":", n, ": expected 'key = value', got '",
                  line, "'");
    kv.emplace_back(line.substr(0, eq), line.substr(eq + 3));
  }
  auto get = [&](const char* key) -> const std::string& {
    for (auto& [k, v] : kv)
      if (k == key) return v;
    throw_error(ErrorCode::kCorrupt, header.string(), ": missing key '", key, "'");
  };
  auto get_int = [&](const char* key, long lo, long hi) {
    const std::string& v = get(key);
    char* end = nullptr;
    const long x = std::strtol(v.c_str(), &end, 10);
    if (v.empty() || *end != '\0' || x < lo || x > hi)
      throw_error(ErrorCode::kCorrupt, header.string(), ": ", key, " must be an integer in [", lo,
                  ", ", hi, "], got '", v, "'");
    return x;
  };
  auto get_float = [&](const char* key) {
    const std::string& v = get(key);
    char* end = nullptr;
    const float x = std::strtof(v.c_str(), &end);
    if (v.empty() || *end != '\0')
      throw_error(ErrorCode::kCorrupt, header.string(), ": ", key, " must be a number, got '", v,
                  "'");
    return x;
  };
  auto get_bool = [&](const char* key) {
    const std::string& v = get(key);
    if (v != "yes" && v != "no")
      throw_error(ErrorCode::kCorrupt, header.string(), ": ", key, " must be yes or no, got '", v,
                  "'");
    return v == "yes";
  };

  MfModel m;
  m.kind = get("kind");
  const int k = static_cast<int>(get_int("factors", 1, 1 << 16));
  const auto nu = static_cast<int32_t>(get_int("num_users", 0, INT32_MAX));
  const auto ni = static_cast<int32_t>(get_int("num_items", 0, INT32_MAX));
  m.global_bias = get_float("global_bias");
  const bool has_ub = get_bool("user_bias"), has_ib = get_bool("item_bias");
  m.clip = get_bool("clip");
  m.min_rating = get_float("min_rating");
  m.max_rating = get_float("max_rating");
  m.users = read_ids(dir / "user_ids.txt", nu);
  m.items = read_ids(dir / "item_ids.txt", ni);
  const std::string ushape = str_cat(nu, " x ", k), ishape = str_cat(ni, " x ", k);
  m.user_factors.resize(nu, k);
  m.item_factors.resize(ni, k);
  read_floats(dir / "user_factors.f32", m.user_factors.storage(), static_cast<size_t>(nu) * k,
              ushape);
  read_floats(dir / "item_factors.f32", m.item_factors.storage(), static_cast<size_t>(ni) * k,
              ishape);
  if (has_ub) read_floats(dir / "user_bias.f32", m.user_bias, nu, str_cat(nu));
  if (has_ib) read_floats(dir / "item_bias.f32", m.item_bias, ni, str_cat(ni));
  if (std::find(parts.begin(), parts.end(), "config.toml") != parts.end())
    m.config_toml = read_all(dir / "config.toml");
  m.validate(header.string());
  return m;
}

}  // namespace rlrec::models
