// Full ranking: score every item for every requested user, drop the user's train items, keep the
// top k. Plus the two reference rankers every offline evaluation is compared with: popularity and
// random. The metrics over the resulting lists live in eval/ranking_metrics.h.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "rlrec/core/matrix_view.h"
#include "rlrec/core/thread_pool.h"
#include "rlrec/models/mf_model.h"
#include "rlrec/models/sparse.h"

namespace rlrec::models {

// Writes out(r, i) = score of item i for users[r]; out is users.size() x num_items. Called
// concurrently from several threads on disjoint blocks, so it must be thread-safe.
using BlockScorer = std::function<void(std::span<const int32_t> users, MatrixView<float> out)>;

// model.score_block (one matrix product per block of users).
BlockScorer mf_scorer(const MfModel& model);
// The same score for every user: scores[i] (e.g. item_popularity).
BlockScorer constant_scorer(std::vector<float> scores);
// Independent uniform [0, 1) scores; user u's come from the stream (seed, u), so they do not depend
// on the block or thread layout.
BlockScorer random_scorer(uint64_t seed);

// Number of users with a stored entry per item (column counts of user_items): the popularity
// baseline's score.
std::vector<float> item_popularity(const Csr& user_items);

// The k best items per user, by score descending (ties: smaller item id first), never an item
// stored in row users[r] of `exclude` (the train items; may be null). Rows with fewer than k
// eligible items are padded with -1. Returns users.size() x k. Users are scored in fixed blocks of
// 256, so the result does not depend on the pool size. Non-finite scores rank last.
Matrix<int32_t> top_k(std::span<const int32_t> users, int32_t num_items, int k,
                      const BlockScorer& scorer, const Csr* exclude, ThreadPool& pool);

}  // namespace rlrec::models
