// Logged bandit feedback for off-policy evaluation (OPE), in one generic form that the Open Bandit
// Dataset, simulator logs and synthetic data all feed.
//
// A *round* i is one logged decision: the behaviour policy pi_b showed action (item) a_i at
// position (slot) l_i in context x_i, observed reward r_i, and logged its propensity
// pscore_i = pi_b(a_i | x_i, l_i) (the probability of that item at that position). The evaluation
// (target) policy pi_e is given by its action distribution pi_e(a | x_i, l) for every round,
// action and position: OBP's `action_dist` (n_rounds x n_actions x n_positions). Context-free
// policies (Thompson sampling with a fixed posterior, a --target-dist file) share one
// n_actions x n_positions table across rounds, which keeps a 10^6-round log small.
//
// Conventions: actions are 0..n_actions-1, positions 0..n_positions-1 (0-based; OBD's file
// positions 1..3 become 0..2). Every estimator evaluates the target at the logged position l_i, so
// the value estimated is E[r] per round (per impression), as in OBP.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace rlrec::ope {

struct BanditData {
  int n_actions = 0;
  int n_positions = 1;
  std::vector<int32_t> action;    // n: a_i in [0, n_actions)
  std::vector<int32_t> position;  // n: l_i in [0, n_positions)
  std::vector<double> reward;     // n: r_i (finite)
  std::vector<double> pscore;     // n: pi_b(a_i | x_i, l_i) in (0, 1]

  size_t size() const { return action.size(); }
  // Rounds `rows` (repeats allowed: bootstrap resamples) in that order.
  BanditData subset(const std::vector<size_t>& rows) const;
};

// Target policy action distribution: p[(i * n_actions + a) * n_positions + l] when per_round,
// else p[a * n_positions + l] for every round.
struct ActionDist {
  int n_actions = 0;
  int n_positions = 0;
  bool per_round = false;
  std::vector<double> p;

  double at(size_t round, int a, int l) const {
    const size_t base = per_round ? round * static_cast<size_t>(n_actions) * n_positions : 0;
    return p[base + static_cast<size_t>(a) * n_positions + l];
  }
  // Rows of a per-round distribution (a shared one is returned unchanged).
  ActionDist subset(const std::vector<size_t>& rows) const;
};

// Checks shapes and values; throws rlrec::Error "<source>: round <i>: <problem>" on the first bad
// round: action or position out of range, propensity missing (NaN), <= 0 or > 1, reward not
// finite; or an empty log.
void validate(const BanditData& data, const std::string& source);

// Checks dist against data: same n_actions/n_positions, per-round size matches, every value in
// [0, 1], and for each position (and round) the probabilities sum to 1 within 1e-6.
void validate(const ActionDist& dist, const BanditData& data, const std::string& source);

}  // namespace rlrec::ope
