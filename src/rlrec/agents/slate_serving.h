// Serving a slate from candidate logits, with its propensities (part of the agent kit; torch-free).
// Boltzmann exploration of Chen et al., "Top-K Off-Policy Correction for a REINFORCE Recommender
// System", WSDM 2019, §3.5: order the candidates by logit and keep the top M; the best K′ are shown
// deterministically; the other K − K′ slots are drawn without replacement from
//     p = softmax(l / temperature) over the remaining M − K′ (Plackett-Luce, sim/plackett_luce.h).
// Propensities of that policy:
//   slot_probabilities  P(slot k holds candidate a), K x N (exact Plackett-Luce marginals; false
//                       when (M − K′)^(K − K′) is too large to enumerate)
//   slot_conditionals   P(slot k = slate[k] | slots < k), K of them (their product: the slate's
//                       probability); 0 for an item outside the top M
//   inclusion           P(slate[k] shown) for each slot: 1 for the deterministic slots, else the
//                       sum of its slot marginals, or 1 − (1 − p)^(K − K′) when those are not
//                       computable; clamped to [1e-12, 1]
// Greedy serving (the top K by logit) has the one-hot propensities of greedy_*.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "rlrec/core/config.h"
#include "rlrec/core/rng.h"
#include "rlrec/sim/environment.h"

namespace rlrec::agents {

class BoltzmannServing {
 public:
  // The config keys of the serving policy (in an agent's section).
  struct Config {
    int top_m = 0;             // serving_top_m: M (0 = all candidates)
    int deterministic = 0;     // serving_deterministic: K′
    double temperature = 1.0;  // serving_temperature
    void visit(FieldVisitor& v);
    // top_m 0 or in [slate_size, num_candidates], deterministic in [0, slate_size], temperature >
    // 0.
    void validate(const std::string& section, const sim::EnvSpec& spec) const;
  };
  BoltzmannServing(int N, int K, const Config& c)
      : BoltzmannServing(N, K, c.top_m, c.deterministic, c.temperature) {}
  // N candidates, slates of K, top M (0 = all N), K′ = deterministic slots, temperature > 0.
  BoltzmannServing(int N, int K, int top_m, int deterministic, double temperature);

  // order = the top M positions by decreasing logit; p = the softmax over order[K′..M).
  void distribution(const double* logits, std::vector<int32_t>& order,
                    std::vector<double>& p) const;
  void sample(const double* logits, Rng& rng, int32_t* slate) const;
  bool slot_probabilities(const double* logits, double* probs) const;
  void slot_conditionals(const double* logits, const int32_t* slate, double* cond) const;
  void inclusion(const double* logits, const int32_t* slate, double* inclusion) const;

 private:
  int N_, K_, M_, Kd_;
  double temperature_;
};

// The top K positions by logit: probs (K x N) one-hot per slot; cond[k] = 1 if slate[k] is the
// k-th best, else 0.
void greedy_slot_probabilities(const double* logits, int N, int K, double* probs);
void greedy_slot_conditionals(const double* logits, int N, int K, const int32_t* slate,
                              double* cond);

}  // namespace rlrec::agents
