// Synthetic item vectors for index benchmarks and tests.
//
// Clustered (clusters >= 1), resembling learned item embeddings: C centres mu_c drawn uniformly on
// the unit sphere (normalised N(0, I_d)); row r picks a centre c uniformly and is
//   x = (mu_c + (spread / sqrt(d)) g) / ||mu_c + (spread / sqrt(d)) g||,   g ~ N(0, I_d),
// a unit vector whose noise has norm about `spread` before normalisation (spread 0.5: about 27
// degrees from its centre; centres of different clusters are about 90 degrees apart).
// Plain (clusters = 0), the hard case for graph indexes: x ~ N(0, I_d), not normalised.
//
// Deterministic: row r of stream s depends only on (seed, s, r), whatever the thread count. Items
// and queries use different streams and share the centres, so queries fall in the item clusters.
#pragma once

#include <cstdint>

#include "rlrec/core/matrix_view.h"

namespace rlrec::index {

struct SyntheticSpec {
  size_t dim = 64;
  int64_t clusters = 1000;  // 0 = plain Gaussian vectors
  double spread = 0.5;      // within-cluster noise norm (clustered only)
  uint64_t seed = 0;
};

// Stream ids for synthetic_vectors.
inline constexpr uint64_t kItemStream = 1;
inline constexpr uint64_t kQueryStream = 2;

// n rows of stream `stream`; threads <= 0 means all cores. Throws kInvalidArgument for dim == 0,
// clusters < 0 or spread < 0.
Matrix<float> synthetic_vectors(const SyntheticSpec& spec, size_t n, uint64_t stream,
                                int threads = 1);

}  // namespace rlrec::index
