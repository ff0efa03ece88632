// Fuzz target: the MF model loader (models/mf_model.h, MfModel::load). The input is the model
// directory's files joined by "@@@@", in this order: mf_model.txt, user_ids.txt, item_ids.txt,
// user_factors.f32, item_factors.f32, user_bias.f32, item_bias.f32, config.toml (missing parts
// are not written). The harness writes a manifest.json with the right sizes and checksums, so the
// mutated files reach the parser behind the manifest check (manifest_fuzz covers that check).
// A model that loads is scored once, and saved and loaded again (it must round-trip).
#include <cstdio>

#include "fuzz/fuzz_util.h"
#include "rlrec/core/manifest.h"
#include "rlrec/models/mf_model.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace rlrec;
  static const char* kFiles[] = {"mf_model.txt",     "user_ids.txt",     "item_ids.txt",
                                 "user_factors.f32", "item_factors.f32", "user_bias.f32",
                                 "item_bias.f32",    "config.toml"};
  const std::string dir = fuzz::fresh_dir("model");
  const auto parts = fuzz::split({reinterpret_cast<const char*>(data), size}, "@@@@");
  std::vector<std::string> written;
  for (size_t i = 0; i < parts.size() && i < std::size(kFiles); ++i) {
    fuzz::write_file(dir + "/" + kFiles[i], parts[i]);
    written.emplace_back(kFiles[i]);
  }
  write_manifest(dir, models::MfModel::kManifestFormat, {"kind", "mf_model"}, written);
  fuzz::expect_error_or_success([&] {
    const models::MfModel m = models::MfModel::load(dir);
    if (m.num_users() > 0 && m.num_items() > 0) (void)m.score(0, 0);
    const std::string again = fuzz::scratch_dir() + "/model-again";
    std::filesystem::remove_all(again);
    m.save(again);
    const models::MfModel back = models::MfModel::load(again);
    if (back.num_users() != m.num_users() || back.num_items() != m.num_items() ||
        back.factors() != m.factors()) {
      std::fprintf(stderr, "MF model does not round-trip through save/load\n");
      std::abort();
    }
  });
  return 0;
}
