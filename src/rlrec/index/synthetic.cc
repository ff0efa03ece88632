#include "rlrec/index/synthetic.h"

#include <cmath>
#include <vector>

#include "rlrec/core/error.h"
#include "rlrec/core/rng.h"
#include "rlrec/core/thread_pool.h"

namespace rlrec::index {

namespace {
void normalise(float* x, size_t d) {
  double s = 0;
  for (size_t j = 0; j < d; ++j) s += static_cast<double>(x[j]) * x[j];
  const double inv = s > 0 ? 1.0 / std::sqrt(s) : 0.0;
  for (size_t j = 0; j < d; ++j) x[j] = static_cast<float>(x[j] * inv);
}
}  // namespace

Matrix<float> synthetic_vectors(const SyntheticSpec& spec, size_t n, uint64_t stream, int threads) {
  if (spec.dim == 0) invalid_argument("synthetic vectors: dim must be >= 1, got 0");
  if (spec.clusters < 0)
    invalid_argument("synthetic vectors: clusters must be >= 0 (0 = plain Gaussian), got ",
                     spec.clusters);
  if (!(spec.spread >= 0) || !std::isfinite(spec.spread))
    invalid_argument("synthetic vectors: spread must be a finite number >= 0, got ", spec.spread);
  const size_t d = spec.dim;
  const size_t clusters = static_cast<size_t>(spec.clusters);

  Matrix<float> centres(clusters, d);
  const Rng centre_root(spec.seed, hash_name("index.synthetic.centres"));
  for (size_t c = 0; c < clusters; ++c) {
    Rng rng = centre_root.split(c);
    for (size_t j = 0; j < d; ++j) centres(c, j) = static_cast<float>(rng.normal());
    normalise(centres.row(c), d);
  }

  Matrix<float> out(n, d);
  const Rng root(spec.seed, stream);
  const double noise = spec.spread / std::sqrt(static_cast<double>(d));
  ThreadPool pool(threads);
  pool.parallel_for(n, [&](size_t begin, size_t end) {
    for (size_t r = begin; r < end; ++r) {
      Rng rng = root.split(r);
      float* x = out.row(r);
      if (clusters == 0) {
        for (size_t j = 0; j < d; ++j) x[j] = static_cast<float>(rng.normal());
        continue;
      }
      const float* mu = centres.row(rng.uniform_int(clusters));
      for (size_t j = 0; j < d; ++j) x[j] = static_cast<float>(mu[j] + noise * rng.normal());
      normalise(x, d);
    }
  });
  return out;
}

}  // namespace rlrec::index
