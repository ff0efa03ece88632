// Bayesian personalized ranking (BPR) for implicit feedback, matrix-factorization model, trained by
// stochastic gradient ascent.
//
// Rendle, Freudenthaler, Gantner, Schmidt-Thieme, "BPR: Bayesian personalized ranking from implicit
// feedback", UAI 2009, §4 (BPR-Opt, LearnBPR) and §5.1 (MF):
//   x^_ui = b_i + p_u . q_i,   x^_uij = x^_ui - x^_uj  for a positive i and a non-positive j of u
//   maximise  BPR-Opt = sum_{(u,i,j)} ln sigma(x^_uij) - lambda |Theta|^2
//   step on one triple (g = sigma(-x^_uij) = 1 - sigma(x^_uij), gamma = learning rate):
//     p_u <- p_u + gamma (g (q_i - q_j) - lambda p_u)
//     q_i <- q_i + gamma (g p_u - lambda q_i)        b_i <- b_i + gamma (g - lambda b_i)
//     q_j <- q_j + gamma (-g p_u - lambda q_j)       b_j <- b_j + gamma (-g - lambda b_j)
//   (all with the values before the step).
//
// Deviations, each for a stated reason:
//   * Item bias b_i (absent from the paper's MF, present in MyMediaLite and `implicit`): it lets
//   the
//     model represent popularity without spending a factor; item_bias = false gives the paper's
//     model.
//   * Sampling: each epoch visits every positive (u, i) once, in a stratified shuffled order
//     (strata.h), instead of LearnBPR's bootstrap draws with replacement; the negative j is drawn
//     uniformly from the items of i's block in that epoch (blocks are redrawn every epoch, so over
//     epochs j ranges over all items), redrawn up to neg_tries times while j is a positive of u; a
//     triple whose every draw is a positive is skipped and counted (skipped_samples()). This keeps
//     cells independent, hence multithreaded and identical for any thread count.
//   * One lambda for all parameters (the paper allows lambda_u, lambda_i+, lambda_i-).
// Positives: stored (user, item) pairs with a value > 0 (duplicates merged); pairs with value <= 0
// are neither positives nor excluded from negatives.
// train_loss (EpochInfo) = mean of -ln sigma(x^_uij) over the epoch's triples.
#pragma once

#include <cstdint>

#include "rlrec/models/mf.h"

namespace rlrec::models {

struct BprConfig {
  int factors = 64;       // latent dimension k of p_u and q_i
  int epochs = 50;        // passes over the positive pairs
  double lr = 0.05;       // gamma, the SGD step size
  double reg = 0.01;      // lambda, L2 penalty on p_u, q_i and b_i
  double init_std = 0.1;  // factors start as N(0, init_std^2); biases at 0
  bool item_bias = true;  // learn b_i (false: the paper's x^_ui = p_u . q_i)
  int neg_tries = 10;     // draws of j per triple before the triple is skipped
  int blocks = 8;         // DSGD blocks per side; part of the result, unlike threads
  int64_t seed = 42;      // run seed: initial factors, order and negatives
  int threads = 0;        // worker threads when the caller sizes the pool from the config; 0 = all

  void visit(FieldVisitor& v);
  // Throws rlrec::Error naming "<section>.<key>", the rule and the value.
  void validate(std::string_view section = "mf") const;
};

class Bpr : public MfTrainer {
 public:
  explicit Bpr(BprConfig config);
  void fit(const data::InteractionLog& train, ThreadPool& pool) override;
  std::string config_toml(std::string_view section) const override;
  int threads() const override { return config_.threads; }
  const BprConfig& config() const { return config_; }
  // Triples skipped in the last fit because no non-positive j was found in neg_tries draws.
  int64_t skipped_samples() const { return skipped_; }

 private:
  BprConfig config_;
  int64_t skipped_ = 0;
};

}  // namespace rlrec::models
