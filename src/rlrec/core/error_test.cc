#include "rlrec/core/error.h"

#include <gtest/gtest.h>

#include "rlrec/core/registry.h"

namespace rlrec {
namespace {

TEST(Error, EditDistance) {
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3);
  EXPECT_EQ(edit_distance("", "abc"), 3);
  EXPECT_EQ(edit_distance("same", "same"), 0);
}

TEST(Error, ClosestMatchOnlyForTypos) {
  std::vector<std::string> names{"random", "myopic", "quality_oracle"};
  EXPECT_EQ(closest_match("randm", names), "random");
  EXPECT_EQ(closest_match("myopc", names), "myopic");
  EXPECT_EQ(closest_match("zzzzzzzzzzzz", names), "");
}

struct Entry {
  std::string_view name;
  std::string_view description;
  int value;
};
constexpr Entry kTable[] = {{"alpha", "first", 1}, {"beta", "second", 2}};

TEST(Registry, LookupAndUnknownNameMessage) {
  EXPECT_EQ(registry_lookup<Entry>(kTable, "beta", "thing").value, 2);
  try {
    registry_lookup<Entry>(kTable, "alpah", "thing");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kNotFound);
    EXPECT_EQ(std::string(e.what()),
              "unknown thing 'alpah'; did you mean 'alpha'? known: alpha, beta");
  }
}

}  // namespace
}  // namespace rlrec
