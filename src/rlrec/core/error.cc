#include "rlrec/core/error.h"

#include <algorithm>
#include <numeric>

namespace rlrec {

const char* error_code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return "invalid_argument";
    case ErrorCode::kNotFound:
      return "not_found";
    case ErrorCode::kIo:
      return "io";
    case ErrorCode::kCorrupt:
      return "corrupt";
    case ErrorCode::kNotSupported:
      return "not_supported";
    case ErrorCode::kInternal:
      return "internal";
  }
  return "unknown";
}

std::string join(std::span<const std::string> items, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += sep;
    out += items[i];
  }
  return out;
}

int edit_distance(std::string_view a, std::string_view b) {
  std::vector<int> prev(b.size() + 1), cur(b.size() + 1);
  std::iota(prev.begin(), prev.end(), 0);
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = static_cast<int>(i);
    for (size_t j = 1; j <= b.size(); ++j) {
      int sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string closest_match(std::string_view name, std::span<const std::string> candidates) {
  std::string best;
  int best_d = 1 << 30;
  for (const auto& c : candidates) {
    int d = edit_distance(name, c);
    if (d < best_d) {
      best_d = d;
      best = c;
    }
  }
  // A typo: at most a third of the longer word changed (and at least one edit allowed).
  int limit = std::max<int>(2, static_cast<int>(std::max(name.size(), best.size()) / 3));
  return best_d <= limit ? best : std::string();
}

void throw_unknown(std::string_view kind, std::string_view name,
                   std::span<const std::string> known) {
  std::string msg = str_cat("unknown ", kind, " '", name, "'");
  std::string near = closest_match(name, known);
  if (!near.empty()) msg += str_cat("; did you mean '", near, "'?");
  msg += str_cat(near.empty() ? "; known: " : " known: ", join(known));
  throw Error(ErrorCode::kNotFound, msg);
}

}  // namespace rlrec
