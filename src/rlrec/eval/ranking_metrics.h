// Offline metrics of recommendations against held-out data: full-ranking top-K metrics (binary
// relevance) and rating-prediction errors.
//
// Protocol the callers follow (see cli/cmd_mf.cc): for each test user, every item is scored, the
// user's train items are removed, the top K remaining items form `ranked`; `relevant` is the user's
// test items (not in train). Ranked lists come from models::top_k; ids are dense item ids, -1 is
// padding (fewer than K eligible items) and never relevant.
//
// Per-user definitions (hits = relevant items among the first K of `ranked`, rank from 1):
//   HR@K        1 if hits > 0 else 0
//   Precision@K hits / K                     (K, not the list length: padding counts as a miss)
//   Recall@K    hits / |relevant|
//   NDCG@K      DCG / IDCG, DCG = sum over relevant ranked items of 1 / log2(rank + 1),
//               IDCG = sum_{r=1}^{min(|relevant|, K)} 1 / log2(r + 1)
//   AP@K        (1 / min(|relevant|, K)) * sum over relevant ranked items of Precision@rank
//   RR@K        1 / rank of the first relevant item in the top K, 0 if none (MRR@K = its mean)
// Aggregates are means over users with a non-empty relevant set (users without one are counted in
// skipped_users, not averaged as zeros). Catalogue coverage@K = distinct items appearing in any
// evaluated user's top K / num_items.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace rlrec::eval {

struct UserRankingMetrics {
  double hr = 0, precision = 0, recall = 0, ndcg = 0, ap = 0, rr = 0;
};

// `relevant` must be sorted ascending without duplicates (throws rlrec::Error otherwise); only the
// first k entries of `ranked` are read. k >= 1.
UserRankingMetrics user_ranking_metrics(std::span<const int32_t> ranked,
                                        std::span<const int32_t> relevant, int k);

struct RankingSummary {
  int k = 0;
  int64_t users = 0;          // users averaged over
  int64_t skipped_users = 0;  // users added with no relevant item
  double hr = 0, precision = 0, recall = 0, ndcg = 0, map = 0, mrr = 0;
  double coverage = 0;  // distinct recommended items / num_items
};

// Accumulates users one at a time, in a fixed order (so sums are deterministic).
class RankingEvaluator {
 public:
  // k >= 1 and num_items >= 1 (throws rlrec::Error otherwise).
  RankingEvaluator(int k, int32_t num_items);
  // Ranked item ids must be -1 or in [0, num_items).
  void add(std::span<const int32_t> ranked, std::span<const int32_t> relevant);
  RankingSummary summary() const;

 private:
  int k_;
  int32_t num_items_;
  RankingSummary sum_;
  std::vector<bool> seen_;
  int64_t distinct_ = 0;
};

struct RatingErrors {
  size_t n = 0;
  double rmse = 0, mae = 0;
};
// RMSE and MAE of predictions against true ratings (same length, n >= 1; throws otherwise).
RatingErrors rating_errors(std::span<const float> truth, std::span<const float> predicted);

}  // namespace rlrec::eval
