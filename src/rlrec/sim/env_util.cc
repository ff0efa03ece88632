#include "rlrec/sim/env_util.h"

namespace rlrec::sim {

void sample_distinct(Rng& rng, int64_t m, int n, int64_t* out) {
  thread_local std::vector<uint64_t> bits;
  const size_t words = static_cast<size_t>((m + 63) / 64);
  if (bits.size() < words) bits.assign(words, 0);
  int count = 0;
  for (int64_t j = m - n; j < m; ++j) {
    int64_t t = static_cast<int64_t>(rng.uniform_int(static_cast<uint64_t>(j + 1)));
    if (bits[t >> 6] >> (t & 63) & 1) t = j;
    bits[t >> 6] |= uint64_t{1} << (t & 63);
    out[count++] = t;
  }
  for (int i = 0; i < n; ++i) bits[out[i] >> 6] = 0;
}

void append_linspace(std::vector<double>& v, double lo, double hi, int n) {
  for (int i = 0; i < n; ++i) v.push_back(n == 1 ? lo : lo + (hi - lo) * i / (n - 1));
}

}  // namespace rlrec::sim
