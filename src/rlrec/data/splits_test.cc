#include "rlrec/data/splits.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <set>

#include "rlrec/core/error.h"
#include "rlrec/core/rng.h"
#include "rlrec/core/testing.h"

namespace rlrec::data {
namespace {

// A log whose rating is the row number (so rows can be traced through splits): 40 users with 1..12
// rows each, timestamps drawn from a small range so that ties occur.
InteractionLog make_log(uint64_t seed = 7) {
  Rng rng(seed);
  InteractionLog log;
  std::vector<std::pair<int, int>> rows;  // (user, item)
  for (int u = 0; u < 40; ++u) {
    const int c = 1 + u % 12;
    for (int k = 0; k < c; ++k) rows.emplace_back(u, static_cast<int>(rng.uniform_int(30)));
  }
  // Shuffle so a user's rows are spread over the file.
  for (size_t i = rows.size(); i > 1; --i) std::swap(rows[i - 1], rows[rng.uniform_int(i)]);
  for (const auto& [u, i] : rows) {
    // (std::string += rather than "u" + to_string: GCC 12 gives a false -Wrestrict for the latter.)
    std::string user_id = "u", item_id = "i";
    user_id += std::to_string(u);
    item_id += std::to_string(i);
    const int32_t du = log.users.add(user_id);
    const int32_t di = log.items.add(item_id);
    log.push_back(du, di, static_cast<float>(log.size()),
                  static_cast<int64_t>(rng.uniform_int(20)));
  }
  return log;
}

std::vector<int> row_ids(const InteractionLog& log) {
  std::vector<int> ids;
  for (float r : log.rating) ids.push_back(static_cast<int>(r));
  return ids;
}

// Train and test partition the rows of `log`, keep its id maps and keep input order.
void expect_partition(const InteractionLog& log, const Split& s) {
  EXPECT_EQ(s.train.size() + s.test.size(), log.size());
  EXPECT_EQ(s.train.num_users(), log.num_users());
  EXPECT_EQ(s.test.num_items(), log.num_items());
  std::vector<int> train = row_ids(s.train), test = row_ids(s.test);
  EXPECT_TRUE(std::is_sorted(train.begin(), train.end()));
  EXPECT_TRUE(std::is_sorted(test.begin(), test.end()));
  std::vector<int> all;
  std::merge(train.begin(), train.end(), test.begin(), test.end(), std::back_inserter(all));
  for (size_t k = 0; k < all.size(); ++k)
    ASSERT_EQ(all[k], static_cast<int>(k)) << "a row is lost or repeated";
  // Each row's content travels with it.
  for (const InteractionLog* part : {&s.train, &s.test})
    for (size_t k = 0; k < part->size(); ++k) {
      const auto r = static_cast<size_t>(part->rating[k]);
      EXPECT_EQ(part->user[k], log.user[r]);
      EXPECT_EQ(part->item[k], log.item[r]);
      EXPECT_EQ(part->timestamp[k], log.timestamp[r]);
    }
}

std::map<int32_t, int> rows_per_user(const InteractionLog& log) {
  std::map<int32_t, int> c;
  for (int32_t u : log.user) ++c[u];
  return c;
}

using test::error_of;

TEST(RandomHoldout, SizeDisjointAndDeterministic) {
  const InteractionLog log = make_log();
  const Split a = random_holdout(log, 0.25, 42);
  expect_partition(log, a);
  EXPECT_EQ(a.test.size(),
            static_cast<size_t>(std::llround(0.25 * static_cast<double>(log.size()))));
  const Split b = random_holdout(log, 0.25, 42);
  EXPECT_EQ(row_ids(a.test), row_ids(b.test));
  const Split c = random_holdout(log, 0.25, 43);
  EXPECT_NE(row_ids(a.test), row_ids(c.test));
  EXPECT_EQ(error_of([&] { random_holdout(log, 1.0, 1); }),
            "test_fraction must be in (0, 1), got 1");
  EXPECT_EQ(
      error_of([&] { random_holdout(log, 0.0001, 1); }),
      "test_fraction 0.0001 of " + std::to_string(log.size()) + " rows leaves the test set empty");
}

TEST(TemporalLastN, LatestRowsPerUserWithTiesByFileOrder) {
  const InteractionLog log = make_log();
  for (int n : {1, 3}) {
    const Split s = temporal_last_n(log, n);
    expect_partition(log, s);
    const auto total = rows_per_user(log), test = rows_per_user(s.test);
    for (const auto& [u, c] : total) {
      const int t = test.count(u) ? test.at(u) : 0;
      EXPECT_EQ(t, std::min(n, c - 1)) << "user " << u;
    }
    // Every test row of a user comes after every train row of that user in (timestamp, row) order.
    std::map<int32_t, std::pair<int64_t, int>> latest_train;
    for (size_t k = 0; k < s.train.size(); ++k) {
      const std::pair<int64_t, int> key{s.train.timestamp[k], static_cast<int>(s.train.rating[k])};
      auto& v = latest_train[s.train.user[k]];
      v = std::max(v, key);
    }
    for (size_t k = 0; k < s.test.size(); ++k) {
      const std::pair<int64_t, int> key{s.test.timestamp[k], static_cast<int>(s.test.rating[k])};
      EXPECT_GT(key, latest_train.at(s.test.user[k]));
    }
  }
  EXPECT_EQ(error_of([&] { temporal_last_n(log, 0); }),
            "temporal split: n must be >= 1 (test rows per user), got 0");
}

TEST(TemporalLastN, EqualTimestampsGoByFileOrder) {
  InteractionLog log;
  const int32_t u = log.users.add("u");
  for (int k = 0; k < 4; ++k)
    log.push_back(u, log.items.add(std::to_string(k)), 0.0f, k == 0 ? 9 : 5);
  const Split s = temporal_last_n(log, 2);
  // Order by (timestamp, row): rows 1, 2, 3 (t=5), then row 0 (t=9). The last two: rows 3 and 0.
  EXPECT_EQ(s.test.item, (std::vector<int32_t>{0, 3}));
  EXPECT_EQ(s.train.item, (std::vector<int32_t>{1, 2}));
}

TEST(TemporalLastFraction, CountsPerUser) {
  const InteractionLog log = make_log();
  const Split s = temporal_last_fraction(log, 0.3);
  expect_partition(log, s);
  const auto total = rows_per_user(log), test = rows_per_user(s.test);
  for (const auto& [u, c] : total) {
    const int t = test.count(u) ? test.at(u) : 0;
    EXPECT_EQ(t, std::min<int>(static_cast<int>(std::llround(0.3 * c)), c - 1))
        << "user " << u << " with " << c;
  }
  EXPECT_EQ(error_of([&] { temporal_last_fraction(log, 1.5); }),
            "temporal split: fraction must be in (0, 1), got 1.5");
}

TEST(LeaveOneOut, OneTestRowPerUserWithTwoOrMore) {
  const InteractionLog log = make_log();
  const Split s = leave_one_out(log);
  expect_partition(log, s);
  const auto total = rows_per_user(log), test = rows_per_user(s.test);
  size_t expected = 0;
  for (const auto& [u, c] : total) expected += c >= 2;
  EXPECT_EQ(s.test.size(), expected);
  for (const auto& [u, t] : test) EXPECT_EQ(t, 1);
  // Each test row holds its user's maximum timestamp.
  for (size_t k = 0; k < s.test.size(); ++k)
    for (size_t j = 0; j < s.train.size(); ++j)
      if (s.train.user[j] == s.test.user[k]) {
        EXPECT_LE(s.train.timestamp[j], s.test.timestamp[k]);
      }
}

TEST(KFold, EachRowTestedOnceAndDeterministic) {
  const InteractionLog log = make_log();
  const int k = 5;
  const std::vector<Split> folds = k_fold(log, k, 3);
  ASSERT_EQ(folds.size(), 5u);
  std::vector<int> times_tested(log.size(), 0);
  size_t min_size = log.size(), max_size = 0;
  for (const Split& f : folds) {
    expect_partition(log, f);
    for (int r : row_ids(f.test)) ++times_tested[static_cast<size_t>(r)];
    min_size = std::min(min_size, f.test.size());
    max_size = std::max(max_size, f.test.size());
  }
  for (int t : times_tested) EXPECT_EQ(t, 1);
  EXPECT_LE(max_size - min_size, 1u);
  EXPECT_EQ(k_fold_assignment(log, k, 3), k_fold_assignment(log, k, 3));
  EXPECT_NE(k_fold_assignment(log, k, 3), k_fold_assignment(log, k, 4));
  EXPECT_EQ(row_ids(folds[2].test), row_ids(fold_split(log, k_fold_assignment(log, k, 3), 2).test));
  EXPECT_EQ(error_of([&] { k_fold(log, 1, 3); }), "k_fold: k must be >= 2, got 1");
}

TEST(Splits, EmptyLogIsAnError) {
  const InteractionLog empty;
  EXPECT_EQ(error_of([&] { leave_one_out(empty); }), "leave_one_out: the interaction log is empty");
  EXPECT_EQ(error_of([&] { k_fold(empty, 2, 1); }),
            "k_fold: k must be <= the number of rows (0), got 2");
}

const std::string kMl100k = RLREC_SHARED_DATA_DIR "/movielens-100k";

TEST(MovieLensFold, ArgumentErrors) {
  EXPECT_EQ(error_of([] { movielens_fold("/nowhere", 6); }),
            "MovieLens 100K fold must be 1..5 (u1..u5), got 6");
  EXPECT_EQ(error_of([] { movielens_fold("/nowhere", 1); }),
            "cannot open '/nowhere/u1.base': No such file or directory");
  EXPECT_NE(
      error_of([] { movielens_split("/nowhere", "uc"); }).find("unknown MovieLens 100K split 'uc'"),
      std::string::npos);
}

TEST(MovieLensFold, RealU1FoldAlignsTestToTrain) {
  if (!std::filesystem::exists(kMl100k + "/u1.base"))
    GTEST_SKIP() << "MovieLens 100K not found at " << kMl100k << ", skipping";
  AlignReport report;
  const Split s = movielens_fold(kMl100k, 1, UnseenPolicy::kDrop, &report);
  EXPECT_EQ(s.train.size(), 80000u);
  EXPECT_EQ(s.train.num_users(), 943);
  EXPECT_EQ(s.train.num_items(), 1650);
  // u1.test has 20000 rows; 32 of them rate an item absent from u1.base (counted with a script).
  EXPECT_EQ(report.kept + report.dropped_unseen_user + report.dropped_unseen_item, 20000u);
  EXPECT_EQ(report.dropped_unseen_user, 0u);
  EXPECT_EQ(report.dropped_unseen_item, 32u);
  EXPECT_EQ(s.test.size(), 19968u);
  EXPECT_EQ(s.test.num_items(), s.train.num_items());
  const std::string msg = error_of([] { movielens_fold(kMl100k, 1, UnseenPolicy::kError); });
  EXPECT_NE(msg.find("does not occur in the training data"), std::string::npos) << msg;
  AlignReport ua;
  const Split a = movielens_split(kMl100k, "ua", UnseenPolicy::kDrop, &ua);
  EXPECT_EQ(a.train.size(), 90570u);
  EXPECT_EQ(ua.kept + ua.dropped_unseen_item, 9430u);
  EXPECT_EQ(ua.dropped_unseen_item, 2u);
}

}  // namespace
}  // namespace rlrec::data
