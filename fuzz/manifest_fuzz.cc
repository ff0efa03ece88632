// Fuzz target: the manifest reader (core/manifest.h) that guards checkpoints and MF models. The
// bytes are manifest.json in a directory holding two small files (a.bin, b.txt) and a
// subdirectory (sub/); verify_manifest is called as a loader with an expected part list and as
// one without (MfModel::load's call).
#include "fuzz/fuzz_util.h"
#include "rlrec/core/manifest.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace rlrec;
  static const std::string dir = [] {
    const std::string d = fuzz::fresh_dir("artifact");
    fuzz::write_file(d + "/a.bin", "hello");
    fuzz::write_file(d + "/b.txt", "rlrec\n");
    std::filesystem::create_directories(d + "/sub");
    return d;
  }();
  fuzz::write_file(dir + "/manifest.json", {reinterpret_cast<const char*>(data), size});
  fuzz::expect_error_or_success([&] {
    (void)verify_manifest(dir, 1, {"kind", "mf_model"}, {}, "MF model");
  });
  fuzz::expect_error_or_success([&] {
    (void)verify_manifest(dir, 1, {"agent", "dqn"}, {"a.bin", "b.txt"}, "checkpoint");
  });
  return 0;
}
