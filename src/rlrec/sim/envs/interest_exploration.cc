// interest_exploration: RecSim's clustered-bandit environment (Ie et al. 2019, "RecSim: A
// Configurable Simulation Platform for Recommender Systems"; recsim/environments/
// interest_exploration.py), as specified in shared/reference/recsim-spec.md §5.
//
// Items: topic t ~ Categorical(0.2, 0.8); quality ~ LogNormal(μ_t, σ_t), μ = (0.8, 0.2), σ = 0.1.
//   Observed item features: [one-hot(topic) (T), quality].
// Users: type y ~ Categorical(0.3, 0.7); affinity a_t ~ LogNormal(mean[y][t], std[y][t]) with means
//   ((0.1, 0.7), (0.7, 0.1)), stds 0.1. Affinities are hidden: the user observation is empty.
// Choice: multinomial logit over scores x_i = a[t_i] + quality_i with no-click logit 5.
// Response per slot: click, quality, cluster_id. Reward: number of clicks. No state transition and
// never terminal: episodes end by truncation at env.max_steps (RecSim's runner: 27000).
//
// Observed score (for myopic policies, like RecSim's GreedyPCTRAgent with the prior-average user):
// E[a_t] + quality, with E[a_t] = Σ_y P(y) exp(mean[y][t] + std[y][t]^2 / 2).
//
// Deviations: per-session RNG streams instead of numpy's global RNG; slates of exactly K distinct
// positions.
#include <cmath>
#include <cstring>

#include "rlrec/core/error.h"
#include "rlrec/sim/env_util.h"
#include "rlrec/sim/envs/envs.h"

namespace rlrec::sim {
namespace {

struct InterestExplorationConfig {
  int num_candidates = 10;
  int slate_size = 2;
  int max_steps = 27000;
  bool resample_documents = true;
  std::vector<double> topic_distribution{0.2, 0.8};
  std::vector<double> topic_quality_mean{0.8, 0.2};
  std::vector<double> topic_quality_std{0.1, 0.1};
  std::vector<double> user_type_distribution{0.3, 0.7};
  std::vector<double> user_affinity_mean{0.1, 0.7, 0.7, 0.1};  // types x topics, row-major
  std::vector<double> user_affinity_std{0.1, 0.1, 0.1, 0.1};
  std::string choice_model = "multinomial_logit";
  ChoiceParams choice{5.0, -1.0, 0.65, 0.05};

  void visit(FieldVisitor& v) {
    v.field("num_candidates", num_candidates, "candidates per step (N)");
    v.field("slate_size", slate_size, "items per slate (K), <= num_candidates");
    v.field("max_steps", max_steps, "episode length (the env never terminates; RecSim: 27000)");
    v.field("resample_documents", resample_documents, "draw new candidates every step");
    v.field("topic_distribution", topic_distribution, "probability of each item topic");
    v.field("topic_quality_mean", topic_quality_mean, "lognormal mu of item quality per topic");
    v.field("topic_quality_std", topic_quality_std, "lognormal sigma of item quality per topic");
    v.field("user_type_distribution", user_type_distribution, "probability of each user type");
    v.field("user_affinity_mean", user_affinity_mean,
            "lognormal mu of affinity, user types x topics, row-major");
    v.field("user_affinity_std", user_affinity_std,
            "lognormal sigma of affinity, user types x topics, row-major");
    v.field("choice_model", choice_model, "user choice model (rlrec list choice_models)");
    v.field("no_click_mass", choice.no_click_mass, "score (MNL: logit) of not clicking");
    v.field("min_normalizer", choice.min_normalizer, "shift of proportional choice models");
    v.field("attention_prob", choice.attention_prob, "cascade models: examination probability");
    v.field("score_scaling", choice.score_scaling, "cascade models: click probability scale");
  }

  static void check_distribution(const char* key, const std::vector<double>& p) {
    if (p.empty()) invalid_argument(key, " must not be empty");
    double s = 0;
    for (double x : p) {
      if (!(x >= 0)) invalid_argument(key, " entries must be >= 0, got ", format_double(x));
      s += x;
    }
    if (std::abs(s - 1.0) > 1e-6)
      invalid_argument(key, " must sum to 1, got sum ", format_double(s));
  }

