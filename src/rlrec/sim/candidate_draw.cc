#include "rlrec/sim/candidate_draw.h"

#if defined(__x86_64__) && defined(__GNUC__)
#define RLREC_CANDIDATE_DRAW_AVX2 1
#include <immintrin.h>
#endif

namespace rlrec::sim {

namespace {

void draw_x4_scalar(const TopicQualityDraw& d, Rng* const rngs[4], int32_t* const topic[4],
                    float* const quality[4], float* const one_hot[4]) {
  for (int l = 0; l < 4; ++l)
    draw_topic_quality(d, *rngs[l], topic[l], quality[l], one_hot ? one_hot[l] : nullptr);
}

#ifdef RLREC_CANDIDATE_DRAW_AVX2
#define RLREC_AVX2 __attribute__((target("avx2")))

// The four xoshiro256++ states of the lanes, one vector per state word (lane l = stream l).
struct Lanes {
  __m256i s0, s1, s2, s3;
};

RLREC_AVX2 inline __m256i rotl64(__m256i x, int k) {
  return _mm256_or_si256(_mm256_slli_epi64(x, k), _mm256_srli_epi64(x, 64 - k));
}

// Rng::next_u64 in each lane; the result goes to *out (vectors are not returned by value, which
// would make the ABI depend on the caller's target).
RLREC_AVX2 inline void next_u64(Lanes& s, __m256i* out) {
  *out = _mm256_add_epi64(rotl64(_mm256_add_epi64(s.s0, s.s3), 23), s.s0);
  const __m256i t = _mm256_slli_epi64(s.s1, 17);
  s.s2 = _mm256_xor_si256(s.s2, s.s0);
  s.s3 = _mm256_xor_si256(s.s3, s.s1);
  s.s1 = _mm256_xor_si256(s.s1, s.s2);
  s.s0 = _mm256_xor_si256(s.s0, s.s3);
  s.s2 = _mm256_xor_si256(s.s2, t);
  s.s3 = rotl64(s.s3, 45);
}

RLREC_AVX2 void store_lanes(const Lanes& s, uint64_t (*w)[4]) {
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(w[0]), s.s0);
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(w[1]), s.s1);
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(w[2]), s.s2);
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(w[3]), s.s3);
}
RLREC_AVX2 void load_lanes(Lanes& s, const uint64_t (*w)[4]) {
  s.s0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w[0]));
  s.s1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w[1]));
  s.s2 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w[2]));
  s.s3 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w[3]));
}

// The ziggurat's layer width x[i] next to its inner edge x[i + 1], so one 16-byte load fetches both
// (four such loads and two shuffles are much cheaper than two 4-lane gathers).
struct alignas(16) LayerPair {
  double width, edge;
};
const LayerPair* layer_pairs() {
  static const auto* pairs = [] {
    auto* p = new LayerPair[detail::Ziggurat::kLayers];
    for (int i = 0; i < detail::Ziggurat::kLayers; ++i)
      p[i] = {detail::kZiggurat.x[i], detail::kZiggurat.x[i + 1]};
    return p;
  }();
  return pairs;
}

