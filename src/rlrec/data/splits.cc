#include "rlrec/data/splits.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "rlrec/core/error.h"
#include "rlrec/core/rng.h"

namespace rlrec::data {

namespace {

// Builds a split from a per-row flag (true = test), keeping input order in both parts.
Split split_by_flag(const InteractionLog& log, const std::vector<char>& is_test) {
  std::vector<size_t> train_rows, test_rows;
  for (size_t r = 0; r < log.size(); ++r) (is_test[r] ? test_rows : train_rows).push_back(r);
  return {log.subset(train_rows), log.subset(test_rows)};
}

// A permutation of 0..n-1 (Fisher-Yates with the given stream).
std::vector<size_t> permutation(size_t n, Rng& rng) {
  std::vector<size_t> p(n);
  std::iota(p.begin(), p.end(), size_t{0});
  for (size_t i = n; i > 1; --i) std::swap(p[i - 1], p[rng.uniform_int(i)]);
  return p;
}

void check_nonempty(const InteractionLog& log, const char* what) {
  if (log.size() == 0) invalid_argument(what, ": the interaction log is empty");
}

// Marks, per user, the last `test_count(c)` rows by (timestamp, row) as test.
template <class TestCount>
Split per_user_temporal(const InteractionLog& log, TestCount test_count) {
  // Group rows by user (counting sort keeps row order within a user).
  const size_t users = static_cast<size_t>(log.num_users());
  std::vector<size_t> start(users + 1, 0);
  for (int32_t u : log.user) ++start[static_cast<size_t>(u) + 1];
  std::partial_sum(start.begin(), start.end(), start.begin());
  std::vector<size_t> rows(log.size()), next(start.begin(), start.end() - 1);
  for (size_t r = 0; r < log.size(); ++r) rows[next[static_cast<size_t>(log.user[r])]++] = r;

  std::vector<char> is_test(log.size(), 0);
  for (size_t u = 0; u < users; ++u) {
    const auto first = rows.begin() + static_cast<std::ptrdiff_t>(start[u]);
    const auto last = rows.begin() + static_cast<std::ptrdiff_t>(start[u + 1]);
    const size_t c = start[u + 1] - start[u];
    if (c < 2) continue;
    const size_t t = std::min(test_count(c), c - 1);
    if (t == 0) continue;
    // Rows are in increasing row order, so a stable sort by timestamp breaks ties by file order.
    std::stable_sort(first, last,
                     [&](size_t a, size_t b) { return log.timestamp[a] < log.timestamp[b]; });
    for (auto it = last - static_cast<std::ptrdiff_t>(t); it != last; ++it) is_test[*it] = 1;
  }
  return split_by_flag(log, is_test);
}

}  // namespace

Split random_holdout(const InteractionLog& log, double test_fraction, uint64_t seed) {
  if (!(test_fraction > 0.0 && test_fraction < 1.0))
    invalid_argument("test_fraction must be in (0, 1), got ", test_fraction);
  check_nonempty(log, "random_holdout");
  const size_t n = log.size();
  const auto n_test = static_cast<size_t>(std::llround(test_fraction * static_cast<double>(n)));
  if (n_test == 0 || n_test == n)
    invalid_argument("test_fraction ", test_fraction, " of ", n, " rows leaves ",
                     n_test == 0 ? "the test" : "the training", " set empty");
  Rng rng(seed, hash_name("data.random_holdout"));
  const std::vector<size_t> perm = permutation(n, rng);
  std::vector<char> is_test(n, 0);
  for (size_t k = 0; k < n_test; ++k) is_test[perm[k]] = 1;
  return split_by_flag(log, is_test);
}

Split temporal_last_n(const InteractionLog& log, int n) {
  if (n < 1) invalid_argument("temporal split: n must be >= 1 (test rows per user), got ", n);
  check_nonempty(log, "temporal_last_n");
  return per_user_temporal(log, [n](size_t) { return static_cast<size_t>(n); });
}

Split temporal_last_fraction(const InteractionLog& log, double fraction) {
  if (!(fraction > 0.0 && fraction < 1.0))
    invalid_argument("temporal split: fraction must be in (0, 1), got ", fraction);
  check_nonempty(log, "temporal_last_fraction");
  return per_user_temporal(log, [fraction](size_t c) {
    return static_cast<size_t>(std::llround(fraction * static_cast<double>(c)));
  });
}

Split leave_one_out(const InteractionLog& log) {
  check_nonempty(log, "leave_one_out");
  return temporal_last_n(log, 1);
}

std::vector<int> k_fold_assignment(const InteractionLog& log, int k, uint64_t seed) {
  if (k < 2) invalid_argument("k_fold: k must be >= 2, got ", k);
  if (static_cast<size_t>(k) > log.size())
    invalid_argument("k_fold: k must be <= the number of rows (", log.size(), "), got ", k);
  Rng rng(seed, hash_name("data.k_fold"));
  const std::vector<size_t> perm = permutation(log.size(), rng);
  std::vector<int> fold(log.size());
  for (size_t j = 0; j < perm.size(); ++j)
    fold[perm[j]] = static_cast<int>(j % static_cast<size_t>(k));
  return fold;
}

Split fold_split(const InteractionLog& log, const std::vector<int>& assignment, int fold) {
  if (assignment.size() != log.size())
    invalid_argument("fold_split: assignment has ", assignment.size(), " entries for ", log.size(),
                     " rows");
  std::vector<char> is_test(log.size());
  for (size_t r = 0; r < log.size(); ++r) is_test[r] = assignment[r] == fold;
  return split_by_flag(log, is_test);
}

std::vector<Split> k_fold(const InteractionLog& log, int k, uint64_t seed) {
  const std::vector<int> assignment = k_fold_assignment(log, k, seed);
  std::vector<Split> splits;
  splits.reserve(static_cast<size_t>(k));
  for (int f = 0; f < k; ++f) splits.push_back(fold_split(log, assignment, f));
  return splits;
}

Split movielens_split(const std::string& ml100k_dir, std::string_view name, UnseenPolicy policy,
                      AlignReport* report) {
  static const std::vector<std::string> kNames = {"u1", "u2", "u3", "u4", "u5", "ua", "ub"};
  if (std::find(kNames.begin(), kNames.end(), name) == kNames.end())
    throw_unknown("MovieLens 100K split", name, kNames);
  std::string dir = ml100k_dir;
  if (!dir.empty() && dir.back() != '/') dir += '/';
  LoadOptions options;
  options.format = Format::kMovieLens100K;
  const std::string stem = dir + std::string(name);
  InteractionLog train = load_interactions(stem + ".base", options);
  const InteractionLog test = load_interactions(stem + ".test", options);
  InteractionLog aligned = align_to(test, train, policy, report);
  return {std::move(train), std::move(aligned)};
}

Split movielens_fold(const std::string& ml100k_dir, int fold, UnseenPolicy policy,
                     AlignReport* report) {
  if (fold < 1 || fold > 5)
    invalid_argument("MovieLens 100K fold must be 1..5 (u1..u5), got ", fold);
  return movielens_split(ml100k_dir, str_cat("u", fold), policy, report);
}

}  // namespace rlrec::data
