// Fuzz target: the generic CSV/TSV loader (data/loaders.h) with a column mapping, as `rlrec mf fit
// --format csv|tsv|auto --columns ...` drives it. Bytes 0-2 pick the options (format, header,
// skip_malformed, separator, columns), the rest is the file.
#include "fuzz/fuzz_util.h"
#include "rlrec/data/loaders.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace rlrec;
  if (size < 3) return 0;
  static const data::Format kFormats[] = {data::Format::kCsv, data::Format::kTsv,
                                          data::Format::kAuto};
  static const char kSeparators[] = {',', ';', '|', ' '};
  data::LoadOptions options;
  options.format = kFormats[data[0] % 3];
  options.columns.header = (data[0] / 3) % 2 == 1;
  options.skip_malformed = (data[0] / 6) % 2 == 1;
  options.columns.separator = kSeparators[(data[0] / 12) % 4];
  // Columns -1..4 each (user and item are never absent: the CLI requires them).
  options.columns.user = data[1] % 5;
  options.columns.item = (data[1] / 5) % 5;
  options.columns.rating = static_cast<int>(data[2] % 6) - 1;
  options.columns.timestamp = static_cast<int>((data[2] / 6) % 6) - 1;
  if ((data[2] / 36) % 2 == 1) {
    options.min_rating = 0;
    options.max_rating = 5;
  }
  const std::string path = fuzz::scratch_dir() + "/interactions.csv";
  fuzz::write_file(path, {reinterpret_cast<const char*>(data) + 3, size - 3});
  fuzz::expect_error_or_success([&] {
    data::LoadReport report;
    (void)data::load_interactions(path, options, &report);
    (void)report.summary();
  });
  return 0;
}
