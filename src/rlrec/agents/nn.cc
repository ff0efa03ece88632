#include "rlrec/agents/nn.h"

#include <array>
#include <cmath>
#include <cstring>
#include <fstream>

#include "rlrec/agents/nn_kernels.h"
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
  const bool fused = fused_polyak();
  for (size_t i = 0; i < t.size(); ++i) {
    if (fused && t[i].scalar_type() == torch::kFloat && o[i].scalar_type() == torch::kFloat &&
        t[i].is_contiguous() && o[i].is_contiguous() && t[i].numel() == o[i].numel() &&
        t[i].device().is_cpu() && o[i].device().is_cpu()) {
      polyak_kernel(t[i].data_ptr<float>(), o[i].data_ptr<float>(), t[i].numel(),
                    static_cast<float>(1 - tau), static_cast<float>(tau), true);
      continue;
    }
    t[i].mul_(1 - tau).add_(o[i], tau);
  }
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

namespace {

// The fused Adam step. torch::optim::Adam::step runs about 8 libtorch operations per parameter
// (plus temporaries); the arithmetic is element-wise, so one pass over each parameter's raw
// buffers (nn_kernels.cc) with the same operations in the same order gives the same bits at a
// fraction of the cost. The optimizer state stays in torch's Adam (its state map and keys), so
// checkpoints and load() are unchanged.
struct FusedAdamMode {
  bool on = false;
  bool tail_fma_m = false, fma_v = false;
};

std::string adam_state_key(const torch::Tensor& p) {
  return c10::guts::to_string(p.unsafeGetTensorImpl());  // torch::optim::Adam's key
}

bool fast_layout(const torch::Tensor& t) {
  return t.defined() && t.device().is_cpu() && t.scalar_type() == torch::kFloat &&
         t.is_contiguous() && !t.is_sparse();
}

// One Adam step of parameter p (its .grad() defined), as torch::optim::Adam::step does it.
void adam_param_step(torch::optim::Adam& opt, const torch::optim::AdamOptions& o, torch::Tensor& p,
                     const FusedAdamMode& mode) {
  auto& states = opt.state();
  const std::string key = adam_state_key(p);
  auto it = states.find(key);
  if (it == states.end()) {
    auto st = std::make_unique<torch::optim::AdamParamState>();
    st->step(0);
    st->exp_avg(torch::zeros_like(p, torch::MemoryFormat::Preserve));
    st->exp_avg_sq(torch::zeros_like(p, torch::MemoryFormat::Preserve));
    states[key] = std::move(st);
    it = states.find(key);
  }
  auto& st = static_cast<torch::optim::AdamParamState&>(*it->second);
  st.step(st.step() + 1);
  const double beta1 = std::get<0>(o.betas()), beta2 = std::get<1>(o.betas());
  const double bc1 = 1 - std::pow(beta1, st.step());
  const double bc2 = 1 - std::pow(beta2, st.step());
  const double step_size = o.lr() / bc1;
  const torch::Tensor& grad = p.grad();
  auto& m = st.exp_avg();
  auto& v = st.exp_avg_sq();
  const int64_t n = p.numel();
  if (mode.on && fast_layout(p) && fast_layout(grad) && fast_layout(m) && fast_layout(v) &&
      grad.numel() == n && m.numel() == n && v.numel() == n) {
    const AdamScalars s{static_cast<float>(beta1),          static_cast<float>(1 - beta1),
                        static_cast<float>(beta2),          static_cast<float>(1 - beta2),
                        static_cast<float>(std::sqrt(bc2)), static_cast<float>(o.eps()),
                        static_cast<float>(-step_size)};
    adam_kernel(p.data_ptr<float>(), grad.data_ptr<float>(), m.data_ptr<float>(),
                v.data_ptr<float>(), n, s, mode.tail_fma_m, mode.fma_v);
    return;
  }
  torch::NoGradGuard guard;  // torch::optim::Adam's own operations
  m.mul_(beta1).add_(grad, 1 - beta1);
  v.mul_(beta2).addcmul_(grad, grad, 1 - beta2);
  const auto denom = (v.sqrt() / std::sqrt(bc2)).add_(o.eps());
  p.addcdiv_(m, denom, -step_size);
}

// Runs three steps of torch's Adam and of adam_param_step on the same deterministic data (sizes
// with and without a scalar remainder) and compares the bits of parameters and moments.
bool fused_adam_agrees(const FusedAdamMode& mode) {
  const std::array<int64_t, 3> sizes{37, 3, 16};
  uint64_t state = 0x9e3779b97f4a7c15ULL;
  auto next = [&state] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<float>(static_cast<double>(state >> 40) / 16777216.0 * 2 - 1);
  };
  std::vector<torch::Tensor> ref, mine;
  for (int64_t n : sizes) {
    auto t = torch::empty({n});
    for (int64_t i = 0; i < n; ++i) t[i] = next();
    ref.push_back(t.clone().requires_grad_(true));
    mine.push_back(t.clone().requires_grad_(true));
  }
  const auto opts = torch::optim::AdamOptions(3e-3);
  torch::optim::Adam a(ref, opts), b(mine, opts);
  for (int step = 0; step < 3; ++step) {
    for (size_t k = 0; k < sizes.size(); ++k) {
      auto g = torch::empty({sizes[k]});
      const float scale = step == 1 ? 1e-3f : 7.0f;
      for (int64_t i = 0; i < sizes[k]; ++i) g[i] = next() * scale;
      ref[k].mutable_grad() = g.clone();
      mine[k].mutable_grad() = g.clone();
    }
    a.step();
    for (auto& p : mine) adam_param_step(b, opts, p, mode);
  }
  auto same = [](const torch::Tensor& x, const torch::Tensor& y) {
    return x.numel() == y.numel() &&
           std::memcmp(x.data_ptr<float>(), y.data_ptr<float>(), x.numel() * sizeof(float)) == 0;
  };
  for (size_t k = 0; k < sizes.size(); ++k) {
    const auto& sa =
        static_cast<torch::optim::AdamParamState&>(*a.state().at(adam_state_key(ref[k])));
    const auto& sb =
        static_cast<torch::optim::AdamParamState&>(*b.state().at(adam_state_key(mine[k])));
    if (!same(ref[k], mine[k]) || !same(sa.exp_avg(), sb.exp_avg()) ||
        !same(sa.exp_avg_sq(), sb.exp_avg_sq()) || sa.step() != sb.step())
      return false;
  }
  return true;
}

