// Offline (batch) learning from a log file: the optional interface of agents that can train from
// logged data instead of interacting, and the [data] section that names the log. Torch-free.
//
// [data]
//   log        path of a log file (docs/logs.md); "" = generate one per run seed (below)
//   behaviour  baseline policy that writes the generated log (its keys: the [policy] section)
//   episodes   episodes of the generated log
// A generated log uses env seed combine(run seed, "data/env") and policy seed combine(run seed,
// "data/policy"), so every agent of a compare seed learns from the same log; it is written to
// RUN_DIR/behaviour_log.bin (or a temporary file without a run directory); rlrec compare writes it
// once per seed for all its offline agents (OUT/behaviour_logs/behaviour_seed<N>.bin).
// The trainer consumes run.train_steps logged events (cycling over the log), evaluating online
// every run.eval_interval events; metrics' env_steps then count logged events.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "rlrec/agents/agent.h"
#include "rlrec/core/config.h"
#include "rlrec/logs/log.h"

namespace rlrec::agents {

struct DataConfig {
  std::string log;
  std::string behaviour = "biased_softmax";
  int64_t episodes = 2000;
  void visit(FieldVisitor& v) {
    v.field("log", log, "log file to train from (\"\" = generate one per seed with `behaviour`)");
    v.field("behaviour", behaviour, "baseline policy writing the generated log (keys: [policy])");
    v.field("episodes", episodes, "episodes of the generated log");
  }
};

class OfflineLearner {
 public:
  virtual ~OfflineLearner() = default;
  // The config section naming this agent's log ("" = the agent trains online).
  virtual std::string data_section() const = 0;
  // Takes the log (already checked against the agent's environment); throws rlrec::Error naming
  // `path` and the record for a log the agent cannot learn from (e.g. missing propensities).
  virtual void set_log(std::shared_ptr<const logs::LogData> log, const std::string& path) = 0;
  // Learns from the next `events` logged events; returns the gradient-step statistics.
  virtual UpdateStats train_offline(int64_t events) = 0;
};

// If `agent` is an OfflineLearner whose data_section() is present in cfg: reads that section,
// loads (or generates, seeded from run_seed, into run_dir or a temp file) the log, checks it
// against `env`, hands it to the agent and returns the agent as OfflineLearner. Otherwise nullptr;
// throws if cfg has a [data] section the agent cannot use and `strict` is set (rlrec train).
// shared_log_dir: when set, a generated log goes to shared_log_dir/behaviour_seed<run_seed>.bin
// instead of run_dir, and an existing file there is read instead of being generated again, so the
// offline agents of one comparison (same config, same seed) share one log. The caller owns the
// directory and must not reuse it across configs (rlrec compare clears it).
OfflineLearner* attach_offline_data(const Config& cfg, Agent& agent, const sim::Environment& env,
                                    uint64_t run_seed, const std::string& run_dir, bool strict,
                                    const std::string& shared_log_dir = "");

}  // namespace rlrec::agents
