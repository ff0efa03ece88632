// Registries are tables: each kind (envs, choice models, policies, ...) is one constant array of
// entries, one line per entry, that the CLI (`rlrec list`), the config loader and the conformance
// tests all read. No if/else factories, no self-registering statics.
//
// An entry type needs `std::string_view name` and `std::string_view description` members.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "rlrec/core/error.h"

namespace rlrec {

template <class Entry>
std::vector<std::string> registry_names(std::span<const Entry> table) {
  std::vector<std::string> out;
  for (const auto& e : table) out.emplace_back(e.name);
  return out;
}

// The entry called `name`; throws kNotFound with a did-you-mean naming `kind` otherwise.
template <class Entry>
const Entry& registry_lookup(std::span<const Entry> table, std::string_view name,
                             std::string_view kind) {
  for (const auto& e : table)
    if (e.name == name) return e;
  auto names = registry_names(table);
  throw_unknown(kind, name, names);
}

}  // namespace rlrec
