// The [data] section of offline learning (agents/offline.h OfflineLearner): the log an agent trains
// from, read from a file or generated per run seed by a baseline policy, and the directory in which
// rlrec compare shares one generated log per seed among its offline agents.
//
// [data]
//   log        path of a log file (docs/logs.md); "" = generate one per run seed (below)
//   behaviour  baseline policy that writes the generated log (its keys: the [policy] section)
//   episodes   episodes of the generated log
// A generated log uses env seed combine(run seed, "data/env") and policy seed combine(run seed,
// "data/policy"), so every agent of a compare seed learns from the same log; it is written to
// RUN_DIR/behaviour_log.bin (or a temporary file without a run directory), or, with a shared log
// directory, once per seed to DIR/behaviour_seed<N>.bin for all the offline agents of a comparison.
#pragma once

#include <cstdint>
#include <string>

#include "rlrec/agents/agent.h"
#include "rlrec/agents/offline.h"
#include "rlrec/core/config.h"
#include "rlrec/dist/comm.h"
#include "rlrec/sim/environment.h"

namespace rlrec::train {

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

// If `agent` is an OfflineLearner whose data_section() is present in cfg: reads that section,
// loads (or generates, seeded from run_seed, into run_dir or a temp file) the log, checks it
// against `env`, hands it to the agent and returns the agent as OfflineLearner. Otherwise nullptr;
// throws if cfg has a [data] section the agent cannot use and `strict` is set (rlrec train).
// shared_log_dir: when set, a generated log goes to shared_log_dir/behaviour_seed<run_seed>.bin
// instead of run_dir, and an existing file there is read instead of being generated again, so the
// offline agents of one comparison (same config, same seed) share one log; concurrent calls of one
// process for the same file wait for each other (the first writes it, the others read it). The
// caller owns the directory and must not reuse it across configs (SharedLogDir clears it).
agents::OfflineLearner* attach_offline_data(const Config& cfg, agents::Agent& agent,
                                            const sim::Environment& env, uint64_t run_seed,
                                            const std::string& run_dir, bool strict,
                                            const std::string& shared_log_dir = "");

// The shared log directory of one comparison: OUT/behaviour_logs when an output directory is
// given (emptied here: rlrec owns it, and a log of another config must not be reused), otherwise
// a fresh temporary directory, removed when this object goes. In a job of several ranks
// (collective: every rank constructs it) rank 0 empties OUT/behaviour_logs and each rank uses its
// own OUT/behaviour_logs/rank-R, so no two processes ever write the same log.
class SharedLogDir {
 public:
  explicit SharedLogDir(const std::string& out_dir);
  SharedLogDir(const std::string& out_dir, dist::Communicator& comm);
  ~SharedLogDir();
  SharedLogDir(const SharedLogDir&) = delete;
  SharedLogDir& operator=(const SharedLogDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  bool temporary_ = false;
};

}  // namespace rlrec::train
