// long_term_satisfaction ("choc/kale"): RecSim's long-term-effects environment (Ie et al. 2019;
// recsim/environments/long_term_satisfaction.py), as specified in shared/reference/recsim-spec.md
// §6.
//
// Items: clickbait score c ~ U(0, 1), observed as the one item feature.
// User (hidden): net positive exposure NPE_0 = (U(0,1) - 0.5) / (1 - γ_m), γ_m = 0.7;
//   satisfaction SAT = sigmoid(s · NPE), s = 0.01; budget 60 steps.
// Choice: the user always consumes the first slot.
// Engagement: log e ~ N((c·μ_choc + (1-c)·μ_kale) · SAT, c·σ_choc + (1-c)·σ_kale), μ_choc = 5,
//   μ_kale = 4, σ = 1; reward = e (unclipped).
// Transition: NPE ← γ_m · NPE - 2(c - 0.5) + N(0, 0.05²); SAT recomputed; budget -= 1;
//   terminated when the budget reaches 0 (exactly 60 steps). As in RecSim's code (not its
//   docstring), clickbait lowers NPE.
// Responses per slot: click (1 for the consumed slot), engagement, clickbait_score.
// Observed score (myopic): c·μ_choc + (1-c)·μ_kale, the engagement mean up to the unobserved SAT.
// Hidden quality (for the privileged oracle): 1 - c, the long-term value of kale.
//
// Deviations: RecSim's factory ignores the seed (both samplers use seed 0); here every session has
// its own stream from the run seed. Slates must have exactly K distinct positions.
#include <cmath>

#include "rlrec/core/error.h"
#include "rlrec/sim/envs/envs.h"

namespace rlrec::sim {
namespace {

struct LongTermSatisfactionConfig {
  int num_candidates = 10;
  int slate_size = 2;
  int max_steps = 27000;
  bool resample_documents = true;
  double time_budget = 60;
  double memory_discount = 0.7;
  double sensitivity = 0.01;
  double innovation_stddev = 0.05;
  double choc_mean = 5.0;
  double choc_stddev = 1.0;
  double kale_mean = 4.0;
  double kale_stddev = 1.0;

  void visit(FieldVisitor& v) {
    v.field("num_candidates", num_candidates, "candidates per step (N)");
    v.field("slate_size", slate_size, "items per slate (K), <= num_candidates");
    v.field("max_steps", max_steps, "episode truncation cap in steps");
    v.field("resample_documents", resample_documents, "draw new candidates every step");
    v.field("time_budget", time_budget, "session length in steps");
    v.field("memory_discount", memory_discount, "decay of net positive exposure per step");
    v.field("sensitivity", sensitivity, "satisfaction = sigmoid(sensitivity * exposure)");
    v.field("innovation_stddev", innovation_stddev, "std. dev. of exposure noise per step");
    v.field("choc_mean", choc_mean, "log-engagement mean of pure clickbait (times satisfaction)");
    v.field("choc_stddev", choc_stddev, "log-engagement std. dev. of pure clickbait");
    v.field("kale_mean", kale_mean, "log-engagement mean of pure kale (times satisfaction)");
    v.field("kale_stddev", kale_stddev, "log-engagement std. dev. of pure kale");
  }
  void validate() const {
    check_range("env.num_candidates", num_candidates, 1, 100000);
    if (slate_size < 1 || slate_size > num_candidates)
      invalid_argument("env.slate_size must be in [1, env.num_candidates (", num_candidates,
                       ")], got ", slate_size);
    check_range("env.max_steps", max_steps, 1, 1000000000);
    check_positive("env.time_budget", time_budget);
    check_range("env.memory_discount", memory_discount, 0.0, 0.999999);
    check_range("env.innovation_stddev", innovation_stddev, 0.0, 1e6);
    check_range("env.choc_stddev", choc_stddev, 0.0, 1e6);
    check_range("env.kale_stddev", kale_stddev, 0.0, 1e6);
  }
};

class LongTermSatisfaction final : public Environment {
 public:
  explicit LongTermSatisfaction(LongTermSatisfactionConfig cfg)
      : cfg_(std::move(cfg)), choice_(make_choice_model("first_slot", {})) {
    spec_.name = "long_term_satisfaction";
    spec_.num_candidates = cfg_.num_candidates;
    spec_.slate_size = cfg_.slate_size;
    spec_.user_dim = 0;
    spec_.item_dim = 1;
    spec_.response_fields = {"click", "engagement", "clickbait_score"};
    spec_.reward = "engagement";
    spec_.max_steps = cfg_.max_steps;
    spec_.item_low = 0;
    spec_.item_high = 1;
  }

