// Implicit ALS with a CG solver: see als.h for the papers, the equations and the deviations.
#include "rlrec/models/als.h"

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <vector>

#include "rlrec/core/interrupt.h"
#include "rlrec/models/kernels.h"
#include "rlrec/models/train_util.h"

namespace rlrec::models {

void AlsConfig::visit(FieldVisitor& v) {
  v.field("factors", factors, "latent dimension k of the user and item factors");
  v.field("iterations", iterations, "ALS sweeps (users, then items)");
  v.field("reg", reg, "L2 penalty lambda on the factors");
  v.field("alpha", alpha, "confidence slope: c_ui = 1 + alpha * r_ui");
  v.field("cg_steps", cg_steps, "conjugate-gradient steps per user/item and half-step");
  v.field("init_std", init_std, "standard deviation of the N(0, s^2) initial factors");
  v.field("seed", seed, "run seed: initial factors");
  v.field("threads", threads, "worker threads (0 = all cores)");
}

void AlsConfig::validate(std::string_view section) const {
  auto k = [&](const char* key) { return str_cat(section, ".", key); };
  check_range(k("factors"), factors, 1, 4096);
  check_range(k("iterations"), iterations, 1, 100000);
  detail::check_min(k("reg"), reg, 0);
  detail::check_min(k("alpha"), alpha, 0);
  check_range(k("cg_steps"), cg_steps, 1, 1000);
  detail::check_gt(k("init_std"), init_std, 0);
  check_range(k("seed"), seed, 0, INT64_MAX);
  check_range(k("threads"), threads, 0, 4096);
}

ImplicitAls::ImplicitAls(AlsConfig config) : config_(config) { config_.validate(); }

std::string ImplicitAls::config_toml(std::string_view section) const {
  return dump_section(section, "als", config_);
}

void gram_matrix(MatrixView<const float> Y, double lambda, MatrixView<float> out,
                 ThreadPool& pool) {
  using RowMat = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  const auto k = static_cast<Eigen::Index>(Y.cols);
  constexpr size_t kChunks = 16;  // fixed: the summation order must not depend on the pool size
  std::vector<RowMat> part(kChunks, RowMat::Zero(k, k));
  pool.parallel_for(kChunks, [&](size_t lo, size_t hi) {
    for (size_t c = lo; c < hi; ++c) {
      auto [b, e] = ThreadPool::chunk(Y.rows, kChunks, c);
      if (b == e) continue;
      Eigen::Map<const RowMat> y(Y.row(b), static_cast<Eigen::Index>(e - b), k);
      part[c].noalias() = y.transpose() * y;
    }
  });
  Eigen::Map<RowMat> g(out.data, k, k);
  g = part[0];
  for (size_t c = 1; c < kChunks; ++c) g += part[c];
  for (Eigen::Index j = 0; j < k; ++j) g(j, j) += static_cast<float>(lambda);
}

namespace {

// Heavy rows are processed in groups whose P and AP rows take about this many bytes (in L2).
constexpr size_t kGroupBytes = 512 * 1024;
constexpr float kTiny = 1e-20f;  // squared residual below which CG stops

// CG on A x = b for the rows rows[0..count) of m (the light path), where y_i = Y[i],
// c_ui - 1 = alpha r_ui, G = Y^T Y + lambda I and
//   A = G + sum_i alpha r_ui y_i y_i^T,   b = sum_{i: r_ui > 0} (1 + alpha r_ui) y_i.
// Each pass over the row's entries is split in two: all dot products y_i . v (four at a time),
// then the weighted sum of the y_i into a register accumulator (kernels.h).
template <int K>
RLREC_MF_INLINE void cg_rows(const Csr& m, const int32_t* rows, size_t count,
                             const float* __restrict Y, const float* __restrict G,
                             float* __restrict X, int k, float alpha, int cg_steps) {
  const int n = kernels::len<K>(k);
  int64_t most = 0;
  for (size_t row = 0; row < count; ++row)
    most = std::max(most, m.indptr[rows[row] + 1] - m.indptr[rows[row]]);
  std::vector<float> scratch(3 * static_cast<size_t>(n) + 2 * static_cast<size_t>(most));
  float* __restrict r = scratch.data();
  float* __restrict p = r + n;
  float* __restrict ap = p + n;
  float* __restrict d = ap + n;       // per-entry dot products y_i . v
  float* __restrict coef = d + most;  // per-entry coefficients
  for (size_t row = 0; row < count; ++row) {
    const int32_t u = rows[row];
    float* __restrict x = X + static_cast<int64_t>(u) * n;
    const int64_t begin = m.indptr[u], cnt = m.indptr[u + 1] - begin;
    const int32_t* idx = m.indices.data() + begin;
    const float* val = m.values.data() + begin;
    // r = b - A x = -G x + sum_i (c_ui p_ui - (c_ui - 1) y_i . x) y_i
    kernels::symv<K>(G, x, r, n);
    for (int j = 0; j < n; ++j) r[j] = -r[j];
    kernels::gather_dots<K>(Y, idx, cnt, x, d, n);
    for (int64_t t = 0; t < cnt; ++t) {
      const float w = alpha * val[t];  // c_ui - 1
      coef[t] = (val[t] > 0 ? 1.0f + w : 0.0f) - w * d[t];
    }
    kernels::gather_axpys<K>(Y, idx, cnt, coef, r, n);
    std::copy(r, r + n, p);
    float rs = kernels::dot<K>(r, r, n);
    for (int step = 0; step < cg_steps && rs > kTiny; ++step) {
      // ap = A p = G p + sum_i (c_ui - 1) (y_i . p) y_i
      kernels::symv<K>(G, p, ap, n);
      kernels::gather_dots<K>(Y, idx, cnt, p, d, n);
      for (int64_t t = 0; t < cnt; ++t) coef[t] = alpha * val[t] * d[t];
      kernels::gather_axpys<K>(Y, idx, cnt, coef, ap, n);
      const float pap = kernels::dot<K>(p, ap, n);
      if (!(pap > 0)) break;  // A is positive definite; a non-positive value is rounding noise
      const float a = rs / pap;
      kernels::axpy<K>(a, p, x, n);
      kernels::axpy<K>(-a, ap, r, n);
      const float rs_new = kernels::dot<K>(r, r, n);
      kernels::axpby<K>(1.0f, r, rs_new / rs, p, n);
      rs = rs_new;
    }
  }
}

RLREC_MF_CLONES
void solve_light(const Csr& m, const int32_t* rows, size_t count, const float* Y, const float* G,
                 float* X, int k, float alpha, int cg_steps) {
  RLREC_MF_DISPATCH(k, cg_rows<K>(m, rows, count, Y, G, X, k, alpha, cg_steps))
}

// The heavy rows' shared state: row h of each H x n buffer belongs to heavy row heavy[h].
struct HeavyState {
  const Csr* t;          // heavy_t: m.cols x H, each column's entries sorted by h
  const int32_t* heavy;  // H row ids of m
  int n = 0;
  float alpha = 0;
  const float* Y = nullptr;
  const float* G = nullptr;
  float* X = nullptr;
  float *R = nullptr, *P = nullptr, *AP = nullptr, *rs = nullptr;
  char* active = nullptr;
  float* xrow(size_t h) const { return X + static_cast<int64_t>(heavy[h]) * n; }
};

// One CG pass for the heavy rows h in [h0, h1), which this call owns:
//   residual: R_h = b_h - A_h x_h, then P_h = R_h, rs_h = |R_h|^2 (the start of CG);
//   otherwise: AP_h = A_h P_h, then the CG update of x_h, R_h, P_h, rs_h (as in cg_rows).
// A_h v = G v + sum_f alpha r_fh (y_f . v) y_f is summed over f = 0, 1, ... in order, so a row's
// result does not depend on how rows are grouped.
template <int K>
RLREC_MF_INLINE void heavy_pass_k(const HeavyState& s, size_t h0, size_t h1, bool residual) {
  const int n = kernels::len<K>(s.n);
  bool any = false;
  for (size_t h = h0; h < h1; ++h) {
    if (!s.active[h]) continue;
    any = true;
    float* out = (residual ? s.R : s.AP) + h * n;
    kernels::symv<K>(s.G, residual ? s.xrow(h) : s.P + h * n, out, n);
    if (residual)
      for (int j = 0; j < n; ++j) out[j] = -out[j];
  }
  if (!any) return;
  const Csr& t = *s.t;
  std::vector<float> dbuf(h1 - h0);  // a column has at most one entry per row in [h0, h1)
  float* d = dbuf.data();
  const int32_t lo = static_cast<int32_t>(h0), hi = static_cast<int32_t>(h1);
  for (int32_t f = 0; f < t.rows; ++f) {
    const int32_t* first = t.indices.data() + t.indptr[f];
    const int32_t* last = t.indices.data() + t.indptr[f + 1];
    if (first == last || *first >= hi || last[-1] < lo) continue;
    const float* y = s.Y + static_cast<int64_t>(f) * n;
    const int32_t* e0 = std::lower_bound(first, last, lo);
    const int32_t* e1 = std::lower_bound(e0, last, hi);
    const int64_t cnt = e1 - e0;
    const float* val = t.values.data() + (e0 - t.indices.data());
    // Rows that have converged are updated too (their buffers are no longer read): no branch.
    if (residual) {
      kernels::dots_with<K>(
          y, [&](int64_t q) { return s.xrow(static_cast<size_t>(e0[q])); }, cnt, d, n);
      for (int64_t q = 0; q < cnt; ++q) {
        const float w = s.alpha * val[q];
        d[q] = (val[q] > 0 ? 1.0f + w : 0.0f) - w * d[q];
      }
      kernels::scatter_axpys<K>(
          y, [&](int64_t q) { return s.R + static_cast<size_t>(e0[q]) * n; }, cnt, d, n);
    } else {
      kernels::dots_with<K>(
          y, [&](int64_t q) { return s.P + static_cast<size_t>(e0[q]) * n; }, cnt, d, n);
      for (int64_t q = 0; q < cnt; ++q) d[q] *= s.alpha * val[q];
      kernels::scatter_axpys<K>(
          y, [&](int64_t q) { return s.AP + static_cast<size_t>(e0[q]) * n; }, cnt, d, n);
    }
  }
  for (size_t h = h0; h < h1; ++h) {
    if (!s.active[h]) continue;
    float* p = s.P + h * n;
    float* r = s.R + h * n;
    if (residual) {
      std::copy(r, r + n, p);
      s.rs[h] = kernels::dot<K>(r, r, n);
      s.active[h] = s.rs[h] > kTiny;
      continue;
    }
    float* ap = s.AP + h * n;
    const float pap = kernels::dot<K>(p, ap, n);
    if (!(pap > 0)) {
      s.active[h] = 0;
      continue;
    }
    const float a = s.rs[h] / pap;
    kernels::axpy<K>(a, p, s.xrow(h), n);
    kernels::axpy<K>(-a, ap, r, n);
    const float rs_new = kernels::dot<K>(r, r, n);
    kernels::axpby<K>(1.0f, r, rs_new / s.rs[h], p, n);
    s.rs[h] = rs_new;
    s.active[h] = rs_new > kTiny;
  }
}

RLREC_MF_CLONES
void heavy_pass(const HeavyState& s, size_t h0, size_t h1, bool residual) {
  RLREC_MF_DISPATCH(s.n, heavy_pass_k<K>(s, h0, h1, residual))
}

}  // namespace

AlsHalfStep::AlsHalfStep(const Csr& m, int factors, int64_t heavy_threshold) : m_(m), k_(factors) {
  if (factors < 1) invalid_argument("AlsHalfStep: factors must be >= 1, got ", factors);
  if (heavy_threshold < 0) heavy_threshold = std::max<int64_t>(64, 65536 / factors);
  light_cost_.push_back(0);
  for (int32_t r = 0; r < m.rows; ++r) {
    const int64_t d = m.indptr[r + 1] - m.indptr[r];
    if (d > heavy_threshold) {
      heavy_.push_back(r);
    } else {
      light_.push_back(r);
      light_cost_.push_back(light_cost_.back() + d + 2 * factors);
    }
  }
  if (heavy_.empty()) return;
  const int64_t mean =
      (m.nnz() - (light_cost_.back() - 2 * factors * static_cast<int64_t>(light_.size()))) /
      static_cast<int64_t>(heavy_.size());
  heavy_cost_.push_back(0);
  for (int32_t r : heavy_)
    heavy_cost_.push_back(heavy_cost_.back() + m.indptr[r + 1] - m.indptr[r] + mean);
  // heavy_t_(f, h) = m(heavy_[h], f): the heavy rows' entries grouped by column of m. Built by
  // counting sort; heavy rows are visited in order, so each column's list is sorted by h.
  heavy_t_.rows = m.cols;
  heavy_t_.cols = static_cast<int32_t>(heavy_.size());
  heavy_t_.indptr.assign(static_cast<size_t>(m.cols) + 1, 0);
  for (int32_t r : heavy_)
    for (int64_t t = m.indptr[r]; t < m.indptr[r + 1]; ++t) ++heavy_t_.indptr[m.indices[t] + 1];
  for (int32_t f = 0; f < m.cols; ++f) heavy_t_.indptr[f + 1] += heavy_t_.indptr[f];
  heavy_t_.indices.resize(static_cast<size_t>(heavy_t_.indptr.back()));
  heavy_t_.values.resize(heavy_t_.indices.size());
  std::vector<int64_t> next(heavy_t_.indptr.begin(), heavy_t_.indptr.end() - 1);
  for (size_t h = 0; h < heavy_.size(); ++h)
    for (int64_t t = m.indptr[heavy_[h]]; t < m.indptr[heavy_[h] + 1]; ++t) {
      const int64_t dst = next[m.indices[t]]++;
      heavy_t_.indices[dst] = static_cast<int32_t>(h);
      heavy_t_.values[dst] = m.values[t];
    }
}

void AlsHalfStep::run(MatrixView<const float> Y, MatrixView<float> X, const AlsConfig& c,
                      ThreadPool& pool) const {
  const Csr& m = m_;
  const int k = k_;
  if (X.cols != static_cast<size_t>(k) || Y.cols != static_cast<size_t>(k) ||
      X.rows != static_cast<size_t>(m.rows) || Y.rows != static_cast<size_t>(m.cols))
    invalid_argument("als half-step: shapes do not match: m is ", m.rows, " x ", m.cols, ", X is ",
                     X.rows, " x ", X.cols, ", Y is ", Y.rows, " x ", Y.cols, ", factors ", k);
  std::vector<float> g(static_cast<size_t>(k) * k);
  gram_matrix(Y, c.reg, {g.data(), static_cast<size_t>(k), static_cast<size_t>(k)}, pool);
  const float alpha = static_cast<float>(c.alpha);

  // Light rows: one at a time; each row's result depends only on its own data, so the partition
  // (balanced by cost for speed) may depend on the pool size.
  if (!light_.empty()) {
    const size_t parts = static_cast<size_t>(pool.size());
    const int64_t total = light_cost_.back();
    auto bound = [&](size_t part) {
      if (part >= parts) return light_.size();
      const int64_t target = total * static_cast<int64_t>(part) / static_cast<int64_t>(parts);
      return static_cast<size_t>(std::lower_bound(light_cost_.begin(), light_cost_.end(), target) -
                                 light_cost_.begin());
    };
    pool.parallel_for(parts, [&](size_t lo, size_t hi) {
      for (size_t part = lo; part < hi; ++part) {
        const size_t from = std::min(bound(part), light_.size());
        const size_t to = std::min(bound(part + 1), light_.size());
        if (from < to)
          solve_light(m, light_.data() + from, to - from, Y.data, g.data(), X.data, k, alpha,
                      c.cg_steps);
      }
    });
  }
  if (heavy_.empty()) return;

  // Heavy rows, in lockstep: the same CG as cg_rows, but each pass walks the columns of m in order
  // (heavy_t_) so that Y is streamed instead of gathered row by row. Rows are split into groups
  // whose P and AP rows fit in cache; each group is owned by one task, and each row sums over f in
  // a fixed order, so the grouping (which follows the pool size) does not change the result.
  const size_t H = heavy_.size();
  const size_t Hn = H * static_cast<size_t>(k);
  std::vector<float> R(Hn), P(Hn), AP(Hn), rs(H);
  std::vector<char> active(H, 1);
  HeavyState s;
  s.t = &heavy_t_;
  s.heavy = heavy_.data();
  s.n = k;
  s.alpha = alpha;
  s.Y = Y.data;
  s.G = g.data();
  s.X = X.data;
  s.R = R.data();
  s.P = P.data();
  s.AP = AP.data();
  s.rs = rs.data();
  s.active = active.data();
  // Group count: enough for the cache bound, rounded up to a multiple of the pool size; groups
  // balanced by cost (entries + the mean entries per row, so both work and row count matter).
  const size_t threads = static_cast<size_t>(pool.size());
  const size_t rows_per_group =
      std::max<size_t>(16, kGroupBytes / (2 * sizeof(float) * static_cast<size_t>(k)));
  const size_t groups =
      threads * (((H + rows_per_group - 1) / rows_per_group + threads - 1) / threads);
  std::vector<size_t> bounds(groups + 1, H);
  bounds[0] = 0;
  for (size_t gi = 1; gi < groups; ++gi) {
    const int64_t target =
        heavy_cost_.back() * static_cast<int64_t>(gi) / static_cast<int64_t>(groups);
    bounds[gi] = static_cast<size_t>(
        std::lower_bound(heavy_cost_.begin(), heavy_cost_.end(), target) - heavy_cost_.begin());
    bounds[gi] = std::clamp(bounds[gi], bounds[gi - 1], H);
  }
  auto pass = [&](bool residual) {
    pool.parallel_for(groups, [&](size_t lo, size_t hi) {
      for (size_t gi = lo; gi < hi; ++gi)
        if (bounds[gi] < bounds[gi + 1]) heavy_pass(s, bounds[gi], bounds[gi + 1], residual);
    });
  };
  pass(true);
  for (int step = 0; step < c.cg_steps; ++step) {
    if (std::find(active.begin(), active.end(), 1) == active.end()) break;
    pass(false);
  }
}

void als_half_step(const Csr& m, MatrixView<const float> Y, MatrixView<float> X, const AlsConfig& c,
                   ThreadPool& pool) {
  AlsHalfStep(m, static_cast<int>(Y.cols)).run(Y, X, c, pool);
}

void ImplicitAls::fit(const data::InteractionLog& log, ThreadPool& pool) {
  detail::check_log(log, "als");
  for (size_t r = 0; r < log.size(); ++r)
    if (log.rating[r] < 0)
      invalid_argument("als: value of interaction ", r, " (user '", log.users.original(log.user[r]),
                       "', item '", log.items.original(log.item[r]), "') is ", log.rating[r],
                       "; implicit ALS needs values >= 0 (confidence 1 + alpha * value)");
  const AlsConfig& c = config_;
  const Csr ui = user_item_matrix(log, Duplicates::kSum);
  const Csr iu = transpose(ui);
  MfModel m;
  m.kind = "als";
  m.users = log.users;
  m.items = log.items;
  m.config_toml = config_toml("mf");
  m.user_factors.resize(log.num_users(), c.factors);
  m.item_factors.resize(log.num_items(), c.factors);
  detail::init_normal(m.user_factors, static_cast<uint64_t>(c.seed), "als.user", c.init_std);
  detail::init_normal(m.item_factors, static_cast<uint64_t>(c.seed), "als.item", c.init_std);
  const AlsHalfStep solve_users(ui, c.factors), solve_items(iu, c.factors);
  for (int it = 0; it < c.iterations; ++it) {
    throw_if_interrupted();  // core/interrupt.h
    solve_users.run(m.item_factors.view(), m.user_factors.view(), c, pool);
    solve_items.run(m.user_factors.view(), m.item_factors.view(), c, pool);
    report({it + 1, c.iterations, std::nan("")});
  }
  const char* hint = "raise mf.reg or lower mf.alpha";
  detail::check_finite(m.user_factors.data(), m.user_factors.storage().size(), "als",
                       "user factors", hint);
  detail::check_finite(m.item_factors.data(), m.item_factors.storage().size(), "als",
                       "item factors", hint);
  model_ = std::move(m);
}

}  // namespace rlrec::models
