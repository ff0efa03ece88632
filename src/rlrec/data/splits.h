// Train/test splits of an interaction log.
//
// Every split returns {train, test} sharing the input's IdMaps (dense ids unchanged), with rows
// kept in their input order inside each part; every input row lands in exactly one part. Random
// splits are deterministic functions of (log, seed): they draw from Rng(seed, hash_name(<split
// name>)).
//
// Per-user temporal splits order each user's rows by timestamp, ties broken by row order (file
// order), and put the latest rows in test. Every user keeps at least one training row: a user with
// c rows gives min(n, c - 1) rows to test, so a user with a single row stays in train entirely.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "rlrec/data/interactions.h"
#include "rlrec/data/loaders.h"

namespace rlrec::data {

struct Split {
  InteractionLog train, test;
};

// A uniformly random set of round(test_fraction * size) rows is the test set. Requires
// 0 < test_fraction < 1 and a result with both parts non-empty.
Split random_holdout(const InteractionLog& log, double test_fraction, uint64_t seed);

// Per user, the last n rows (n >= 1) by timestamp are test (see the rule above).
Split temporal_last_n(const InteractionLog& log, int n);

// Per user with c rows, the last round(fraction * c) rows are test, at most c - 1. 0 < fraction
// < 1.
Split temporal_last_fraction(const InteractionLog& log, double fraction);

// Per user, the last row by timestamp is test (temporal_last_n(log, 1)).
Split leave_one_out(const InteractionLog& log);

// The rows shuffled and dealt round-robin into k folds (sizes differ by at most one); split f has
// fold f as test and the other folds as train. 2 <= k <= size. Each Split holds a full copy of the
// rows; for large logs use k_fold_assignment and build one split at a time.
std::vector<Split> k_fold(const InteractionLog& log, int k, uint64_t seed);
// The fold (0..k-1) of every row, as used by k_fold.
std::vector<int> k_fold_assignment(const InteractionLog& log, int k, uint64_t seed);
// The split with fold `fold` as test, given an assignment.
Split fold_split(const InteractionLog& log, const std::vector<int>& assignment, int fold);

// MovieLens 100K's own 5-fold split: `<dir>/u<fold>.base` is train, `<dir>/u<fold>.test` is test,
// aligned to train's ids with `policy` (u1..u5 test files contain a few items absent from their
// base file). fold is 1..5.
Split movielens_fold(const std::string& ml100k_dir, int fold,
                     UnseenPolicy policy = UnseenPolicy::kDrop, AlignReport* report = nullptr);
// Same for any of MovieLens 100K's splits by name: "u1".."u5", "ua", "ub" (ua/ub: 10 test ratings
// per user).
Split movielens_split(const std::string& ml100k_dir, std::string_view name,
                      UnseenPolicy policy = UnseenPolicy::kDrop, AlignReport* report = nullptr);

}  // namespace rlrec::data
