#include "cli/run_config.h"

#include <algorithm>

namespace rlrec::cli {

PolicyRun evaluate_baseline(const Config& cfg, const std::string& policy_name, const RunConfig& run,
                            uint64_t seed, ThreadPool& pool, const std::string& progress_label) {
  const auto& entry = sim::find_policy(policy_name);
  auto env = sim::make_environment(cfg, seed);
  const int batch = static_cast<int>(std::min<int64_t>(run.batch, run.episodes));
  sim::VectorEnv venv(std::move(env), batch, env_seed(seed), &pool);
  sim::PolicyContext ctx{&venv.env(), &cfg, &pool};
  auto policy = entry.make(ctx);
  PolicyRun out;
  out.policy = policy_name;
  out.results = eval::run_episodes(venv, *policy, run.episodes, policy_seed(seed), progress_label);
  return out;
}

}  // namespace rlrec::cli
