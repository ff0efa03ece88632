// nn::gradient_step's fused Adam and bounded clipping against libtorch's own steps
// (torch::optim::Adam, torch::nn::utils::clip_grad_norm_): the same bits, step after step.
#include "rlrec/agents/nn.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cstring>

#include "rlrec/agents/nn_kernels.h"

namespace rlrec::agents::nn {
namespace {

bool same_bits(const torch::Tensor& a, const torch::Tensor& b) {
  return a.sizes() == b.sizes() &&
         std::memcmp(a.data_ptr<float>(), b.data_ptr<float>(), a.numel() * sizeof(float)) == 0;
}

TEST(FusedAdam, ActiveWhereTheCpuHasAvx2) {
  configure_torch();
  if (!adam_kernel_available()) GTEST_SKIP() << "no AVX2/FMA on this CPU";
  EXPECT_TRUE(fused_adam_active());
}

// Two copies of an MLP (37 -> 256 -> 32 -> 1, and an extra parameter no loss reaches) trained on
// the same random batches: one with gradient_step, one with zero_grad/backward/clip_grad_norm_/
// Adam::step. clip = 0.05 clips at every step (torch decides), 10 never (the bound decides).
void expect_identical_training(double clip) {
  configure_torch();
  Rng r1(3, 0), r2(3, 0);
  auto a = mlp(37, {256, 32}, 1, r1), b = mlp(37, {256, 32}, 1, r2);
  auto extra_a = torch::zeros({5}).requires_grad_(true), extra_b = extra_a.clone().detach();
  extra_b.requires_grad_(true);
  auto pa = a->parameters(), pb = b->parameters();
  pa.push_back(extra_a);
  pb.push_back(extra_b);
  OptimizerConfig cfg;
  auto oa = make_optimizer(cfg, pa);
  torch::optim::Adam ob(pb, torch::optim::AdamOptions(cfg.lr));
  torch::manual_seed(11);
  for (int step = 0; step < 40; ++step) {
    const auto x = torch::randn({32, 37}) * (step % 3 + 1);
    const auto y = torch::randn({32, 1}) * 5;
    gradient_step(*oa, (a->forward(x) - y).pow(2).mean(), pa, clip);
    ob.zero_grad();
    (b->forward(x) - y).pow(2).mean().backward();
    if (clip > 0) torch::nn::utils::clip_grad_norm_(pb, clip);
    ob.step();
    for (size_t i = 0; i < pa.size(); ++i)
      ASSERT_TRUE(same_bits(pa[i], pb[i])) << "parameter " << i << " differs at step " << step;
  }
  // The optimizer state lives in torch's Adam: the checkpoint round trip continues the same way.
  const auto path = testing::TempDir() + "/nn_test_adam.pt";
  save_optimizer(*oa, path);
  torch::optim::Adam oc(pa, torch::optim::AdamOptions(cfg.lr));
  load_optimizer(oc, path);
  const auto x = torch::randn({32, 37});
  gradient_step(oc, a->forward(x).pow(2).mean(), pa, clip);
  ob.zero_grad();
  b->forward(x).pow(2).mean().backward();
  if (clip > 0) torch::nn::utils::clip_grad_norm_(pb, clip);
  ob.step();
  for (size_t i = 0; i < pa.size(); ++i) EXPECT_TRUE(same_bits(pa[i], pb[i])) << i;
}

TEST(FusedAdam, MatchesTorchWithoutClipping) { expect_identical_training(0); }
TEST(FusedAdam, MatchesTorchWhenTheClipNeverBinds) { expect_identical_training(1e4); }
TEST(FusedAdam, MatchesTorchWhenTheClipBinds) { expect_identical_training(0.05); }
TEST(FusedAdam, MatchesTorchAtTheDefaultClip) { expect_identical_training(10); }

TEST(FusedPolyak, MatchesTorchOperations) {
  configure_torch();
  if (adam_kernel_available()) {
    EXPECT_TRUE(fused_polyak());
  }
  Rng r1(4, 0), r2(4, 1);
  auto online = mlp(37, {256, 32}, 1, r1), target = mlp(37, {256, 32}, 1, r2);
  auto ref = mlp(37, {256, 32}, 1, r2);
  hard_update(*ref, *target);
  for (double tau : {0.005, 0.01, 0.5}) {
    polyak_update(*target, *online, tau);
    torch::NoGradGuard guard;
    auto rp = ref->parameters(), op = online->parameters();
    for (size_t i = 0; i < rp.size(); ++i) rp[i].mul_(1 - tau).add_(op[i], tau);
    auto tp = target->parameters();
    for (size_t i = 0; i < tp.size(); ++i) ASSERT_TRUE(same_bits(tp[i], rp[i])) << i << " " << tau;
  }
}

// The raw kernel within 1e-6 of torch's operations on random data (also where the remainder
// variants differ from the probe's choice).
TEST(FusedAdam, KernelWithinTolerance) {
  if (!adam_kernel_available()) GTEST_SKIP() << "no AVX2/FMA on this CPU";
  torch::manual_seed(5);
  const int64_t n = 1000 + 7;
  auto p = torch::randn({n}), g = torch::randn({n}), m = torch::randn({n}) * 0.1,
       v = torch::rand({n}) * 0.1;
  auto p2 = p.clone(), m2 = m.clone(), v2 = v.clone();
  const AdamScalars s{0.9f, 0.1f, 0.999f, 0.001f, 0.3f, 1e-8f, -1e-3f};
  adam_kernel(p2.data_ptr<float>(), g.data_ptr<float>(), m2.data_ptr<float>(), v2.data_ptr<float>(),
              n, s, true, true);
  m = m * 0.9 + 0.1 * g;
  v = v * 0.999 + 0.001 * g * g;
  p = p - 1e-3 * m / (v.sqrt() / 0.3 + 1e-8);
  EXPECT_LT((m - m2).abs().max().item<float>(), 1e-6);
  EXPECT_LT((v - v2).abs().max().item<float>(), 1e-6);
  EXPECT_LT((p - p2).abs().max().item<float>(), 1e-6);
}

}  // namespace
}  // namespace rlrec::agents::nn
