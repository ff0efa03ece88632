#include "rlrec/sim/episode_driver.h"

#include <chrono>
#include <utility>
#include <vector>

#include "rlrec/core/error.h"
#include "rlrec/core/stopwatch.h"

namespace rlrec::sim {

EpisodePlan EpisodePlan::strided(int64_t episodes, uint64_t first_episode) {
  if (episodes < 1) invalid_argument("episodes must be >= 1, got ", episodes);
  EpisodePlan p;
  p.kind_ = Kind::kStrided;
  p.episodes_ = episodes;
  p.first_ = first_episode;
  return p;
}

EpisodePlan EpisodePlan::sequential(uint64_t first_episode, More more) {
  if (!more) invalid_argument("a sequential episode plan needs a continue predicate");
  EpisodePlan p;
  p.kind_ = Kind::kSequential;
  p.first_ = first_episode;
  p.more_ = std::move(more);
  return p;
}

EpisodeStats drive_episodes(VectorEnv& env, uint64_t policy_seed, const EpisodePlan& plan,
                            const EpisodeHooks& hooks) {
  if (!hooks.act) invalid_argument("drive_episodes needs an act hook");
  const int B = env.batch(), K = env.spec().slate_size;
  const bool strided = plan.kind() == EpisodePlan::Kind::kStrided;
  std::vector<uint8_t> active(B, 0);
  std::vector<int32_t> slates(static_cast<size_t>(B) * K, 0);
  std::vector<Rng> rngs(B);
  EpisodeStats st;
  st.next_episode = plan.first_episode();
  const uint64_t end = plan.first_episode() + static_cast<uint64_t>(plan.episodes());  // strided
  int live = 0;
  auto start = [&](int b, uint64_t e) {
    env.reset(b, e);
    rngs[b] = Rng(policy_seed, e);
    active[b] = 1;
  };
  {
    const auto t0 = std::chrono::steady_clock::now();
    for (int b = 0; b < B; ++b) {
      if (strided && st.next_episode >= end) break;
      start(b, st.next_episode++);
      ++live;
    }
    st.env_seconds += seconds_since(t0);
  }
  while (live > 0) {
    hooks.act(env.observation(active.data()), slates.data(), rngs.data());
    {
      const auto t0 = std::chrono::steady_clock::now();
      env.step(slates.data(), active.data());
      st.env_seconds += seconds_since(t0);
    }
    if (hooks.stepped) hooks.stepped(active.data(), slates.data());
    for (int b = 0; b < B; ++b) {
      if (!active[b]) continue;
      ++st.steps;
      if (hooks.row) hooks.row(b);
      if (!env.done(b)) continue;
      const EpisodeEnd how = env.terminated()[b] ? EpisodeEnd::kTerminated : EpisodeEnd::kTruncated;
      ++st.episodes;
      st.truncated += how == EpisodeEnd::kTruncated;
      if (hooks.episode_end) hooks.episode_end(b, how);
      bool again;
      uint64_t next;
      if (strided) {
        next = env.episode(b) + static_cast<uint64_t>(B);
        again = next < end;
      } else {
        next = st.next_episode;
        again = plan.more()(st.steps);
      }
      if (again) {
        const auto t0 = std::chrono::steady_clock::now();
        start(b, next);
        st.env_seconds += seconds_since(t0);
        if (!strided) ++st.next_episode;
      } else {
        active[b] = 0;
        --live;
      }
    }
    if (hooks.step_end) hooks.step_end(st);
  }
  if (strided) st.next_episode = end;
  return st;
}

}  // namespace rlrec::sim
