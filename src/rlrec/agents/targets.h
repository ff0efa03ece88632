// The TD targets of the value-based agents as pure functions (torch-free; tested with hand-worked
// numbers in targets_test.cc). The agents gather their inputs from the replay and call these; the
// arithmetic (type and order of operations) is what the agents have always done, so the numbers
// are bit-identical.
//
//   td_target:          y = r + γ (1 − terminal) V(s')                  (every agent; T = float
//                       for Wolpertinger and full-slate Q, double for SlateQ)
//   slateq_next_value:  SlateQ's V(s') = Q̄(s', ⊥) + Σ_{j∈A'} P(j | s', A') (Q̄(s', j) − Q̄(s', ⊥))
//                       with A' the slate served next (SARSA, when it exists) or the slate chosen
//                       by an optimizer over the next candidates (Q-learning; SARSA after a
//                       truncation: the serving optimizer). slate_optim.h gives P and the
//                       optimizers.
#pragma once

#include <cstdint>

#include "rlrec/agents/slate_optim.h"

namespace rlrec::agents {

template <class T>
T td_target(T reward, T gamma, T terminal, T next_value) {
  return reward + gamma * (1 - terminal) * next_value;
}

// v: the next candidates' attractions (n), qrel: Q̄(s', i) − q0 (n), v0: the no-choice attraction,
// q0: Q̄(s', ⊥) (0 without a null-item value). served: the next slate (k positions) or nullptr;
// optimizer: used when served == nullptr. scratch: k entries.
inline double slateq_next_value(const double* v, const double* qrel, double v0, double q0, int n,
                                int k, const int32_t* served, SlateOptimizer optimizer,
                                int32_t* scratch) {
  const int32_t* slate = served;
  if (slate == nullptr) {
    optimize_slate(optimizer, v, qrel, v0, n, k, scratch);
    slate = scratch;
  }
  return q0 + slate_value(v, qrel, v0, slate, k);
}

}  // namespace rlrec::agents
