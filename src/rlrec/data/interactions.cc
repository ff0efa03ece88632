#include "rlrec/data/interactions.h"

namespace rlrec::data {

int32_t IdMap::add(std::string_view original) {
  auto it = index_.find(original);
  if (it != index_.end()) return it->second;
  const int32_t id = static_cast<int32_t>(originals_.size());
  originals_.emplace_back(original);
  index_.emplace(originals_.back(), id);
  return id;
}

int32_t IdMap::find(std::string_view original) const {
  auto it = index_.find(original);
  return it == index_.end() ? -1 : it->second;
}

InteractionLog InteractionLog::subset(const std::vector<size_t>& rows) const {
  InteractionLog out;
  out.users = users;
  out.items = items;
  out.reserve(rows.size());
  for (size_t r : rows) out.push_back(user[r], item[r], rating[r], timestamp[r]);
  return out;
}

}  // namespace rlrec::data
