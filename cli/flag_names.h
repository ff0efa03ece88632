// Library messages name config keys ("ope.bootstrap must be > 0"); on the command line the user
// set the flag, so the commands that fill an options struct from flags show the flag instead
// ("--bootstrap must be > 0"). with_flag_names(section, keys, fn) runs fn and rewrites every
// "<section>.<key>" of `keys` (a field of the options struct, field_keys()) in an rlrec::Error's
// message to "--<key with '-' for '_'>", keeping the error code. Other keys (e.g. [mf]
// hyperparameters, env.*) are left alone. `renames` maps a key to a flag of another name
// ({"env_overrides", "--set"}).
#pragma once

#include <cctype>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rlrec/core/error.h"

namespace rlrec::cli {

using FlagRenames = std::vector<std::pair<std::string, std::string>>;

inline std::string flag_names(const std::string& msg, const std::string& section,
                              const std::vector<std::string>& keys, const FlagRenames& renames = {}) {
  const std::string prefix = section + ".";
  auto ident = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  std::string out;
  size_t i = 0;
  while (i < msg.size()) {
    const bool starts = msg.compare(i, prefix.size(), prefix) == 0 && (i == 0 || std::string_view(" ('\"").find(msg[i - 1]) != std::string_view::npos);
    size_t end = i + prefix.size();
    while (starts && end < msg.size() && ident(msg[end])) ++end;
    const std::string key = starts ? msg.substr(i + prefix.size(), end - i - prefix.size()) : "";
    bool known = false;
    for (const auto& k : keys) known |= (k == key);
    if (!starts || !known) {
      out += msg[i++];
      continue;
    }
    std::string flag = "--" + key;
    for (char& c : flag)
      if (c == '_') c = '-';
    for (const auto& [k, f] : renames)
      if (k == key) flag = f;
    out += flag;
    i = end;
  }
  return out;
}

template <class Fn>
void with_flag_names(const std::string& section, const std::vector<std::string>& keys, Fn&& fn,
                     const FlagRenames& renames = {}) {
  try {
    std::forward<Fn>(fn)();
  } catch (const Error& e) {
    throw Error(e.code(), flag_names(e.what(), section, keys, renames));
  }
}

}  // namespace rlrec::cli
