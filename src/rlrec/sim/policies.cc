// Baseline policies (RecSim's reference agents, recsim/agents/; shared/reference/recsim-spec.md §7):
//   random          a uniform K-permutation of the candidates without repetition (RandomAgent);
//   myopic          top-K candidates by the user's click score computed from the observed user state
//                   (Environment::observed_score), best first — RecSim's greedy pCTR agent, which
//                   for the proportional/logit choice models ranks by the same score;
//   quality_oracle  top-K candidates by hidden item quality: privileged, an upper-bound reference.
// Deviation: RecSim's GreedyPCTRAgent scores with a fixed belief state; ours uses the observed user
// features where the environment exposes them (interest_evolution) and the prior-average user where
// it does not (interest_exploration), which is the stronger and more honest myopic baseline.
#include <algorithm>
#include <numeric>
#include <vector>

#include "rlrec/core/registry.h"
#include "rlrec/sim/policy.h"

namespace rlrec::sim {

void top_k_positions(const double* scores, int n, int k, int32_t* out,
                     std::vector<int32_t>& scratch) {
  scratch.resize(n);
  std::iota(scratch.begin(), scratch.end(), 0);
  auto better = [&](int32_t a, int32_t b) {
    return scores[a] > scores[b] || (scores[a] == scores[b] && a < b);
  };
  if (k < n) std::nth_element(scratch.begin(), scratch.begin() + k, scratch.end(), better);
  std::sort(scratch.begin(), scratch.begin() + k, better);
  std::copy(scratch.begin(), scratch.begin() + k, out);
}

void random_slate(Rng& rng, int n, int k, int32_t* s) {
  int m = 0;
  for (int j = n - k; j < n; ++j) {
    int32_t t = static_cast<int32_t>(rng.uniform_int(static_cast<uint64_t>(j) + 1));
    for (int i = 0; i < m; ++i)
      if (s[i] == t) {
        t = j;
        break;
      }
    s[m++] = t;
  }
  for (int i = k - 1; i > 0; --i) std::swap(s[i], s[rng.uniform_int(static_cast<uint64_t>(i) + 1)]);
}

namespace {

class RandomPolicy final : public Policy {
 public:
  std::string_view name() const override { return "random"; }
  void act(const Observation& obs, int32_t* slates, Rng* rngs) override {
    const int N = obs.num_candidates, K = obs.slate_size;
    for (int b = 0; b < obs.batch; ++b) {
      if (!obs.is_active(b)) continue;
      random_slate(rngs[b], N, K, slates + static_cast<size_t>(b) * K);
    }
  }
};

// Shared by myopic and quality_oracle: top-K of a per-candidate score, rows in parallel.
class TopKPolicy : public Policy {
 public:
  explicit TopKPolicy(ThreadPool* pool) : pool_(pool) {}
  void act(const Observation& obs, int32_t* slates, Rng*) override {
    const int N = obs.num_candidates, K = obs.slate_size;
    auto body = [&](size_t begin, size_t end) {
      std::vector<double> scores(N);
      std::vector<int32_t> scratch;
      for (size_t b = begin; b < end; ++b) {
        if (!obs.is_active(static_cast<int>(b))) continue;
        for (int p = 0; p < N; ++p) scores[p] = score(obs, static_cast<int>(b), p);
        top_k_positions(scores.data(), N, K, slates + b * K, scratch);
      }
    };
    // Parallelize across rows only when the per-row work is large (big catalogues).
    if (pool_ && pool_->size() > 1 && static_cast<int64_t>(obs.batch) * N >= 100000)
      pool_->parallel_for(obs.batch, body);
    else
      body(0, obs.batch);
  }

 protected:
  virtual double score(const Observation& obs, int b, int pos) const = 0;

 private:
  ThreadPool* pool_;
};

class MyopicPolicy final : public TopKPolicy {
 public:
  MyopicPolicy(const Environment* env, ThreadPool* pool) : TopKPolicy(pool), env_(env) {}
  std::string_view name() const override { return "myopic"; }

 private:
  double score(const Observation& obs, int b, int pos) const override {
    return env_->observed_score(obs.user_row(b), obs.item_features(b, pos));
  }
  const Environment* env_;
};

class QualityOracle final : public TopKPolicy {
 public:
  explicit QualityOracle(ThreadPool* pool) : TopKPolicy(pool) {}
  std::string_view name() const override { return "quality_oracle"; }

 private:
  double score(const Observation& obs, int b, int pos) const override {
    return obs.hidden_quality(b, pos);
  }
};

std::unique_ptr<Policy> make_random(const PolicyContext&) { return std::make_unique<RandomPolicy>(); }
std::unique_ptr<Policy> make_myopic(const PolicyContext& c) {
  return std::make_unique<MyopicPolicy>(c.env, c.pool);
}
std::unique_ptr<Policy> make_quality_oracle(const PolicyContext& c) {
  return std::make_unique<QualityOracle>(c.pool);
}

constexpr PolicyEntry kPolicies[] = {
    {"random", "uniform slate of distinct candidates (RecSim RandomAgent)", false, make_random},
    {"myopic", "top-K by the user's click score from the observed state (greedy pCTR)", false,
     make_myopic},
    {"quality_oracle", "top-K by hidden item quality (privileged upper-bound reference)", true,
     make_quality_oracle},
};

}  // namespace

std::span<const PolicyEntry> baseline_policies() { return kPolicies; }

const PolicyEntry& find_policy(std::string_view name) {
  return registry_lookup(baseline_policies(), name, "policy");
}

}  // namespace rlrec::sim
