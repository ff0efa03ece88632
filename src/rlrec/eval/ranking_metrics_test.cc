#include "rlrec/eval/ranking_metrics.h"

#include <gtest/gtest.h>

#include <vector>

#include "rlrec/core/error.h"

namespace rlrec::eval {
namespace {

// log2(3) = 1.5849625, log2(5) = 2.3219281
constexpr double kInvLog2_3 = 0.63092975357;  // 1 / log2(3)
constexpr double kInvLog2_5 = 0.43067655807;  // 1 / log2(5)

TEST(UserRankingMetrics, HandWorkedListAtSeveralCutoffs) {
  // ranked 5, 3, 9, 1, 7; relevant {1, 3, 8}: hits at ranks 2 (item 3) and 4 (item 1).
  const std::vector<int32_t> ranked = {5, 3, 9, 1, 7}, relevant = {1, 3, 8};
  // K = 5: HR 1; P 2/5; R 2/3; DCG = 1/log2(3) + 1/log2(5) = 1.0616063;
  // IDCG (min(3, 5) = 3 ideal hits) = 1 + 1/log2(3) + 1/log2(4) = 2.1309298 -> NDCG 0.4981893;
  // AP = (P@2 + P@4) / min(3, 5) = (1/2 + 2/4) / 3 = 1/3; RR = 1/2.
  auto m = user_ranking_metrics(ranked, relevant, 5);
  EXPECT_DOUBLE_EQ(m.hr, 1);
  EXPECT_DOUBLE_EQ(m.precision, 0.4);
  EXPECT_DOUBLE_EQ(m.recall, 2.0 / 3);
  EXPECT_NEAR(m.ndcg, (kInvLog2_3 + kInvLog2_5) / (1 + kInvLog2_3 + 0.5), 1e-10);
  EXPECT_NEAR(m.ndcg, 0.4981893, 1e-7);
  EXPECT_DOUBLE_EQ(m.ap, 1.0 / 3);
  EXPECT_DOUBLE_EQ(m.rr, 0.5);
  // K = 3: only the hit at rank 2: P 1/3, R 1/3, NDCG 0.6309298 / 2.1309298 = 0.2960819,
  // AP = (1/2) / min(3, 3) = 1/6, RR 1/2.
  m = user_ranking_metrics(ranked, relevant, 3);
  EXPECT_DOUBLE_EQ(m.precision, 1.0 / 3);
  EXPECT_DOUBLE_EQ(m.recall, 1.0 / 3);
  EXPECT_NEAR(m.ndcg, 0.2960819, 1e-7);
  EXPECT_DOUBLE_EQ(m.ap, 1.0 / 6);
  EXPECT_DOUBLE_EQ(m.rr, 0.5);
  // K = 1: item 5 is not relevant: everything 0.
  m = user_ranking_metrics(ranked, relevant, 1);
  EXPECT_EQ(m.hr, 0);
  EXPECT_EQ(m.ndcg, 0);
  EXPECT_EQ(m.ap, 0);
  EXPECT_EQ(m.rr, 0);
}

TEST(UserRankingMetrics, PerfectRankingScoresOneAndPaddingIsAMiss) {
  const std::vector<int32_t> perfect = {4, 2, 6}, relevant = {2, 4};
  auto m = user_ranking_metrics(perfect, relevant, 2);
  EXPECT_DOUBLE_EQ(m.ndcg, 1);
  EXPECT_DOUBLE_EQ(m.ap, 1);
  EXPECT_DOUBLE_EQ(m.precision, 1);
  EXPECT_DOUBLE_EQ(m.recall, 1);
  // A padded list [2, -1, -1] with K = 3 and relevant {2}: P = 1/3 (padding counts as a miss).
  const std::vector<int32_t> padded = {2, -1, -1}, one = {2};
  m = user_ranking_metrics(padded, one, 3);
  EXPECT_DOUBLE_EQ(m.precision, 1.0 / 3);
  EXPECT_DOUBLE_EQ(m.ndcg, 1);
}

TEST(RankingEvaluator, AveragesOverUsersAndCountsCoverage) {
  RankingEvaluator ev(5, 10);
  ev.add(std::vector<int32_t>{5, 3, 9, 1, 7}, std::vector<int32_t>{1, 3, 8});
  // Second user: ranked [2, 4] (shorter than K), relevant {4}: hit at rank 2: HR 1, P 1/5, R 1,
  // NDCG (1/log2(3)) / 1 = 0.6309298, AP (1/2) / 1 = 0.5, RR 0.5.
  ev.add(std::vector<int32_t>{2, 4}, std::vector<int32_t>{4});
  ev.add(std::vector<int32_t>{0, 1}, std::vector<int32_t>{});  // no relevant item: skipped
  const RankingSummary s = ev.summary();
  EXPECT_EQ(s.k, 5);
  EXPECT_EQ(s.users, 2);
  EXPECT_EQ(s.skipped_users, 1);
  EXPECT_DOUBLE_EQ(s.hr, 1);
  EXPECT_DOUBLE_EQ(s.precision, (0.4 + 0.2) / 2);
  EXPECT_DOUBLE_EQ(s.recall, (2.0 / 3 + 1) / 2);
  EXPECT_NEAR(s.ndcg, (0.4981893 + 0.6309298) / 2, 1e-7);
  EXPECT_DOUBLE_EQ(s.map, (1.0 / 3 + 0.5) / 2);
  EXPECT_DOUBLE_EQ(s.mrr, 0.5);
  // Recommended items of evaluated users: {5, 3, 9, 1, 7, 2, 4} = 7 of 10 (the skipped user's
  // list is not counted).
  EXPECT_DOUBLE_EQ(s.coverage, 0.7);
}

TEST(RankingEvaluator, RejectsBadInput) {
  EXPECT_THROW(RankingEvaluator(0, 10), Error);
  RankingEvaluator ev(3, 10);
  EXPECT_THROW(ev.add(std::vector<int32_t>{10}, std::vector<int32_t>{1}), Error);
  try {
    ev.add(std::vector<int32_t>{1}, std::vector<int32_t>{3, 1});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              "ranking metrics: relevant items must be sorted and unique, got 3 before 1");
  }
}

TEST(RatingErrors, HandWorked) {
  // errors 0.5, 0, 1: MAE 0.5, RMSE sqrt((0.25 + 0 + 1) / 3) = 0.6454972
  const std::vector<float> truth = {1, 2, 3}, pred = {1.5f, 2, 2};
  const RatingErrors e = rating_errors(truth, pred);
  EXPECT_EQ(e.n, 3u);
  EXPECT_DOUBLE_EQ(e.mae, 0.5);
  EXPECT_NEAR(e.rmse, 0.6454972, 1e-7);
  EXPECT_THROW(rating_errors(truth, std::vector<float>{1}), Error);
  EXPECT_THROW(rating_errors(std::vector<float>{}, std::vector<float>{}), Error);
}

}  // namespace
}  // namespace rlrec::eval
