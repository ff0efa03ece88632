// Helpers shared by the test suites (test binaries only; never included by library code and not
// installed). One copy of what many test files need: the message of an expected error, config
// snippets, temporary files.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "rlrec/core/config.h"
#include "rlrec/core/error.h"

namespace rlrec::test {

// The message of the rlrec::Error that fn() throws. When fn throws none, records a test failure
// and returns "(no error)", so a check for a substring of the message fails too.
template <class Fn>
std::string error_of(Fn&& fn) {
  try {
    std::forward<Fn>(fn)();
  } catch (const Error& e) {
    return e.what();
  }
  ADD_FAILURE() << "no rlrec::Error thrown";
  return "(no error)";
}

// As error_of(fn), and checks the error's code and that the message is one line (the project's
// rule for every error a user can see).
template <class Fn>
std::string error_of(Fn&& fn, ErrorCode code) {
  try {
    std::forward<Fn>(fn)();
  } catch (const Error& e) {
    const std::string msg = e.what();
    EXPECT_EQ(e.code(), code) << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos) << "message is not one line: " << msg;
    return msg;
  }
  ADD_FAILURE() << "no rlrec::Error thrown";
  return "(no error)";
}

// The names of a table's entries (for INSTANTIATE_TEST_SUITE_P over a catalogue table).
template <class Table>
std::vector<std::string> names_of(const Table& table) {
  std::vector<std::string> names;
  for (const auto& e : table) names.emplace_back(e.name);
  return names;
}

// A config with env.name = name and each "key=value" of sets under [env].
inline Config env_config(const std::string& name, const std::vector<std::string>& sets = {}) {
  Config cfg;
  cfg.set("env.name=" + name);
  for (const auto& s : sets) cfg.set("env." + s);
  return cfg;
}

// A path in the temporary directory, unique per process (ctest runs each test as its own process,
// in parallel), and a file there holding text.
inline std::string temp_path(const std::string& name) {
  return ::testing::TempDir() + "rlrec_" + std::to_string(::getpid()) + "_" + name;
}
inline std::string write_temp(const std::string& name, const std::string& text) {
  const std::string path = temp_path(name);
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

// Flips one bit of the byte at `offset` of the file at `path` (corruption trials).
inline void flip_bit(const std::string& path, int64_t offset, int bit = 0) {
  std::fstream f(path, std::ios::binary | std::ios::in | std::ios::out);
  f.seekg(offset);
  char c = 0;
  f.read(&c, 1);
  c = static_cast<char>(c ^ (1 << (bit & 7)));
  f.seekp(offset);
  f.write(&c, 1);
  if (!f) ADD_FAILURE() << "cannot flip a bit of " << path << " at " << offset;
}

}  // namespace rlrec::test
