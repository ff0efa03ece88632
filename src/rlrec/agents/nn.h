// Shared neural-network pieces of the agents (libtorch; included only by agents/*.cc):
// MLP builder with initialization from an rlrec::Rng (no torch global RNG), optimizer config and
// factory, hard and Polyak target updates, NaN/Inf guards, checkpoint helpers.
#pragma once

#include <torch/torch.h>

#include <memory>
#include <string>
#include <vector>

#include "rlrec/agents/kit.h"
#include "rlrec/core/config.h"
#include "rlrec/core/rng.h"

namespace rlrec::agents::nn {

// Makes torch deterministic and single-threaded inside agents (OpenMP oversubscription on small ops
// costs 100x; results must not depend on thread counts). Idempotent; call it in every thread that
// runs an agent (agents call it when built), so that thread's OpenMP count is 1 too.
void configure_torch();

// Linear layers in -> hidden... -> out with ReLU between them (none after the last).
// Weights and biases ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)) drawn from `rng` (torch's default scheme,
// but from our stream, so the same seed gives the same network).
torch::nn::Sequential mlp(int in, const std::vector<int64_t>& hidden, int out, Rng& rng);

// Overwrites every parameter of `module` with U(-1/sqrt(fan_in), ..) draws from rng.
void init_uniform(torch::nn::Module& module, Rng& rng);

// target <- online (hard), or target <- tau * online + (1 - tau) * target (Polyak; on AVX2 one pass
// per parameter with torch's rounding, checked against torch's operations at first use).
void hard_update(torch::nn::Module& target, const torch::nn::Module& online);
void polyak_update(torch::nn::Module& target, const torch::nn::Module& online, double tau);

struct OptimizerConfig {
  std::string optimizer = "adam";  // adam | rmsprop | sgd
  double lr = 1e-3;
  double grad_clip = 10.0;  // max global gradient norm; 0 = no clipping
  void visit(FieldVisitor& v, const char* prefix_doc = "");
  void validate(const std::string& section) const;
};
std::unique_ptr<torch::optim::Optimizer> make_optimizer(const OptimizerConfig& cfg,
                                                        std::vector<torch::Tensor> params);
// zero_grad, backward, clip, step. Adam (without weight decay or AMSGrad) runs fused: the same
// element-wise arithmetic as torch::optim::Adam in one pass per parameter, the clip norm first
// bounded cheaply (nn.cc); results bit for bit those of the unfused steps.
void gradient_step(torch::optim::Optimizer& opt, const torch::Tensor& loss,
                   const std::vector<torch::Tensor>& params, double grad_clip);

// Whether gradient_step's fused Adam is in use: this CPU has AVX2 and FMA and a check at first use
// found it bit-identical to torch::optim::Adam (otherwise gradient_step calls torch's step).
bool fused_adam_active();
bool fused_polyak();  // the same for polyak_update's pass

// Throws Error(kInternal) naming the agent and update if the loss is NaN/Inf, and every
// `check_every` updates if any parameter is.
void check_finite(const torch::Tensor& loss, const torch::nn::Module& module,
                  const std::string& agent, int64_t update, int64_t check_every = 100);

// Row-major float rows -> [rows, cols] tensor (copied).
torch::Tensor to_tensor(const float* data, int64_t rows, int64_t cols);

// Save/load a module and optimizer to `path` (one archive each). Errors become rlrec::Error:
// kIo (cannot write), kCorrupt (unreadable or mismatched shapes).
void save_module(const torch::nn::Module& m, const std::string& path);
void load_module(torch::nn::Module& m, const std::string& path);
void save_optimizer(const torch::optim::Optimizer& o, const std::string& path);
void load_optimizer(torch::optim::Optimizer& o, const std::string& path);

// Checkpoint parts (kit.h) for a module and an optimizer, saved and loaded as above.
void add_module(Checkpoint& ckpt, const std::string& file, torch::nn::Module& m);
void add_optimizer(Checkpoint& ckpt, const std::string& file, torch::optim::Optimizer& o);

}  // namespace rlrec::agents::nn
