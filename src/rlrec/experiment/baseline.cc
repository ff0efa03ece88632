#include "rlrec/experiment/baseline.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "rlrec/catalog/catalog.h"
#include "rlrec/sim/policy.h"
#include "rlrec/sim/vector_env.h"

namespace rlrec::experiment {

eval::EpisodeResults evaluate_baseline(const Config& cfg, const std::string& policy_name,
                                       const eval::RunConfig& run, uint64_t seed, ThreadPool& pool,
                                       const std::string& progress_label,
                                       dist::Communicator* ranks) {
  const auto& entry = catalog::find_policy(policy_name);
  return evaluate_policy(cfg, entry.make, run, seed, pool, progress_label, ranks);
}

eval::EpisodeResults evaluate_policy(const Config& cfg, const PolicyFactory& make,
                                     const eval::RunConfig& run, uint64_t seed, ThreadPool& pool,
                                     const std::string& progress_label, dist::Communicator* ranks) {
  const int P = ranks ? ranks->size() : 1;
  const auto [first, end] = dist::share(run.episodes, P, ranks ? ranks->rank() : 0);
  eval::EpisodeResults mine;
  if (end > first) {
    const int batch = static_cast<int>(std::clamp<int64_t>(end - first, 1, run.batch));
    sim::VectorEnv venv(catalog::make_environment(cfg, seed), batch, eval::eval_env_seed(seed),
                        &pool);
    sim::PolicyContext ctx{&venv.env(), &cfg, &pool};
    auto policy = make(ctx);
    mine = eval::run_episodes(venv, *policy, end - first, eval::eval_policy_seed(seed),
                              progress_label, static_cast<uint64_t>(first));
  } else {
    mine.slate_size = catalog::make_environment(cfg, seed)->spec().slate_size;
  }
  if (P == 1) return mine;
  // Every rank's share, concatenated in rank order (= episode order: the shares are contiguous).
  const nlohmann::json j = {mine.returns,   mine.lengths, mine.clicks,     mine.steps,
                            mine.truncated, mine.seconds, mine.env_seconds};
  const auto cbor = nlohmann::json::to_cbor(j);
  eval::EpisodeResults all;
  all.slate_size = mine.slate_size;
  for (const auto& bytes : ranks->all_gather(std::string(cbor.begin(), cbor.end()))) {
    const auto part = nlohmann::json::from_cbor(bytes);
    for (double x : part[0]) all.returns.push_back(x);
    for (int32_t x : part[1]) all.lengths.push_back(x);
    for (int32_t x : part[2]) all.clicks.push_back(x);
    all.steps += part[3].get<int64_t>();
    all.truncated += part[4].get<int64_t>();
    all.seconds = std::max(all.seconds, part[5].get<double>());
    all.env_seconds = std::max(all.env_seconds, part[6].get<double>());
  }
  return all;
}

}  // namespace rlrec::experiment
