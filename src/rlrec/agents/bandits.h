// Linear contextual bandits serving top-K slates (bandits.cc): LinUCB, linear Thompson sampling
// and ε-greedy ridge regression, on per-(user, item) features. They are the strongest simple
// (non-RL, γ = 0) baselines: every RL claim is made against them. Torch-free (Eigen inside the
// .cc).
//
// The registry entries (agent.h): linucb, linear_ts, epsilon_greedy. The math lives in
// bandit::RidgeModel and bandit::features, which the tests call directly.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "rlrec/agents/agent.h"
#include "rlrec/core/rng.h"

namespace rlrec::agents {

std::unique_ptr<Agent> make_linucb(const AgentContext& ctx);
std::unique_ptr<Agent> make_linear_ts(const AgentContext& ctx);
std::unique_ptr<Agent> make_epsilon_greedy(const AgentContext& ctx);
std::string linucb_defaults();
std::string linear_ts_defaults();
std::string epsilon_greedy_defaults();

namespace bandit {

// The feature map φ(u, x) of a (user, item) pair, u = the observed user features (without the item
// history of rating-log environments), x = the item features:
//   item     [1; x]                      d = D + 1       (no personalisation)
//   product  [1; x; u ⊙ x]               d = 2D + 1      (needs U = D: the observed score u·x is
//                                                         linear in it)
//   outer    vec([1; u] ⊗ [1; x])        d = (U+1)(D+1)  (Li et al. 2010's hybrid features)
enum class FeatureMap { kItem, kProduct, kOuter };
int feature_dim(FeatureMap map, int user_dim, int item_dim);
void features(FeatureMap map, const float* user, int user_dim, const float* item, int item_dim,
              double* out);

// Bayesian ridge regression y ≈ θᵀφ:  A = λI + Σ φφᵀ,  b = Σ y φ,  θ̂ = A⁻¹ b.
// add() accumulates; refit() refreshes θ̂ and the Cholesky factor A = L Lᵀ, which every query reads
// (queries see the model as of the last refit).
class RidgeModel {
 public:
  RidgeModel(int dim, double ridge);
  ~RidgeModel();
  RidgeModel(const RidgeModel& other);
  RidgeModel& operator=(const RidgeModel& other);

  int dim() const;
  int64_t count() const;  // observations added
  void add(const double* x, double y);
  void refit();
  // X: n rows of dim() values. means[i] = θ̂ᵀx_i; widths[i] = sqrt(x_iᵀ A⁻¹ x_i).
  void means(const double* X, int n, double* out) const;
  void widths(const double* X, int n, double* out) const;
  // A posterior draw θ̃ = θ̂ + v L⁻ᵀ z, z ~ N(0, I) from rng: θ̃ ~ N(θ̂, v² A⁻¹).
  void sample(Rng& rng, double scale, double* theta) const;
  const std::vector<double>& theta() const;

  // The state (A, b, the refit's A and b, count) as doubles; set_state() checks the size.
  std::vector<double> state() const;
  void set_state(const std::vector<double>& s);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace bandit
}  // namespace rlrec::agents
