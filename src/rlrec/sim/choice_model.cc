#include "rlrec/sim/choice_model.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "rlrec/core/config.h"
#include "rlrec/core/error.h"
#include "rlrec/core/registry.h"

namespace rlrec::sim {

int ChoiceModel::choose_generic(const double* scores, int k, double r) const {
  constexpr int kStack = 64;
  double stack[kStack + 1];  // probabilities() writes all k + 1 entries
  std::vector<double> heap;
  double* p = stack;
  if (k > kStack) {
    heap.resize(k + 1);
    p = heap.data();
  }
  probabilities(scores, k, p);
  for (int i = 0; i < k; ++i) {
    r -= p[i];
    if (r < 0) return i;
  }
  // Rounding: r may stay >= 0 past the last slot; the remainder belongs to "no choice" unless that
  // has probability 0, in which case return the last slot with positive probability.
  if (p[k] > 0) return k;
  for (int i = k - 1; i >= 0; --i)
    if (p[i] > 0) return i;
  return k;
}

namespace {

class MultinomialLogit final : public ChoiceModel {
 public:
  explicit MultinomialLogit(const ChoiceParams& p) : m_(p.no_click_mass) {
    if (std::isnan(m_) || m_ == std::numeric_limits<double>::infinity())
      invalid_argument("no_click_mass for multinomial_logit must be a finite logit or -inf, got ",
                       format_double(m_));
  }
  std::string_view name() const override { return "multinomial_logit"; }
  bool order_matters() const override { return false; }
  bool attraction(double x, double* v) const override {
    *v = std::exp(x);
    return true;
  }
  double null_attraction() const override { return std::isinf(m_) ? 0.0 : std::exp(m_); }
  void probabilities(const double* x, int k, double* p) const override {
    double mx = m_;
    for (int i = 0; i < k; ++i) {
      // NaN or +inf would turn the softmax into NaNs (a -inf score is fine: probability 0).
      if (std::isnan(x[i]) || x[i] == std::numeric_limits<double>::infinity())
        invalid_argument("multinomial_logit: item score ", format_double(x[i]),
                         " must be finite or -inf");
      mx = std::max(mx, x[i]);
    }
    if (mx == -std::numeric_limits<double>::infinity())
      invalid_argument(
          "multinomial_logit: every item score and no_click_mass are -inf "
          "(nothing can be chosen)");
    double total = 0;
    for (int i = 0; i < k; ++i) total += (p[i] = std::exp(x[i] - mx));
    total += (p[k] = std::isinf(m_) ? 0.0 : std::exp(m_ - mx));
    for (int i = 0; i <= k; ++i) p[i] /= total;
  }

 private:
  double m_;
};

class MultinomialProportional final : public ChoiceModel {
 public:
  explicit MultinomialProportional(const ChoiceParams& p)
      : m_(p.no_click_mass), c_(p.min_normalizer) {
    if (!(m_ - c_ >= 0) || std::isinf(m_) || std::isinf(c_))
      invalid_argument(
          "multinomial_proportional needs finite no_click_mass >= min_normalizer, got "
          "no_click_mass ",
          format_double(m_), ", min_normalizer ", format_double(c_));
    set_proportional(m_, c_);
  }
  std::string_view name() const override { return "multinomial_proportional"; }
  bool order_matters() const override { return false; }
  bool attraction(double x, double* v) const override {
    *v = std::max(0.0, x - c_);
    return true;
  }
  double null_attraction() const override { return m_ - c_; }
  void probabilities(const double* x, int k, double* p) const override {
    double total = 0;
    for (int i = 0; i < k; ++i) {
      p[i] = x[i] - c_;
      if (std::isinf(p[i]))
        invalid_argument("multinomial_proportional: item score ", format_double(x[i]),
                         " must be finite");
      if (!(p[i] >= 0))
        invalid_argument("multinomial_proportional: item score ", format_double(x[i]),
                         " is below min_normalizer ", format_double(c_),
                         " (scores minus min_normalizer must be >= 0; lower min_normalizer)");
      total += p[i];
    }
    total += (p[k] = m_ - c_);
    if (!(total > 0))
      invalid_argument(
          "multinomial_proportional: all shifted scores are 0 (no_click_mass = "
          "min_normalizer and every item scores min_normalizer)");
    for (int i = 0; i <= k; ++i) p[i] /= total;
  }

