// User choice models: how a user picks at most one item from a slate (or nothing).
//
// Reference: RecSim (Ie et al. 2019, "RecSim: A Configurable Simulation Platform for Recommender
// Systems"), recsim/choice_model.py; see shared/reference/recsim-spec.md §3. With x_i the user's
// score of the item in slot i (i = 0..K-1), the models return P(slot i) and P(no choice):
//
//   multinomial_logit         P(i) = exp(x_i) / (Σ_j exp(x_j) + exp(m)),   P(none) = exp(m) / (...)
//                             m = no_click_mass, a logit (-inf: the user always picks)
//   multinomial_proportional  P(i) = (x_i - c) / (Σ_j (x_j - c) + (m - c)), P(none) = (m - c) /
//   (...)
//                             m = no_click_mass, c = min_normalizer; every x_i - c must be >= 0
//   exponential_cascade       slots examined in order; slot i clicked with prob a·σ·exp(x_i) given
//                             no earlier click: P(i) = a σ s_i Π_{j<i}(1 - a σ s_j), s_i = exp(x_i)
//   proportional_cascade      the same with s_i = x_i - c
//   first_slot                the user always consumes slot 0 (RecSim's long_term_satisfaction)
//
// Deviations from RecSim: invalid scores (a negative shifted score for the proportional models, a
// cascade click probability above 1) raise rlrec::Error naming the value instead of an assert;
// probabilities are computed in double precision. Models are pure functions of the scores: no state
// and no RNG inside; sample() takes an Rng&. Thread-safe (const).
#pragma once

#include <limits>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "rlrec/core/rng.h"

namespace rlrec::sim {

// Parameters shared by the models (each model reads the ones it uses).
struct ChoiceParams {
  double no_click_mass = 1.0;    // m: score (or logit for MNL) of the no-choice option
  double min_normalizer = -1.0;  // c: shift of the proportional models
  double attention_prob = 0.65;  // a: probability a cascade slot is examined
  double score_scaling = 0.05;   // σ: cascade click-probability scale
};

class ChoiceModel {
 public:
  virtual ~ChoiceModel() = default;
  virtual std::string_view name() const = 0;
  // probs[0..k-1] = P(slot i), probs[k] = P(no choice); they sum to 1. k >= 1.
  virtual void probabilities(const double* scores, int k, double* probs) const = 0;
  // Whether the order of the slate changes the probabilities (cascades, first_slot).
  virtual bool order_matters() const = 0;
  // Conditional-logit form P(i|A) = v_i / (v_null + Σ_{j∈A} v_j) (MNL: v = exp(x), v_null = exp(m);
  // MNP: v = x - c, v_null = m - c): writes v(x) and returns true; false for other models
  // (cascades). SlateQ's slate optimizers need this form.
  virtual bool attraction(double /*score*/, double* /*v*/) const { return false; }
  virtual double null_attraction() const { return 0; }
  // Draws the chosen slot in [0, k), or k for no choice. Consumes one uniform draw.
  // multinomial_proportional is decided inline here (no virtual call, no scratch array) with the
  // same arithmetic as its probabilities(), so the outcome is the same; the other models go through
  // probabilities().
  int sample(const double* scores, int k, Rng& rng) const {
    return choose(scores, k, rng.uniform());
  }
  // The outcome sample() returns when its uniform draw is r in [0, 1).
  int choose(const double* scores, int k, double r) const {
    if (proportional_) return choose_proportional(scores, k, r);
    return choose_generic(scores, k, r);
  }

 protected:
  // Set by multinomial_proportional's constructor: m (no_click_mass) and c (min_normalizer).
  void set_proportional(double m, double c) {
    proportional_ = true;
    m_ = m;
    c_ = c;
  }

 private:
  int choose_generic(const double* scores, int k, double r) const;
  int choose_proportional(const double* x, int k, double r) const;

  bool proportional_ = false;
  double m_ = 0, c_ = 0;
};

inline int ChoiceModel::choose_proportional(const double* x, int k, double r) const {
  // probabilities(): p_i = (x_i - c) / total, total = Σ_i (x_i - c) + (m - c), summed in slot
  // order; an invalid score (the checks of probabilities()) takes the generic path, which throws.
  double total = 0;
  for (int i = 0; i < k; ++i) {
    const double v = x[i] - c_;
    if (!(v >= 0) || v == std::numeric_limits<double>::infinity()) [[unlikely]]
      return choose_generic(x, k, r);
    total += v;
  }
  const double none = m_ - c_;
  total += none;
  if (!(total > 0)) [[unlikely]]
    return choose_generic(x, k, r);
  for (int i = 0; i < k; ++i) {
    r -= (x[i] - c_) / total;
    if (r < 0) return i;
  }
  if (none / total > 0) return k;
  for (int i = k - 1; i >= 0; --i)
    if ((x[i] - c_) / total > 0) return i;
  return k;
}

struct ChoiceModelEntry {
  std::string_view name;
  std::string_view description;
  std::unique_ptr<ChoiceModel> (*make)(const ChoiceParams&);
};

std::span<const ChoiceModelEntry> choice_models();
// Throws kNotFound with a did-you-mean for an unknown name, kInvalidArgument for bad parameters.
std::unique_ptr<ChoiceModel> make_choice_model(std::string_view name, const ChoiceParams& params);

}  // namespace rlrec::sim
