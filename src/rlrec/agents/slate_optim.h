// Slate optimizers for SlateQ (Ie et al. 2019, "SlateQ: A Tractable Decomposition for
// Reinforcement Learning with Recommendation Sets", IJCAI; arXiv 1905.12767 §4.2).
//
// Under a conditional-logit choice model with attractions v_i >= 0 and a no-choice attraction
// v0 >= 0, the value of a slate A of K distinct candidates is
//     Q(A) = Σ_{i∈A} v_i q_i / (v0 + Σ_{i∈A} v_i)
// where q_i is the item-wise long-term value Q̄(s, i). The optimizers choose A:
//   top_k   (TS): the K largest v_i q_i.                       O(n log K)
//   greedy  (GS): add the item maximizing (num + v_i q_i)/(den + v_i), K times, from num = 0,
//                 den = v0.                                     O(n K)
//   exact   (OS): the optimum of the fractional program. Instead of the paper's LP (Charnes-Cooper)
//                 we use Dinkelbach's parametric method: λ ← Q(A_λ) with A_λ = top-K of v_i(q_i -
//                 λ), repeated until A stops changing; for a cardinality constraint each step is a
//                 selection, it converges in a few iterations, and it returns the LP's optimum
//                 (checked against brute force in the tests). About a microsecond at n = 20, K = 3.
//   brute_force: enumerates all K-subsets (tests only).
// Output: K positions, ordered by v_i q_i descending (for order-sensitive displays), ties by
// lower position. Deviation from RecSim: its greedy slate is returned sorted by index.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace rlrec::agents {

enum class SlateOptimizer { kTopK, kGreedy, kExact };
SlateOptimizer parse_slate_optimizer(std::string_view name);  // "top_k", "greedy", "exact"

// Value of the slate `slate` (K positions).
double slate_value(const double* v, const double* q, double v0, const int32_t* slate, int k);

// Writes K positions into `slate`. n >= k >= 1; v_i >= 0, v0 >= 0, v0 + Σ v > 0 for any slate.
void optimize_slate(SlateOptimizer kind, const double* v, const double* q, double v0, int n, int k,
                    int32_t* slate);
void slate_top_k(const double* v, const double* q, double v0, int n, int k, int32_t* slate);
void slate_greedy(const double* v, const double* q, double v0, int n, int k, int32_t* slate);
void slate_exact(const double* v, const double* q, double v0, int n, int k, int32_t* slate);
void slate_brute_force(const double* v, const double* q, double v0, int n, int k, int32_t* slate);

}  // namespace rlrec::agents
