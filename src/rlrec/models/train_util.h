// Helpers shared by the MF trainers (internal to models/).
#pragma once

#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>

#include "rlrec/core/config.h"
#include "rlrec/core/error.h"
#include "rlrec/core/matrix_view.h"
#include "rlrec/core/rng.h"
#include "rlrec/data/interactions.h"

namespace rlrec::models::detail {

// Fills row r of m with N(0, std^2) draws from the stream (seed, tag, r): the same numbers for a
// row whatever the thread count or the order rows are visited in.
inline void init_normal(Matrix<float>& m, uint64_t seed, const char* tag, double std) {
  const uint64_t key = combine_keys(seed, hash_name(tag));
  for (size_t r = 0; r < m.rows(); ++r) {
    Rng rng(key, r);
    float* row = m.row(r);
    for (size_t j = 0; j < m.cols(); ++j) row[j] = static_cast<float>(rng.normal(0.0, std));
  }
}

// Config checks with plain-number messages ("mf.alpha must be >= 0, got -1"); NaN and infinity
// always fail (an infinite mf.lr or init_std diverged at once, an infinite mf.reg or alpha trained
// a meaningless model without a word).
inline std::string num(double v) { return str_cat(v); }
inline void check_min(std::string_view key, double v, double lo) {
  if (!(v >= lo)) invalid_argument(key, " must be >= ", num(lo), ", got ", num(v));
  if (std::isinf(v)) invalid_argument(key, " must be finite, got ", num(v));
}
inline void check_gt(std::string_view key, double v, double lo) {
  if (!(v > lo)) invalid_argument(key, " must be > ", num(lo), ", got ", num(v));
  if (std::isinf(v)) invalid_argument(key, " must be finite, got ", num(v));
}
inline void check_half_open(std::string_view key, double v, double lo, double hi) {  // (lo, hi]
  if (!(v > lo && v <= hi))
    invalid_argument(key, " must be in (", num(lo), ", ", num(hi), "], got ", num(v));
}

// Throws kInternal if any value is NaN or infinite (training diverged).
inline void check_finite(const float* v, size_t n, std::string_view kind, std::string_view what,
                         std::string_view hint) {
  for (size_t k = 0; k < n; ++k)
    if (!std::isfinite(v[k]))
      throw_error(ErrorCode::kInternal, kind, " training diverged: non-finite ", what, "; ", hint);
}

// Rejects an empty log and non-finite ratings (data problems, one-line errors).
inline void check_log(const data::InteractionLog& log, std::string_view kind) {
  if (log.size() == 0) invalid_argument(kind, ": the training log has no interactions");
  if (log.num_users() == 0 || log.num_items() == 0)
    invalid_argument(kind, ": the training log has no users or no items");
  for (size_t r = 0; r < log.size(); ++r)
    if (!std::isfinite(log.rating[r]))
      invalid_argument(kind, ": rating of interaction ", r, " (user '",
                       log.users.original(log.user[r]), "', item '",
                       log.items.original(log.item[r]), "') is not finite");
}

}  // namespace rlrec::models::detail
