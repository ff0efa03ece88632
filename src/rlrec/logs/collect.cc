// collect_log: runs a policy in a VectorEnv and writes each step with its propensities. Episode and
// stream assignment follow eval::run_episodes (slot b runs episodes b, b + B, ...), so a logged
// episode is the same trajectory the runner would produce for the same seeds.
#include <algorithm>

#include "rlrec/core/error.h"
#include "rlrec/logs/log.h"
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
  std::vector<uint8_t> active(B, 0);
  std::vector<int32_t> slates(static_cast<size_t>(B) * K, 0);
  std::vector<Rng> rngs(B);
  std::vector<std::vector<LogRecord>> pending(B);
  std::vector<double> probs(static_cast<size_t>(K) * N);
  int live = 0;
  auto start = [&](int b, int64_t e) {
    env.reset(b, static_cast<uint64_t>(e));
    rngs[b] = Rng(policy_seed, static_cast<uint64_t>(e));
    active[b] = 1;
    pending[b].clear();
  };
  for (int b = 0; b < B && b < episodes; ++b, ++live) start(b, b);
  bool any_probs = false;
  while (live > 0) {
    const sim::Observation obs = env.observation(active.data());
    // Record the context before acting (the observation buffers change on step).
    for (int b = 0; b < B; ++b) {
      if (!active[b]) continue;
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
    policy.act(obs, slates.data(), rngs.data());
    for (int b = 0; b < B; ++b) {
      if (!active[b]) continue;
      LogRecord& r = pending[b].back();
      const int32_t* s = slates.data() + static_cast<size_t>(b) * K;
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
    env.step(slates.data(), active.data());
    const auto resp = env.responses();
    for (int b = 0; b < B; ++b) {
      if (!active[b]) continue;
      LogRecord& r = pending[b].back();
      r.responses.assign(resp.row(b), resp.row(b) + static_cast<size_t>(K) * R);
      r.choice = env.choices()[b];
      r.reward = env.rewards()[b];
      r.terminated = env.terminated()[b];
      r.truncated = env.truncated()[b] && !r.terminated;
      st.return_sum += r.reward;
      ++st.steps;
      if (!env.done(b)) continue;
      for (const auto& rec : pending[b]) writer.write(rec);
      ++st.episodes;
      const int64_t next = static_cast<int64_t>(env.episode(b)) + B;
      if (next < episodes) {
        start(b, next);
      } else {
        active[b] = 0;
        pending[b].clear();
        --live;
      }
    }
  }
  st.propensities = any_probs;
  return st;
}

}  // namespace rlrec::logs
