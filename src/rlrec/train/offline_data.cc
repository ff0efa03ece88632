#include "rlrec/train/offline_data.h"

#include <unistd.h>

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>

#include "rlrec/catalog/catalog.h"
#include "rlrec/core/error.h"
#include "rlrec/logs/log.h"
#include "rlrec/sim/policy.h"
#include "rlrec/sim/vector_env.h"

namespace rlrec::train {

namespace {

// One mutex per shared log file of this process: concurrent jobs of a comparison that need the
// same seed's log take it in turn, so the first writes the file and the others read it.
std::mutex& shared_log_mutex(const std::string& path) {
  static std::mutex mu;
  static std::map<std::string, std::unique_ptr<std::mutex>> locks;
  std::lock_guard<std::mutex> lock(mu);
  auto& m = locks[path];
  if (!m) m = std::make_unique<std::mutex>();
  return *m;
}

}  // namespace

agents::OfflineLearner* attach_offline_data(const Config& cfg, agents::Agent& agent,
                                            const sim::Environment& env, uint64_t run_seed,
                                            const std::string& run_dir, bool strict,
                                            const std::string& shared_log_dir) {
  auto* off = agents::as_offline_learner(agent);
  const std::string section = off ? off->data_section() : std::string("data");
  if (section.empty() || !cfg.has_section(section)) return nullptr;
  if (!off) {
    if (strict)
      invalid_argument("agent '", agent.name(), "' cannot train from a log; remove the [", section,
                       "] section (agents that can: topk_reinforce and its variants)");
    return nullptr;
  }
  DataConfig dc;
  read_section(cfg, section, dc, {});
  std::string path = dc.log;
  bool temporary = false;
  if (path.empty()) {
    check_range(section + ".episodes", dc.episodes, 1, int64_t{1} << 40);
    const auto& entry = catalog::find_policy(dc.behaviour);
    const uint64_t env_seed = combine_keys(run_seed, hash_name("data/env"));
    const uint64_t pol_seed = combine_keys(run_seed, hash_name("data/policy"));
    bool reuse = false;
    std::unique_lock<std::mutex> writing;  // held while this job checks for / writes the shared log
    if (!shared_log_dir.empty()) {
      std::filesystem::create_directories(shared_log_dir);
      path = str_cat(shared_log_dir, "/behaviour_seed", run_seed, ".bin");
      writing = std::unique_lock<std::mutex>(shared_log_mutex(path));
      reuse = std::filesystem::exists(path);
    } else if (run_dir.empty()) {
      path = (std::filesystem::temp_directory_path() /
              str_cat("rlrec_behaviour_", dc.behaviour, "_", run_seed, "_", &agent, ".bin"))
                 .string();
      temporary = true;
    } else {
      std::filesystem::create_directories(run_dir);
      path = run_dir + "/behaviour_log.bin";
    }
    if (!reuse) {
      // The catalogue (fixed corpus) must be the agent's: build the env with the run seed.
      sim::VectorEnv venv(catalog::make_environment(cfg, run_seed), 16, env_seed);
      if (venv.env().catalogue() && env.catalogue() &&
          venv.env().catalogue()->fingerprint != env.catalogue()->fingerprint)
        invalid_argument("internal: behaviour env catalogue differs from the agent's");
      sim::PolicyContext ctx{&venv.env(), &cfg, nullptr};
      auto policy = entry.make(ctx);
      // (LogWriter writes PATH.tmp and renames it when closed: an interrupted run never leaves a
      // partial file that a later agent would take for the shared log.)
      logs::LogWriter w(path, logs::make_header(venv.env(), cfg, env_seed, dc.behaviour, pol_seed));
      logs::collect_log(venv, *policy, dc.episodes, pol_seed, w);
      w.close();
    }
  }
  auto data = std::make_shared<const logs::LogData>(logs::read_log(path));
  if (temporary) std::filesystem::remove(path);
  logs::check_compatible(data->header, env, path);
  off->set_log(std::move(data), path);
  return off;
}

SharedLogDir::SharedLogDir(const std::string& out_dir) : SharedLogDir(out_dir, dist::world()) {}

SharedLogDir::SharedLogDir(const std::string& out_dir, dist::Communicator& comm) {
  if (!out_dir.empty() && comm.size() > 1) {
    const std::string base = out_dir + "/behaviour_logs";
    if (comm.rank() == 0) std::filesystem::remove_all(base);
    comm.barrier();
    path_ = str_cat(base, "/rank-", comm.rank());
    return;
  }
  if (out_dir.empty()) {
    path_ = (std::filesystem::temp_directory_path() /
             str_cat("rlrec_compare_logs_", ::getpid(), "_", this))
                .string();
    temporary_ = true;
  } else {
    path_ = out_dir + "/behaviour_logs";
  }
  std::filesystem::remove_all(path_);
}

SharedLogDir::~SharedLogDir() {
  std::error_code ec;
  if (temporary_) std::filesystem::remove_all(path_, ec);
}

}  // namespace rlrec::train
