// Binary file helpers for index files (internal header of rlrec_index). Native byte order (the
// project targets x86-64/arm64 little-endian); PODs are written as their bytes.
#pragma once

#include <cstdint>
#include <fstream>
#include <string>
#include <type_traits>

#include "rlrec/core/error.h"

namespace rlrec::index {

class BinaryWriter {
 public:
  // Throws kIo when the file cannot be created.
  explicit BinaryWriter(const std::string& path);
  void bytes(const void* data, size_t n);
  template <class T>
  void pod(const T& v) {
    static_assert(std::is_trivially_copyable_v<T>);
    bytes(&v, sizeof v);
  }
  // Flushes and closes; throws kIo if any write failed.
  void close();
  const std::string& path() const { return path_; }
  // FNV-1a 64 of every byte written so far.
  uint64_t checksum() const { return checksum_; }

 private:
  std::string path_;
  std::ofstream out_;
  uint64_t checksum_ = 14695981039346656037ULL;
};

// Throws kCorrupt ("<what> '<path>' is corrupt: checksum ...") unless the file's last 8 bytes hold
// the FNV-1a 64 of all bytes before them (what BinaryWriter::checksum() gave when they were
// written).
void verify_trailing_checksum(const std::string& path, const std::string& what);

class BinaryReader {
 public:
  // `what` names the file kind in messages ("index file"). Throws kNotFound / kIo.
  BinaryReader(const std::string& path, std::string what);
  // Reads n bytes; kCorrupt "... is truncated (while reading <what>)" if the file ends early.
  void bytes(void* data, size_t n, const char* what);
  template <class T>
  T pod(const char* what) {
    static_assert(std::is_trivially_copyable_v<T>);
    T v;
    bytes(&v, sizeof v, what);
    return v;
  }
  // Bytes left after the current position.
  uint64_t remaining();
  // Throws kCorrupt unless at least n bytes remain (check before allocating n bytes).
  void require(uint64_t n, const char* what);
  const std::string& source() const { return path_; }

  // Throws kCorrupt: "<what> '<path>' is corrupt: <parts>".
  template <class... Parts>
  [[noreturn]] void corrupt(const Parts&... parts) const {
    throw_error(ErrorCode::kCorrupt, what_, " '", path_, "' is corrupt: ", parts...);
  }

 private:
  std::string path_;
  std::string what_;
  std::ifstream in_;
  uint64_t size_ = 0;
  uint64_t pos_ = 0;
};

}  // namespace rlrec::index
