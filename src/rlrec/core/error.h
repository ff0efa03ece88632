// rlrec::Error: the one exception type for bad input (config, data files, flags, API arguments).
//
// Contract: the message names the value, the rule and the valid choices, on one line, e.g.
//   "env.slate_size must be <= env.num_candidates (10), got 12"
//   "unknown policy 'randm'; did you mean 'random'? known: random, myopic, quality_oracle"
// Broken invariants (bugs) are not Errors: they use RLREC_CHECK (check.h) and abort.
// The CLI catches Error at the edge, prints "error: <message>" and exits 2 (1 for kIo/kInternal).
#pragma once

#include <span>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace rlrec {

enum class ErrorCode {
  kInvalidArgument,  // a value breaks a rule (range, type, shape, unknown key)
  kNotFound,         // a named thing does not exist (file, registry entry, key)
  kIo,               // the OS refused a read or write
  kCorrupt,          // a file exists but its content is malformed
  kNotSupported,     // a valid request this build or component cannot serve
  kInternal,         // a failure that is not the caller's fault (e.g. a numerical blow-up)
};

const char* error_code_name(ErrorCode code);

class Error : public std::runtime_error {
 public:
  Error(ErrorCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
  ErrorCode code() const { return code_; }

 private:
  ErrorCode code_;
};

// Builds a message from streamable parts: throw invalid_argument("k must be > 0, got ", k);
template <class... Parts>
std::string str_cat(const Parts&... parts) {
  std::ostringstream os;
  (os << ... << parts);
  return os.str();
}

template <class... Parts>
[[noreturn]] void throw_error(ErrorCode code, const Parts&... parts) {
  throw Error(code, str_cat(parts...));
}
template <class... Parts>
[[noreturn]] void invalid_argument(const Parts&... parts) {
  throw_error(ErrorCode::kInvalidArgument, parts...);
}

// "a, b, c"
std::string join(std::span<const std::string> items, std::string_view sep = ", ");

// Levenshtein distance (for did-you-mean suggestions).
int edit_distance(std::string_view a, std::string_view b);

// The closest candidate to `name` if it is plausibly a typo, else "".
std::string closest_match(std::string_view name, std::span<const std::string> candidates);

// Throws kNotFound: "unknown <kind> '<name>'; did you mean '<x>'? known: a, b, c".
[[noreturn]] void throw_unknown(std::string_view kind, std::string_view name,
                                std::span<const std::string> known);

}  // namespace rlrec
