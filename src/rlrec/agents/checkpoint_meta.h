// Checkpoint metadata (meta.toml in an agent's checkpoint directory): which agent wrote the
// checkpoint, for which environment, with which shapes. Every agent's load() checks it before
// reading any tensor, so a checkpoint of another agent, environment or shape is a one-line
// rlrec::Error instead of a torch shape error or, worse, a silent mismatch. Torch-free.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace rlrec::agents {

struct CheckpointMeta {
  std::string agent;    // agent family, e.g. "slateq" (must match)
  std::string variant;  // registry entry that wrote it, e.g. "slateq_sarsa" (recorded, not checked)
  std::string env;      // EnvSpec::name (must match)
  std::vector<std::pair<std::string, std::string>> labels;  // further strings that must match
  std::vector<std::pair<std::string, int64_t>> shapes;      // integers that must match
};

// Writes `m` as TOML to `path`; kIo if it cannot.
void write_checkpoint_meta(const std::string& path, const CheckpointMeta& m);

// Reads `path` and compares it with `expected`. Throws kNotFound for a missing file, kCorrupt for
// malformed TOML, kInvalidArgument "PATH: checkpoint was written by agent 'a', not b" /
// "... is for environment 'e', not 'f'" / "... has KEY 'x', not 'y'" / "... shapes (k 1, ...) do
// not match the agent and environment (k 2, ...)"; unknown or missing keys are errors too.
void check_checkpoint_meta(const std::string& path, const CheckpointMeta& expected);

}  // namespace rlrec::agents
