// Small dense vector kernels for the MF hot loops (internal to models/).
//
// Instruction sets: a portable build targets baseline x86-64 (SSE2). The hot loops are therefore
// compiled twice, for x86-64-v3 (AVX2 + FMA) and the default, with RLREC_MF_CLONES (GCC/Clang
// target_clones; the loader picks one per process from the CPU). The kernels below are forced
// inline so that each clone gets its own vector code; the callers must not wrap them in lambdas
// (a lambda is a separate function compiled for the default target). Results are identical for any
// thread count on one machine; an AVX2 machine and an SSE2-only one differ in the last bits (FMA).
//
// Every kernel takes the length as a template parameter K (compile-time, so the compiler keeps a
// 64-float accumulator in vector registers and unrolls fully) with K == 0 meaning "use the runtime
// length n"; RLREC_MF_DISPATCH picks K for the common factor counts. The float reductions are
// marked `omp simd` (compiled with -fopenmp-simd, no OpenMP runtime): only these loops may be
// reassociated, so results are identical run to run and thread count to thread count on one build.
#pragma once

#include <cstdint>
#include <cstring>
#include <type_traits>
#include <utility>

#if defined(__x86_64__) && defined(__has_attribute)
#if __has_attribute(target_clones)
#define RLREC_MF_CLONES [[gnu::target_clones("arch=x86-64-v3", "default")]]
#endif
#endif
#ifndef RLREC_MF_CLONES
#define RLREC_MF_CLONES
#endif
#define RLREC_MF_INLINE [[gnu::always_inline]] inline

// Runs the statements with `constexpr int K` = k for the common factor counts, else K = 0 (the
// kernels then use the runtime length). A switch, not a lambda, so that it stays in the clone.
#define RLREC_MF_DISPATCH(k, ...) \
  switch (k) {                    \
    case 16: {                    \
      constexpr int K = 16;       \
      __VA_ARGS__;                \
    } break;                      \
    case 32: {                    \
      constexpr int K = 32;       \
      __VA_ARGS__;                \
    } break;                      \
    case 64: {                    \
      constexpr int K = 64;       \
      __VA_ARGS__;                \
    } break;                      \
    case 100: {                   \
      constexpr int K = 100;      \
      __VA_ARGS__;                \
    } break;                      \
    case 128: {                   \
      constexpr int K = 128;      \
      __VA_ARGS__;                \
    } break;                      \
    default: {                    \
      constexpr int K = 0;        \
      __VA_ARGS__;                \
    } break;                      \
  }

