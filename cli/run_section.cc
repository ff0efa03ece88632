#include "cli/run_section.h"

#include <algorithm>

#include "rlrec/catalog/catalog.h"
#include "rlrec/datasim/datasim.h"
#include "rlrec/sim/policy.h"
#include "rlrec/sim/vector_env.h"

namespace rlrec::cli {

eval::EpisodeResults evaluate_baseline(const Config& cfg, const std::string& policy_name,
                                       const RunConfig& run, uint64_t seed, ThreadPool& pool,
                                       const std::string& progress_label) {
  const auto& entry = catalog::find_policy(policy_name);
  auto env = catalog::make_environment(cfg, seed);
  const int batch = static_cast<int>(std::min<int64_t>(run.batch, run.episodes));
  sim::VectorEnv venv(std::move(env), batch, train::eval_env_seed(seed), &pool);
  sim::PolicyContext ctx{&venv.env(), &cfg, &pool};
  auto policy = entry.make(ctx);
  return eval::run_episodes(venv, *policy, run.episodes, train::eval_policy_seed(seed),
                            progress_label);
}

}  // namespace rlrec::cli
