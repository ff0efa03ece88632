// Fuzz target: the checkpoint metadata reader (agents/checkpoint_meta.h; meta.toml of every agent
// checkpoint), compared with an expectation that has a label and shapes, as an agent's load()
// calls it. (The runner's counters, runner.toml, go through the same TOML reader: config_fuzz.)
#include "fuzz/fuzz_util.h"
#include "rlrec/agents/checkpoint_meta.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace rlrec;
  const std::string path = fuzz::scratch_dir() + "/meta.toml";
  fuzz::write_file(path, {reinterpret_cast<const char*>(data), size});
  agents::CheckpointMeta expected;
  expected.agent = "slateq";
  expected.variant = "slateq_sarsa";
  expected.env = "interest_evolution";
  expected.labels = {{"choice_model", "mnl"}};
  expected.shapes = {{"num_candidates", 10}, {"slate_size", 2}, {"hidden", 64}};
  fuzz::expect_error_or_success([&] { agents::check_checkpoint_meta(path, expected); });
  return 0;
}
