#include "rlrec/agents/checkpoint_meta.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "rlrec/core/config.h"
#include "rlrec/core/error.h"

namespace rlrec::agents {
namespace {

// The shape fields of a meta file, read through the typed config machinery (which rejects
// unknown keys and wrong types with a one-line message).
struct Shapes {
  std::vector<std::pair<std::string, int64_t>> fields;
  void visit(FieldVisitor& v) {
    for (auto& [key, value] : fields) v.field(key.c_str(), value, "");
  }
};

std::string shape_list(const std::vector<std::pair<std::string, int64_t>>& fields) {
  std::string out;
  for (const auto& [key, value] : fields)
    out += (out.empty() ? "" : ", ") + key + " " + std::to_string(value);
  return out;
}

}  // namespace

void write_checkpoint_meta(const std::string& path, const CheckpointMeta& m) {
  std::ofstream os(path);
  os << "agent = \"" << m.agent << "\"\n";
  if (!m.variant.empty()) os << "variant = \"" << m.variant << "\"\n";
  os << "env = \"" << m.env << "\"\n";
  for (const auto& [key, value] : m.labels) os << key << " = \"" << value << "\"\n";
  for (const auto& [key, value] : m.shapes) os << key << " = " << value << "\n";
  if (!os) throw_error(ErrorCode::kIo, "cannot write '", path, "'");
}

void check_checkpoint_meta(const std::string& path, const CheckpointMeta& expected) {
  if (!std::filesystem::exists(path))
    throw_error(ErrorCode::kNotFound, "checkpoint metadata '", path, "' not found");
  std::ifstream is(path);
  std::stringstream ss;
  ss << is.rdbuf();
  const Config meta = Config::parse_string("[m]\n" + ss.str(), path);
  auto str = [&](const std::string& key) { return meta.get_string("m", key).value_or(""); };
  if (str("agent") != expected.agent)
    invalid_argument(path, ": checkpoint was written by agent '", str("agent"), "', not ",
                     expected.agent);
  if (str("env") != expected.env)
    invalid_argument(path, ": checkpoint is for environment '", str("env"), "', not '",
                     expected.env, "'");
  std::vector<std::string> string_keys = {"agent", "variant", "env"};
  for (const auto& [key, value] : expected.labels) {
    if (str(key) != value)
      invalid_argument(path, ": checkpoint has ", key, " '", str(key), "', not '", value, "'");
    string_keys.push_back(key);
  }
  Shapes found{expected.shapes};
  for (auto& [key, value] : found.fields) value = -1;  // a missing key stays -1 and mismatches
  read_section(meta, "m", found, string_keys);
  if (found.fields != expected.shapes)
    invalid_argument(path, ": checkpoint shapes (", shape_list(found.fields),
                     ") do not match the agent and environment (", shape_list(expected.shapes),
                     ")");
}

}  // namespace rlrec::agents
