// Manifests: the list of files that make up one saved artifact (an agent checkpoint, an MF model
// directory), each with its size and an FNV-1a 64 checksum, plus the artifact's kind and format
// version. Loading verifies every listed file before any of it is parsed, so flipped, truncated or
// missing bytes are reported as corrupt and name the file, instead of being read as altered data.
//
// manifest.json (written by write_manifest, one part per line so that it diffs well):
//   {"format": 1, "kind": "mf_model", "parts": [
//    {"file": "user_factors.f32", "bytes": 1234, "fnv1a64": "0123456789abcdef"},
//    ...]}
// `kind` is a (key, value) pair: checkpoints write "agent": NAME, models "kind": "mf_model".
// Errors (rlrec::Error, kCorrupt unless said):
//   "DIR/manifest.json not found"                                   (kNotFound)
//   "DIR/manifest.json: format 2, this build reads format 1"
//   "DIR/manifest.json: parts (a, b) are not the expected (a, c)"
//   "DIR/manifest.json: not in the form rlrec writes (edited or corrupt)"
//   "DIR/x.f32: missing or unreadable, the manifest lists it"
//   "DIR/x.f32: 30 bytes, the manifest says 5120"
//   "DIR/x.f32: checksum 0x.. differs from the manifest's 0x.."
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rlrec {

// FNV-1a 64 of a byte string, and (checksum, size) of a whole file (kNotFound if it cannot be
// read).
uint64_t fnv1a64(std::string_view bytes, uint64_t h = 14695981039346656037ULL);
// FNV-1a 32 of a byte string (the per-record checksum of logs, logs/log.h).
uint32_t fnv1a32(std::string_view bytes);
std::pair<uint64_t, int64_t> file_checksum(const std::string& path);

struct ManifestLabel {
  std::string key;    // "agent", "kind"
  std::string value;  // the agent's name, "mf_model"
};

// Writes DIR/manifest.json listing `files` (relative to dir, in this order) with their sizes and
// checksums, computed from the files as they are now.
void write_manifest(const std::string& dir, int format, const ManifestLabel& label,
                    const std::vector<std::string>& files);

// Verifies DIR/manifest.json: its format equals `format`, its label value equals label.value when
// that is non-empty, its parts are exactly `expected` when that is non-empty (in order), and every
// part's size and checksum match. Returns the listed files. `what` names the artifact in messages
// ("checkpoint", "MF model").
std::vector<std::string> verify_manifest(const std::string& dir, int format,
                                         const ManifestLabel& label,
                                         const std::vector<std::string>& expected,
                                         std::string_view what);

}  // namespace rlrec
