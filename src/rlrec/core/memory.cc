#include "rlrec/core/memory.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "rlrec/core/error.h"

namespace rlrec {

uint64_t machine_memory_bytes() {
  static const uint64_t bytes = [] {
    std::ifstream in("/proc/meminfo");
    std::string key;
    uint64_t value = 0;
    std::string unit;
    while (in >> key >> value) {
      std::getline(in, unit);
      if (key == "MemTotal:") return value * 1024;  // the kernel reports kB (KiB)
    }
    return uint64_t{0};
  }();
  return bytes;
}

uint64_t memory_limit_bytes() {
  uint64_t limit = machine_memory_bytes();
  if (const char* env = std::getenv("RLREC_MEMORY_LIMIT"); env && *env) {
    char* end = nullptr;
    const unsigned long long v = std::strtoull(env, &end, 10);
    if (end && *end == '\0' && v > 0 && (limit == 0 || v < limit)) limit = v;
  }
  return limit;
}

std::string format_bytes(double bytes) {
  if (!std::isfinite(bytes)) return "an unbounded amount";
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  int u = 0;
  while (bytes >= 1024 && u < 6) {
    bytes /= 1024;
    ++u;
  }
  char buf[48];
  std::snprintf(buf, sizeof buf,
                u == 0          ? "%.0f %s"
                : bytes >= 1024 ? "%.3g %s"
                                : "%.1f %s",
                bytes, units[u]);
  return buf;
}

void check_memory(double bytes_estimate, std::string_view what) {
  const uint64_t limit = memory_limit_bytes();
  if (limit == 0 && std::isfinite(bytes_estimate)) return;
  if (std::isfinite(bytes_estimate) && bytes_estimate <= static_cast<double>(limit)) return;
  const bool machine = limit == machine_memory_bytes();
  invalid_argument(
      what, " needs about ", format_bytes(bytes_estimate), " of memory, more than ",
      machine ? "this machine's " : "the limit of ", format_bytes(static_cast<double>(limit)),
      machine ? " (MemTotal of /proc/meminfo)" : " (RLREC_MEMORY_LIMIT)", "; lower it");
}

void check_disk(double bytes_estimate, const std::string& path, std::string_view what) {
  namespace fs = std::filesystem;
  fs::path dir = fs::path(path).parent_path();
  if (dir.empty()) dir = ".";
  std::error_code ec;
  const auto space = fs::space(dir, ec);
  if (ec) return;
  if (std::isfinite(bytes_estimate) && bytes_estimate <= static_cast<double>(space.available))
    return;
  invalid_argument(
      what, " needs about ", format_bytes(bytes_estimate), " of disk space, more than the ",
      format_bytes(static_cast<double>(space.available)), " free in ", dir.string(), "; lower it");
}

}  // namespace rlrec