RLREC_AVX2 void draw_x4_avx2(const TopicQualityDraw& d, Rng* const rngs[4], int32_t* const topic[4],
                             float* const quality[4], float* const one_hot[4]) {
  uint64_t w[4][4];  // w[word][lane]: the states moving between the vectors and the Rngs
  uint64_t keys[4];
  // The vectors are built from the state words directly: storing the words to w and loading them
  // as vectors would stall on store-to-load forwarding (a 32-byte load over four 8-byte stores).
  const auto st0 = rngs[0]->state(), st1 = rngs[1]->state(), st2 = rngs[2]->state(),
             st3 = rngs[3]->state();
  keys[0] = st0[4];
  keys[1] = st1[4];
  keys[2] = st2[4];
  keys[3] = st3[4];
  Lanes s;
  s.s0 = _mm256_set_epi64x(st3[0], st2[0], st1[0], st0[0]);
  s.s1 = _mm256_set_epi64x(st3[1], st2[1], st1[1], st0[1]);
  s.s2 = _mm256_set_epi64x(st3[2], st2[2], st1[2], st0[2]);
  s.s3 = _mm256_set_epi64x(st3[3], st2[3], st1[3], st0[3]);
  const LayerPair* pairs = layer_pairs();
  const int n = d.n;
  const double* means = d.means;
  const int num_topics = d.num_topics;
  int32_t *const t0 = topic[0], *const t1 = topic[1], *const t2 = topic[2], *const t3 = topic[3];
  float *const q0 = quality[0], *const q1 = quality[1], *const q2 = quality[2],
               *const q3 = quality[3];
  float *const f0 = one_hot ? one_hot[0] : nullptr, *const f1 = one_hot ? one_hot[1] : nullptr,
               *const f2 = one_hot ? one_hot[2] : nullptr,
               *const f3 = one_hot ? one_hot[3] : nullptr;
  float* const f[4] = {f0, f1, f2, f3};
  const __m256i T = _mm256_set1_epi64x(d.num_topics);
  const __m256i sign = _mm256_set1_epi64x(INT64_MIN);
  const __m256i T_biased = _mm256_xor_si256(T, sign);  // for an unsigned compare
  const __m256i low8 = _mm256_set1_epi64x(0xff);
  const __m256i mantissa = _mm256_set1_epi64x((int64_t{1} << 52) - 1);
  const __m256i exponent_one = _mm256_set1_epi64x(0x3FF0000000000000LL);  // bits of 1.0
  const __m256d abs_mask = _mm256_castsi256_pd(_mm256_set1_epi64x(INT64_MAX));
  const __m256d one = _mm256_set1_pd(1.0), two = _mm256_set1_pd(2.0);
  const __m256d stddev = _mm256_set1_pd(d.stddev);
  alignas(32) int64_t c_out[4], layer_out[4];
  alignas(16) float q_out[4];
  for (int i = 0; i < n; ++i) {
    const Lanes before = s;
    // Topic: Lemire's uniform_int(T). T < 2^32, so x * T = (x_hi T) 2^32 + x_lo T from two 32x32
    // multiplies; the high word is the topic, and a low word below T would need the rejection test.
    __m256i x;
    next_u64(s, &x);
    const __m256i lo = _mm256_mul_epu32(x, T);
    const __m256i hi = _mm256_mul_epu32(_mm256_srli_epi64(x, 32), T);
    const __m256i low_word = _mm256_add_epi64(_mm256_slli_epi64(hi, 32), lo);
    const __m256i c = _mm256_srli_epi64(_mm256_add_epi64(hi, _mm256_srli_epi64(lo, 32)), 32);
    const __m256i maybe_reject = _mm256_cmpgt_epi64(T_biased, _mm256_xor_si256(low_word, sign));
    // Quality: the ziggurat's first word. Layer i = low 8 bits; u = (bits >> 11) 2^-52 - 1, built
    // exactly without a 64-bit integer conversion: with m the low 52 bits of bits >> 11 and h its
    // top bit, 1 + m 2^-52 is the double with mantissa m, and u = (1 + m 2^-52) - (2 - h) (exact).
    __m256i bits;
    next_u64(s, &bits);
    _mm256_store_si256(reinterpret_cast<__m256i*>(layer_out), _mm256_and_si256(bits, low8));
    const __m256d one_plus_m = _mm256_castsi256_pd(
        _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi64(bits, 11), mantissa), exponent_one));
    const __m256d top_bit = _mm256_castsi256_pd(bits);  // bit 63 of bits = bit 52 of bits >> 11
    const __m256d u = _mm256_sub_pd(one_plus_m, _mm256_blendv_pd(two, one, top_bit));
    // Lanes 0 and 2 in a, 1 and 3 in b: (width, edge) pairs; unpack into widths and edges.
    const __m256d a = _mm256_set_m128d(_mm_load_pd(&pairs[layer_out[2]].width),
                                       _mm_load_pd(&pairs[layer_out[0]].width));
    const __m256d b = _mm256_set_m128d(_mm_load_pd(&pairs[layer_out[3]].width),
                                       _mm_load_pd(&pairs[layer_out[1]].width));
    const __m256d xv = _mm256_mul_pd(u, _mm256_unpacklo_pd(a, b));
    const __m256d edge = _mm256_unpackhi_pd(a, b);
    // A lane is done when x lies inside its layer's rectangle and the topic needed no rejection.
    const int inside =
        _mm256_movemask_pd(_mm256_cmp_pd(_mm256_and_pd(xv, abs_mask), edge, _CMP_LT_OQ));
    const int done = inside & ~_mm256_movemask_pd(_mm256_castsi256_pd(maybe_reject));
    // quality = mean + stddev * x, as Rng::normal(mean, stddev): a multiply then an add (not
    // fused).
    _mm256_store_si256(reinterpret_cast<__m256i*>(c_out), c);
    const __m256d mean =
        _mm256_set_pd(means[c_out[3]], means[c_out[2]], means[c_out[1]], means[c_out[0]]);
    _mm_store_ps(q_out, _mm256_cvtpd_ps(_mm256_add_pd(mean, _mm256_mul_pd(stddev, xv))));
    if (done != 0xf) [[unlikely]] {
      // Redo item i with the scalar code in the lanes that left the fast path, from their states
      // before it; the other lanes keep their results and states.
      uint64_t wb[4][4];
      store_lanes(before, wb);
      store_lanes(s, w);
      for (int l = 0; l < 4; ++l) {
        if (done >> l & 1) {
          set_item_topic(topic[l], f[l], num_topics, i, static_cast<int>(c_out[l]));
          quality[l][i] = q_out[l];
          continue;
        }
        Rng r = *rngs[l];
        r.set_state({wb[0][l], wb[1][l], wb[2][l], wb[3][l], keys[l]});
        const int cl = static_cast<int>(r.uniform_int(static_cast<uint64_t>(d.num_topics)));
        set_item_topic(topic[l], f[l], num_topics, i, cl);
        quality[l][i] = static_cast<float>(r.normal(means[cl], d.stddev));
        const auto st = r.state();
        for (int k = 0; k < 4; ++k) w[k][l] = st[k];
      }
      load_lanes(s, w);
      continue;
    }
    set_item_topic(t0, f0, num_topics, i, static_cast<int>(c_out[0]));
    set_item_topic(t1, f1, num_topics, i, static_cast<int>(c_out[1]));
    set_item_topic(t2, f2, num_topics, i, static_cast<int>(c_out[2]));
    set_item_topic(t3, f3, num_topics, i, static_cast<int>(c_out[3]));
    q0[i] = q_out[0];
    q1[i] = q_out[1];
    q2[i] = q_out[2];
    q3[i] = q_out[3];
  }
  store_lanes(s, w);
  for (int l = 0; l < 4; ++l) rngs[l]->set_state({w[0][l], w[1][l], w[2][l], w[3][l], keys[l]});
}

bool cpu_has_avx2() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2");
}
#endif

}  // namespace

bool simd_candidate_draws() {
#ifdef RLREC_CANDIDATE_DRAW_AVX2
  static const bool has = cpu_has_avx2();
  return has;
#else
  return false;
#endif
}

void draw_topic_quality_x4(const TopicQualityDraw& d, Rng* const rngs[4], int32_t* const topic[4],
                           float* const quality[4], float* const one_hot[4]) {
#ifdef RLREC_CANDIDATE_DRAW_AVX2
  if (simd_candidate_draws()) {
    draw_x4_avx2(d, rngs, topic, quality, one_hot);
    return;
  }
#endif
  draw_x4_scalar(d, rngs, topic, quality, one_hot);
}

}  // namespace rlrec::sim
