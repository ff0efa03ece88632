// Baseline policies (RecSim's reference agents, recsim/agents/; shared/reference/recsim-spec.md
// §7):
//   random          a uniform K-permutation of the candidates without repetition (RandomAgent);
//   myopic          top-K candidates by the user's click score computed from the observed user
//   state
//                   (Environment::observed_score), best first — RecSim's greedy pCTR agent, which
//                   for the proportional/logit choice models ranks by the same score;
//   quality_oracle  top-K candidates by hidden item quality: privileged, an upper-bound reference.
//   softmax_myopic  Boltzmann over the myopic score: base p = softmax(score / T) over the
//                   candidates, slate drawn without replacement (Plackett-Luce, plackett_luce.h);
//                   exposes slot and slate propensities (logging policy for off-policy learning).
//                   Keys ([policy]): temperature T > 0 (default 0.2).
//   biased_softmax  a deliberately biased logger: Boltzmann over (1 - 2 bias) * score / T, so with
//                   bias > 0.5 it prefers the items the user is LEAST likely to click (bias = 0:
//                   softmax_myopic, 0.5: uniform, 1: anti-myopic). Full support, so off-policy
//                   corrections can undo the bias; uncorrected learners imitate it (as the
//                   behaviour policy of Chen et al. 2019's simulation 1). Keys: temperature
//                   (default 0.5), bias in [0, 1] (default 0.8).
// Deviation: RecSim's GreedyPCTRAgent scores with a fixed belief state; ours uses the observed user
// features where the environment exposes them (interest_evolution) and the prior-average user where
// it does not (interest_exploration), which is the stronger and more honest myopic baseline.
#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "rlrec/core/registry.h"
#include "rlrec/sim/plackett_luce.h"
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
  if (n <= 256) {
    // The same draws, membership in a bitmap instead of a scan of the slate so far (the scan's
    // compares were most of this function at K = 10). j itself is never taken yet: earlier
    // entries are < j.
    uint64_t taken[4] = {0, 0, 0, 0};
    for (int j = n - k; j < n; ++j) {
      int32_t t = static_cast<int32_t>(rng.uniform_int(static_cast<uint64_t>(j) + 1));
      if (taken[t >> 6] >> (t & 63) & 1) t = j;
      taken[t >> 6] |= uint64_t{1} << (t & 63);
      s[m++] = t;
    }
  } else {
    for (int j = n - k; j < n; ++j) {
      int32_t t = static_cast<int32_t>(rng.uniform_int(static_cast<uint64_t>(j) + 1));
      for (int i = 0; i < m; ++i)
        if (s[i] == t) {
          t = j;
          break;
        }
      s[m++] = t;
    }
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

// Boltzmann slates over a scaled myopic score (softmax_myopic, biased_softmax).
struct SoftmaxPolicyConfig {
  double temperature = 0.2;
  double bias = 0.0;
  bool biased = false;
  void visit(FieldVisitor& v) {
    v.field("temperature", temperature, "Boltzmann temperature T > 0 of the softmax over scores");
    if (biased)
      v.field("bias", bias,
              "in [0, 1]: logits = (1 - 2 bias) score / T (0.5 = uniform, 1 = anti-myopic)");
  }
};

class SoftmaxPolicy final : public Policy, public SequentialPropensities {
 public:
  SoftmaxPolicy(const Environment* env, std::string name, SoftmaxPolicyConfig cfg)
      : env_(env), name_(std::move(name)), scale_((1.0 - 2.0 * cfg.bias) / cfg.temperature) {}
  std::string_view name() const override { return name_; }

  void act(const Observation& obs, int32_t* slates, Rng* rngs) override {
    std::vector<double> p(obs.num_candidates);
    for (int b = 0; b < obs.batch; ++b) {
      if (!obs.is_active(b)) continue;
      base(obs, b, p.data());
      pl_sample(p.data(), obs.num_candidates, obs.slate_size, rngs[b],
                slates + static_cast<size_t>(b) * obs.slate_size);
    }
  }
  bool slot_probabilities(const Observation& obs, int row, double* probs) const override {
    std::vector<double> p(obs.num_candidates);
    base(obs, row, p.data());
    return pl_slot_marginals(p.data(), obs.num_candidates, obs.slate_size, probs);
  }
  double slate_probability(const Observation& obs, int row, const int32_t* slate) const override {
    std::vector<double> p(obs.num_candidates), cond(obs.slate_size);
    base(obs, row, p.data());
    return pl_conditionals(p.data(), obs.num_candidates, slate, obs.slate_size, cond.data());
  }
  bool slot_conditionals(const Observation& obs, int row, const int32_t* slate,
                         double* cond) const override {
    std::vector<double> p(obs.num_candidates);
    base(obs, row, p.data());
    pl_conditionals(p.data(), obs.num_candidates, slate, obs.slate_size, cond);
    return true;
  }

 private:
  void base(const Observation& obs, int b, double* p) const {
    const int N = obs.num_candidates;
    for (int i = 0; i < N; ++i)
      p[i] = scale_ * env_->observed_score(obs.user_row(b), obs.item_features(b, i));
    softmax(p, N, p);
  }
  const Environment* env_;
  std::string name_;
  double scale_;
};

SoftmaxPolicyConfig read_softmax_config(const PolicyContext& c, bool biased) {
  SoftmaxPolicyConfig cfg;
  cfg.biased = biased;
  if (biased) {
    cfg.temperature = 0.5;
    cfg.bias = 0.8;
  }
  // [policy] is shared by the baselines of an experiment: softmax_myopic leaves biased_softmax's
  // `bias` to it (any other unknown key is still an error).
  if (c.config)
    read_section(
        *c.config, "policy", cfg,
        biased ? std::vector<std::string>{"name"} : std::vector<std::string>{"name", "bias"});
  // check_positive: finite too (an infinite temperature silently made the policy uniform).
  check_positive("policy.temperature", cfg.temperature);
  check_range("policy.bias", cfg.bias, 0.0, 1.0);
  return cfg;
}

}  // namespace

std::string policy_defaults(std::string_view name) {
  struct NoKeys {
    void visit(FieldVisitor&) {}
  };
  if (name == "softmax_myopic" || name == "biased_softmax") {
    const PolicyContext none{};
    return dump_section("policy", name, read_softmax_config(none, name == "biased_softmax"));
  }
  return dump_section("policy", name, NoKeys{});
}

std::unique_ptr<Policy> make_softmax_myopic(const PolicyContext& c) {
  return std::make_unique<SoftmaxPolicy>(c.env, "softmax_myopic", read_softmax_config(c, false));
}
std::unique_ptr<Policy> make_biased_softmax(const PolicyContext& c) {
  return std::make_unique<SoftmaxPolicy>(c.env, "biased_softmax", read_softmax_config(c, true));
}

std::unique_ptr<Policy> make_random(const PolicyContext&) {
  return std::make_unique<RandomPolicy>();
}
std::unique_ptr<Policy> make_myopic(const PolicyContext& c) {
  return std::make_unique<MyopicPolicy>(c.env, c.pool);
}
std::unique_ptr<Policy> make_quality_oracle(const PolicyContext& c) {
  return std::make_unique<QualityOracle>(c.pool);
}

}  // namespace rlrec::sim
