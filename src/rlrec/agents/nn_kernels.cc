// Element-wise Adam over raw float buffers (nn.cc's fused optimizer step). Compiled with
// -ffp-contract=off (agents/CMakeLists.txt): every multiply and add below rounds on its own unless
// it is written as an explicit fused multiply-add, so the results follow the operations of
// torch::optim::Adam (libtorch 1.13) kernel by kernel:
//   m <- m * b1;  m <- m + (1 - b1) g          (add_ with alpha: one FMA in the vector kernel)
//   v <- v * b2;  v <- v + ((1 - b2) g) g      (addcmul_: a product, then a multiply-add)
//   d <- sqrt(v) / sqrt(bc2) + eps;  p <- p + (-lr / bc1) m / d   (addcdiv_)
// libtorch's AVX2 kernels treat blocks of 16 elements with 8-wide vectors and the remainder with
// the scalar code; Debian's build lets the compiler contract a * b + c into an FMA, in addcmul_'s
// vector code too (measured: python3-torch 1.13.1 on this machine's CPU). The flags say which
// operations are fused: m's remainder (tail_fma_m), v everywhere (fma_v).
// polyak_kernel is the same mul_ + add_(alpha) pair: t <- fma(o, tau, t * (1 - tau)). nn.cc checks
// the whole step against torch::optim::Adam once per process and uses this kernel only if they
// agree bit for bit.
#include "rlrec/agents/nn_kernels.h"

#include <cmath>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace rlrec::agents::nn {

namespace {

inline void adam_scalar(float& p, float g, float& m, float& v, const AdamScalars& s, bool fma_m,
                        bool fma_v) {
  const float mb = m * s.b1;
  m = fma_m ? std::fma(g, s.a1, mb) : mb + s.a1 * g;
  const float vb = v * s.b2;
  const float t = s.a2 * g;
  v = fma_v ? std::fma(t, g, vb) : vb + t * g;
  const float d = std::sqrt(v) / s.c2 + s.eps;
  p = p + s.sf * m / d;
}

#if defined(__x86_64__)
__attribute__((target("avx2,fma"))) void adam_avx2(float* p, const float* g, float* m, float* v,
                                                   int64_t n, const AdamScalars& s, bool fma_m,
                                                   bool fma_v) {
  const int64_t nv = n / 16 * 16;
  const __m256 b1 = _mm256_set1_ps(s.b1), a1 = _mm256_set1_ps(s.a1), b2 = _mm256_set1_ps(s.b2),
               a2 = _mm256_set1_ps(s.a2), c2 = _mm256_set1_ps(s.c2), eps = _mm256_set1_ps(s.eps),
               sf = _mm256_set1_ps(s.sf);
  for (int64_t i = 0; i < nv; i += 8) {
    const __m256 G = _mm256_loadu_ps(g + i);
    __m256 M = _mm256_loadu_ps(m + i), V = _mm256_loadu_ps(v + i), P = _mm256_loadu_ps(p + i);
    M = _mm256_fmadd_ps(G, a1, _mm256_mul_ps(M, b1));
    const __m256 Vb = _mm256_mul_ps(V, b2), T = _mm256_mul_ps(a2, G);
    V = fma_v ? _mm256_fmadd_ps(T, G, Vb) : _mm256_add_ps(Vb, _mm256_mul_ps(T, G));
    const __m256 D = _mm256_add_ps(_mm256_div_ps(_mm256_sqrt_ps(V), c2), eps);
    P = _mm256_add_ps(P, _mm256_div_ps(_mm256_mul_ps(sf, M), D));
    _mm256_storeu_ps(m + i, M);
    _mm256_storeu_ps(v + i, V);
    _mm256_storeu_ps(p + i, P);
  }
  for (int64_t i = nv; i < n; ++i) adam_scalar(p[i], g[i], m[i], v[i], s, fma_m, fma_v);
}
#endif

#if defined(__x86_64__)
__attribute__((target("avx2,fma"))) void polyak_avx2(float* t, const float* o, int64_t n,
                                                     float keep, float tau, bool tail_fma) {
  const int64_t nv = n / 16 * 16;
  const __m256 k = _mm256_set1_ps(keep), a = _mm256_set1_ps(tau);
  for (int64_t i = 0; i < nv; i += 8)
    _mm256_storeu_ps(t + i, _mm256_fmadd_ps(_mm256_loadu_ps(o + i), a,
                                            _mm256_mul_ps(_mm256_loadu_ps(t + i), k)));
  for (int64_t i = nv; i < n; ++i) {
    const float tk = t[i] * keep;
    t[i] = tail_fma ? std::fma(o[i], tau, tk) : tk + tau * o[i];
  }
}
#endif

}  // namespace

bool adam_kernel_available() {
#if defined(__x86_64__)
  static const bool yes = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return yes;
#else
  return false;
#endif
}

void adam_kernel(float* p, const float* g, float* m, float* v, int64_t n, const AdamScalars& s,
                 bool tail_fma_m, bool fma_v) {
#if defined(__x86_64__)
  adam_avx2(p, g, m, v, n, s, tail_fma_m, fma_v);
#else
  for (int64_t i = 0; i < n; ++i) adam_scalar(p[i], g[i], m[i], v[i], s, tail_fma_m, fma_v);
#endif
}

namespace {

#if defined(__x86_64__)
__attribute__((target("avx2,fma"))) double sum_squares_avx2(float* g, int64_t n, bool add_zero) {
  const __m256 zero = _mm256_setzero_ps();
  __m256d s0 = _mm256_setzero_pd(), s1 = _mm256_setzero_pd();
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    __m256 x = _mm256_loadu_ps(g + i);
    if (add_zero) {
      x = _mm256_add_ps(zero, x);
      _mm256_storeu_ps(g + i, x);
    }
    const __m256d lo = _mm256_cvtps_pd(_mm256_castps256_ps128(x));
    const __m256d hi = _mm256_cvtps_pd(_mm256_extractf128_ps(x, 1));
    s0 = _mm256_fmadd_pd(lo, lo, s0);
    s1 = _mm256_fmadd_pd(hi, hi, s1);
  }
  alignas(32) double lanes[4];
  _mm256_store_pd(lanes, _mm256_add_pd(s0, s1));
  double s = (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]);
  for (; i < n; ++i) {
    if (add_zero) g[i] = 0.0f + g[i];
    s += static_cast<double>(g[i]) * g[i];
  }
  return s;
}
#endif

}  // namespace

void polyak_kernel(float* t, const float* o, int64_t n, float keep, float tau, bool tail_fma) {
#if defined(__x86_64__)
  polyak_avx2(t, o, n, keep, tau, tail_fma);
#else
  for (int64_t i = 0; i < n; ++i) {
    const float tk = t[i] * keep;
    t[i] = tail_fma ? std::fma(o[i], tau, tk) : tk + tau * o[i];
  }
#endif
}

double sum_squares(float* g, int64_t n, bool add_zero) {
#if defined(__x86_64__)
  if (adam_kernel_available()) return sum_squares_avx2(g, n, add_zero);
#endif
  double s = 0;
  for (int64_t i = 0; i < n; ++i) {
    if (add_zero) g[i] = 0.0f + g[i];  // what accumulating into a zeroed gradient gives (-0 -> +0)
    s += static_cast<double>(g[i]) * g[i];
  }
  return s;
}

}  // namespace rlrec::agents::nn
