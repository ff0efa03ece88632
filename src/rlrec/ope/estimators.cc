// Estimator formulas and references: see estimators.h.
#include "rlrec/ope/estimators.h"

#include <algorithm>
#include <cmath>

#include "rlrec/core/error.h"
#include "rlrec/core/interrupt.h"
#include "rlrec/core/memory.h"
#include "rlrec/core/registry.h"
#include "rlrec/core/rng.h"
#include "rlrec/ope/slate.h"

namespace rlrec::ope {

RoundInputs prepare_inputs(const BanditData& data, const ActionDist& dist,
                           const std::vector<double>* q_hat) {
  const size_t n = data.size();
  const int A = data.n_actions;
  RoundInputs in;
  in.w.resize(n);
  in.r = data.reward;
  in.q_logged.assign(n, 0.0);
  in.q_pi.assign(n, 0.0);
  in.has_model = q_hat != nullptr;
  if (q_hat && q_hat->size() != n * static_cast<size_t>(A))
    invalid_argument("reward model predictions have ", q_hat->size(),
                     " values, expected n x actions = ", n * static_cast<size_t>(A));
  for (size_t i = 0; i < n; ++i) {
    const int l = data.position[i];
    in.w[i] = dist.at(i, data.action[i], l) / data.pscore[i];
    if (q_hat) {
      const double* q = q_hat->data() + i * A;
      in.q_logged[i] = q[data.action[i]];
      double s = 0;
      for (int a = 0; a < A; ++a) s += dist.at(i, a, l) * q[a];
      in.q_pi[i] = s;
    }
  }
  return in;
}

double Terms::value() const {
  const size_t n = a.size();
  double sa = 0, sb = 0, sd = 0;
  for (size_t i = 0; i < n; ++i) {
    sa += a[i];
    sb += b[i];
  }
  if (d.empty()) return (sa + sb) / static_cast<double>(n);
  for (double x : d) sd += x;
  return sa / static_cast<double>(n) + (sd > 0 ? sb / sd : 0.0);
}

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// Per-round contribution (a_i + b_i * n / sum d) and its standard error of the mean.
double standard_error(const Terms& t) {
  const size_t n = t.a.size();
  double scale = 1.0;
  if (!t.d.empty()) {
    double sd = 0;
    for (double x : t.d) sd += x;
    scale = sd > 0 ? static_cast<double>(n) / sd : 0.0;
  }
  double mean = 0, m2 = 0;
  for (size_t i = 0; i < n; ++i) {
    const double c = t.a[i] + t.b[i] * scale;
    const double delta = c - mean;
    mean += delta / static_cast<double>(i + 1);
    m2 += delta * (c - mean);
  }
  if (n < 2) return 0.0;
  return std::sqrt(m2 / static_cast<double>(n - 1)) / std::sqrt(static_cast<double>(n));
}

void require_model(const RoundInputs& in, std::string_view name) {
  if (!in.has_model)
    invalid_argument("estimator '", name, "' needs a reward model (estimated rewards), none given");
}

// q-quantile of an ascending-sorted vector (linear interpolation).
double sorted_quantile(const std::vector<double>& v, double q) {
  const double pos = q * static_cast<double>(v.size() - 1);
  const size_t lo = static_cast<size_t>(pos);
  const size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (pos - static_cast<double>(lo)) * (v[hi] - v[lo]);
}

// Candidate lambdas from least to most biased.
std::vector<double> threshold_grid(const RoundInputs& in) {
  std::vector<double> sorted = in.w;
  std::sort(sorted.begin(), sorted.end());
  std::vector<double> grid{kInf};
  for (double q : {0.99, 0.95, 0.9, 0.8, 0.7, 0.6, 0.5}) {
    const double x = sorted_quantile(sorted, q);
    if (x > 0 && x < grid.back()) grid.push_back(x);
  }
  return grid;
}

std::vector<double> shrinkage_grid(const RoundInputs& in) {
  const double wmax = *std::max_element(in.w.begin(), in.w.end());
  std::vector<double> grid{kInf};
  if (wmax <= 0) return grid;
  for (int k = 1; k >= -5; --k) grid.push_back(wmax * wmax * std::pow(10.0, k));
  return grid;
}

template <class Make>
Terms tuned(const RoundInputs& in, double fixed, const std::vector<double>& grid, Make make) {
  if (std::isnan(fixed))
    invalid_argument(
        "estimator hyperparameter lambda is NaN; valid: a number >= 0 (inf allowed), "
        "or < 0 to tune it with SLOPE");
  if (fixed >= 0) return make(fixed);
  std::vector<Terms> cands;
  cands.reserve(grid.size());
  for (double lambda : grid) cands.push_back(make(lambda));
  (void)in;
  return std::move(cands[slope_select(cands)]);
}

Terms ipw(const RoundInputs& in, const EstimatorOptions&) {
  Terms t;
  t.a.assign(in.size(), 0.0);
  t.b.resize(in.size());
  for (size_t i = 0; i < in.size(); ++i) t.b[i] = in.w[i] * in.r[i];
  return t;
}

Terms clipped_ipw(const RoundInputs& in, const EstimatorOptions& opt) {
  auto make = [&](double lambda) {
    Terms t;
    t.lambda = lambda;
    t.a.assign(in.size(), 0.0);
    t.b.resize(in.size());
    for (size_t i = 0; i < in.size(); ++i) t.b[i] = std::min(in.w[i], lambda) * in.r[i];
    return t;
  };
  return tuned(in, opt.clip_lambda, threshold_grid(in), make);
}

Terms snipw(const RoundInputs& in, const EstimatorOptions& opt) {
  Terms t = ipw(in, opt);
  t.d = in.w;
  return t;
}

Terms dm(const RoundInputs& in, const EstimatorOptions&) {
  require_model(in, "dm");
  Terms t;
  t.a = in.q_pi;
  t.b.assign(in.size(), 0.0);
  return t;
}

Terms dr(const RoundInputs& in, const EstimatorOptions&) {
  require_model(in, "dr");
  Terms t;
  t.a = in.q_pi;
  t.b.resize(in.size());
  for (size_t i = 0; i < in.size(); ++i) t.b[i] = in.w[i] * (in.r[i] - in.q_logged[i]);
  return t;
}

Terms sndr(const RoundInputs& in, const EstimatorOptions& opt) {
  require_model(in, "sndr");
  Terms t = dr(in, opt);
  t.d = in.w;
  return t;
}

Terms switch_dr(const RoundInputs& in, const EstimatorOptions& opt) {
  require_model(in, "switch_dr");
  auto make = [&](double lambda) {
    Terms t;
    t.lambda = lambda;
    t.a = in.q_pi;
    t.b.resize(in.size());
    for (size_t i = 0; i < in.size(); ++i)
      t.b[i] = in.w[i] <= lambda ? in.w[i] * (in.r[i] - in.q_logged[i]) : 0.0;
    return t;
  };
  return tuned(in, opt.switch_lambda, threshold_grid(in), make);
}

Terms dr_os(const RoundInputs& in, const EstimatorOptions& opt) {
  require_model(in, "dr_os");
  auto make = [&](double lambda) {
    Terms t;
    t.lambda = lambda;
    t.a = in.q_pi;
    t.b.resize(in.size());
    for (size_t i = 0; i < in.size(); ++i) {
      const double w = in.w[i];
      // lambda = inf: w~ = w (DR); lambda = 0: w~ = 0 (DM).
      const double ws =
          std::isinf(lambda) ? w : (lambda == 0 ? 0.0 : lambda * w / (w * w + lambda));
      t.b[i] = ws * (in.r[i] - in.q_logged[i]);
    }
    return t;
  };
  return tuned(in, opt.dros_lambda, shrinkage_grid(in), make);
}

constexpr EstimatorEntry kEstimators[] = {
    {"ipw", "inverse propensity weighting: mean of w*r", false, ipw},
    {"clipped_ipw", "IPW with weights clipped at lambda (SLOPE-tuned unless fixed)", false,
     clipped_ipw},
    {"snipw", "self-normalized IPW: sum(w*r)/sum(w)", false, snipw},
    {"dm", "direct method: reward model averaged over the target policy", true, dm},
    {"dr", "doubly robust: DM + w*(r - qhat)", true, dr},
    {"sndr", "self-normalized doubly robust", true, sndr},
    {"switch_dr", "switch-DR: DR correction only where w <= lambda (SLOPE-tuned)", true, switch_dr},
    {"dr_os", "DR with optimistic shrinkage w~=lambda*w/(w^2+lambda) (SLOPE-tuned)", true, dr_os},
    {"sips", "slate IPW: whole-slate importance weight (simulator logs)", false, nullptr,
     sips_terms, true, false},
    {"iips", "independent IPS: per-slot marginal weights (simulator logs)", false, nullptr,
     iips_terms, false, false},
    {"rips", "reward-interaction IPS: cascade weights over the slots above (simulator logs)", false,
     nullptr, rips_terms, false, true},
};

}  // namespace

