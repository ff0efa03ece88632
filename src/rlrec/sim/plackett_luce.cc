#include "rlrec/sim/plackett_luce.h"

#include <algorithm>
#include <cmath>

namespace rlrec::sim {

void softmax(const double* logits, int n, double* p) {
  double mx = logits[0];
  for (int i = 1; i < n; ++i) mx = std::max(mx, logits[i]);
  double z = 0;
  for (int i = 0; i < n; ++i) z += (p[i] = std::exp(logits[i] - mx));
  for (int i = 0; i < n; ++i) p[i] /= z;
}

void pl_sample(const double* p, int n, int k, Rng& rng, int32_t* out) {
  double removed = 0;
  for (int j = 0; j < k; ++j) {
    const double left = 1.0 - removed;
    double u = rng.uniform() * left, acc = 0;
    int pick = -1, last = -1;
    for (int i = 0; i < n; ++i) {
      bool used = false;
      for (int t = 0; t < j; ++t) used |= out[t] == i;
      if (used) continue;
      last = i;
      acc += p[i];
      if (u < acc) {
        pick = i;
        break;
      }
    }
    if (pick < 0) pick = last;  // rounding: the mass left lands on the last unused candidate
    out[j] = pick;
    removed += p[pick];
  }
}

double pl_conditionals(const double* p, int n, const int32_t* slate, int k, double* cond) {
  (void)n;
  double removed = 0, prod = 1;
  for (int j = 0; j < k; ++j) {
    const double left = 1.0 - removed;
    cond[j] = left > 0 ? std::min(1.0, p[slate[j]] / left) : 1.0;
    prod *= cond[j];
    removed += p[slate[j]];
  }
  return prod;
}

namespace {
// Depth-first over ordered prefixes: at depth j, every unused i gets prob * p[i] / left.
void marginals_rec(const double* p, int n, int k, int j, double prob, double removed,
                   std::vector<uint8_t>& used, double* out) {
  const double left = 1.0 - removed;
  if (left <= 0) return;
  for (int i = 0; i < n; ++i) {
    if (used[i]) continue;
    const double q = prob * p[i] / left;
    out[static_cast<size_t>(j) * n + i] += q;
    if (j + 1 < k && q > 0) {
      used[i] = 1;
      marginals_rec(p, n, k, j + 1, q, removed + p[i], used, out);
      used[i] = 0;
    }
  }
}
}  // namespace

bool pl_slot_marginals(const double* p, int n, int k, double* out, double budget) {
  if (std::pow(static_cast<double>(n), k) > budget) return false;
  std::fill(out, out + static_cast<size_t>(k) * n, 0.0);
  std::vector<uint8_t> used(n, 0);
  marginals_rec(p, n, k, 0, 1.0, 0.0, used, out);
  return true;
}

}  // namespace rlrec::sim
