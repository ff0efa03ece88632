// Rng: fast, seedable, splittable random numbers (xoshiro256++ seeded through SplitMix64).
//
// Determinism contract: there is no global RNG. Every random draw takes an Rng&. Independent
// streams come from one run seed: Rng(seed, stream) for a stream id (user, episode, thread, rank),
// and rng.split(tag) for a child stream of an existing one. Two Rngs built from the same (seed,
// stream) produce identical sequences on every platform (integer arithmetic only; the floating
// transforms use IEEE double operations in a fixed order).
//
// Not thread-safe: give each thread or each user its own Rng.
#pragma once

#include <array>
#include <cmath>
#include <cstdint>
#include <numbers>

namespace rlrec {

// SplitMix64 finalizer: a bijective 64-bit mixer.
constexpr uint64_t mix64(uint64_t z) {
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// Combines a key and a tag into a new key (order matters: combine(a, b) != combine(b, a)).
constexpr uint64_t combine_keys(uint64_t key, uint64_t tag) {
  return mix64(key ^ mix64(tag + 0x632be59bd9b4e019ULL));
}

// Stable 64-bit hash of a string (FNV-1a then mixed), for naming streams: Rng(seed,
// hash_name("env")).
constexpr uint64_t hash_name(const char* s) {
  uint64_t h = 0xcbf29ce484222325ULL;
  while (*s) h = (h ^ static_cast<unsigned char>(*s++)) * 0x100000001b3ULL;
  return mix64(h);
}

class Rng {
 public:
  explicit Rng(uint64_t seed = 0, uint64_t stream = 0) { reseed(combine_keys(seed, stream)); }

  // A child stream, independent of this one and of other tags; does not advance this Rng.
  Rng split(uint64_t tag) const { return Rng(key_, tag); }

  uint64_t key() const { return key_; }

  // The full generator state (for checkpoints): 4 state words and the key.
  std::array<uint64_t, 5> state() const { return {s_[0], s_[1], s_[2], s_[3], key_}; }
  void set_state(const std::array<uint64_t, 5>& st) {
    for (int i = 0; i < 4; ++i) s_[i] = st[i];
    key_ = st[4];
  }

  uint64_t next_u64() {
    const uint64_t result = rotl(s_[0] + s_[3], 23) + s_[0];
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

  // Uniform in [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }

  // Uniform integer in [0, n), unbiased (Lemire's multiply-and-reject). Requires n > 0.
  uint64_t uniform_int(uint64_t n) {
    __uint128_t m = static_cast<__uint128_t>(next_u64()) * n;
    uint64_t low = static_cast<uint64_t>(m);
    if (low < n) [[unlikely]] {
      const uint64_t threshold = (0 - n) % n;
      while (low < threshold) {
        m = static_cast<__uint128_t>(next_u64()) * n;
        low = static_cast<uint64_t>(m);
      }
    }
    return static_cast<uint64_t>(m >> 64);
  }

  bool bernoulli(double p) { return uniform() < p; }

  // Standard normal: the ziggurat method (Marsaglia & Tsang 2000, "The Ziggurat Method for
  // Generating Random Variables"), 256 layers. ~99% of draws take one 64-bit word and a compare:
  // the low 8 bits pick the layer, the high 53 bits give a signed uniform.
  double normal();
  double normal(double mean, double stddev) { return mean + stddev * normal(); }
  // exp(N(mu, sigma)): numpy's lognormal(mean=mu, sigma=sigma) parameterization.
  double lognormal(double mu, double sigma) { return std::exp(normal(mu, sigma)); }

  // Index drawn with probability p[i] / sum(p); p has n >= 1 non-negative entries, not all zero.
  template <class T>
  int categorical(const T* p, int n) {
    double total = 0;
    for (int i = 0; i < n; ++i) total += p[i];
    double r = uniform() * total;
    for (int i = 0; i < n - 1; ++i) {
      r -= p[i];
      if (r < 0) return i;
    }
    // Rounding can leave r >= 0 after the last positive entry: return the last non-zero one.
    for (int i = n - 1; i > 0; --i)
      if (p[i] > 0) return i;
    return 0;
  }

 private:
  static constexpr uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  void reseed(uint64_t key) {
    key_ = key;
    uint64_t z = key;
    for (auto& w : s_) {
      z += 0x9e3779b97f4a7c15ULL;
      w = mix64(z);
    }
  }

  uint64_t s_[4];
  uint64_t key_ = 0;
};

namespace detail {
// Ziggurat tables: x[i] are the layer edges (x[1] = r, decreasing to x[256] = 0), x[0] = v / f(r)
// is the base layer's width (its rectangle plus the tail have area v); fx[i] = exp(-x[i]^2 / 2).
struct Ziggurat {
  static constexpr int kLayers = 256;
  static constexpr double kR = 3.6541528853610088;
  static constexpr double kV = 4.92867323399e-3;
  double x[kLayers + 1];
  double fx[kLayers + 1];
  Ziggurat() {
    auto f = [](double t) { return std::exp(-0.5 * t * t); };
    x[0] = kV / f(kR);
    x[1] = kR;
    for (int i = 1; i < kLayers; ++i) {
      const double y = f(x[i]) + kV / x[i];
      x[i + 1] = y >= 1.0 ? 0.0 : std::sqrt(-2.0 * std::log(y));
    }
    x[kLayers] = 0.0;
    for (int i = 0; i <= kLayers; ++i) fx[i] = f(x[i]);
  }
};
inline const Ziggurat kZiggurat;
}  // namespace detail

inline double Rng::normal() {
  const auto& z = detail::kZiggurat;
  for (;;) {
    const uint64_t bits = next_u64();
    const int i = static_cast<int>(bits & 0xff);
    // Signed uniform in (-1, 1) from the high 53 bits.
    const double u =
        static_cast<double>(static_cast<int64_t>(bits >> 11) - (int64_t{1} << 52)) * 0x1.0p-52;
    const double x = u * z.x[i];
    if (std::abs(x) < z.x[i + 1]) return x;  // inside the rectangle under the curve
    if (i == 0) {
      // Tail beyond r (Marsaglia 1964): exponential proposals accepted with prob exp(-x^2/2)-ish.
      double a, b;
      do {
        a = -std::log(1.0 - uniform()) / detail::Ziggurat::kR;
        b = -std::log(1.0 - uniform());
      } while (2.0 * b < a * a);
      return u < 0 ? -(detail::Ziggurat::kR + a) : detail::Ziggurat::kR + a;
    }
    // Wedge: accept if a uniform height in the layer falls under the density.
    const double y = z.fx[i] + uniform() * (z.fx[i + 1] - z.fx[i]);
    if (y < std::exp(-0.5 * x * x)) return x;
  }
}

}  // namespace rlrec