std::span<const EstimatorEntry> all_estimators() { return kEstimators; }

std::span<const EstimatorEntry> estimators() {
  const auto all = all_estimators();
  const auto first_slate = std::find_if(
      all.begin(), all.end(), [](const EstimatorEntry& e) { return e.slate_terms != nullptr; });
  return all.first(static_cast<size_t>(first_slate - all.begin()));
}

const EstimatorEntry& find_estimator(std::string_view name) {
  return registry_lookup(all_estimators(), name, "estimator");
}

std::vector<const EstimatorEntry*> parse_estimator_list(std::string_view list) {
  std::vector<const EstimatorEntry*> out;
  if (list == "all") {
    for (const auto& e : estimators()) out.push_back(&e);
    return out;
  }
  size_t start = 0;
  while (start <= list.size()) {
    size_t end = list.find(',', start);
    if (end == std::string_view::npos) end = list.size();
    std::string_view name = list.substr(start, end - start);
    if (name.empty())
      invalid_argument("--estimators '", list, "' has an empty name; use e.g. ipw,dr or all");
    const EstimatorEntry* e = &find_estimator(name);
    if (e->slate_terms) {
      std::vector<std::string> bandit;
      for (const auto& b : estimators()) bandit.emplace_back(b.name);
      invalid_argument("estimator '", name,
                       "' is a slate estimator: it needs a simulator log (slates "
                       "with propensities); estimators for this data: ",
                       join(bandit));
    }
    if (std::find(out.begin(), out.end(), e) == out.end()) out.push_back(e);
    start = end + 1;
  }
  return out;
}