 private:
  double m_, c_;
};

// Shared cascade arithmetic: s_i given, click prob a σ s_i per examined slot.
class CascadeBase : public ChoiceModel {
 public:
  explicit CascadeBase(const ChoiceParams& p, const char* name)
      : a_(p.attention_prob), sigma_(p.score_scaling) {
    if (!(a_ >= 0 && a_ <= 1))
      invalid_argument(name, ": attention_prob must be in [0, 1], got ", format_double(a_));
    if (!(sigma_ >= 0) || std::isinf(sigma_))
      invalid_argument(name, ": score_scaling must be finite and >= 0, got ",
                       format_double(sigma_));
  }
  bool order_matters() const override { return true; }
  void probabilities(const double* x, int k, double* p) const override {
    double none = 1.0;
    for (int i = 0; i < k; ++i) {
      const double s = transform(x[i]);
      const double q = a_ * sigma_ * s;
      if (!(q >= 0 && q <= 1))
        invalid_argument(
            name(), ": click probability attention_prob * score_scaling * s = ", format_double(q),
            " for item score ", format_double(x[i]), " must be in [0, 1] (lower score_scaling)");
      p[i] = none * q;
      none *= (1 - q);
    }
    p[k] = none;
  }

 protected:
  virtual double transform(double x) const = 0;
  double a_, sigma_;
};

class ExponentialCascade final : public CascadeBase {
 public:
  explicit ExponentialCascade(const ChoiceParams& p) : CascadeBase(p, "exponential_cascade") {}
  std::string_view name() const override { return "exponential_cascade"; }

 private:
  double transform(double x) const override { return std::exp(x); }
};

class ProportionalCascade final : public CascadeBase {
 public:
  explicit ProportionalCascade(const ChoiceParams& p)
      : CascadeBase(p, "proportional_cascade"), c_(p.min_normalizer) {}
  std::string_view name() const override { return "proportional_cascade"; }

 private:
  double transform(double x) const override { return x - c_; }
  double c_;
};

class FirstSlot final : public ChoiceModel {
 public:
  explicit FirstSlot(const ChoiceParams&) {}
  std::string_view name() const override { return "first_slot"; }
  bool order_matters() const override { return true; }
  void probabilities(const double*, int k, double* p) const override {
    for (int i = 0; i <= k; ++i) p[i] = 0;
    p[0] = 1;
  }
};

template <class T>
std::unique_ptr<ChoiceModel> make(const ChoiceParams& p) {
  return std::make_unique<T>(p);
}

constexpr ChoiceModelEntry kChoiceModels[] = {
    {"multinomial_logit", "softmax over item scores and a no-click logit (RecSim MNL)",
     make<MultinomialLogit>},
    {"multinomial_proportional",
     "probability proportional to score minus min_normalizer, with a no-click mass (RecSim MNP)",
     make<MultinomialProportional>},
    {"exponential_cascade", "slots examined in order; click prob attention*scaling*exp(score)",
     make<ExponentialCascade>},
    {"proportional_cascade",
     "slots examined in order; click prob attention*scaling*(score - min_normalizer)",
     make<ProportionalCascade>},
    {"first_slot", "the user always consumes the first slot (long_term_satisfaction)",
     make<FirstSlot>},
};

}  // namespace

std::span<const ChoiceModelEntry> choice_models() { return kChoiceModels; }

std::unique_ptr<ChoiceModel> make_choice_model(std::string_view name, const ChoiceParams& params) {
  return registry_lookup(choice_models(), name, "choice model").make(params);
}

}  // namespace rlrec::sim