  const EnvSpec& spec() const override { return spec_; }
  const ChoiceModel& choice_model() const override { return *choice_; }
  double observed_score(const float*, const float* item) const override {
    return item[0] * cfg_.choc_mean + (1 - item[0]) * cfg_.kale_mean;
  }

  void set_batch(int batch) override {
    npe_.assign(batch, 0.0);
    budget_.assign(batch, 0.0);
    clickbait_.assign(static_cast<size_t>(batch) * cfg_.num_candidates, 0.f);
    next_id_.assign(batch, 0);
  }

  void reset(int slot, Rng& rng, const SlotBuffers& out) override {
    npe_[slot] = (rng.uniform() - 0.5) / (1 - cfg_.memory_discount);
    budget_[slot] = cfg_.time_budget;
    next_id_[slot] = 0;
    draw_candidates(slot, rng, out);
  }

  StepOutcome step(int slot, const int32_t* slate, Rng& rng, const SlotBuffers& out) override {
    const int K = cfg_.slate_size, R = spec_.response_dim();
    const size_t base = static_cast<size_t>(slot) * cfg_.num_candidates;
    const double c = clickbait_[base + slate[0]];
    const double sat = 1.0 / (1.0 + std::exp(-cfg_.sensitivity * npe_[slot]));
    const double mean = (c * cfg_.choc_mean + (1 - c) * cfg_.kale_mean) * sat;
    const double sd = c * cfg_.choc_stddev + (1 - c) * cfg_.kale_stddev;
    const double engagement = std::exp(rng.normal(mean, sd));
    npe_[slot] = cfg_.memory_discount * npe_[slot] - 2.0 * (c - 0.5) +
                 rng.normal(0.0, cfg_.innovation_stddev);
    budget_[slot] -= 1;
    for (int i = 0; i < K; ++i) {
      float* r = out.responses + static_cast<size_t>(i) * R;
      r[0] = i == 0 ? 1.f : 0.f;
      r[1] = i == 0 ? static_cast<float>(engagement) : 0.f;
      r[2] = clickbait_[base + slate[i]];
    }
    StepOutcome res;
    res.choice = 0;
    res.reward = engagement;
    res.terminated = budget_[slot] <= 0;
    if (cfg_.resample_documents) draw_candidates(slot, rng, out);
    return res;
  }

  LongTermSatisfactionState state(int slot) const { return {npe_[slot], budget_[slot]}; }
  void set_state(int slot, const LongTermSatisfactionState& s) {
    npe_[slot] = s.net_positive_exposure;
    budget_[slot] = s.budget;
  }

 private:
  void draw_candidates(int slot, Rng& rng, const SlotBuffers& out) {
    const int N = cfg_.num_candidates;
    const size_t base = static_cast<size_t>(slot) * N;
    for (int i = 0; i < N; ++i) {
      const float c = static_cast<float>(rng.uniform());
      clickbait_[base + i] = c;
      out.candidate_features[i] = c;
      out.candidate_quality[i] = 1.f - c;
      out.candidate_ids[i] = next_id_[slot]++;
    }
  }

  LongTermSatisfactionConfig cfg_;
  std::unique_ptr<ChoiceModel> choice_;
  EnvSpec spec_;
  std::vector<double> npe_, budget_;
  std::vector<float> clickbait_;
  std::vector<int64_t> next_id_;
};

}  // namespace

LongTermSatisfactionState long_term_satisfaction_state(const Environment& env, int slot) {
  auto* e = dynamic_cast<const LongTermSatisfaction*>(&env);
  if (!e) invalid_argument("long_term_satisfaction_state: environment is ", env.spec().name);
  return e->state(slot);
}

void set_long_term_satisfaction_state(Environment& env, int slot,
                                      const LongTermSatisfactionState& s) {
  auto* e = dynamic_cast<LongTermSatisfaction*>(&env);
  if (!e) invalid_argument("set_long_term_satisfaction_state: environment is ", env.spec().name);
  e->set_state(slot, s);
}

std::unique_ptr<Environment> make_long_term_satisfaction(const Config& cfg, uint64_t) {
  LongTermSatisfactionConfig c;
  read_section(cfg, "env", c);
  c.validate();
  return std::make_unique<LongTermSatisfaction>(std::move(c));
}

std::string long_term_satisfaction_defaults() {
  return dump_section("env", "long_term_satisfaction", LongTermSatisfactionConfig{});
}

}  // namespace rlrec::sim
