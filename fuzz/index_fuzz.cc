// Fuzz target: the index loader (index/index.h, load_index) for exact and HNSW files. The harness
// appends the FNV-1a 64 trailer that load_index verifies first, so the mutated bytes reach the
// header and body parsers (a flipped byte without the fix-up is caught by the trailer: tests).
// An index that loads answers one search, so a corrupt graph that passed the checks would crash.
#include <utility>

#include "fuzz/fuzz_util.h"
#include "rlrec/core/manifest.h"
#include "rlrec/index/index.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace rlrec;
  std::string bytes(reinterpret_cast<const char*>(data), size);
  const uint64_t sum = fnv1a64(bytes);
  bytes.append(reinterpret_cast<const char*>(&sum), sizeof sum);
  const std::string path = fuzz::scratch_dir() + "/items.idx";
  fuzz::write_file(path, bytes);
  fuzz::expect_error_or_success([&] {
    std::unique_ptr<index::Index> idx = index::load_index(path);
    if (idx->size() == 0 || idx->dim() == 0 || idx->dim() > 4096) return;
    Matrix<float> query(1, idx->dim(), 0.5f);
    (void)idx->search(std::as_const(query).view(), 1);
  });
  return 0;
}
