// Biased matrix factorization for explicit ratings, trained by stochastic gradient descent.
//
// Koren, Bell, Volinsky, "Matrix factorization techniques for recommender systems", IEEE Computer
// 42(8), 2009, eqs. (3)-(5) (the "biased SVD" of the Netflix Prize, after S. Funk 2006):
//   r^_ui = mu + b_u + b_i + p_u . q_i
//   minimise  sum_{(u,i) observed} (r_ui - r^_ui)^2 + lambda (|p_u|^2 + |q_i|^2)
//                                                  + lambda_b (b_u^2 + b_i^2)
// with, for each observed rating in turn (e_ui = r_ui - r^_ui, gamma = learning rate):
//   b_u <- b_u + gamma (e_ui - lambda_b b_u)        b_i <- b_i + gamma (e_ui - lambda_b b_i)
//   p_u <- p_u + gamma (e_ui q_i - lambda p_u)      q_i <- q_i + gamma (e_ui p_u - lambda q_i)
// (both factor updates use the values before the step). mu is the train mean rating, not learned.
//
// Deviations, each for a stated reason:
//   * Order of updates: stratified (DSGD, strata.h) instead of one global random permutation, so
//     that epochs run on several threads and stay bit-identical for any thread count.
//   * A separate bias regularizer lambda_b (the paper uses one lambda for all parameters): biases
//     need less shrinkage than factors; set reg_bias = reg to get the paper's objective.
//   * gamma decays geometrically per epoch (gamma_e = lr * lr_decay^e); lr_decay = 1 disables it.
//   * predict() clips to the train rating range when `clip` is set (a rating scale has ends).
// Duplicate (user, item) rows are separate observations (each contributes its own residual).
// train_loss (EpochInfo) = RMSE of the residuals seen during the epoch (before each update).
#pragma once

#include <cstdint>

#include "rlrec/models/mf.h"

namespace rlrec::models {

// Defaults tuned on MovieLens 100K's u1..u5 folds (`rlrec mf fit --model biased_sgd` on
// u<f>.base/u<f>.test): mean test RMSE 0.911, against 0.922 for 40 epochs, lr_decay 0.95,
// lambda 0.05, and 0.935 for lr_decay 0.9 (a small grid over lambda, epochs, decay, k, lr).
struct BiasedSgdConfig {
  int factors = 100;       // latent dimension k of p_u and q_i
  int epochs = 80;         // passes over the ratings
  double lr = 0.01;        // gamma, the SGD step size of the first epoch
  double lr_decay = 0.98;  // gamma is multiplied by this after every epoch, in (0, 1]
  double reg = 0.1;        // lambda, L2 penalty on p_u and q_i
  double reg_bias = 0.01;  // lambda_b, L2 penalty on b_u and b_i
  double init_std = 0.1;   // factors start as N(0, init_std^2); biases start at 0
  int blocks = 8;          // DSGD blocks per side (B); part of the result, unlike threads
  bool clip = true;        // predict() clips to the train [min, max] rating
  int64_t seed = 42;       // run seed: initial factors and update order
  int threads = 0;         // worker threads when the caller sizes the pool from the config; 0 = all

  void visit(FieldVisitor& v);
  // Throws rlrec::Error naming "<section>.<key>", the rule and the value.
  void validate(std::string_view section = "mf") const;
};

class BiasedSgd : public MfTrainer {
 public:
  explicit BiasedSgd(BiasedSgdConfig config);
  void fit(const data::InteractionLog& train, ThreadPool& pool) override;
  std::string config_toml(std::string_view section) const override;
  int threads() const override { return config_.threads; }
  const BiasedSgdConfig& config() const { return config_; }

 private:
  BiasedSgdConfig config_;
};

}  // namespace rlrec::models