  void validate() const {
    check_range("env.num_candidates", num_candidates, 1, 100000);
    if (slate_size < 1 || slate_size > num_candidates)
      invalid_argument("env.slate_size must be in [1, env.num_candidates (", num_candidates,
                       ")], got ", slate_size);
    check_range("env.max_steps", max_steps, 1, 1000000000);
    check_distribution("env.topic_distribution", topic_distribution);
    check_distribution("env.user_type_distribution", user_type_distribution);
    const size_t T = topic_distribution.size(), Y = user_type_distribution.size();
    if (topic_quality_mean.size() != T || topic_quality_std.size() != T)
      invalid_argument(
          "env.topic_quality_mean and env.topic_quality_std must have one entry per "
          "topic (",
          T, "), got ", topic_quality_mean.size(), " and ", topic_quality_std.size());
    if (user_affinity_mean.size() != Y * T || user_affinity_std.size() != Y * T)
      invalid_argument(
          "env.user_affinity_mean and env.user_affinity_std must have user types x "
          "topics (",
          Y, " x ", T, " = ", Y * T, ") entries, got ", user_affinity_mean.size(), " and ",
          user_affinity_std.size());
  }
};

class InterestExploration final : public Environment {
 public:
  explicit InterestExploration(InterestExplorationConfig cfg)
      : cfg_(std::move(cfg)), choice_(make_choice_model(cfg_.choice_model, cfg_.choice)) {
    T_ = static_cast<int>(cfg_.topic_distribution.size());
    Y_ = static_cast<int>(cfg_.user_type_distribution.size());
    spec_.name = "interest_exploration";
    spec_.num_candidates = cfg_.num_candidates;
    spec_.slate_size = cfg_.slate_size;
    spec_.user_dim = 0;
    spec_.item_dim = T_ + 1;
    spec_.response_fields = {"click", "quality", "cluster_id"};
    spec_.reward = "clicks";
    spec_.max_steps = cfg_.max_steps;
    spec_.item_low = 0;
    spec_.item_high = 1e6f;
    prior_affinity_.assign(T_, 0.0);
    for (int y = 0; y < Y_; ++y)
      for (int t = 0; t < T_; ++t) {
        const double mu = cfg_.user_affinity_mean[y * T_ + t],
                     s = cfg_.user_affinity_std[y * T_ + t];
        prior_affinity_[t] += cfg_.user_type_distribution[y] * std::exp(mu + s * s / 2);
      }
  }

  const EnvSpec& spec() const override { return spec_; }
  const ChoiceModel& choice_model() const override { return *choice_; }
  double observed_score(const float*, const float* item) const override {
    int t = 0;
    for (int j = 1; j < T_; ++j)
      if (item[j] > item[t]) t = j;
    return prior_affinity_[t] + item[T_];
  }

  void set_batch(int batch) override {
    affinity_.assign(static_cast<size_t>(batch) * T_, 0.0);
    topic_.assign(static_cast<size_t>(batch) * cfg_.num_candidates, 0);
    quality_.assign(static_cast<size_t>(batch) * cfg_.num_candidates, 0.f);
    next_id_.assign(batch, 0);
  }

  void reset(int slot, Rng& rng, const SlotBuffers& out) override {
    const int y = rng.categorical(cfg_.user_type_distribution.data(), Y_);
    double* a = &affinity_[static_cast<size_t>(slot) * T_];
    for (int t = 0; t < T_; ++t)
      a[t] = rng.lognormal(cfg_.user_affinity_mean[y * T_ + t], cfg_.user_affinity_std[y * T_ + t]);
    next_id_[slot] = 0;
    draw_candidates(slot, rng, out);
  }

  StepOutcome step(int slot, const int32_t* slate, Rng& rng, const SlotBuffers& out) override {
    const int K = cfg_.slate_size, N = cfg_.num_candidates, R = spec_.response_dim();
    const size_t base = static_cast<size_t>(slot) * N;
    const double* a = &affinity_[static_cast<size_t>(slot) * T_];
    std::vector<double> heap;
    double stack[64]{};
    double* x = stack;
    if (K > 64) {
      heap.resize(K);
      x = heap.data();
    }
    for (int i = 0; i < K; ++i) x[i] = a[topic_[base + slate[i]]] + quality_[base + slate[i]];
    const int choice = choice_->sample(x, K, rng);
    for (int i = 0; i < K; ++i) {
      float* r = out.responses + static_cast<size_t>(i) * R;
      r[0] = (i == choice) ? 1.f : 0.f;
      r[1] = quality_[base + slate[i]];
      r[2] = static_cast<float>(topic_[base + slate[i]]);
    }
    StepOutcome res;
    if (choice < K) {
      res.choice = choice;
      res.reward = 1.0;
    }
    if (cfg_.resample_documents) draw_candidates(slot, rng, out);
    return res;
  }

 private:
  void draw_candidates(int slot, Rng& rng, const SlotBuffers& out) {
    const int N = cfg_.num_candidates, D = spec_.item_dim;
    const size_t base = static_cast<size_t>(slot) * N;
    std::memset(out.candidate_features, 0, sizeof(float) * N * D);
    for (int i = 0; i < N; ++i) {
      const int t = rng.categorical(cfg_.topic_distribution.data(), T_);
      const float q =
          static_cast<float>(rng.lognormal(cfg_.topic_quality_mean[t], cfg_.topic_quality_std[t]));
      topic_[base + i] = t;
      quality_[base + i] = q;
      float* f = out.candidate_features + static_cast<size_t>(i) * D;
      f[t] = 1.f;
      f[T_] = q;
      out.candidate_quality[i] = q;
      out.candidate_ids[i] = next_id_[slot]++;
    }
  }

  InterestExplorationConfig cfg_;
  std::unique_ptr<ChoiceModel> choice_;
  EnvSpec spec_;
  int T_ = 0, Y_ = 0;
  std::vector<double> prior_affinity_;
  std::vector<double> affinity_;
  std::vector<int32_t> topic_;
  std::vector<float> quality_;
  std::vector<int64_t> next_id_;
};

}  // namespace

std::unique_ptr<Environment> make_interest_exploration(const Config& cfg, uint64_t) {
  InterestExplorationConfig c;
  read_section(cfg, "env", c);
  c.validate();
  return std::make_unique<InterestExploration>(std::move(c));
}

std::string interest_exploration_defaults() {
  return dump_section("env", "interest_exploration", InterestExplorationConfig{});
}

}  // namespace rlrec::sim
