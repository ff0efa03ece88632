#include "rlrec/experiment/baseline.h"

#include <algorithm>

#include "rlrec/catalog/catalog.h"
#include "rlrec/sim/policy.h"
#include "rlrec/sim/vector_env.h"

namespace rlrec::experiment {

eval::EpisodeResults evaluate_baseline(const Config& cfg, const std::string& policy_name,
                                       const eval::RunConfig& run, uint64_t seed, ThreadPool& pool,
                                       const std::string& progress_label) {
  const auto& entry = catalog::find_policy(policy_name);
  const int batch = static_cast<int>(std::clamp<int64_t>(run.episodes, 1, run.batch));
  sim::VectorEnv venv(catalog::make_environment(cfg, seed), batch, eval::eval_env_seed(seed),
                      &pool);
  sim::PolicyContext ctx{&venv.env(), &cfg, &pool};
  auto policy = entry.make(ctx);
  return eval::run_episodes(venv, *policy, run.episodes, eval::eval_policy_seed(seed),
                            progress_label);
}

}  // namespace rlrec::experiment
