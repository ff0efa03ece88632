// The checks a command makes on its config before any work, as functions: the command calls them,
// and so does `rlrec config`, which validates a file exactly as the command that runs it (one copy
// of the rules). train and compare: rlrec/train/experiments.h check_train_experiment and
// rlrec/train/compare.h check_compare_experiment.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "rlrec/core/config.h"
#include "rlrec/eval/run_config.h"

namespace rlrec::cli {

// The flags of `rlrec simulate` that override [run] (std::nullopt = not given: a sentinel such as
// -1 would make `--episodes -1` silently mean "the default" instead of an error).
struct SimulateOverrides {
  std::optional<int64_t> episodes, seed;
  std::optional<int> threads, batch;
};
// simulate's checks (cmd_simulate.cc): [run] with the overrides, the sections simulate reads (the
// others noted), `policy` a baseline (not a learning agent) and [policy]'s keys. [env]'s values are
// checked when the environment is built (catalog::make_environment).
eval::RunConfig check_simulate(const Config& cfg, const std::string& policy,
                               const SimulateOverrides& overrides = {});

// The sections `rlrec train` reads (cmd_train.cc checks them with check_sections).
inline const std::vector<std::string>& train_sections() {
  static const std::vector<std::string> s{"env", "agent", "run", "data", "policy"};
  return s;
}

}  // namespace rlrec::cli
