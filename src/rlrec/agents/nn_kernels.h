// Raw-buffer kernels of nn.cc's fused optimizer step (torch-free; see nn_kernels.cc).
#pragma once

#include <cstdint>

namespace rlrec::agents::nn {

// Adam's per-step constants, rounded to float as libtorch's kernels round them.
struct AdamScalars {
  float b1, a1;  // beta1 and 1 - beta1
  float b2, a2;  // beta2 and 1 - beta2
  float c2;      // sqrt(1 - beta2^step)
  float eps;
  float sf;  // -lr / (1 - beta1^step)
};

// True if this CPU runs adam_kernel (x86-64 with AVX2 and FMA).
bool adam_kernel_available();

// One Adam step of n elements in place (p, m, v); tail_fma_m: the scalar remainder's first-moment
// update is one FMA; fma_v: the second-moment update's add is fused with its last product.
void adam_kernel(float* p, const float* g, float* m, float* v, int64_t n, const AdamScalars& s,
                 bool tail_fma_m, bool fma_v);

// Polyak averaging t <- t * keep + tau * o as torch's t.mul_(keep).add_(o, tau) rounds it (the
// vector blocks fused; tail_fma: the remainder too).
void polyak_kernel(float* t, const float* o, int64_t n, float keep, float tau, bool tail_fma);

// Σ g² accumulated in double (in any order); with add_zero, first g <- 0 + g in place.
double sum_squares(float* g, int64_t n, bool add_zero);

}  // namespace rlrec::agents::nn
