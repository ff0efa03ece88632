// Slate off-policy estimators. A logged slate i shows items s_i1..s_iL in L slots with slot rewards
// r_il; the slate reward is sum_l r_il and V(pi_e) = E[sum_l r_l] per slate.
//
//   sips  standard slate IPS: V = 1/n sum_i [pi_e(s_i|x_i) / pi_b(s_i|x_i)] sum_l r_il.
//         Unbiased with no assumption on the reward; variance grows exponentially with L.
//   iips  independent IPS (Li, Kim & Zitouni 2018, "Offline Evaluation of Ranking Policies with
//         Click Models", KDD): V = 1/n sum_i sum_l [pi_e(s_il at l|x_i) / pi_b(s_il at l|x_i)]
//         r_il, from slot marginals; unbiased when r_l depends only on the item in slot l.
//   rips  reward-interaction IPS (McInerney et al. 2020, "Counterfactual Evaluation of Slate
//         Recommendations with Sequential Reward Interactions", KDD; OBP's cascade form):
//         V = 1/n sum_i sum_l [pi_e(s_i1..s_il|x_i) / pi_b(s_i1..s_il|x_i)] r_il, unbiased under
//         the cascade assumption (r_l depends on slots 1..l only).
//   pi    pseudo-inverse (Swaminathan et al. 2017, "Off-policy evaluation for slate
//         recommendation", NeurIPS): V = 1/n sum_i (sum_l r_il) q_i^T Gamma^+ 1_{s_i}, where 1_s is
//         the L*A indicator of (slot, item) pairs of s, q_i = E_{pi_e}[1_s | x_i] (the target's
//         slot marginals) and Gamma = E_{pi_b}[1_s 1_s^T]; unbiased when the slate reward is linear
//         in the slot-item indicators. Deviation: Gamma is context free (one L*A x L*A matrix, its
//         Moore-Penrose pseudo-inverse computed once with Eigen's complete orthogonal
//         decomposition); helpers build it for uniform logging without repetition and for
//         independent slots. Tested by the identity E_{pi_b}[w(s) 1_s] = q (exact enumeration).
// Each returns Terms (estimators.h), so bootstrap_estimate gives its CI.
#pragma once

#include <cstdint>
#include <vector>

#include "rlrec/ope/bandit_data.h"
#include "rlrec/ope/estimators.h"

namespace rlrec::ope {

struct SlateData {
  int n_actions = 0;
  int slate_size = 0;          // L
  std::vector<int32_t> item;   // n x L: s_il
  std::vector<double> reward;  // n x L: r_il
  // Behaviour and target probabilities, n x L each:
  std::vector<double> pb_slot, pe_slot;        // pi(s_il at slot l | x_i)
  std::vector<double> pb_cascade, pe_cascade;  // pi(s_i1..s_il | x_i); at l = L-1: the whole slate
  size_t size() const { return slate_size ? item.size() / slate_size : 0; }
};

// Throws on shape mismatch, items out of range, behaviour probabilities <= 0 or > 1, target
// probabilities outside [0, 1] ("<source>: slate <i> slot <l>: ...").
void validate(const SlateData& d, const std::string& source);

Terms sips_terms(const SlateData& d);
Terms iips_terms(const SlateData& d);
Terms rips_terms(const SlateData& d);

// Gamma for uniform slates of L distinct items out of A: E[1{s_l=a} 1{s_m=b}] =
// 1/A (l=m, a=b); 1/(A(A-1)) (l!=m, a!=b); 0 otherwise. Row-major (L*A)^2, index l*A + a.
std::vector<double> gamma_uniform_without_replacement(int n_actions, int slate_size);
// Gamma for independent slots with marginals p[a * L + l]: p_l(a) p_m(b) (l != m), p_l(a) (l=m,
// a=b).
std::vector<double> gamma_independent(const std::vector<double>& p, int n_actions, int slate_size);

// Pseudo-inverse estimator; target marginals q from dist (n_positions == L, shared or per slate).
Terms pi_terms(const SlateData& d, const ActionDist& target, const std::vector<double>& gamma);

}  // namespace rlrec::ope
