// collect_log: runs a policy in a VectorEnv and writes each step with its propensities. Episode and
// stream assignment are sim::drive_episodes' strided plan, as in eval::run_episodes (slot b runs
// episodes b, b + B, ...), so a logged episode is the same trajectory the runner would produce for
// the same seeds.
#include <algorithm>

#include "rlrec/core/error.h"
#include "rlrec/logs/log.h"
#include "rlrec/sim/episode_driver.h"
#include "rlrec/sim/plackett_luce.h"

namespace rlrec::logs {

CollectStats collect_log(sim::VectorEnv& env, sim::Policy& policy, int64_t episodes,
                         uint64_t policy_seed, LogWriter& writer) {
  if (episodes < 1) invalid_argument("episodes must be >= 1, got ", episodes);
  const auto& spec = env.spec();
  check_compatible(writer.header(), env.env(), "log header");
  const int B = env.batch(), N = spec.num_candidates, K = spec.slate_size, U = spec.user_dim,
            D = spec.item_dim, R = spec.response_dim();
  const bool ids = writer.header().has_candidate_ids,
             feats = writer.header().has_candidate_features;
  const auto* seq = dynamic_cast<const sim::SequentialPropensities*>(&policy);
  CollectStats st;
  std::vector<std::vector<LogRecord>> pending(B);
  std::vector<double> probs(static_cast<size_t>(K) * N);
  bool any_probs = false;
  sim::EpisodeHooks hooks;
  hooks.act = [&](const sim::Observation& obs, int32_t* slates, Rng* rngs) {
    // Record the context before acting (the observation buffers change on step).
    for (int b = 0; b < B; ++b) {
      if (!obs.is_active(b)) continue;
      LogRecord& r = pending[b].emplace_back();
      r.episode = env.episode(b);
      r.step = env.episode_step(b);
      r.user.assign(obs.user_row(b), obs.user_row(b) + U);
      if (ids)
        r.candidate_ids.assign(obs.candidate_ids + static_cast<size_t>(b) * N,
                               obs.candidate_ids + static_cast<size_t>(b + 1) * N);
      if (feats)
        r.candidate_features.assign(obs.item_features(b, 0), obs.item_features(b, 0) + N * D);
    }
    policy.act(obs, slates, rngs);
    for (int b = 0; b < B; ++b) {
      if (!obs.is_active(b)) continue;
      LogRecord& r = pending[b].back();
      const int32_t* s = slates + static_cast<size_t>(b) * K;
      r.slate.assign(s, s + K);
      r.marginal.assign(K, -1.0);
      r.inclusion.assign(K, -1.0);
      r.conditional.assign(K, -1.0);
      if (policy.slot_probabilities(obs, b, probs.data())) {
        any_probs = true;
        for (int k = 0; k < K; ++k) {
          r.marginal[k] = probs[static_cast<size_t>(k) * N + s[k]];
          double inc = 0;
          for (int j = 0; j < K; ++j) inc += probs[static_cast<size_t>(j) * N + s[k]];
          r.inclusion[k] = std::min(1.0, inc);
        }
      }
      const double sp = policy.slate_probability(obs, b, s);
      r.slate_propensity = sp > 0 ? std::min(1.0, sp) : -1.0;
      if (seq && !seq->slot_conditionals(obs, b, s, r.conditional.data()))
        r.conditional.assign(K, -1.0);
      else if (!seq && K == 1)
        r.conditional[0] = r.slate_propensity;
      // A zero probability for what was actually shown is a policy bug; log it as unknown would
      // hide it, so it stays visible as an error here.
      for (int k = 0; k < K; ++k)
        if (r.marginal[k] == 0.0 || r.conditional[k] == 0.0)
          throw_error(ErrorCode::kInternal, "policy '", policy.name(),
                      "' gave probability 0 to "
                      "the position it showed in slot ",
                      k, " (episode ", r.episode, ")");
      if (r.slate_propensity == -1.0 && sp == 0.0)
        throw_error(ErrorCode::kInternal, "policy '", policy.name(),
                    "' gave probability 0 to the slate it showed (episode ", r.episode, ")");
    }
  };
  hooks.row = [&](int b) {
    LogRecord& r = pending[b].back();
    r.responses.assign(env.responses().row(b), env.responses().row(b) + static_cast<size_t>(K) * R);
    r.choice = env.choices()[b];
    r.reward = env.rewards()[b];
    r.terminated = env.terminated()[b];
    r.truncated = env.truncated()[b] && !r.terminated;
    st.return_sum += r.reward;
  };
  hooks.episode_end = [&](int b, sim::EpisodeEnd) {
    for (const auto& rec : pending[b]) writer.write(rec);
    pending[b].clear();
  };
  const sim::EpisodeStats ds =
      sim::drive_episodes(env, policy_seed, sim::EpisodePlan::strided(episodes), hooks);
  st.steps = ds.steps;
  st.episodes = ds.episodes;
  st.propensities = any_probs;
  return st;
}

}  // namespace rlrec::logs
