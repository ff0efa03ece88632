// Plackett-Luce slates: K items drawn one by one without replacement from a base distribution p
// over N candidates (softmax sampling of a slate). Used by the stochastic baselines
// (softmax_myopic, biased_softmax) and by topk_reinforce's Boltzmann serving, and by the log
// collector for per-slot propensities.
//
//   P(slate s) = Π_k p[s_k] / (1 − Σ_{j<k} p[s_j])          (the k-th factor: "conditional")
//   P(candidate i in slot k) = Σ over ordered prefixes (s_0..s_{k-1}) not containing i of
//                              P(prefix) · p[i] / (1 − Σ p[prefix])     (exact; O(N^k) per slot)
#pragma once

#include <cstdint>
#include <vector>

#include "rlrec/core/rng.h"
#include "rlrec/sim/vector_env.h"

namespace rlrec::sim {

// Optional interface of policies that sample slates sequentially: the conditional factor of each
// slot of `slate` (K values) for row `row` of `obs`. The log collector asks for it by dynamic_cast.
class SequentialPropensities {
 public:
  virtual ~SequentialPropensities() = default;
  virtual bool slot_conditionals(const Observation& obs, int row, const int32_t* slate,
                                 double* cond) const = 0;
};

// p[i] = exp(logits[i] - max) / Σ (numerically stable softmax over n entries).
void softmax(const double* logits, int n, double* p);

// Draws k distinct positions from p (n entries, sum 1) sequentially without replacement; O(n k).
void pl_sample(const double* p, int n, int k, Rng& rng, int32_t* out);

// The conditional factors of `slate` (k positions) under p; returns their product.
double pl_conditionals(const double* p, int n, const int32_t* slate, int k, double* cond);

// Exact slot marginals out[j * n + i] = P(i in slot j), j < k. Returns false (out untouched) when
// the enumeration would exceed `budget` operations (n^k grows fast: exact only for small n, k).
bool pl_slot_marginals(const double* p, int n, int k, double* out, double budget = 4e6);

}  // namespace rlrec::sim
