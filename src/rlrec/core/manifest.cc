#include "rlrec/core/manifest.h"

#include <array>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <sstream>

#include "rlrec/core/error.h"

namespace rlrec {
namespace {

std::string hex64(uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

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

std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

struct Entry {
  std::string file;
  int64_t bytes;
  std::string checksum;  // 16 hex digits
};

// The manifest exactly as write_manifest writes it. The reader regenerates it from what it parsed
// and compares, so a change anywhere in the manifest itself (not only in the values it lists) is
// detected.
std::string manifest_text(int64_t format, const ManifestLabel& label,
                          const std::vector<Entry>& entries) {
  std::ostringstream m;
  m << "{\"format\": " << format << ", \"" << label.key << "\": \"" << label.value
    << "\", \"parts\": [";
  for (size_t i = 0; i < entries.size(); ++i)
    m << (i ? "," : "") << "\n {\"file\": \"" << entries[i].file
      << "\", \"bytes\": " << entries[i].bytes << ", \"fnv1a64\": \"" << entries[i].checksum
      << "\"}";
  m << "]}\n";
  return m.str();
}

}  // namespace

uint32_t fnv1a32(std::string_view bytes) {
  uint32_t h = 2166136261u;
  for (const char c : bytes) {
    h ^= static_cast<uint8_t>(c);
    h *= 16777619u;
  }
  return h;
}

uint64_t fnv1a64(std::string_view bytes, uint64_t h) {
  for (const char c : bytes) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ULL;
  }
  return h;
}

std::pair<uint64_t, int64_t> file_checksum(const std::string& path) {
  std::ifstream is(path, std::ios::binary);
  if (!is) throw_error(ErrorCode::kNotFound, "'", path, "' not found");
  uint64_t h = 14695981039346656037ULL;  // FNV-1a 64 offset basis
  int64_t n = 0;
  std::array<char, 1 << 16> buf;
  while (is) {
    is.read(buf.data(), buf.size());
    const std::streamsize got = is.gcount();
    h = fnv1a64(std::string_view(buf.data(), static_cast<size_t>(got)), h);
    n += got;
  }
  return {h, n};
}

void write_manifest(const std::string& dir, int format, const ManifestLabel& label,
                    const std::vector<std::string>& files) {
  std::vector<Entry> entries;
  for (const auto& f : files) {
    const auto [h, n] = file_checksum(dir + "/" + f);
    entries.push_back({f, n, hex64(h)});
  }
  const std::string mpath = dir + "/manifest.json";
  std::ofstream os(mpath);
  os << manifest_text(format, label, entries);
  os.close();
  if (!os) throw_error(ErrorCode::kIo, "cannot write '", mpath, "'");
}

std::vector<std::string> verify_manifest(const std::string& dir, int format,
                                         const ManifestLabel& label,
                                         const std::vector<std::string>& expected,
                                         std::string_view what) {
  const std::string mpath = dir + "/manifest.json";
  std::ifstream file(mpath, std::ios::binary);
  if (!file) throw_error(ErrorCode::kNotFound, what, " manifest '", mpath, "' not found");
  const std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  std::istringstream is(text);
  std::string first;
  std::getline(is, first);
  const int64_t got_format = json_int(first, "format");
  if (got_format != format)
    throw_error(ErrorCode::kCorrupt, mpath, ": format ", got_format, ", this build reads format ",
                format);
  if (!label.value.empty() && json_string(first, label.key) != label.value)
    throw_error(ErrorCode::kCorrupt, mpath, ": ", label.key, " '", json_string(first, label.key),
                "', expected '", label.value, "'");
  std::vector<Entry> entries;
  std::vector<std::string> files;
  for (std::string line; std::getline(is, line);) {
    Entry e{json_string(line, "file"), json_int(line, "bytes"), json_string(line, "fnv1a64")};
    if (e.file.empty() || e.bytes < 0 || e.checksum.size() != 16 ||
        e.file.find("..") != std::string::npos || e.file.front() == '/')
      throw_error(ErrorCode::kCorrupt, mpath, ": malformed part line '", line, "'");
    files.push_back(e.file);
    entries.push_back(std::move(e));
  }
  if (manifest_text(got_format, {label.key, json_string(first, label.key)}, entries) != text)
    throw_error(ErrorCode::kCorrupt, mpath, ": not in the form rlrec writes (edited or corrupt)");
  if (!expected.empty() && files != expected)
    throw_error(ErrorCode::kCorrupt, mpath, ": parts (", joined(files), ") are not the expected (",
                joined(expected), ")");
  for (const auto& e : entries) {
    const std::string path = dir + "/" + e.file;
    if (!std::ifstream(path, std::ios::binary))
      throw_error(ErrorCode::kCorrupt, path, ": missing or unreadable, the ", what,
                  " manifest lists it");
    const auto [h, n] = file_checksum(path);
    if (n != e.bytes)
      throw_error(ErrorCode::kCorrupt, path, ": ", n, " bytes, the ", what, " manifest says ",
                  e.bytes);
    if (hex64(h) != e.checksum)
      throw_error(ErrorCode::kCorrupt, path, ": checksum ", hex64(h), " differs from the ", what,
                  " manifest's ", e.checksum);
  }
  return files;
}

}  // namespace rlrec
