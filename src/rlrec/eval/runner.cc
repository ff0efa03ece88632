#include "rlrec/eval/runner.h"

#include <chrono>
#include <numeric>

#include "rlrec/core/error.h"
#include "rlrec/core/progress.h"

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
                            uint64_t policy_seed, const std::string& progress_label) {
  if (episodes < 1) invalid_argument("episodes must be >= 1, got ", episodes);
  using clock = std::chrono::steady_clock;
  const auto start = clock::now();
  const int B = env.batch(), K = env.spec().slate_size;
  EpisodeResults r;
  r.slate_size = K;
  r.returns.assign(episodes, 0.0);
  r.lengths.assign(episodes, 0);
  r.clicks.assign(episodes, 0);

  std::vector<uint8_t> active(B, 0);
  std::vector<int32_t> slates(static_cast<size_t>(B) * K, 0);
  std::vector<Rng> policy_rngs(B);
  double env_seconds = 0;
  int live = 0;
  auto start_episode = [&](int b, int64_t e) {
    env.reset(b, static_cast<uint64_t>(e));
    policy_rngs[b] = Rng(policy_seed, static_cast<uint64_t>(e));
    active[b] = 1;
  };
  {
    const auto t0 = clock::now();
    for (int b = 0; b < B && b < episodes; ++b) {
      start_episode(b, b);
      ++live;
    }
    env_seconds += std::chrono::duration<double>(clock::now() - t0).count();
  }
  Progress bar(progress_label, static_cast<uint64_t>(episodes));
  int64_t finished = 0;
  while (live > 0) {
    const sim::Observation obs = env.observation(active.data());
    policy.act(obs, slates.data(), policy_rngs.data());
    const auto t0 = clock::now();
    env.step(slates.data(), active.data());
    env_seconds += std::chrono::duration<double>(clock::now() - t0).count();
    const double* rew = env.rewards();
    const int32_t* ch = env.choices();
    for (int b = 0; b < B; ++b) {
      if (!active[b]) continue;
      const auto e = static_cast<int64_t>(env.episode(b));
      r.returns[e] += rew[b];
      r.lengths[e] += 1;
      r.clicks[e] += ch[b] >= 0;
      ++r.steps;
      if (env.done(b)) {
        r.truncated += env.truncated()[b];
        ++finished;
        const int64_t next = e + B;
        if (next < episodes) {
          const auto t1 = clock::now();
          start_episode(b, next);
          env_seconds += std::chrono::duration<double>(clock::now() - t1).count();
        } else {
          active[b] = 0;
          --live;
        }
      }
    }
    if (!progress_label.empty()) bar.set(static_cast<uint64_t>(finished));
  }
  bar.finish();
  r.env_seconds = env_seconds;
  r.seconds = std::chrono::duration<double>(clock::now() - start).count();
  return r;
}

}  // namespace rlrec::eval
