// Offline (batch) learning from a log file: the optional interface of agents that can train from
// logged data instead of interacting. Torch-free. The [data] section that names (or generates)
// the log, and handing the log to an agent, are the training side's: train/offline_data.h.
// The trainer consumes run.train_steps logged events (cycling over the log), evaluating online
// every run.eval_interval events; metrics' env_steps then count logged events.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "rlrec/agents/agent.h"
#include "rlrec/logs/log.h"

namespace rlrec::agents {

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

// `agent` as an OfflineLearner, or nullptr when it cannot learn from a log.
OfflineLearner* as_offline_learner(Agent& agent);

}  // namespace rlrec::agents
