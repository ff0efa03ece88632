// Fuzz target: the MovieLens loaders (data/loaders.h): ratings in the ml-100k, ml-1m and ml-csv
// formats (given, and sniffed by file name with --format auto) and the item files (u.item,
// movies.dat, movies.csv). Byte 0 picks the loader and skip_malformed; the rest is the file.
#include "fuzz/fuzz_util.h"
#include "rlrec/data/loaders.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace rlrec;
  if (size < 1) return 0;
  struct Choice {
    const char* file;
    data::Format format;
    bool items;
  };
  static const Choice kChoices[] = {
      {"u.data", data::Format::kMovieLens100K, false},
      {"ratings.dat", data::Format::kMovieLens1M, false},
      {"ratings.csv", data::Format::kMovieLensCsv, false},
      {"u1.base", data::Format::kAuto, false},
      {"ratings.dat", data::Format::kAuto, false},
      {"ratings.csv", data::Format::kAuto, false},
      {"u.item", data::Format::kAuto, true},
      {"movies.dat", data::Format::kAuto, true},
      {"movies.csv", data::Format::kAuto, true},
  };
  const Choice& c = kChoices[data[0] % std::size(kChoices)];
  const std::string path = fuzz::scratch_dir() + "/" + c.file;
  fuzz::write_file(path, {reinterpret_cast<const char*>(data) + 1, size - 1});
  fuzz::expect_error_or_success([&] {
    if (c.items) {
      (void)data::load_item_info(path, c.format);
    } else {
      data::LoadOptions options;
      options.format = c.format;
      options.skip_malformed = (data[0] / std::size(kChoices)) % 2 == 1;
      data::LoadReport report;
      (void)data::load_interactions(path, options, &report);
      (void)report.summary();
    }
  });
  return 0;
}
