#include "rlrec/agents/kit.h"

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "rlrec/agents/replay.h"
#include "rlrec/core/error.h"

namespace rlrec::agents {
namespace {

std::string hex64(uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

struct ManifestEntry {
  std::string file;
  int64_t bytes = -1;
  std::string checksum;
};

// The string value of "key": "value" in `line` (empty if absent).
std::string json_string(const std::string& line, const std::string& key) {
  const std::string k = "\"" + key + "\": \"";
  const auto p = line.find(k);
  if (p == std::string::npos) return "";
  const auto e = line.find('"', p + k.size());
  return e == std::string::npos ? "" : line.substr(p + k.size(), e - p - k.size());
}
// The integer value of "key": 123 in `line` (-1 if absent or malformed).
int64_t json_int(const std::string& line, const std::string& key) {
  const std::string k = "\"" + key + "\": ";
  const auto p = line.find(k);
  if (p == std::string::npos) return -1;
  try {
    return std::stoll(line.substr(p + k.size()));
  } catch (const std::exception&) {
    return -1;
  }
}

}  // namespace

std::pair<uint64_t, int64_t> file_checksum(const std::string& path) {
  std::ifstream is(path, std::ios::binary);
  if (!is) throw_error(ErrorCode::kNotFound, "checkpoint part '", path, "' not found");
  uint64_t h = 14695981039346656037ULL;  // FNV-1a 64 offset basis
  int64_t n = 0;
  std::array<char, 1 << 16> buf;
  while (is) {
    is.read(buf.data(), buf.size());
    const std::streamsize got = is.gcount();
    for (std::streamsize i = 0; i < got; ++i) {
      h ^= static_cast<unsigned char>(buf[i]);
      h *= 1099511628211ULL;
    }
    n += got;
  }
  return {h, n};
}

Checkpoint& Checkpoint::part(std::string file, Writer save, Reader load) {
  for (const auto& p : parts_) RLREC_CHECK(p.file != file, "checkpoint part listed twice: ", file);
  RLREC_CHECK(file != "meta.toml" && file != "manifest.json", "reserved checkpoint file ", file);
  parts_.push_back({std::move(file), std::move(save), std::move(load)});
  return *this;
}

Checkpoint& Checkpoint::replay(std::string file, ReplayBuffer& r) {
  return part(
      std::move(file), [&r](const std::string& p) { r.save(p); },
      [&r](const std::string& p) { r.load(p); });
}

Checkpoint& Checkpoint::priorities(std::string file, PrioritizedSampler& s) {
  return part(
      std::move(file), [&s](const std::string& p) { s.save(p); },
      [&s](const std::string& p) { s.load(p); });
}

Checkpoint& Checkpoint::counters(std::string file, Rng& rng, int64_t& env_steps, int64_t& updates) {
  auto save = [&rng, &env_steps, &updates](const std::string& path) {
    std::ofstream os(path, std::ios::binary);
    const auto st = rng.state();
    os.write(reinterpret_cast<const char*>(st.data()), sizeof(uint64_t) * st.size());
    os.write(reinterpret_cast<const char*>(&env_steps), sizeof env_steps);
    os.write(reinterpret_cast<const char*>(&updates), sizeof updates);
    if (!os) throw_error(ErrorCode::kIo, "cannot write '", path, "'");
  };
  auto load = [&rng, &env_steps, &updates](const std::string& path) {
    std::ifstream is(path, std::ios::binary);
    std::array<uint64_t, 5> st;
    int64_t steps = 0, ups = 0;
    is.read(reinterpret_cast<char*>(st.data()), sizeof(uint64_t) * st.size());
    is.read(reinterpret_cast<char*>(&steps), sizeof steps);
    is.read(reinterpret_cast<char*>(&ups), sizeof ups);
    if (!is) throw_error(ErrorCode::kCorrupt, path, ": missing or truncated");
    rng.set_state(st);
    env_steps = steps;
    updates = ups;
  };
  return part(std::move(file), save, load);
}

Checkpoint& Checkpoint::after_load(std::function<void()> f) {
  after_load_.push_back(std::move(f));
  return *this;
}

std::vector<std::string> Checkpoint::files() const {
  std::vector<std::string> out{"meta.toml"};
  for (const auto& p : parts_) out.push_back(p.file);
  out.push_back("manifest.json");
  return out;
}

void Checkpoint::save(const std::string& dir) const {
  std::filesystem::create_directories(dir);
  const CheckpointMeta meta = meta_();
  write_checkpoint_meta(dir + "/meta.toml", meta);
  std::ostringstream m;
  m << "{\"format\": " << kFormat << ", \"agent\": \"" << meta.agent << "\", \"parts\": [";
  for (size_t i = 0; i < parts_.size(); ++i) {
    const std::string path = dir + "/" + parts_[i].file;
    parts_[i].save(path);
    const auto [h, n] = file_checksum(path);
    m << (i ? "," : "") << "\n {\"file\": \"" << parts_[i].file << "\", \"bytes\": " << n
      << ", \"fnv1a64\": \"" << hex64(h) << "\"}";
  }
  m << "]}\n";
  const std::string mpath = dir + "/manifest.json";
  std::ofstream os(mpath);
  os << m.str();
  if (!os) throw_error(ErrorCode::kIo, "cannot write '", mpath, "'");
}

void Checkpoint::load(const std::string& dir) const {
  check_checkpoint_meta(dir + "/meta.toml", meta_());
  const std::string mpath = dir + "/manifest.json";
  std::ifstream is(mpath);
  if (!is) throw_error(ErrorCode::kNotFound, "checkpoint manifest '", mpath, "' not found");
  std::string first;
  std::getline(is, first);
  const int64_t format = json_int(first, "format");
  if (format != kFormat)
    throw_error(ErrorCode::kCorrupt, mpath, ": format ", format, ", this build reads format ",
                kFormat);
  std::vector<ManifestEntry> entries;
  for (std::string line; std::getline(is, line);) {
    ManifestEntry& e = entries.emplace_back();
    e.file = json_string(line, "file");
    e.bytes = json_int(line, "bytes");
    e.checksum = json_string(line, "fnv1a64");
    if (e.file.empty() || e.bytes < 0 || e.checksum.size() != 16)
      throw_error(ErrorCode::kCorrupt, mpath, ": malformed part line '", line, "'");
  }
  std::string want, got;
  for (const auto& p : parts_) want += (want.empty() ? "" : ", ") + p.file;
  for (const auto& e : entries) got += (got.empty() ? "" : ", ") + e.file;
  if (want != got)
    throw_error(ErrorCode::kCorrupt, mpath, ": parts (", got, ") are not the agent's (", want, ")");
  for (const auto& e : entries) {
    const std::string path = dir + "/" + e.file;
    const auto [h, n] = file_checksum(path);
    if (n != e.bytes)
      throw_error(ErrorCode::kCorrupt, path, ": ", n, " bytes, the checkpoint manifest says ",
                  e.bytes);
    if (hex64(h) != e.checksum)
      throw_error(ErrorCode::kCorrupt, path, ": checksum ", hex64(h),
                  " differs from the checkpoint manifest's ", e.checksum);
  }
  for (const auto& p : parts_) p.load(dir + "/" + p.file);
  for (const auto& f : after_load_) f();
}

}  // namespace rlrec::agents
