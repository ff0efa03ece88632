// Synthetic interaction logs with a planted structure, for the models/ tests (test-only header).
#pragma once

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "rlrec/core/rng.h"
#include "rlrec/data/interactions.h"

namespace rlrec::models::testing {

// Adds users "u0".."u{n-1}" and items "i0".."i{m-1}" so dense id == index.
inline void add_ids(data::InteractionLog& log, int users, int items) {
  // (append, not "u" + to_string: GCC 12 -Wrestrict false positive at -O3)
  for (int u = 0; u < users; ++u) log.users.add(std::string("u").append(std::to_string(u)));
  for (int i = 0; i < items; ++i) log.items.add(std::string("i").append(std::to_string(i)));
}

// Explicit ratings from a planted rank-`rank` model:
//   r_ui = 3 + b_u + b_i + p_u . q_i + noise,  b ~ N(0, 0.3^2), p, q ~ N(0, 1/rank), noise ~ N(0,
//   noise^2)
// observed on a random `density` fraction of pairs; each observed pair lands in test with
// probability test_fraction (train keeps every user and item id).
struct ExplicitData {
  data::InteractionLog train, test;
  double signal_std = 0;  // standard deviation of the noiseless ratings around their mean
};

inline ExplicitData planted_explicit(int users, int items, int rank, double density, double noise,
                                     double test_fraction, uint64_t seed) {
  Rng rng(seed, 1);
  std::vector<double> p(static_cast<size_t>(users) * rank), q(static_cast<size_t>(items) * rank);
  std::vector<double> bu(users), bi(items);
  const double s = 1.0 / std::sqrt(static_cast<double>(rank));
  for (auto& x : p) x = rng.normal(0, s);
  for (auto& x : q) x = rng.normal(0, s);
  for (auto& x : bu) x = rng.normal(0, 0.3);
  for (auto& x : bi) x = rng.normal(0, 0.3);
  ExplicitData d;
  add_ids(d.train, users, items);
  add_ids(d.test, users, items);
  double sum = 0, sum2 = 0;
  size_t n = 0;
  for (int u = 0; u < users; ++u)
    for (int i = 0; i < items; ++i) {
      if (!rng.bernoulli(density)) continue;
      double clean = 3 + bu[u] + bi[i];
      for (int f = 0; f < rank; ++f) clean += p[u * rank + f] * q[i * rank + f];
      sum += clean;
      sum2 += clean * clean;
      ++n;
      const float r = static_cast<float>(clean + rng.normal(0, noise));
      (rng.bernoulli(test_fraction) ? d.test : d.train).push_back(u, i, r, 0);
    }
  const double mean = sum / n;
  d.signal_std = std::sqrt(sum2 / n - mean * mean);
  return d;
}

// Implicit interactions with planted clusters: users and items each belong to one of `clusters`
// groups (round-robin). Each user has `per_user` distinct items, each drawn from the user's own
// group with probability `in_group`, else uniformly from all items. The last `test_per_user` of
// each user's items are the test set.
struct ImplicitData {
  data::InteractionLog train, test;
};

inline ImplicitData planted_implicit(int users, int items, int clusters, int per_user,
                                     double in_group, int test_per_user, uint64_t seed) {
  Rng rng(seed, 2);
  ImplicitData d;
  add_ids(d.train, users, items);
  add_ids(d.test, users, items);
  for (int u = 0; u < users; ++u) {
    const int g = u % clusters;
    std::vector<int> chosen;
    while (static_cast<int>(chosen.size()) < per_user) {
      int i;
      if (rng.bernoulli(in_group)) {
        const int in = (items - g + clusters - 1) / clusters;  // items i with i % clusters == g
        i = g + clusters * static_cast<int>(rng.uniform_int(in));
      } else {
        i = static_cast<int>(rng.uniform_int(items));
      }
      if (std::find(chosen.begin(), chosen.end(), i) == chosen.end()) chosen.push_back(i);
    }
    for (int t = 0; t < per_user; ++t)
      (t >= per_user - test_per_user ? d.test : d.train).push_back(u, chosen[t], 1.0f, t);
  }
  return d;
}

}  // namespace rlrec::models::testing

#include "rlrec/models/ranking.h"
#include "rlrec/models/sparse.h"

namespace rlrec::models::testing {

// Mean over test rows (u, i) of the fraction of u's candidate items (not in u's train or test rows)
// that score strictly below i: the held-out AUC. 0.5 for random scores.
inline double heldout_auc(const BlockScorer& scorer, const data::InteractionLog& train,
                          const data::InteractionLog& test) {
  const Csr tr = user_item_matrix(train, Duplicates::kSum);
  const Csr te = user_item_matrix(test, Duplicates::kSum);
  const int32_t ni = train.num_items();
  std::vector<float> s(static_cast<size_t>(ni));
  double total = 0;
  size_t count = 0;
  for (int32_t u = 0; u < te.rows; ++u) {
    if (te.row_indices(u).empty()) continue;
    const int32_t users[1] = {u};
    scorer(users, MatrixView<float>(s.data(), 1, static_cast<size_t>(ni)));
    for (int32_t i : te.row_indices(u)) {
      size_t below = 0, cand = 0;
      for (int32_t j = 0; j < ni; ++j) {
        if (tr.contains(u, j) || te.contains(u, j)) continue;
        ++cand;
        below += s[j] < s[i];
      }
      total += static_cast<double>(below) / static_cast<double>(cand);
      ++count;
    }
  }
  return total / static_cast<double>(count);
}

// Mean over users with test rows of |top-k (train excluded) ∩ test| / |test|.
inline double recall_at(const BlockScorer& scorer, const data::InteractionLog& train,
                        const data::InteractionLog& test, int k) {
  const Csr tr = user_item_matrix(train, Duplicates::kSum);
  const Csr te = user_item_matrix(test, Duplicates::kSum);
  std::vector<int32_t> users;
  for (int32_t u = 0; u < te.rows; ++u)
    if (!te.row_indices(u).empty()) users.push_back(u);
  ThreadPool pool(1);
  const Matrix<int32_t> top = top_k(users, train.num_items(), k, scorer, &tr, pool);
  double sum = 0;
  for (size_t r = 0; r < users.size(); ++r) {
    int hits = 0;
    for (int t = 0; t < k; ++t) hits += top(r, t) >= 0 && te.contains(users[r], top(r, t));
    sum += static_cast<double>(hits) / static_cast<double>(te.row_indices(users[r]).size());
  }
  return sum / static_cast<double>(users.size());
}

}  // namespace rlrec::models::testing
