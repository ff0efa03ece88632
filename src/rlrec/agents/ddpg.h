// The DDPG losses (Lillicrap et al., "Continuous control with deep reinforcement learning", ICLR
// 2016) shared by Wolpertinger and DRR, as pure tensor functions (tested with hand-worked numbers
// in targets_test.cc). Included only by agents/*.cc (libtorch).
//   target:         y_j = r_j + γ (1 − terminal_j) Q'(s'_j, μ'(s'_j))
//   critic_loss:    (1/B) Σ_j (y_j − Q(s_j, a_j))²                    (torch::mse_loss)
//   weighted_loss:  (1/B) Σ_j w_j δ_j², δ_j = y_j − Q(s_j, a_j)        (prioritized replay: w the
//                   importance weights)
//   actor_loss:     −(1/B) Σ_j Q(s_j, μ(s_j))   (minimized: the actor ascends the critic)
#pragma once

#include <torch/torch.h>

namespace rlrec::agents::ddpg {

inline torch::Tensor target(const torch::Tensor& reward, double gamma,
                            const torch::Tensor& terminal, const torch::Tensor& next_q) {
  return reward + gamma * (1 - terminal) * next_q;
}

inline torch::Tensor critic_loss(const torch::Tensor& q, const torch::Tensor& y) {
  return torch::mse_loss(q, y);
}

inline torch::Tensor weighted_loss(const torch::Tensor& delta, const torch::Tensor& w) {
  return (w * delta.pow(2)).mean();
}

inline torch::Tensor actor_loss(const torch::Tensor& q_of_mu) { return -q_of_mu.mean(); }

}  // namespace rlrec::agents::ddpg