namespace rlrec::models::kernels {

template <int K>
RLREC_MF_INLINE int len(int n) {
  return K > 0 ? K : n;
}

template <int K>
RLREC_MF_INLINE float dot(const float* __restrict a, const float* __restrict b, int n) {
  const int m = len<K>(n);
  float s = 0;
#pragma omp simd reduction(+ : s)
  for (int j = 0; j < m; ++j) s += a[j] * b[j];
  return s;
}

// y += alpha * x
template <int K>
RLREC_MF_INLINE void axpy(float alpha, const float* __restrict x, float* __restrict y, int n) {
  const int m = len<K>(n);
#pragma omp simd
  for (int j = 0; j < m; ++j) y[j] += alpha * x[j];
}

// y = alpha * x + beta * y
template <int K>
RLREC_MF_INLINE void axpby(float alpha, const float* __restrict x, float beta, float* __restrict y,
                           int n) {
  const int m = len<K>(n);
#pragma omp simd
  for (int j = 0; j < m; ++j) y[j] = alpha * x[j] + beta * y[j];
}

// y = A x for a symmetric n x n row-major A (so A's rows are its columns): y = sum_j x_j A[j,:].
template <int K>
RLREC_MF_INLINE void symv(const float* __restrict a, const float* __restrict x, float* __restrict y,
                          int n) {
  const int m = len<K>(n);
#pragma omp simd
  for (int i = 0; i < m; ++i) y[i] = 0;
  for (int j = 0; j < m; ++j) axpy<K>(x[j], a + static_cast<long>(j) * m, y, m);
}

// Rows gathered this many entries ahead are prefetched (latency of an L3/DRAM access).
#ifndef RLREC_MF_AHEAD
#define RLREC_MF_AHEAD 8
#endif
inline constexpr int kAheadRows = RLREC_MF_AHEAD;

// out[t] = Y[idx[t]] . v for t < count: four rows at a time, so that four independent dot products
// are in flight (a single dot is a chain of dependent adds).
template <int K>
RLREC_MF_INLINE void gather_dots(const float* __restrict Y, const int32_t* __restrict idx,
                                 int64_t count, const float* __restrict v, float* __restrict out,
                                 int n) {
  const int m = len<K>(n);
  int64_t t = 0;
  for (; t + 4 <= count; t += 4) {
    if (t + kAheadRows + 4 <= count)
      for (int a = kAheadRows; a < kAheadRows + 4; ++a)
        for (int j = 0; j < m; j += 16)
          __builtin_prefetch(Y + static_cast<int64_t>(idx[t + a]) * m + j, 0, 3);
    const float* y0 = Y + static_cast<int64_t>(idx[t]) * m;
    const float* y1 = Y + static_cast<int64_t>(idx[t + 1]) * m;
    const float* y2 = Y + static_cast<int64_t>(idx[t + 2]) * m;
    const float* y3 = Y + static_cast<int64_t>(idx[t + 3]) * m;
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
#pragma omp simd reduction(+ : s0, s1, s2, s3)
    for (int j = 0; j < m; ++j) {
      s0 += y0[j] * v[j];
      s1 += y1[j] * v[j];
      s2 += y2[j] * v[j];
      s3 += y3[j] * v[j];
    }
    out[t] = s0;
    out[t + 1] = s1;
    out[t + 2] = s2;
    out[t + 3] = s3;
  }
  for (; t < count; ++t) out[t] = dot<K>(Y + static_cast<int64_t>(idx[t]) * m, v, m);
}

// acc += sum_t coef[t] Y[idx[t]]. For K a multiple of 8 the accumulator is held in 8-float vector
// registers (GCC vector extensions: AVX in the x86-64-v3 clone, pairs of SSE registers otherwise)
// for the whole sum, so each entry costs K/8 loads and multiply-adds and no stores.
template <int K>
RLREC_MF_INLINE void gather_axpys(const float* __restrict Y, const int32_t* __restrict idx,
                                  int64_t count, const float* __restrict coef,
                                  float* __restrict acc, int n) {
  if constexpr (K > 0 && K % 8 == 0) {
    typedef float v8 __attribute__((vector_size(32)));
    constexpr int V = K / 8;
    v8 a[V];
    for (int v = 0; v < V; ++v) std::memcpy(&a[v], acc + 8 * v, sizeof(v8));
    for (int64_t t = 0; t < count; ++t) {
      const float* y = Y + static_cast<int64_t>(idx[t]) * K;
      const v8 c = v8{} + coef[t];
      for (int v = 0; v < V; ++v) {
        v8 yv;
        std::memcpy(&yv, y + 8 * v, sizeof(v8));
        a[v] += c * yv;
      }
    }
    for (int v = 0; v < V; ++v) std::memcpy(acc + 8 * v, &a[v], sizeof(v8));
  } else {
    for (int64_t t = 0; t < count; ++t)
      axpy<K>(coef[t], Y + static_cast<int64_t>(idx[t]) * n, acc, n);
  }
}

// out[t] = y . row(t) for t < count (row(t) returns a pointer to n floats), four at a time.
template <int K, class Row>
RLREC_MF_INLINE void dots_with(const float* __restrict y, const Row& row, int64_t count,
                               float* __restrict out, int n) {
  const int m = len<K>(n);
  int64_t t = 0;
  for (; t + 4 <= count; t += 4) {
    const float* __restrict v0 = row(t);
    const float* __restrict v1 = row(t + 1);
    const float* __restrict v2 = row(t + 2);
    const float* __restrict v3 = row(t + 3);
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
#pragma omp simd reduction(+ : s0, s1, s2, s3)
    for (int j = 0; j < m; ++j) {
      s0 += y[j] * v0[j];
      s1 += y[j] * v1[j];
      s2 += y[j] * v2[j];
      s3 += y[j] * v3[j];
    }
    out[t] = s0;
    out[t + 1] = s1;
    out[t + 2] = s2;
    out[t + 3] = s3;
  }
  for (; t < count; ++t) out[t] = dot<K>(y, row(t), m);
}

// row(t) += coef[t] y for t < count: y is loaded once (vector registers for K a multiple of 8).
template <int K, class Row>
RLREC_MF_INLINE void scatter_axpys(const float* __restrict y, const Row& row, int64_t count,
                                   const float* __restrict coef, int n) {
  if constexpr (K > 0 && K % 8 == 0) {
    typedef float v8 __attribute__((vector_size(32)));
    constexpr int V = K / 8;
    v8 yv[V];
    for (int v = 0; v < V; ++v) std::memcpy(&yv[v], y + 8 * v, sizeof(v8));
    for (int64_t t = 0; t < count; ++t) {
      float* out = row(t);
      const v8 c = v8{} + coef[t];
      for (int v = 0; v < V; ++v) {
        v8 o;
        std::memcpy(&o, out + 8 * v, sizeof(v8));
        o += c * yv[v];
        std::memcpy(out + 8 * v, &o, sizeof(v8));
      }
    }
  } else {
    for (int64_t t = 0; t < count; ++t) axpy<K>(coef[t], y, row(t), n);
  }
}

// Prefetches the n floats at p (a factor row about to be gathered) into cache.
RLREC_MF_INLINE void prefetch_row(const float* p, int n) {
  for (int j = 0; j < n; j += 16) __builtin_prefetch(p + j, 0, 3);
}

}  // namespace rlrec::models::kernels
