// Shared helpers of the fuzz targets (fuzz/*_fuzz.cc). Each target defines LLVMFuzzerTestOneInput:
// it turns the fuzzer's bytes into the file(s) a real loader reads, calls that loader, and accepts
// rlrec::Error (the documented way to reject bad input). Any other exception escapes and aborts
// the process, and a crash, sanitizer report, hang or out-of-memory is libFuzzer's to report: each
// of these is a finding (docs/reliability.md, "Fuzzing").
//
// The same sources build two ways: with -fsanitize=fuzzer (the `fuzz` preset, clang) and, in every
// normal build, with replay_main.cc, which feeds the corpus fuzz/corpus/<target>/ to the target
// (ctest Fuzz.Replay.<target>).
#pragma once

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "rlrec/core/error.h"

namespace rlrec::fuzz {

// A private directory for this process's files, created on first use and removed at exit.
inline const std::string& scratch_dir() {
  static const std::string dir = [] {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern =
        std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/rlrec-fuzz-XXXXXX";
    if (mkdtemp(pattern.data()) == nullptr) {
      std::perror("rlrec fuzz: mkdtemp");
      std::abort();
    }
    return pattern;
  }();
  static const struct Cleanup {
    ~Cleanup() {
      std::error_code ec;
      std::filesystem::remove_all(dir, ec);
    }
  } cleanup;
  return dir;
}

// scratch_dir()/name, emptied (a fresh directory for a loader that reads a directory).
inline std::string fresh_dir(const std::string& name) {
  const std::string d = scratch_dir() + "/" + name;
  std::filesystem::remove_all(d);
  std::filesystem::create_directories(d);
  return d;
}

// Writes bytes to path (aborts if it cannot: a harness problem, not a finding).
inline void write_file(const std::string& path, std::string_view bytes) {
  std::ofstream os(path, std::ios::binary | std::ios::trunc);
  os.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  os.close();
  if (!os) {
    std::fprintf(stderr, "rlrec fuzz: cannot write %s\n", path.c_str());
    std::abort();
  }
}

// Splits bytes at each occurrence of sep ("a|b|" -> a, b, "").
inline std::vector<std::string_view> split(std::string_view bytes, std::string_view sep) {
  std::vector<std::string_view> parts;
  for (;;) {
    const size_t at = bytes.find(sep);
    if (at == std::string_view::npos) break;
    parts.push_back(bytes.substr(0, at));
    bytes.remove_prefix(at + sep.size());
  }
  parts.push_back(bytes);
  return parts;
}

// Runs f; rlrec::Error is the accepted rejection. Anything else propagates (=> a finding).
// With RLREC_FUZZ_VERBOSE set, each rejection's message goes to stderr (to check that a seed
// reaches as far as it should).
template <class F>
void expect_error_or_success(F&& f) {
  static const bool verbose = std::getenv("RLREC_FUZZ_VERBOSE") != nullptr;
  try {
    f();
    if (verbose) std::fprintf(stderr, "  accepted\n");
  } catch (const rlrec::Error& e) {
    if (verbose) std::fprintf(stderr, "  rejected: %s\n", e.what());
  }
}

}  // namespace rlrec::fuzz
