#include "rlrec/agents/nn.h"

#include <array>
#include <cmath>
#include <fstream>

#include "rlrec/core/error.h"
#include "rlrec/core/memory.h"

namespace rlrec::agents::nn {

void configure_torch() {
  static const bool done = [] {
    at::set_num_threads(1);
    return true;
  }();
  (void)done;
  // OpenMP's thread count is per thread: a thread other than the first (a worker of rlrec compare
  // running jobs concurrently) takes torch's setting now, before its first BLAS call (OpenBLAS
  // reads the calling thread's OpenMP count; torch applies it itself only at its first
  // parallel_for).
  thread_local const bool here = [] {
    at::internal::lazy_init_num_threads();
    return true;
  }();
  (void)here;
}

void init_uniform(torch::nn::Module& module, Rng& rng) {
  torch::NoGradGuard guard;
  for (auto& sub : module.modules(/*include_self=*/true)) {
    auto* lin = sub->as<torch::nn::Linear>();
    if (!lin) continue;
    const int64_t fan_in = lin->weight.size(1);
    const double bound = 1.0 / std::sqrt(static_cast<double>(fan_in));
    for (auto* t : {&lin->weight, &lin->bias}) {
      if (!t->defined()) continue;
      auto acc = torch::empty(t->sizes(), torch::kFloat);
      float* p = acc.data_ptr<float>();
      for (int64_t i = 0; i < acc.numel(); ++i)
        p[i] = static_cast<float>(rng.uniform(-bound, bound));
      t->copy_(acc);
    }
  }
}

torch::nn::Sequential mlp(int in, const std::vector<int64_t>& hidden, int out, Rng& rng) {
  // Before allocating: weights, their gradients, a target copy and two Adam moments (5 floats per
  // parameter) must fit in memory (a width typo such as hidden = [65536, 65536] is 4e9
  // parameters; libtorch would spend minutes initialising them, or fail with bad_alloc).
  double params = 0;
  std::string layers = std::to_string(in);
  int64_t prev_width = in;
  for (int64_t h : hidden) {
    params += static_cast<double>(prev_width + 1) * static_cast<double>(h);
    layers += " -> " + std::to_string(h);
    prev_width = h;
  }
  params += static_cast<double>(prev_width + 1) * out;
  layers += " -> " + std::to_string(out);
  check_memory(params * 5 * sizeof(float),
               str_cat("a network of layers ", layers, " (", params,
                       " parameters; with gradients, target copy and Adam moments)"));
  torch::nn::Sequential seq;
  int64_t prev = in;
  for (int64_t h : hidden) {
    seq->push_back(torch::nn::Linear(prev, h));
    seq->push_back(torch::nn::ReLU());
    prev = h;
  }
  seq->push_back(torch::nn::Linear(prev, out));
  init_uniform(*seq, rng);
  return seq;
}

void hard_update(torch::nn::Module& target, const torch::nn::Module& online) {
  torch::NoGradGuard guard;
  auto t = target.parameters();
  auto o = online.parameters();
  for (size_t i = 0; i < t.size(); ++i) t[i].copy_(o[i]);
}

void polyak_update(torch::nn::Module& target, const torch::nn::Module& online, double tau) {
  torch::NoGradGuard guard;
  auto t = target.parameters();
  auto o = online.parameters();
  for (size_t i = 0; i < t.size(); ++i) t[i].mul_(1 - tau).add_(o[i], tau);
}

void OptimizerConfig::visit(FieldVisitor& v, const char*) {
  v.field("optimizer", optimizer, "adam | rmsprop | sgd");
  v.field("lr", lr, "learning rate");
  v.field("grad_clip", grad_clip, "max global gradient norm (0 = no clipping)");
}

void OptimizerConfig::validate(const std::string& section) const {
  check_one_of(section + ".optimizer", optimizer, {"adam", "rmsprop", "sgd"});
  check_positive(section + ".lr", lr);  // finite: lr = inf diverged at the first update
  check_range(section + ".grad_clip", grad_clip, 0.0, 1e12);
}

std::unique_ptr<torch::optim::Optimizer> make_optimizer(const OptimizerConfig& cfg,
                                                        std::vector<torch::Tensor> params) {
  if (cfg.optimizer == "adam")
    return std::make_unique<torch::optim::Adam>(params, torch::optim::AdamOptions(cfg.lr));
  if (cfg.optimizer == "rmsprop")
    return std::make_unique<torch::optim::RMSprop>(
        params, torch::optim::RMSpropOptions(cfg.lr).alpha(0.95).eps(1e-5).centered(true));
  return std::make_unique<torch::optim::SGD>(params, torch::optim::SGDOptions(cfg.lr));
}

// torch::nn::utils::clip_grad_norm_ (L2) with the same arithmetic, but without multiplying every
// gradient by a clamped coefficient of exactly 1 (x * 1.0f == x: the same values, one operation per
// parameter fewer at each update whose norm is within the bound; NaN coefficients still multiply).
static void clip_grad_norm(const std::vector<torch::Tensor>& params, double max_norm) {
  std::vector<torch::Tensor> grads, norms;
  for (const auto& p : params)
    if (p.grad().defined()) grads.push_back(p.grad());
  if (grads.empty()) return;
  for (const auto& g : grads) norms.push_back(g.data().norm(2.0));
  const auto total = norms.size() == 1 ? norms[0] : torch::stack(norms).norm(2.0);
  const auto coef = torch::clamp(max_norm / (total + 1e-6), c10::nullopt, 1.0);
  if (coef.item<float>() == 1.0f) return;
  for (auto& g : grads) g.data().mul_(coef);
}

void gradient_step(torch::optim::Optimizer& opt, const torch::Tensor& loss,
                   const std::vector<torch::Tensor>& params, double grad_clip) {
  opt.zero_grad();
  loss.backward();
  if (grad_clip > 0) clip_grad_norm(params, grad_clip);
  opt.step();
}

void check_finite(const torch::Tensor& loss, const torch::nn::Module& module,
                  const std::string& agent, int64_t update, int64_t check_every) {
  const double l = loss.item<double>();
  if (!std::isfinite(l))
    throw_error(ErrorCode::kInternal, agent, ": loss became ", l, " at update ", update,
                " (diverged: lower the learning rate or check the rewards)");
  if (check_every > 0 && update % check_every == 0) {
    for (const auto& p : module.parameters())
      if (!torch::isfinite(p).all().item<bool>())
        throw_error(ErrorCode::kInternal, agent, ": a network parameter became NaN/Inf at update ",
                    update, " (diverged: lower the learning rate)");
  }
}

torch::Tensor to_tensor(const float* data, int64_t rows, int64_t cols) {
  return torch::from_blob(const_cast<float*>(data), {rows, cols}, torch::kFloat).clone();
}

void save_module(const torch::nn::Module& m, const std::string& path) {
  try {
    torch::serialize::OutputArchive ar;
    m.save(ar);
    ar.save_to(path);
  } catch (const c10::Error& e) {
    throw_error(ErrorCode::kIo, "cannot write '", path, "': ", e.what_without_backtrace());
  }
}

void load_module(torch::nn::Module& m, const std::string& path) {
  try {
    torch::serialize::InputArchive ar;
    ar.load_from(path);
    m.load(ar);
  } catch (const c10::Error& e) {
    std::string what = e.what_without_backtrace();
    if (auto nl = what.find('\n'); nl != std::string::npos) what.resize(nl);
    throw_error(ErrorCode::kCorrupt, path, ": cannot load network (", what, ")");
  }
}

void save_optimizer(const torch::optim::Optimizer& o, const std::string& path) {
  try {
    torch::serialize::OutputArchive ar;
    o.save(ar);
    ar.save_to(path);
  } catch (const c10::Error& e) {
    throw_error(ErrorCode::kIo, "cannot write '", path, "': ", e.what_without_backtrace());
  }
}

void load_optimizer(torch::optim::Optimizer& o, const std::string& path) {
  try {
    torch::serialize::InputArchive ar;
    ar.load_from(path);
    o.load(ar);
  } catch (const c10::Error& e) {
    std::string what = e.what_without_backtrace();
    if (auto nl = what.find('\n'); nl != std::string::npos) what.resize(nl);
    throw_error(ErrorCode::kCorrupt, path, ": cannot load optimizer state (", what, ")");
  }
}

void add_module(Checkpoint& ckpt, const std::string& file, torch::nn::Module& m) {
  ckpt.part(
      file, [&m](const std::string& p) { save_module(m, p); },
      [&m](const std::string& p) { load_module(m, p); });
}

void add_optimizer(Checkpoint& ckpt, const std::string& file, torch::optim::Optimizer& o) {
  ckpt.part(
      file, [&o](const std::string& p) { save_optimizer(o, p); },
      [&o](const std::string& p) { load_optimizer(o, p); });
}

}  // namespace rlrec::agents::nn
