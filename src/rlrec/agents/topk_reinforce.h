// Top-K off-policy corrected REINFORCE (Chen et al., WSDM 2019): factories, and the pure math of
// the corrections for tests. See topk_reinforce.cc for the equations and deviations.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "rlrec/agents/agent.h"

namespace rlrec::agents {

// One registry entry; the variants compared in the ablation are config sections that pick it and
// set `correction` (none | iw | topk), e.g. [reinforce_iw] name = "topk_reinforce" correction =
// "iw".
std::unique_ptr<Agent> make_topk_reinforce(const AgentContext& ctx);
std::string topk_reinforce_defaults();

namespace reinforce {

enum class Correction { kNone, kIw, kTopK };

// λ_K(π) = K (1 − π)^(K−1) = ∂/∂π [1 − (1 − π)^K].
double lambda_k(double pi, int k);
// min(π/β, c).
double capped_weight(double pi, double beta, double cap);
// The per-example multiplier of R_t ∇log π(a|s): none → 1; iw → min(π/β, c);
// topk → min(π/β, c) · λ_K(π).
double example_weight(Correction c, double pi, double beta, double cap, int k);

// The paper's analytic simulations: π = softmax(θ) over n actions, one-step rewards r, logged data
// from β; expected-gradient ascent θ ← θ + lr Σ_a β(a) w(a) r(a) ∇_θ log π(a) for `iterations`
// steps from θ = 0, with ∇_θ log π(a) = e_a − π. Returns the final π.
std::vector<double> analytic_policy(const std::vector<double>& r, const std::vector<double>& beta,
                                    Correction c, int k, double cap, double lr, int iterations);

}  // namespace reinforce

// Test hook: for a topk_reinforce agent, backpropagates the behaviour head's loss alone on a
// random batch and returns the sum of |gradient| over the state encoder's parameters (0 when the
// stop-gradient works) and, in *beta_head_grad, over the behaviour head's (> 0).
double topk_reinforce_encoder_grad_from_beta(Agent& agent, double* beta_head_grad);

}  // namespace rlrec::agents
