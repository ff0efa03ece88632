#include "rlrec/index/kernels.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define RLREC_INDEX_HAVE_AVX2_PATH 1
#endif

namespace rlrec::index::kernels {

// Eight independent partial sums let the compiler keep several additions in flight (and use SSE
// where it can); without -ffast-math it may not reorder a single running sum.
float dot_generic(const float* a, const float* b, size_t n) {
  float s[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  size_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int j = 0; j < 8; ++j) s[j] += a[i + j] * b[i + j];
  float total = ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
  for (; i < n; ++i) total += a[i] * b[i];
  return total;
}

float l2_squared_generic(const float* a, const float* b, size_t n) {
  float s[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  size_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int j = 0; j < 8; ++j) {
      const float d = a[i + j] - b[i + j];
      s[j] += d * d;
    }
  float total = ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
  for (; i < n; ++i) {
    const float d = a[i] - b[i];
    total += d * d;
  }
  return total;
}

namespace {
float neg_dot_generic_dist(const void* a, const void* b, const void* param) {
  return -dot_generic(static_cast<const float*>(a), static_cast<const float*>(b),
                      *static_cast<const size_t*>(param));
}
float l2_squared_generic_dist(const void* a, const void* b, const void* param) {
  return l2_squared_generic(static_cast<const float*>(a), static_cast<const float*>(b),
                            *static_cast<const size_t*>(param));
}
}  // namespace

#ifdef RLREC_INDEX_HAVE_AVX2_PATH
namespace {

__attribute__((target("avx2,fma"))) float hsum256(__m256 v) {
  __m128 lo = _mm256_castps256_ps128(v);
  __m128 hi = _mm256_extractf128_ps(v, 1);
  lo = _mm_add_ps(lo, hi);
  lo = _mm_add_ps(lo, _mm_movehl_ps(lo, lo));
  lo = _mm_add_ss(lo, _mm_shuffle_ps(lo, lo, 0x55));
  return _mm_cvtss_f32(lo);
}

__attribute__((target("avx2,fma"))) float dot_avx2(const float* a, const float* b, size_t n) {
  __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), s0);
    s1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8), s1);
  }
  if (i + 8 <= n) {
    s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), s0);
    i += 8;
  }
  float total = hsum256(_mm256_add_ps(s0, s1));
  for (; i < n; ++i) total += a[i] * b[i];
  return total;
}

__attribute__((target("avx2,fma"))) float l2_squared_avx2(const float* a, const float* b,
                                                          size_t n) {
  __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m256 d0 = _mm256_sub_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i));
    const __m256 d1 = _mm256_sub_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8));
    s0 = _mm256_fmadd_ps(d0, d0, s0);
    s1 = _mm256_fmadd_ps(d1, d1, s1);
  }
  if (i + 8 <= n) {
    const __m256 d0 = _mm256_sub_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i));
    s0 = _mm256_fmadd_ps(d0, d0, s0);
    i += 8;
  }
  float total = hsum256(_mm256_add_ps(s0, s1));
  for (; i < n; ++i) {
    const float d = a[i] - b[i];
    total += d * d;
  }
  return total;
}

__attribute__((target("avx2,fma"))) float neg_dot_avx2_dist(const void* a, const void* b,
                                                            const void* param) {
  return -dot_avx2(static_cast<const float*>(a), static_cast<const float*>(b),
                   *static_cast<const size_t*>(param));
}

__attribute__((target("avx2,fma"))) float l2_squared_avx2_dist(const void* a, const void* b,
                                                               const void* param) {
  return l2_squared_avx2(static_cast<const float*>(a), static_cast<const float*>(b),
                         *static_cast<const size_t*>(param));
}

bool has_avx2_fma() {
  static const bool yes = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return yes;
}

}  // namespace

VectorFn dot_fn() { return has_avx2_fma() ? dot_avx2 : dot_generic; }
VectorFn l2_squared_fn() { return has_avx2_fma() ? l2_squared_avx2 : l2_squared_generic; }
DistFn neg_dot_dist_fn() { return has_avx2_fma() ? neg_dot_avx2_dist : neg_dot_generic_dist; }
DistFn l2_squared_dist_fn() {
  return has_avx2_fma() ? l2_squared_avx2_dist : l2_squared_generic_dist;
}
const char* kernel_name() { return has_avx2_fma() ? "avx2+fma" : "generic"; }

#else

VectorFn dot_fn() { return dot_generic; }
VectorFn l2_squared_fn() { return l2_squared_generic; }
DistFn neg_dot_dist_fn() { return neg_dot_generic_dist; }
DistFn l2_squared_dist_fn() { return l2_squared_generic_dist; }
const char* kernel_name() { return "generic"; }

#endif

}  // namespace rlrec::index::kernels