// polyak_kernel (remainder fused) against torch's mul_ + add_ on deterministic data.
bool polyak_agrees() {
  auto o = torch::linspace(-3.0, 5.0, 37) * 0.37;
  auto t = torch::linspace(7.0, -2.0, 37) * 1.3;
  for (double tau : {0.005, 0.01, 0.3}) {
    auto ref = t.clone();
    ref.mul_(1 - tau).add_(o, tau);
    auto mine = t.clone();
    polyak_kernel(mine.data_ptr<float>(), o.data_ptr<float>(), 37, static_cast<float>(1 - tau),
                  static_cast<float>(tau), true);
    if (std::memcmp(ref.data_ptr<float>(), mine.data_ptr<float>(), 37 * sizeof(float)) != 0)
      return false;
  }
  return true;
}

const FusedAdamMode& fused_adam_mode() {
  static const FusedAdamMode mode = [] {
    FusedAdamMode m;
    if (!adam_kernel_available()) return m;
    torch::NoGradGuard guard;
    for (int variant = 3; variant >= 0; --variant) {  // the measured one (3) first
      m.on = true;
      m.tail_fma_m = (variant & 1) != 0;
      m.fma_v = (variant & 2) != 0;
      if (fused_adam_agrees(m)) return m;
    }
    return FusedAdamMode{};
  }();
  return mode;
}

bool fusable(const torch::optim::Adam& opt) {
  for (const auto& group : opt.param_groups()) {
    const auto& o = static_cast<const torch::optim::AdamOptions&>(group.options());
    if (o.weight_decay() != 0 || o.amsgrad()) return false;
  }
  return fused_adam_mode().on;
}

// clip_grad_norm, but first a cheap bound: Σ g² in double over raw buffers. A float sum of n
// squares in any order is within a relative (n + 1) 2^-24 of it, so when the bound puts torch's
// norm clearly below max_norm its coefficient is exactly 1 and nothing would change; otherwise
// (near or above the bound, NaN, unusual layouts) torch's computation decides, as before.
void clip_grad_norm_bounded(const std::vector<torch::Tensor>& params, double max_norm) {
  double ss = 0;
  int64_t n = 0;
  for (const auto& p : params) {
    const auto& g = p.grad();
    if (!g.defined()) continue;
    if (!fast_layout(g)) return clip_grad_norm(params, max_norm);
    ss += sum_squares(g.data_ptr<float>(), g.numel(), /*add_zero=*/false);
    n += g.numel();
  }
  const double bound = std::sqrt(ss) * (1 + 1e-7 * static_cast<double>(n + 16)) + 2e-6;
  if (bound < 0.999 * max_norm) return;
  clip_grad_norm(params, max_norm);
}

}  // namespace

bool fused_adam_active() { return fused_adam_mode().on; }

bool fused_polyak() {
  static const bool yes = [] {
    if (!adam_kernel_available()) return false;
    torch::NoGradGuard guard;
    return polyak_agrees();
  }();
  return yes;
}

void gradient_step(torch::optim::Optimizer& opt, const torch::Tensor& loss,
                   const std::vector<torch::Tensor>& params, double grad_clip) {
  auto* adam = dynamic_cast<torch::optim::Adam*>(&opt);
  if (!adam || !fusable(*adam)) {
    opt.zero_grad();
    loss.backward();
    if (grad_clip > 0) clip_grad_norm(params, grad_clip);
    opt.step();
    return;
  }
  // zero_grad() + backward() without the zeroing and accumulating operations: the gradients are
  // released, backward stores fresh ones, and then each parameter gets what accumulating into a
  // zeroed gradient gives (0 + g, and zeros where backward reached nothing). A parameter that had
  // no gradient before keeps backward's as it is (no accumulation happened there either).
  std::vector<torch::Tensor*> ps;
  std::vector<char> had;
  for (auto& group : adam->param_groups())
    for (auto& p : group.params()) {
      ps.push_back(&p);
      had.push_back(p.grad().defined() ? 1 : 0);
      p.mutable_grad() = torch::Tensor();
    }
  loss.backward();
  for (size_t i = 0; i < ps.size(); ++i) {
    if (!had[i]) continue;
    auto& g = ps[i]->mutable_grad();
    if (!g.defined()) {
      g = torch::zeros_like(*ps[i]);
    } else if (fast_layout(g)) {
      sum_squares(g.data_ptr<float>(), g.numel(), /*add_zero=*/true);
    } else {
      auto z = torch::zeros_like(g);
      z += g;
      g = z;
    }
  }
  if (grad_clip > 0) clip_grad_norm_bounded(params, grad_clip);
  const auto& mode = fused_adam_mode();
  for (auto& group : adam->param_groups()) {
    const auto& o = static_cast<const torch::optim::AdamOptions&>(group.options());
    for (auto& p : group.params())
      if (p.grad().defined()) adam_param_step(*adam, o, p, mode);
  }
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
