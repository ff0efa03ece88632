#include "rlrec/eval/stats.h"

#include <cmath>

namespace rlrec::eval {
namespace {

// Continued fraction for the regularized incomplete beta function (Lentz's method).
double beta_cf(double a, double b, double x) {
  const double tiny = 1e-300;
  double c = 1, d = 1 - (a + b) * x / (a + 1);
  if (std::abs(d) < tiny) d = tiny;
  d = 1 / d;
  double h = d;
  for (int m = 1; m <= 300; ++m) {
    const double m2 = 2.0 * m;
    double aa = m * (b - m) * x / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (std::abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (std::abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (std::abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (std::abs(c) < tiny) c = tiny;
    d = 1 / d;
    const double del = d * c;
    h *= del;
    if (std::abs(del - 1) < 1e-15) break;
  }
  return h;
}

double inc_beta(double a, double b, double x) {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const double lbt =
      std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) + a * std::log(x) + b * std::log(1 - x);
  if (x < (a + 1) / (a + b + 2)) return std::exp(lbt) * beta_cf(a, b, x) / a;
  return 1 - std::exp(lbt) * beta_cf(b, a, 1 - x) / b;
}

}  // namespace

double t_cdf(double t, double dof) {
  const double x = dof / (dof + t * t);
  const double tail = 0.5 * inc_beta(dof / 2, 0.5, x);
  return t >= 0 ? 1 - tail : tail;
}

double t_critical(double level, int64_t dof) {
  const double target = (1 + level) / 2;
  double lo = 0, hi = 1e4;
  for (int i = 0; i < 200; ++i) {
    const double mid = (lo + hi) / 2;
    if (t_cdf(mid, static_cast<double>(dof)) < target)
      lo = mid;
    else
      hi = mid;
  }
  return (lo + hi) / 2;
}

Summary summarize(std::span<const double> xs, double level) {
  Summary s;
  double mean = 0, m2 = 0;
  for (double x : xs) {
    ++s.n;
    const double d = x - mean;
    mean += d / static_cast<double>(s.n);
    m2 += d * (x - mean);
  }
  s.mean = mean;
  if (s.n >= 2) {
    s.stddev = std::sqrt(m2 / static_cast<double>(s.n - 1));
    s.se = s.stddev / std::sqrt(static_cast<double>(s.n));
    const double t = t_critical(level, s.n - 1);
    s.ci_low = mean - t * s.se;
    s.ci_high = mean + t * s.se;
  } else {
    s.ci_low = s.ci_high = mean;
  }
  return s;
}

}  // namespace rlrec::eval
