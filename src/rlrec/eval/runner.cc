#include "rlrec/eval/runner.h"

#include <chrono>
#include <numeric>

#include "rlrec/core/error.h"
#include "rlrec/core/memory.h"
#include "rlrec/core/progress.h"
#include "rlrec/core/stopwatch.h"
#include "rlrec/sim/episode_driver.h"

namespace rlrec::eval {

Summary EpisodeResults::return_summary(double level) const { return summarize(returns, level); }

double EpisodeResults::mean_length() const {
  if (lengths.empty()) return 0;
  return std::accumulate(lengths.begin(), lengths.end(), 0.0) / static_cast<double>(lengths.size());
}

double EpisodeResults::ctr() const {
  const double c = std::accumulate(clicks.begin(), clicks.end(), 0.0);
  return steps > 0 ? c / (static_cast<double>(steps) * slate_size) : 0;
}

double EpisodeResults::clicks_per_step() const {
  const double c = std::accumulate(clicks.begin(), clicks.end(), 0.0);
  return steps > 0 ? c / static_cast<double>(steps) : 0;
}

EpisodeResults run_episodes(sim::VectorEnv& env, sim::Policy& policy, int64_t episodes,
                            uint64_t policy_seed, const std::string& progress_label,
                            uint64_t first_episode) {
  if (episodes < 1) invalid_argument("episodes must be >= 1, got ", episodes);
  constexpr double kPerEpisode = sizeof(double) + 2 * sizeof(int32_t);  // return, length, clicks
  check_memory(
      kPerEpisode * static_cast<double>(episodes),
      str_cat("run.episodes = ", episodes, " (", kPerEpisode, " bytes of results per episode)"));
  using clock = std::chrono::steady_clock;
  const auto start = clock::now();
  EpisodeResults r;
  r.slate_size = env.spec().slate_size;
  r.returns.assign(episodes, 0.0);
  r.lengths.assign(episodes, 0);
  r.clicks.assign(episodes, 0);
  Progress bar(progress_label, static_cast<uint64_t>(episodes));
  sim::EpisodeHooks hooks;
  hooks.act = [&](const sim::Observation& obs, int32_t* slates, Rng* rngs) {
    policy.act(obs, slates, rngs);
  };
  hooks.row = [&](int b) {
    const auto e = static_cast<int64_t>(env.episode(b) - first_episode);
    r.returns[e] += env.rewards()[b];
    r.lengths[e] += 1;
    r.clicks[e] += env.choices()[b] >= 0;
  };
  if (!progress_label.empty())
    hooks.step_end = [&](const sim::EpisodeStats& s) {
      bar.set(static_cast<uint64_t>(s.episodes));
    };
  const sim::EpisodeStats st = sim::drive_episodes(
      env, policy_seed, sim::EpisodePlan::strided(episodes, first_episode), hooks);
  bar.finish();
  r.steps = st.steps;
  r.truncated = st.truncated;
  r.env_seconds = st.env_seconds;
  r.seconds = seconds_since(start);
  return r;
}

}  // namespace rlrec::eval
