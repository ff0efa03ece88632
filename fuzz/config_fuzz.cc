// Fuzz target: the TOML config reader (core/config.h), as `rlrec train/compare/config` and the
// checkpoint's runner.toml use it: parse a file, list sections and keys, read string values, read
// the [run] section and a checkpoint's [runner] counters (the fields train/trainer.cc's resume()
// reads) through the typed visitor, and dump the document. The dump must parse again
// (to_toml of a parsed document that does not parse back is a bug, not bad input: it aborts).
#include <cstdio>
#include <cstdlib>

#include "fuzz/fuzz_util.h"
#include "rlrec/core/config.h"
#include "rlrec/eval/run_config.h"

namespace {

// The [runner] section of CHECKPOINT/runner.toml, as Trainer::resume reads it.
struct RunnerState {
  int iteration = 0;
  int64_t env_steps = 0, updates = 0, next_episode = 0;
  double train_seconds = 0;
  void visit(rlrec::FieldVisitor& v) {
    v.field("iteration", iteration, "");
    v.field("env_steps", env_steps, "");
    v.field("updates", updates, "");
    v.field("next_episode", next_episode, "");
    v.field("train_seconds", train_seconds, "");
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace rlrec;
  const std::string path = fuzz::scratch_dir() + "/exp.toml";
  fuzz::write_file(path, {reinterpret_cast<const char*>(data), size});
  fuzz::expect_error_or_success([&] {
    Config cfg = Config::parse_file(path);
    for (const std::string& section : cfg.sections()) {
      for (const std::string& key : cfg.keys(section)) {
        fuzz::expect_error_or_success([&] { (void)cfg.get_string(section, key); });
        fuzz::expect_error_or_success([&] { (void)cfg.get_strings(section, key); });
      }
    }
    fuzz::expect_error_or_success([&] {
      eval::RunConfig run;
      read_section(cfg, "run", run);
      run.validate();
    });
    fuzz::expect_error_or_success([&] {
      RunnerState st;
      read_section(cfg, "runner", st, {"agent"});
    });
    const std::string dumped = cfg.to_toml();
    try {
      (void)Config::parse_string(dumped, "to_toml");
    } catch (const Error& e) {
      std::fprintf(stderr, "to_toml output does not parse: %s\n%s\n", e.what(), dumped.c_str());
      std::abort();
    }
  });
  return 0;
}
