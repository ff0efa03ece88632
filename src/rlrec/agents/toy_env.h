// A two-state MDP with closed-form Q values, for agent tests (header-only, test use).
//
// State s ∈ {0, 1} is observed as the user feature [s]. Two candidates: item A (features [1, 0])
// and item B ([0, 1]); slates of one item; the user always consumes it (multinomial logit with
// no-click logit -inf, equal scores). Rewards and transitions:
//   s = 0: A -> r = r0a, s' = 0;   B -> r = 0, s' = 1
//   s = 1: A -> r = 0,   s' = 0;   B -> r = r1b, s' = 1
// Sessions never terminate; they are truncated after max_steps. With γ = 0.5, r0a = 1, r1b = 3:
//   V*(1) = 6, V*(0) = 3, Q*(0,A) = 2.5, Q*(0,B) = 3, Q*(1,A) = 1.5, Q*(1,B) = 6.
#pragma once

#include <memory>
#include <vector>

#include "rlrec/sim/environment.h"

namespace rlrec::agents::agent_testing {

class ToyEnv final : public sim::Environment {
 public:
  ToyEnv(double r0a, double r1b, int max_steps) : r0a_(r0a), r1b_(r1b) {
    spec_.name = "toy_two_state";
    spec_.num_candidates = 2;
    spec_.slate_size = 1;
    spec_.user_dim = 1;
    spec_.item_dim = 2;
    spec_.response_fields = {"click"};
    spec_.reward = "reward";
    spec_.max_steps = max_steps;
    spec_.user_high = 1;
    spec_.item_high = 1;
    sim::ChoiceParams p;
    p.no_click_mass = -INFINITY;
    choice_ = sim::make_choice_model("multinomial_logit", p);
  }
  const sim::EnvSpec& spec() const override { return spec_; }
  void set_batch(int batch) override { state_.assign(batch, 0); }
  void reset(int slot, Rng& rng, const sim::SlotBuffers& out) override {
    state_[slot] = static_cast<int>(rng.uniform_int(2));
    write(slot, out);
  }
  sim::StepOutcome step(int slot, const int32_t* slate, Rng&,
                        const sim::SlotBuffers& out) override {
    const int s = state_[slot], a = slate[0];
    sim::StepOutcome o;
    o.choice = 0;
    o.reward = s == 0 ? (a == 0 ? r0a_ : 0.0) : (a == 0 ? 0.0 : r1b_);
    state_[slot] = a == 0 ? 0 : 1;
    out.responses[0] = 1;
    write(slot, out);
    return o;
  }
  const sim::ChoiceModel& choice_model() const override { return *choice_; }
  double observed_score(const float*, const float*) const override { return 0.0; }

 private:
  void write(int slot, const sim::SlotBuffers& out) const {
    out.user[0] = static_cast<float>(state_[slot]);
    const float f[4] = {1, 0, 0, 1};
    std::copy(f, f + 4, out.candidate_features);
    out.candidate_quality[0] = out.candidate_quality[1] = 0;
    out.candidate_ids[0] = 0;
    out.candidate_ids[1] = 1;
  }
  double r0a_, r1b_;
  sim::EnvSpec spec_;
  std::unique_ptr<sim::ChoiceModel> choice_;
  std::vector<int> state_;
};

}  // namespace rlrec::agents::agent_testing
