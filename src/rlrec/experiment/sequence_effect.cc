#include "rlrec/experiment/sequence_effect.h"

#include <algorithm>
#include <array>
#include <numeric>

#include "rlrec/core/config.h"
#include "rlrec/core/error.h"
#include "rlrec/core/rng.h"

namespace rlrec::experiment {
namespace {

// Per-user sums of one window length: every statistic is a ratio of sums over users, so a
// bootstrap resample only re-weights these.
struct UserSums {
  double gy = 0, gg = 0;       // Σ g y, Σ g²
  double sy[3] = {0, 0, 0};    // Σ y per group (below, near, above)
  int64_t cnt[3] = {0, 0, 0};  // events per group
  double sgy = 0, sgg = 0;     // the same slope sums on the shuffled order
  int64_t events = 0;
};

UserSums user_sums(const std::vector<float>& r, const std::vector<float>& shuffled, int64_t n,
                   double band) {
  UserSums s;
  const int64_t m = static_cast<int64_t>(r.size());
  if (m < n + 1 || m < 2) return s;
  const double total = std::accumulate(r.begin(), r.end(), 0.0);
  auto slope_sums = [&](const std::vector<float>& x, double& gy, double& gg, bool groups) {
    double window = 0;
    for (int64_t t = 0; t < n; ++t) window += x[t];
    for (int64_t t = n; t < m; ++t) {
      const double mu = (total - x[t]) / static_cast<double>(m - 1);
      const double g = window / static_cast<double>(n) - mu, y = x[t] - mu;
      gy += g * y;
      gg += g * g;
      if (groups) {
        const int k = g < -band ? 0 : g > band ? 2 : 1;
        s.sy[k] += y;
        ++s.cnt[k];
        ++s.events;
      }
      window += x[t] - x[t - n];
    }
  };
  slope_sums(r, s.gy, s.gg, true);
  slope_sums(shuffled, s.sgy, s.sgg, false);
  return s;
}

// The statistics of a (re-weighted) set of users: slope, shuffled slope, three group means.
std::array<double, 5> stats(const std::vector<UserSums>& users, const std::vector<int>& weight) {
  double gy = 0, gg = 0, sgy = 0, sgg = 0, sy[3] = {0, 0, 0};
  double cnt[3] = {0, 0, 0};
  for (size_t u = 0; u < users.size(); ++u) {
    const double w = weight.empty() ? 1.0 : weight[u];
    if (w == 0) continue;
    const UserSums& s = users[u];
    gy += w * s.gy, gg += w * s.gg, sgy += w * s.sgy, sgg += w * s.sgg;
    for (int k = 0; k < 3; ++k) sy[k] += w * s.sy[k], cnt[k] += w * s.cnt[k];
  }
  auto ratio = [](double a, double b) { return b > 0 ? a / b : 0.0; };
  return {ratio(gy, gg), ratio(sgy, sgg), ratio(sy[0], cnt[0]), ratio(sy[1], cnt[1]),
          ratio(sy[2], cnt[2])};
}

}  // namespace

SequenceEffectResult measure_sequence_effect(const data::InteractionLog& log,
                                             const SequenceEffectOptions& o) {
  for (int64_t n : o.n)
    if (n < 1) invalid_argument("sequence.n must list window lengths >= 1, got ", n);
  if (o.n.empty()) invalid_argument("sequence.n must list at least one window length");
  if (!(o.band >= 0)) invalid_argument("sequence.band must be >= 0, got ", format_double(o.band));
  if (o.bootstrap < 0) invalid_argument("sequence.bootstrap must be >= 0, got ", o.bootstrap);

  // Each user's ratings in time order (stable: ties keep file order), and a random permutation.
  std::vector<std::vector<size_t>> rows(log.num_users());
  for (size_t i = 0; i < log.size(); ++i) rows[log.user[i]].push_back(i);
  std::vector<std::vector<float>> seq(rows.size()), shuffled(rows.size());
  Rng shuffle_rng(o.seed, hash_name("sequence/shuffle"));
  for (size_t u = 0; u < rows.size(); ++u) {
    auto& ix = rows[u];
    std::stable_sort(ix.begin(), ix.end(),
                     [&](size_t a, size_t b) { return log.timestamp[a] < log.timestamp[b]; });
    for (size_t i : ix) seq[u].push_back(log.rating[i]);
    shuffled[u] = seq[u];
    for (size_t i = shuffled[u].size(); i > 1; --i)
      std::swap(shuffled[u][i - 1], shuffled[u][shuffle_rng.uniform_int(i)]);
  }

  SequenceEffectResult res;
  res.ratings = static_cast<int64_t>(log.size());
  res.users = log.num_users();
  res.band = o.band;
  res.bootstrap = o.bootstrap;
  for (int64_t n : o.n) {
    std::vector<UserSums> users;
    for (size_t u = 0; u < seq.size(); ++u) {
      UserSums s = user_sums(seq[u], shuffled[u], n, o.band);
      if (s.events > 0) users.push_back(s);
    }
    SequenceEffectRow row;
    row.n = n;
    row.users = static_cast<int64_t>(users.size());
    for (const auto& s : users) {
      row.events += s.events;
      row.n_below += s.cnt[0], row.n_near += s.cnt[1], row.n_above += s.cnt[2];
    }
    const auto point = stats(users, {});
    std::array<std::vector<double>, 5> boot;
    Rng rng(o.seed, static_cast<uint64_t>(n));
    std::vector<int> w(users.size());
    for (int b = 0; b < o.bootstrap && !users.empty(); ++b) {
      std::fill(w.begin(), w.end(), 0);
      for (size_t i = 0; i < users.size(); ++i) ++w[rng.uniform_int(users.size())];
      const auto s = stats(users, w);
      for (int k = 0; k < 5; ++k) boot[k].push_back(s[k]);
    }
    auto estimate = [&](int k) {
      Estimate e{point[k], point[k], point[k]};
      auto& v = boot[k];
      if (v.empty()) return e;
      std::sort(v.begin(), v.end());
      const auto at = [&](double q) {
        return v[std::min(v.size() - 1, static_cast<size_t>(q * static_cast<double>(v.size())))];
      };
      e.lo = at(0.025), e.hi = at(0.975);
      return e;
    };
    row.slope = estimate(0), row.shuffled_slope = estimate(1);
    row.below = estimate(2), row.near = estimate(3), row.above = estimate(4);
    res.rows.push_back(row);
  }
  return res;
}

nlohmann::json to_json(const SequenceEffectResult& r) {
  auto est = [](const Estimate& e) {
    return nlohmann::json{{"mean", e.value}, {"ci_low", e.lo}, {"ci_high", e.hi}};
  };
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& x : r.rows)
    rows.push_back({{"n", x.n},
                    {"events", x.events},
                    {"users", x.users},
                    {"slope", est(x.slope)},
                    {"shuffled_slope", est(x.shuffled_slope)},
                    {"below", est(x.below)},
                    {"near", est(x.near)},
                    {"above", est(x.above)},
                    {"events_below", x.n_below},
                    {"events_near", x.n_near},
                    {"events_above", x.n_above}});
  return {{"ratings", r.ratings},
          {"users", r.users},
          {"band", r.band},
          {"bootstrap", r.bootstrap},
          {"rows", rows}};
}

}  // namespace rlrec::experiment
