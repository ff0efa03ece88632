// checkpoint_meta: a checkpoint of another agent, environment, label or shape is a one-line error.
#include "rlrec/agents/checkpoint_meta.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "rlrec/core/error.h"

namespace rlrec::agents {
namespace {

std::string error_of(const std::string& path, const CheckpointMeta& m) {
  try {
    check_checkpoint_meta(path, m);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(CheckpointMeta, RoundTripAndEveryMismatchNamed) {
  const std::string path = (std::filesystem::temp_directory_path() /
                            ("rlrec_meta_" + std::to_string(::getpid()) + ".toml"))
                               .string();
  const CheckpointMeta m{
      "drr", "drr_ave", "movielens_mf", {{"state_module", "ave"}}, {{"item_dim", 8}, {"k", 3}}};
  write_checkpoint_meta(path, m);
  EXPECT_EQ(error_of(path, m), "");
  CheckpointMeta other = m;
  other.variant = "drr_n";  // recorded, not checked
  EXPECT_EQ(error_of(path, other), "");
  other = m;
  other.agent = "slateq";
  EXPECT_EQ(error_of(path, other), path + ": checkpoint was written by agent 'drr', not slateq");
  other = m;
  other.env = "interest_evolution";
  EXPECT_EQ(error_of(path, other),
            path + ": checkpoint is for environment 'movielens_mf', not 'interest_evolution'");
  other = m;
  other.labels[0].second = "n";
  EXPECT_EQ(error_of(path, other), path + ": checkpoint has state_module 'ave', not 'n'");
  other = m;
  other.shapes[1].second = 4;
  EXPECT_EQ(error_of(path, other), path +
                                       ": checkpoint shapes (item_dim 8, k 3) do not match the "
                                       "agent and environment (item_dim 8, k 4)");
  other = m;
  other.shapes.pop_back();  // the file has a key the agent does not expect
  EXPECT_NE(error_of(path, other).find("unknown key 'm.k'"), std::string::npos)
      << error_of(path, other);
  other = m;
  other.shapes.emplace_back("hidden", 16);  // the agent expects a key the file lacks
  EXPECT_NE(error_of(path, other).find("do not match"), std::string::npos);
  std::filesystem::remove(path);
  try {
    check_checkpoint_meta(path, m);
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kNotFound);
  }
}

}  // namespace
}  // namespace rlrec::agents