size_t slope_select(std::span<const Terms> cands) {
  std::vector<double> theta, se;
  size_t chosen = 0;
  for (size_t k = 0; k < cands.size(); ++k) {
    theta.push_back(cands[k].value());
    se.push_back(standard_error(cands[k]));
    for (size_t j = 0; j < k; ++j)
      if (std::abs(theta[k] - theta[j]) > se[k] + se[j]) return chosen;
    chosen = k;
  }
  return chosen;
}

Estimate bootstrap_estimate(const Terms& t, std::string name, int B, uint64_t seed, double level) {
  if (B <= 0) invalid_argument("--bootstrap must be > 0 (number of resamples), got ", B);
  check_memory(static_cast<double>(B) * sizeof(double),
               str_cat("ope.bootstrap = ", B, " (one value per resample)"));
  if (!(level > 0 && level < 1))
    invalid_argument("confidence level must be in (0, 1), got ", level);
  Estimate e;
  e.name = std::move(name);
  e.estimate = t.value();
  e.lambda = t.lambda;
  e.bootstrap = B;
  e.level = level;
  const size_t n = t.a.size();
  const bool sn = !t.d.empty();
  std::vector<double> values(B);
  for (int b = 0; b < B; ++b) {
    throw_if_interrupted();  // core/interrupt.h
    Rng rng(seed, static_cast<uint64_t>(b));
    double sa = 0, sb = 0, sd = 0;
    for (size_t k = 0; k < n; ++k) {
      const size_t i = rng.uniform_int(n);
      sa += t.a[i];
      sb += t.b[i];
      if (sn) sd += t.d[i];
    }
    values[b] = sn ? sa / static_cast<double>(n) + (sd > 0 ? sb / sd : 0.0)
                   : (sa + sb) / static_cast<double>(n);
  }
  double mean = 0;
  for (double v : values) mean += v;
  mean /= B;
  double var = 0;
  for (double v : values) var += (v - mean) * (v - mean);
  e.boot_mean = mean;
  e.boot_std = B > 1 ? std::sqrt(var / (B - 1)) : 0.0;
  std::sort(values.begin(), values.end());
  e.ci_low = sorted_quantile(values, (1 - level) / 2);
  e.ci_high = sorted_quantile(values, (1 + level) / 2);
  return e;
}

}  // namespace rlrec::ope
