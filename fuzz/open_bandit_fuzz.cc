// Fuzz target: the Open Bandit Dataset loader (data/open_bandit.h). The input is the campaign CSV
// and item_context.csv joined by a line "@@@@"; without that line it is item_context.csv alone
// (load_item_context). Byte 0 picks num_positions (1..4) and skip_malformed.
#include "fuzz/fuzz_util.h"
#include "rlrec/data/open_bandit.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace rlrec;
  if (size < 1) return 0;
  const std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  const std::string dir = fuzz::scratch_dir();
  const std::string csv = dir + "/all.csv", items = dir + "/item_context.csv";
  const size_t at = bytes.find("\n@@@@\n");
  fuzz::expect_error_or_success([&] {
    if (at == std::string_view::npos) {
      fuzz::write_file(items, bytes);
      (void)data::load_item_context(items);
      return;
    }
    fuzz::write_file(csv, bytes.substr(0, at + 1));
    fuzz::write_file(items, bytes.substr(at + 6));
    data::BanditLoadOptions options;
    options.num_positions = 1 + data[0] % 4;
    options.skip_malformed = (data[0] / 4) % 2 == 1;
    data::LoadReport report;
    (void)data::load_open_bandit(csv, items, options, &report);
  });
  return 0;
}
