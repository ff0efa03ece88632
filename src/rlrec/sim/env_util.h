// Small helpers shared by the environments.
#pragma once

#include <cstdint>
#include <vector>

#include "rlrec/core/rng.h"
#include "rlrec/sim/choice_model.h"

namespace rlrec::sim {

// Writes n distinct values drawn uniformly from [0, m) into out (Floyd's algorithm; a thread-local
// bitmap of m bits tracks membership and is cleared afterwards). Requires 0 < n <= m.
void sample_distinct(Rng& rng, int64_t m, int n, int64_t* out);

// numpy.linspace(lo, hi, n) appended to v.
void append_linspace(std::vector<double>& v, double lo, double hi, int n);

}  // namespace rlrec::sim
