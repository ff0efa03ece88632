#include "rlrec/index/io.h"

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "rlrec/core/manifest.h"

namespace rlrec::index {

BinaryWriter::BinaryWriter(const std::string& path) : path_(path) {
  out_.open(path, std::ios::binary | std::ios::trunc);
  if (!out_) throw_error(ErrorCode::kIo, "cannot create '", path, "': ", std::strerror(errno));
}

void BinaryWriter::bytes(const void* data, size_t n) {
  out_.write(static_cast<const char*>(data), static_cast<std::streamsize>(n));
  checksum_ = fnv1a64(std::string_view(static_cast<const char*>(data), n), checksum_);
}

void verify_trailing_checksum(const std::string& path, const std::string& what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw_error(ErrorCode::kIo, "cannot read ", what, " '", path, "'");
  std::error_code ec;
  const uint64_t size = std::filesystem::file_size(path, ec);
  if (ec || size < 8)
    throw_error(ErrorCode::kCorrupt, what, " '", path, "' is corrupt: too short for a checksum");
  uint64_t h = 14695981039346656037ULL, left = size - 8;
  std::array<char, 1 << 16> buf;
  while (left > 0) {
    const auto n = static_cast<std::streamsize>(std::min<uint64_t>(left, buf.size()));
    in.read(buf.data(), n);
    if (in.gcount() != n) throw_error(ErrorCode::kIo, "cannot read ", what, " '", path, "'");
    h = fnv1a64(std::string_view(buf.data(), static_cast<size_t>(n)), h);
    left -= static_cast<uint64_t>(n);
  }
  uint64_t stored = 0;
  in.read(reinterpret_cast<char*>(&stored), sizeof stored);
  if (in.gcount() != static_cast<std::streamsize>(sizeof stored))
    throw_error(ErrorCode::kIo, "cannot read ", what, " '", path, "'");
  if (stored != h) {
    char got[17], want[17];
    std::snprintf(got, sizeof got, "%016llx", static_cast<unsigned long long>(h));
    std::snprintf(want, sizeof want, "%016llx", static_cast<unsigned long long>(stored));
    throw_error(ErrorCode::kCorrupt, what, " '", path, "' is corrupt: checksum ", got,
                " differs from the stored ", want);
  }
}

void BinaryWriter::close() {
  out_.flush();
  const bool ok = static_cast<bool>(out_);
  out_.close();
  if (!ok || out_.fail()) {
    std::error_code ec;
    std::filesystem::remove(path_, ec);
    throw_error(ErrorCode::kIo, "cannot write '", path_, "' (disk full or file not writable)");
  }
}

BinaryReader::BinaryReader(const std::string& path, std::string what)
    : path_(path), what_(std::move(what)) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec))
    throw_error(ErrorCode::kNotFound, what_, " '", path, "' not found");
  if (std::filesystem::is_directory(path, ec))
    throw_error(ErrorCode::kInvalidArgument, what_, " '", path, "' is a directory, not a file");
  if (!std::filesystem::is_regular_file(path, ec))  // a device or fifo has no size to check
    throw_error(ErrorCode::kInvalidArgument, what_, " '", path,
                "' is not a regular file (a device, fifo or socket)");
  in_.open(path, std::ios::binary);
  if (!in_)
    throw_error(ErrorCode::kIo, "cannot open ", what_, " '", path, "': ", std::strerror(errno));
  size_ = std::filesystem::file_size(path, ec);
  if (ec) throw_error(ErrorCode::kIo, "cannot stat ", what_, " '", path, "': ", ec.message());
}

void BinaryReader::bytes(void* data, size_t n, const char* what) {
  if (n > size_ - pos_) corrupt("truncated (while reading ", what, ")");
  in_.read(static_cast<char*>(data), static_cast<std::streamsize>(n));
  if (static_cast<size_t>(in_.gcount()) != n)
    throw_error(ErrorCode::kIo, "cannot read ", what_, " '", path_, "' (while reading ", what, ")");
  pos_ += n;
}

uint64_t BinaryReader::remaining() { return size_ - pos_; }

void BinaryReader::require(uint64_t n, const char* what) {
  if (n > remaining())
    corrupt("truncated (", what, " needs ", n, " bytes, ", remaining(), " left)");
}

}  // namespace rlrec::index
