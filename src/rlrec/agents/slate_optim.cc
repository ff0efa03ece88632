#include "rlrec/agents/slate_optim.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "rlrec/core/error.h"

namespace rlrec::agents {

SlateOptimizer parse_slate_optimizer(std::string_view name) {
  if (name == "top_k") return SlateOptimizer::kTopK;
  if (name == "greedy") return SlateOptimizer::kGreedy;
  if (name == "exact") return SlateOptimizer::kExact;
  const std::vector<std::string> known{"top_k", "greedy", "exact"};
  throw_unknown("slate optimizer", name, known);
}

double slate_value(const double* v, const double* q, double v0, const int32_t* slate, int k) {
  double num = 0, den = v0;
  for (int i = 0; i < k; ++i) {
    num += v[slate[i]] * q[slate[i]];
    den += v[slate[i]];
  }
  return den > 0 ? num / den : 0;
}

namespace {

// Top-k positions by key (descending, ties by lower position) into out; idx is scratch of size n.
template <class Key>
void select_top(int n, int k, Key key, int32_t* out, int32_t* idx) {
  std::iota(idx, idx + n, 0);
  auto better = [&](int32_t a, int32_t b) {
    const double ka = key(a), kb = key(b);
    return ka > kb || (ka == kb && a < b);
  };
  if (k < n) std::nth_element(idx, idx + k, idx + n, better);
  std::sort(idx, idx + k, better);
  std::copy(idx, idx + k, out);
}

// Final display order: by v_i q_i descending.
void order_by_contribution(const double* v, const double* q, int k, int32_t* slate) {
  std::sort(slate, slate + k, [&](int32_t a, int32_t b) {
    const double ka = v[a] * q[a], kb = v[b] * q[b];
    return ka > kb || (ka == kb && a < b);
  });
}

struct Scratch {
  std::vector<int32_t> idx, a, b;
  void ensure(int n, int k) {
    if (static_cast<int>(idx.size()) < n) idx.resize(n);
    if (static_cast<int>(a.size()) < k) {
      a.resize(k);
      b.resize(k);
    }
  }
};
thread_local Scratch scratch;

}  // namespace

void slate_top_k(const double* v, const double* q, double, int n, int k, int32_t* slate) {
  scratch.ensure(n, k);
  select_top(
      n, k, [&](int32_t i) { return v[i] * q[i]; }, slate, scratch.idx.data());
}

void slate_greedy(const double* v, const double* q, double v0, int n, int k, int32_t* slate) {
  scratch.ensure(n, k);
  std::vector<char>& used = *[] {
    thread_local std::vector<char> u;
    return &u;
  }();
  used.assign(n, 0);
  double num = 0, den = v0;
  for (int s = 0; s < k; ++s) {
    int best = -1;
    double best_val = -INFINITY;
    for (int i = 0; i < n; ++i) {
      if (used[i]) continue;
      const double d = den + v[i];
      const double val = d > 0 ? (num + v[i] * q[i]) / d : 0.0;
      if (val > best_val) {
        best_val = val;
        best = i;
      }
    }
    used[best] = 1;
    slate[s] = best;
    num += v[best] * q[best];
    den += v[best];
  }
}

void slate_exact(const double* v, const double* q, double v0, int n, int k, int32_t* slate) {
  scratch.ensure(n, k);
  int32_t* cur = scratch.a.data();
  // Dinkelbach: start from λ = value of the top-k slate (a feasible slate), iterate to a fixed
  // point.
  select_top(
      n, k, [&](int32_t i) { return v[i] * q[i]; }, cur, scratch.idx.data());
  double lambda = slate_value(v, q, v0, cur, k);
  for (int iter = 0; iter < 100; ++iter) {
    int32_t* next = scratch.b.data();
    select_top(
        n, k, [&](int32_t i) { return v[i] * (q[i] - lambda); }, next, scratch.idx.data());
    const double value = slate_value(v, q, v0, next, k);
    if (!(value > lambda + 1e-12 * (1 + std::abs(lambda)))) break;
    lambda = value;
    std::copy(next, next + k, cur);
  }
  std::copy(cur, cur + k, slate);
  order_by_contribution(v, q, k, slate);
}

void slate_brute_force(const double* v, const double* q, double v0, int n, int k, int32_t* slate) {
  std::vector<int32_t> comb(k);
  std::iota(comb.begin(), comb.end(), 0);
  double best = -INFINITY;
  std::vector<int32_t> best_comb = comb;
  for (;;) {
    const double val = slate_value(v, q, v0, comb.data(), k);
    if (val > best) {
      best = val;
      best_comb = comb;
    }
    int i = k - 1;
    while (i >= 0 && comb[i] == n - k + i) --i;
    if (i < 0) break;
    ++comb[i];
    for (int j = i + 1; j < k; ++j) comb[j] = comb[j - 1] + 1;
  }
  std::copy(best_comb.begin(), best_comb.end(), slate);
  order_by_contribution(v, q, k, slate);
}

void optimize_slate(SlateOptimizer kind, const double* v, const double* q, double v0, int n, int k,
                    int32_t* slate) {
  switch (kind) {
    case SlateOptimizer::kTopK:
      return slate_top_k(v, q, v0, n, k, slate);
    case SlateOptimizer::kGreedy:
      return slate_greedy(v, q, v0, n, k, slate);
    case SlateOptimizer::kExact:
      return slate_exact(v, q, v0, n, k, slate);
  }
}

}  // namespace rlrec::agents
