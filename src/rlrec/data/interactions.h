// InteractionLog: user-item interactions with dense ids (the currency of data/, models/, eval/).
//
// Dense ids: users are 0..num_users()-1 and items 0..num_items()-1, assigned by an IdMap in order
// of first appearance; the original ids (strings as they appear in the file) are kept for output.
// Columns are parallel arrays (structure of arrays), all of length size().
// rating: the explicit rating, or 1.0 for an implicit signal (click, view). timestamp: seconds
// since the epoch as given by the file, or 0 when the format has none.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace rlrec::data {

// Hash and equality that accept std::string and std::string_view alike (lookups without a copy).
struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
};

// Original id <-> dense id, in order of first appearance.
class IdMap {
 public:
  // Dense id of `original`, adding it if new.
  int32_t add(std::string_view original);
  // Dense id, or -1 if unknown.
  int32_t find(std::string_view original) const;
  const std::string& original(int32_t dense) const { return originals_[dense]; }
  int32_t size() const { return static_cast<int32_t>(originals_.size()); }
  const std::vector<std::string>& originals() const { return originals_; }
  void reserve(size_t n) {
    index_.reserve(n);
    originals_.reserve(n);
  }

 private:
  std::unordered_map<std::string, int32_t, StringHash, std::equal_to<>> index_;
  std::vector<std::string> originals_;
};

struct InteractionLog {
  std::vector<int32_t> user;
  std::vector<int32_t> item;
  std::vector<float> rating;
  std::vector<int64_t> timestamp;
  IdMap users;
  IdMap items;

  size_t size() const { return user.size(); }
  int32_t num_users() const { return users.size(); }
  int32_t num_items() const { return items.size(); }
  void reserve(size_t n) {
    user.reserve(n);
    item.reserve(n);
    rating.reserve(n);
    timestamp.reserve(n);
  }
  void push_back(int32_t u, int32_t i, float r, int64_t t) {
    user.push_back(u);
    item.push_back(i);
    rating.push_back(r);
    timestamp.push_back(t);
  }
  // A log with the same id maps and the rows at `rows` (in that order).
  InteractionLog subset(const std::vector<size_t>& rows) const;
};

}  // namespace rlrec::data
