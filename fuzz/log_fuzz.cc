// Fuzz target: the behaviour-log reader (logs/log.h, docs/logs.md): read_log on the bytes.
// Byte 0, bit 0 set: the harness first rewrites each record's FNV-1a 32 checksum to match its
// payload (walking the framing "RLRECLOG" u32 version u32 meta_len meta u32 config_len config,
// then u32 magic u32 len payload u32 checksum per record), so that mutated payloads reach the
// decoder instead of stopping at the checksum; bit clear: the bytes are read as they are.
#include <cstring>

#include "fuzz/fuzz_util.h"
#include "rlrec/core/manifest.h"
#include "rlrec/logs/log.h"

namespace {

uint32_t get_u32(const std::string& s, size_t at) {
  uint32_t v;
  std::memcpy(&v, s.data() + at, 4);
  return v;
}

void fix_checksums(std::string& s) {
  size_t at = 16;
  if (s.size() < at) return;
  at += get_u32(s, 12);  // meta
  if (s.size() < at + 4) return;
  at += 4 + static_cast<size_t>(get_u32(s, at));  // config
  while (s.size() >= at + 8) {
    const size_t len = get_u32(s, at + 4);
    if (s.size() < at + 8 + len + 4) return;
    const uint32_t sum = rlrec::fnv1a32({s.data() + at + 8, len});
    std::memcpy(s.data() + at + 8 + len, &sum, 4);
    at += 8 + len + 4;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace rlrec;
  if (size < 1) return 0;
  std::string bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] & 1) fix_checksums(bytes);
  const std::string path = fuzz::scratch_dir() + "/behaviour.rlog";
  fuzz::write_file(path, bytes);
  fuzz::expect_error_or_success([&] {
    const logs::LogData log = logs::read_log(path);
    for (int64_t i = 0; i < log.size; ++i) (void)logs::record_at(log, i);
  });
  return 0;
}
