#include "rlrec/agents/slate_serving.h"

#include <algorithm>
#include <cmath>

#include "rlrec/core/error.h"
#include "rlrec/sim/plackett_luce.h"
#include "rlrec/sim/policy.h"

namespace rlrec::agents {

void BoltzmannServing::Config::visit(FieldVisitor& v) {
  v.field("serving_top_m", top_m, "Boltzmann serving over the top M candidates (0 = all)");
  v.field("serving_deterministic", deterministic, "K': slots filled deterministically");
  v.field("serving_temperature", temperature, "temperature > 0 of the serving softmax");
}

void BoltzmannServing::Config::validate(const std::string& s, const sim::EnvSpec& spec) const {
  if (top_m != 0 && (top_m < spec.slate_size || top_m > spec.num_candidates))
    invalid_argument(s, ".serving_top_m must be 0 (all) or in [slate_size ", spec.slate_size,
                     ", num_candidates ", spec.num_candidates, "], got ", top_m);
  check_range(s + ".serving_deterministic", deterministic, 0, spec.slate_size);
  if (!(temperature > 0))
    invalid_argument(s, ".serving_temperature must be > 0, got ", format_double(temperature));
}

BoltzmannServing::BoltzmannServing(int N, int K, int top_m, int deterministic, double temperature)
    : N_(N), K_(K), M_(top_m > 0 ? top_m : N), Kd_(deterministic), temperature_(temperature) {}

void BoltzmannServing::distribution(const double* logits, std::vector<int32_t>& order,
                                    std::vector<double>& p) const {
  order.resize(M_);
  std::vector<int32_t> scratch;
  sim::top_k_positions(logits, N_, M_, order.data(), scratch);
  p.resize(M_ - Kd_);
  for (int i = Kd_; i < M_; ++i) p[i - Kd_] = logits[order[i]] / temperature_;
  sim::softmax(p.data(), M_ - Kd_, p.data());
}

void BoltzmannServing::sample(const double* logits, Rng& rng, int32_t* slate) const {
  std::vector<int32_t> order;
  std::vector<double> p;
  distribution(logits, order, p);
  std::copy(order.begin(), order.begin() + Kd_, slate);
  std::vector<int32_t> pick(K_ - Kd_);
  sim::pl_sample(p.data(), M_ - Kd_, K_ - Kd_, rng, pick.data());
  for (int j = 0; j < K_ - Kd_; ++j) slate[Kd_ + j] = order[Kd_ + pick[j]];
}

bool BoltzmannServing::slot_probabilities(const double* logits, double* probs) const {
  std::fill(probs, probs + static_cast<size_t>(K_) * N_, 0.0);
  std::vector<int32_t> order;
  std::vector<double> p;
  distribution(logits, order, p);
  const int Mr = M_ - Kd_, Kr = K_ - Kd_;
  for (int k = 0; k < Kd_; ++k) probs[static_cast<size_t>(k) * N_ + order[k]] = 1.0;
  if (Kr == 0) return true;
  std::vector<double> m(static_cast<size_t>(Kr) * Mr);
  if (!sim::pl_slot_marginals(p.data(), Mr, Kr, m.data())) return false;
  for (int k = 0; k < Kr; ++k)
    for (int i = 0; i < Mr; ++i)
      probs[static_cast<size_t>(Kd_ + k) * N_ + order[Kd_ + i]] = m[k * Mr + i];
  return true;
}

void BoltzmannServing::slot_conditionals(const double* logits, const int32_t* slate,
                                         double* cond) const {
  std::vector<int32_t> order;
  std::vector<double> p;
  distribution(logits, order, p);
  for (int k = 0; k < Kd_; ++k) cond[k] = slate[k] == order[k] ? 1.0 : 0.0;
  double removed = 0;
  for (int k = Kd_; k < K_; ++k) {
    const auto it = std::find(order.begin() + Kd_, order.begin() + M_, slate[k]);
    if (it == order.begin() + M_) {
      cond[k] = 0.0;
      continue;
    }
    const double pk = p[it - order.begin() - Kd_];
    cond[k] = std::min(1.0, pk / std::max(1e-300, 1.0 - removed));
    removed += pk;
  }
}

void BoltzmannServing::inclusion(const double* logits, const int32_t* slate, double* inc) const {
  std::vector<int32_t> order;
  std::vector<double> p;
  distribution(logits, order, p);
  const int Mr = M_ - Kd_, Kr = K_ - Kd_;
  std::vector<double> m(static_cast<size_t>(Kr) * Mr);
  const bool exact = Kr > 0 && sim::pl_slot_marginals(p.data(), Mr, Kr, m.data());
  for (int k = 0; k < K_; ++k) {
    if (k < Kd_) {
      inc[k] = 1.0;
      continue;
    }
    const int i =
        static_cast<int>(std::find(order.begin() + Kd_, order.end(), slate[k]) - order.begin()) -
        Kd_;
    double v = 0;
    if (exact)
      for (int j = 0; j < Kr; ++j) v += m[static_cast<size_t>(j) * Mr + i];
    else
      v = 1.0 - std::pow(1.0 - p[i], Kr);
    inc[k] = std::clamp(v, 1e-12, 1.0);
  }
}

void greedy_slot_probabilities(const double* logits, int N, int K, double* probs) {
  std::fill(probs, probs + static_cast<size_t>(K) * N, 0.0);
  std::vector<int32_t> top(K), scratch;
  sim::top_k_positions(logits, N, K, top.data(), scratch);
  for (int k = 0; k < K; ++k) probs[static_cast<size_t>(k) * N + top[k]] = 1.0;
}

void greedy_slot_conditionals(const double* logits, int N, int K, const int32_t* slate,
                              double* cond) {
  std::vector<int32_t> top(K), scratch;
  sim::top_k_positions(logits, N, K, top.data(), scratch);
  for (int k = 0; k < K; ++k) cond[k] = slate[k] == top[k] ? 1.0 : 0.0;
}

}  // namespace rlrec::agents
