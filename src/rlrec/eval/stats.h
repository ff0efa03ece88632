// Statistics for reporting: mean, standard error and Student-t confidence intervals.
#pragma once

#include <cstdint>
#include <span>

namespace rlrec::eval {

struct Summary {
  int64_t n = 0;
  double mean = 0;
  double stddev = 0;  // sample standard deviation (n - 1 denominator); 0 when n < 2
  double se = 0;      // standard error of the mean
  // Two-sided confidence interval of the mean at `level` (Student t with n - 1 dof).
  double ci_low = 0, ci_high = 0;
};

// Summary of xs; the interval is at `level` (e.g. 0.95). Numerically stable (Welford).
Summary summarize(std::span<const double> xs, double level = 0.95);

// Two-sided Student-t critical value t_{(1+level)/2, dof}; dof >= 1. Exact to ~1e-6 (numerical
// inversion of the regularized incomplete beta function).
double t_critical(double level, int64_t dof);

// Student-t CDF P(T <= t) with dof degrees of freedom.
double t_cdf(double t, double dof);

}  // namespace rlrec::eval
