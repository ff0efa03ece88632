#include "rlrec/experiment/history_model.h"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <vector>

#include "rlrec/core/error.h"
#include "rlrec/core/rng.h"
#include "rlrec/core/thread_pool.h"
#include "rlrec/models/biased_sgd.h"

namespace rlrec::experiment {
namespace {

using Mat4 = Eigen::Matrix4d;
using Vec4 = Eigen::Vector4d;

// Per-user sums of the regression on z = [x1, x2, x3, 1]: a bootstrap resample or a user split
// only re-weights them.
struct UserSums {
  Mat4 zz = Mat4::Zero();
  Vec4 zy = Vec4::Zero();
  double yy = 0;
  int64_t events = 0;
  void add(const UserSums& o, double w) {
    zz += w * o.zz, zy += w * o.zy, yy += w * o.yy;
    events += static_cast<int64_t>(w) * o.events;
  }
};

Vec4 solve(const UserSums& s) { return s.zz.ldlt().solve(s.zy); }

double r_squared(const UserSums& s, const Vec4& c) {
  const double n = static_cast<double>(s.events);
  const double sse = s.yy - 2 * c.dot(s.zy) + c.dot(s.zz * c);
  const double sst = s.yy - s.zy(3) * s.zy(3) / n;  // zy(3) = Σ y
  return sst > 0 ? 1 - sse / sst : 0.0;
}

models::MfModel fit_mf(const data::InteractionLog& log, const HistoryModelOptions& o) {
  models::BiasedSgdConfig m;
  m.factors = o.factors, m.epochs = o.epochs, m.lr = o.lr, m.reg = o.reg;
  m.seed = static_cast<int64_t>(combine_keys(o.seed, hash_name("history/mf")) >> 1);
  m.validate("history");
  models::BiasedSgd trainer(m);
  ThreadPool pool(2);  // results do not depend on the thread count
  trainer.fit(log, pool);
  return trainer.take_model();
}

}  // namespace

HistoryModelResult fit_history_model(const data::InteractionLog& log,
                                     const HistoryModelOptions& o) {
  if (o.n < 1) invalid_argument("history.n must be >= 1, got ", o.n);
  if (!(o.holdout_fraction >= 0 && o.holdout_fraction < 1))
    invalid_argument("history.holdout_fraction must be in [0, 1), got ",
                     format_double(o.holdout_fraction));
  if (o.bootstrap < 0) invalid_argument("history.bootstrap must be >= 0, got ", o.bootstrap);
  const models::MfModel mf = fit_mf(log, o);
  const int k = mf.factors();

  std::vector<std::vector<size_t>> rows(log.num_users());
  for (size_t i = 0; i < log.size(); ++i) rows[log.user[i]].push_back(i);
  HistoryModelResult res;
  res.n = o.n;
  std::vector<UserSums> users;
  std::vector<bool> heldout;
  Rng split(o.seed, hash_name("history/split"));
  double se = 0;
  std::vector<double> mean_q(static_cast<size_t>(k));
  for (size_t u = 0; u < rows.size(); ++u) {
    auto& ix = rows[u];
    std::stable_sort(ix.begin(), ix.end(),
                     [&](size_t a, size_t b) { return log.timestamp[a] < log.timestamp[b]; });
    const size_t m = ix.size();
    std::vector<double> pred(m), resid(m);
    double pbar = 0;
    for (size_t t = 0; t < m; ++t) {
      pred[t] = mf.predict(static_cast<int32_t>(u), log.item[ix[t]]);
      resid[t] = log.rating[ix[t]] - pred[t];
      se += resid[t] * resid[t];
      pbar += pred[t];
    }
    pbar /= std::max<size_t>(m, 1);
    const bool held = split.uniform() < o.holdout_fraction;  // drawn for every user: stable split
    UserSums s;
    const auto n = static_cast<size_t>(o.n);
    for (size_t t = n; t < m; ++t) {
      double x1 = 0, x2 = 0;
      std::fill(mean_q.begin(), mean_q.end(), 0.0);
      for (size_t j = t - n; j < t; ++j) {
        x1 += resid[j], x2 += pred[j];
        const float* q = mf.item_factors.row(static_cast<size_t>(log.item[ix[j]]));
        for (int f = 0; f < k; ++f) mean_q[f] += q[f];
      }
      x1 /= static_cast<double>(n);
      x2 = x2 / static_cast<double>(n) - pbar;
      const float* q = mf.item_factors.row(static_cast<size_t>(log.item[ix[t]]));
      double dot = 0, qq = 0, mm = 0;
      for (int f = 0; f < k; ++f)
        dot += q[f] * mean_q[f], qq += q[f] * q[f], mm += mean_q[f] * mean_q[f];
      const double x3 = qq > 0 && mm > 0 ? dot / std::sqrt(qq * mm) : 0.0;
      const Vec4 z(x1, x2, x3, 1.0);
      s.zz += z * z.transpose();
      s.zy += z * resid[t];
      s.yy += resid[t] * resid[t];
      ++s.events;
    }
    if (s.events == 0) continue;
    users.push_back(s);
    heldout.push_back(held);
  }
  res.mf_rmse = std::sqrt(se / static_cast<double>(std::max<size_t>(log.size(), 1)));
  UserSums all, fit, held;
  for (size_t u = 0; u < users.size(); ++u) {
    all.add(users[u], 1);
    (heldout[u] ? held : fit).add(users[u], 1);
    res.heldout_users += heldout[u];
  }
  res.users = static_cast<int64_t>(users.size());
  res.events = all.events;
  if (all.events < 5)
    invalid_argument("history model: the log has ", all.events, " ratings with ", o.n,
                     " earlier ones; need at least 5");
  const Vec4 c = solve(all);
  const double ne = static_cast<double>(all.events);
  auto sd = [&](int j) {
    const double mean = all.zz(j, 3) / ne;
    return std::sqrt(std::max(0.0, all.zz(j, j) / ne - mean * mean));
  };
  res.sd1 = sd(0), res.sd2 = sd(1), res.sd3 = sd(2);
  const double ybar = all.zy(3) / ne;
  res.residual_sd = std::sqrt(std::max(0.0, all.yy / ne - ybar * ybar));
  res.r2_fit = r_squared(all, c);
  if (held.events > 0 && fit.events >= 5) res.r2_heldout = r_squared(held, solve(fit));

  std::vector<std::vector<double>> boot(4);
  Rng rng(o.seed, hash_name("history/bootstrap"));
  std::vector<int> w(users.size());
  for (int b = 0; b < o.bootstrap; ++b) {
    std::fill(w.begin(), w.end(), 0);
    for (size_t i = 0; i < users.size(); ++i) ++w[rng.uniform_int(users.size())];
    UserSums s;
    for (size_t u = 0; u < users.size(); ++u)
      if (w[u]) s.add(users[u], w[u]);
    const Vec4 cb = solve(s);
    for (int j = 0; j < 4; ++j) boot[j].push_back(cb(j));
  }
  auto estimate = [&](int j) {
    Estimate e{c(j), c(j), c(j)};
    auto& v = boot[j];
    if (v.empty()) return e;
    std::sort(v.begin(), v.end());
    const auto at = [&](double q) {
      return v[std::min(v.size() - 1, static_cast<size_t>(q * static_cast<double>(v.size())))];
    };
    e.lo = at(0.025), e.hi = at(0.975);
    return e;
  };
  res.c1 = estimate(0), res.c2 = estimate(1), res.c3 = estimate(2), res.c0 = estimate(3);
  return res;
}

nlohmann::json to_json(const HistoryModelResult& r) {
  auto est = [](const Estimate& e) {
    return nlohmann::json{{"mean", e.value}, {"ci_low", e.lo}, {"ci_high", e.hi}};
  };
  return {{"n", r.n},
          {"events", r.events},
          {"users", r.users},
          {"heldout_users", r.heldout_users},
          {"mf_rmse", r.mf_rmse},
          {"residual_sd", r.residual_sd},
          {"intercept", est(r.c0)},
          {"mood", {{"coef", est(r.c1)}, {"sd", r.sd1}}},
          {"recent_quality", {{"coef", est(r.c2)}, {"sd", r.sd2}}},
          {"similarity", {{"coef", est(r.c3)}, {"sd", r.sd3}}},
          {"r2_fit", r.r2_fit},
          {"r2_heldout", r.r2_heldout}};
}

}  // namespace rlrec::experiment
