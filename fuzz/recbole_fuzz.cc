// Fuzz target: the RecBole atomic `.inter` loader (data/loaders.h), given (--format recbole) and
// sniffed (a *.inter file with --format auto). Byte 0 picks which and skip_malformed.
#include "fuzz/fuzz_util.h"
#include "rlrec/data/loaders.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace rlrec;
  if (size < 1) return 0;
  data::LoadOptions options;
  options.format = data[0] % 2 == 0 ? data::Format::kRecBole : data::Format::kAuto;
  options.skip_malformed = (data[0] / 2) % 2 == 1;
  const std::string path = fuzz::scratch_dir() + "/ml.inter";
  fuzz::write_file(path, {reinterpret_cast<const char*>(data) + 1, size - 1});
  fuzz::expect_error_or_success([&] {
    data::LoadReport report;
    (void)data::load_interactions(path, options, &report);
    (void)report.summary();
  });
  return 0;
}
