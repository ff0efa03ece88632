#include "rlrec/ope/bandit_data.h"

#include <cmath>

#include "rlrec/core/error.h"

namespace rlrec::ope {

BanditData BanditData::subset(const std::vector<size_t>& rows) const {
  BanditData out;
  out.n_actions = n_actions;
  out.n_positions = n_positions;
  out.action.reserve(rows.size());
  out.position.reserve(rows.size());
  out.reward.reserve(rows.size());
  out.pscore.reserve(rows.size());
  for (size_t r : rows) {
    out.action.push_back(action[r]);
    out.position.push_back(position[r]);
    out.reward.push_back(reward[r]);
    out.pscore.push_back(pscore[r]);
  }
  return out;
}

ActionDist ActionDist::subset(const std::vector<size_t>& rows) const {
  if (!per_round) return *this;
  ActionDist out;
  out.n_actions = n_actions;
  out.n_positions = n_positions;
  out.per_round = true;
  const size_t stride = static_cast<size_t>(n_actions) * n_positions;
  out.p.reserve(rows.size() * stride);
  for (size_t r : rows)
    out.p.insert(out.p.end(), p.begin() + r * stride, p.begin() + (r + 1) * stride);
  return out;
}

void validate(const BanditData& d, const std::string& source) {
  const size_t n = d.size();
  if (n == 0) invalid_argument(source, ": the log has no rounds");
  if (d.n_actions <= 0) invalid_argument(source, ": n_actions must be > 0, got ", d.n_actions);
  if (d.n_positions <= 0)
    invalid_argument(source, ": n_positions must be > 0, got ", d.n_positions);
  if (d.position.size() != n || d.reward.size() != n || d.pscore.size() != n)
    invalid_argument(source, ": columns have different lengths (action ", n, ", position ",
                     d.position.size(), ", reward ", d.reward.size(), ", pscore ", d.pscore.size(),
                     ")");
  for (size_t i = 0; i < n; ++i) {
    if (d.action[i] < 0 || d.action[i] >= d.n_actions)
      invalid_argument(source, ": round ", i, ": action ", d.action[i], " out of range [0, ",
                       d.n_actions, ")");
    if (d.position[i] < 0 || d.position[i] >= d.n_positions)
      invalid_argument(source, ": round ", i, ": position ", d.position[i], " out of range [0, ",
                       d.n_positions, ")");
    const double p = d.pscore[i];
    if (std::isnan(p)) invalid_argument(source, ": round ", i, ": propensity is missing (NaN)");
    if (!(p > 0.0) || p > 1.0)
      invalid_argument(source, ": round ", i, ": propensity ", p,
                       " must be in (0, 1] (importance weights need pi_b > 0)");
    if (!std::isfinite(d.reward[i]))
      invalid_argument(source, ": round ", i, ": reward ", d.reward[i], " is not finite");
  }
}

void validate(const ActionDist& dist, const BanditData& d, const std::string& source) {
  if (dist.n_actions != d.n_actions || dist.n_positions != d.n_positions)
    invalid_argument(source, ": target distribution covers ", dist.n_actions, " actions x ",
                     dist.n_positions, " positions, the log has ", d.n_actions, " x ",
                     d.n_positions);
  const size_t stride = static_cast<size_t>(dist.n_actions) * dist.n_positions;
  const size_t rounds = dist.per_round ? d.size() : 1;
  if (dist.p.size() != rounds * stride)
    invalid_argument(source, ": target distribution has ", dist.p.size(), " values, expected ",
                     rounds * stride);
  for (size_t i = 0; i < rounds; ++i) {
    for (int l = 0; l < dist.n_positions; ++l) {
      double sum = 0;
      for (int a = 0; a < dist.n_actions; ++a) {
        const double p = dist.p[i * stride + static_cast<size_t>(a) * dist.n_positions + l];
        if (!(p >= 0.0 && p <= 1.0))
          invalid_argument(source, ": round ", i, ": target probability of action ", a,
                           " at position ", l, " is ", p, ", must be in [0, 1]");
        sum += p;
      }
      if (std::abs(sum - 1.0) > 1e-6)
        invalid_argument(source, ": round ", i, ": target probabilities at position ", l,
                         " sum to ", sum, ", must sum to 1 (within 1e-6)");
    }
  }
}

}  // namespace rlrec::ope
