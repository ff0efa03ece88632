#include "rlrec/eval/ranking_metrics.h"

#include <algorithm>
#include <cmath>

#include "rlrec/core/error.h"

namespace rlrec::eval {

UserRankingMetrics user_ranking_metrics(std::span<const int32_t> ranked,
                                        std::span<const int32_t> relevant, int k) {
  if (k < 1) invalid_argument("ranking metrics: k must be >= 1, got ", k);
  for (size_t t = 1; t < relevant.size(); ++t)
    if (relevant[t] <= relevant[t - 1])
      invalid_argument("ranking metrics: relevant items must be sorted and unique, got ",
                       relevant[t - 1], " before ", relevant[t]);
  UserRankingMetrics m;
  if (relevant.empty()) return m;
  const size_t n = std::min(ranked.size(), static_cast<size_t>(k));
  int hits = 0;
  double dcg = 0, ap = 0;
  for (size_t t = 0; t < n; ++t) {
    const int32_t item = ranked[t];
    if (item < 0 || !std::binary_search(relevant.begin(), relevant.end(), item)) continue;
    ++hits;
    const double rank = static_cast<double>(t + 1);
    dcg += 1.0 / std::log2(rank + 1);
    ap += hits / rank;
    if (hits == 1) m.rr = 1.0 / rank;
  }
  const size_t ideal = std::min(relevant.size(), static_cast<size_t>(k));
  double idcg = 0;
  for (size_t r = 1; r <= ideal; ++r) idcg += 1.0 / std::log2(static_cast<double>(r) + 1);
  m.hr = hits > 0 ? 1.0 : 0.0;
  m.precision = static_cast<double>(hits) / k;
  m.recall = static_cast<double>(hits) / static_cast<double>(relevant.size());
  m.ndcg = dcg / idcg;
  m.ap = ap / static_cast<double>(ideal);
  return m;
}

RankingEvaluator::RankingEvaluator(int k, int32_t num_items) : k_(k), num_items_(num_items) {
  if (k < 1) invalid_argument("ranking metrics: k must be >= 1, got ", k);
  if (num_items < 1) invalid_argument("ranking metrics: num_items must be >= 1, got ", num_items);
  sum_.k = k;
  seen_.assign(static_cast<size_t>(num_items), false);
}

void RankingEvaluator::add(std::span<const int32_t> ranked, std::span<const int32_t> relevant) {
  const size_t n = std::min(ranked.size(), static_cast<size_t>(k_));
  for (size_t t = 0; t < n; ++t)
    if (ranked[t] < -1 || ranked[t] >= num_items_)
      invalid_argument("ranking metrics: ranked item ", ranked[t], " out of range [0, ", num_items_,
                       ")");
  if (relevant.empty()) {
    ++sum_.skipped_users;
    return;
  }
  const UserRankingMetrics m = user_ranking_metrics(ranked, relevant, k_);
  ++sum_.users;
  sum_.hr += m.hr;
  sum_.precision += m.precision;
  sum_.recall += m.recall;
  sum_.ndcg += m.ndcg;
  sum_.map += m.ap;
  sum_.mrr += m.rr;
  for (size_t t = 0; t < n; ++t)
    if (ranked[t] >= 0 && !seen_[ranked[t]]) {
      seen_[ranked[t]] = true;
      ++distinct_;
    }
}

RankingSummary RankingEvaluator::summary() const {
  RankingSummary s = sum_;
  if (s.users > 0) {
    const double n = static_cast<double>(s.users);
    s.hr /= n;
    s.precision /= n;
    s.recall /= n;
    s.ndcg /= n;
    s.map /= n;
    s.mrr /= n;
  }
  s.coverage = static_cast<double>(distinct_) / num_items_;
  return s;
}

RatingErrors rating_errors(std::span<const float> truth, std::span<const float> predicted) {
  if (truth.size() != predicted.size())
    invalid_argument("rating errors: ", truth.size(), " true ratings but ", predicted.size(),
                     " predictions");
  if (truth.empty()) invalid_argument("rating errors: no ratings to evaluate");
  double sq = 0, abs = 0;
  for (size_t r = 0; r < truth.size(); ++r) {
    const double e = static_cast<double>(truth[r]) - predicted[r];
    sq += e * e;
    abs += std::abs(e);
  }
  RatingErrors out;
  out.n = truth.size();
  out.rmse = std::sqrt(sq / static_cast<double>(out.n));
  out.mae = abs / static_cast<double>(out.n);
  return out;
}

}  // namespace rlrec::eval
