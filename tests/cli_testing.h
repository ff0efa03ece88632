// The harness of the CLI integration tests: runs the real `rlrec` binary (RLREC_BIN) in a fresh
// temporary directory per test, capturing stdout, stderr and the exit code, and checks the error
// contract (exit 2, nothing on stdout, one "error: ..." line naming what is wrong).
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

namespace rlrec::cli_test {

struct Result {
  int code = -1;
  std::string out, err;
};

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream os;
  os << in.rdbuf();
  return os.str();
}

inline void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  ASSERT_TRUE(out.good()) << path;
}

inline std::vector<std::string> lines(const std::string& s) {
  std::vector<std::string> v;
  std::istringstream in(s);
  for (std::string l; std::getline(in, l);) v.push_back(l);
  return v;
}

inline std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

class Cli : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = ::testing::TempDir() + "rlrec_cli_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  // Runs `rlrec args...`, capturing stdout, stderr and the exit code.
  Result rlrec(const std::vector<std::string>& args) {
    const std::string out = path("stdout"), err = path("stderr");
    std::string cmd = shell_quote(RLREC_BIN);
    // Appends piece by piece (GCC 12 warns falsely, -Wrestrict, on "literal" + std::string&&).
    for (const auto& a : args) {
      cmd += ' ';
      cmd += shell_quote(a);
    }
    cmd += " </dev/null >";
    cmd += shell_quote(out);
    cmd += " 2>";
    cmd += shell_quote(err);
    const int status = std::system(cmd.c_str());
    Result r;
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = read_file(out);
    r.err = read_file(err);
    return r;
  }

  std::string path(const std::string& name) const { return dir_ + "/" + name; }

  // The one JSON object on stdout of a successful run.
  nlohmann::json json_of(const Result& r) {
    EXPECT_EQ(r.code, 0) << r.err;
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(r.out);  // throws on anything after the first value
    } catch (const std::exception& e) {
      ADD_FAILURE() << "stdout is not exactly one JSON value: " << e.what() << "\n" << r.out;
    }
    EXPECT_TRUE(j.is_object()) << r.out;
    return j;
  }

  // A failed run: exit 2, nothing on stdout, first stderr line "error: ..." containing every
  // needle, and at most `max_lines` stderr lines (1: the error is one line).
  void expect_usage_error(const std::vector<std::string>& args,
                          const std::vector<std::string>& needles, size_t max_lines = 1) {
    std::string joined;
    for (const auto& a : args) joined += a + " ";
    SCOPED_TRACE("rlrec " + joined);
    const Result r = rlrec(args);
    EXPECT_EQ(r.code, 2) << r.err;
    EXPECT_EQ(r.out, "");
    const auto err = lines(r.err);
    ASSERT_GE(err.size(), 1u);
    EXPECT_LE(err.size(), max_lines) << r.err;
    EXPECT_EQ(err[0].rfind("error: ", 0), 0u) << err[0];
    for (const auto& n : needles)
      EXPECT_NE(err[0].find(n), std::string::npos) << n << " not in: " << err[0];
  }

  std::string dir_;
};

inline std::vector<std::string> concat(std::vector<std::string> a,
                                       const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

}  // namespace rlrec::cli_test
