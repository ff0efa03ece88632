// Slate estimators; formulas and references in slate.h.
#include "rlrec/ope/slate.h"

#include <Eigen/Dense>
#include <cmath>

#include "rlrec/core/error.h"

namespace rlrec::ope {

void validate(const SlateData& d, const std::string& source) {
  const size_t L = static_cast<size_t>(d.slate_size);
  if (L == 0 || d.n_actions <= 0)
    invalid_argument(source, ": slate_size and n_actions must be > 0");
  const size_t n = d.size();
  if (n == 0) invalid_argument(source, ": no slates");
  for (const auto* v : {&d.reward, &d.pb_slot, &d.pe_slot, &d.pb_cascade, &d.pe_cascade})
    if (v->size() != n * L)
      invalid_argument(source, ": slate columns must have n x L = ", n * L, " values, got ",
                       v->size());
  for (size_t i = 0; i < n; ++i)
    for (size_t l = 0; l < L; ++l) {
      const size_t k = i * L + l;
      if (d.item[k] < 0 || d.item[k] >= d.n_actions)
        invalid_argument(source, ": slate ", i, " slot ", l, ": item ", d.item[k], " out of range");
      for (double p : {d.pb_slot[k], d.pb_cascade[k]})
        if (!(p > 0 && p <= 1))
          invalid_argument(source, ": slate ", i, " slot ", l, ": behaviour probability ", p,
                           " must be in (0, 1]");
      for (double p : {d.pe_slot[k], d.pe_cascade[k]})
        if (!(p >= 0 && p <= 1))
          invalid_argument(source, ": slate ", i, " slot ", l, ": target probability ", p,
                           " must be in [0, 1]");
      if (!std::isfinite(d.reward[k]))
        invalid_argument(source, ": slate ", i, " slot ", l, ": reward is not finite");
    }
}

namespace {
Terms empty_terms(size_t n) {
  Terms t;
  t.a.assign(n, 0.0);
  t.b.assign(n, 0.0);
  return t;
}
}  // namespace

Terms sips_terms(const SlateData& d) {
  const size_t n = d.size(), L = d.slate_size;
  Terms t = empty_terms(n);
  for (size_t i = 0; i < n; ++i) {
    const size_t last = i * L + L - 1;
    double r = 0;
    for (size_t l = 0; l < L; ++l) r += d.reward[i * L + l];
    t.b[i] = d.pe_cascade[last] / d.pb_cascade[last] * r;
  }
  return t;
}

Terms iips_terms(const SlateData& d) {
  const size_t n = d.size(), L = d.slate_size;
  Terms t = empty_terms(n);
  for (size_t i = 0; i < n; ++i)
    for (size_t l = 0; l < L; ++l) {
      const size_t k = i * L + l;
      t.b[i] += d.pe_slot[k] / d.pb_slot[k] * d.reward[k];
    }
  return t;
}

Terms rips_terms(const SlateData& d) {
  const size_t n = d.size(), L = d.slate_size;
  Terms t = empty_terms(n);
  for (size_t i = 0; i < n; ++i)
    for (size_t l = 0; l < L; ++l) {
      const size_t k = i * L + l;
      t.b[i] += d.pe_cascade[k] / d.pb_cascade[k] * d.reward[k];
    }
  return t;
}

std::vector<double> gamma_uniform_without_replacement(int A, int L) {
  if (A <= 0 || L <= 0 || L > A)
    invalid_argument("uniform slates need 1 <= L <= A, got L=", L, " A=", A);
  const size_t D = static_cast<size_t>(A) * L;
  std::vector<double> g(D * D, 0.0);
  for (int l = 0; l < L; ++l)
    for (int a = 0; a < A; ++a)
      for (int m = 0; m < L; ++m)
        for (int b = 0; b < A; ++b) {
          double v = 0;
          if (l == m && a == b)
            v = 1.0 / A;
          else if (l != m && a != b)
            v = 1.0 / (static_cast<double>(A) * (A - 1));
          g[(static_cast<size_t>(l) * A + a) * D + static_cast<size_t>(m) * A + b] = v;
        }
  return g;
}

std::vector<double> gamma_independent(const std::vector<double>& p, int A, int L) {
  if (p.size() != static_cast<size_t>(A) * L)
    invalid_argument("slot marginals must have A x L values");
  const size_t D = static_cast<size_t>(A) * L;
  std::vector<double> g(D * D, 0.0);
  for (int l = 0; l < L; ++l)
    for (int a = 0; a < A; ++a)
      for (int m = 0; m < L; ++m)
        for (int b = 0; b < A; ++b) {
          const double pa = p[static_cast<size_t>(a) * L + l],
                       pb = p[static_cast<size_t>(b) * L + m];
          double v = l != m ? pa * pb : (a == b ? pa : 0.0);
          g[(static_cast<size_t>(l) * A + a) * D + static_cast<size_t>(m) * A + b] = v;
        }
  return g;
}

Terms pi_terms(const SlateData& d, const ActionDist& target, const std::vector<double>& gamma) {
  const int A = d.n_actions, L = d.slate_size;
  const size_t n = d.size();
  const Eigen::Index D = static_cast<Eigen::Index>(A) * L;
  if (gamma.size() != static_cast<size_t>(D * D))
    invalid_argument("Gamma must be (L*A)^2 = ", D * D, " values, got ", gamma.size());
  if (target.n_actions != A || target.n_positions != L)
    invalid_argument("target distribution must cover ", A, " actions x ", L, " slots");
  if (target.per_round && target.p.size() != n * static_cast<size_t>(D))
    invalid_argument("per-slate target distribution must have n x A x L values");
  Eigen::MatrixXd G(D, D);
  for (Eigen::Index r = 0; r < D; ++r)
    for (Eigen::Index c = 0; c < D; ++c) G(r, c) = gamma[static_cast<size_t>(r * D + c)];
  const Eigen::MatrixXd Gp = G.completeOrthogonalDecomposition().pseudoInverse();
  Terms t = empty_terms(n);
  Eigen::VectorXd q(D), v(D);
  for (size_t i = 0; i < n; ++i) {
    v.setZero();
    for (int l = 0; l < L; ++l) v += Gp.col(static_cast<Eigen::Index>(l) * A + d.item[i * L + l]);
    for (int l = 0; l < L; ++l)
      for (int a = 0; a < A; ++a) q(static_cast<Eigen::Index>(l) * A + a) = target.at(i, a, l);
    double r = 0;
    for (int l = 0; l < L; ++l) r += d.reward[i * L + l];
    t.b[i] = q.dot(v) * r;
  }
  return t;
}

}  // namespace rlrec::ope
