#include "rlrec/core/memory.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cmath>
#include <limits>

#include "rlrec/core/error.h"

namespace rlrec {
namespace {

TEST(Memory, MachineMemoryIsReadFromProcMeminfo) {
  // Every Linux machine this builds on has /proc/meminfo; a machine has more than 64 MiB.
  EXPECT_GT(machine_memory_bytes(), uint64_t{64} << 20);
  unsetenv("RLREC_MEMORY_LIMIT");
  EXPECT_EQ(memory_limit_bytes(), machine_memory_bytes());
}

TEST(Memory, FormatBytes) {
  EXPECT_EQ(format_bytes(800), "800 B");
  EXPECT_EQ(format_bytes(1536), "1.5 KiB");
  EXPECT_EQ(format_bytes(3.0 * (1 << 30)), "3.0 GiB");
  EXPECT_EQ(format_bytes(std::numeric_limits<double>::infinity()), "an unbounded amount");
}

TEST(Memory, RejectsEstimatesAboveTheLimitWithBothNumbers) {
  unsetenv("RLREC_MEMORY_LIMIT");
  EXPECT_NO_THROW(check_memory(1024, "small"));
  try {
    check_memory(1e30, "run.episodes = 1000000000000 (per-episode results)");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
    const std::string m = e.what();
    EXPECT_NE(m.find("run.episodes = 1000000000000 (per-episode results) needs about "),
              std::string::npos)
        << m;
    EXPECT_NE(m.find("this machine's "), std::string::npos) << m;
    EXPECT_NE(m.find("MemTotal"), std::string::npos) << m;
  }
  EXPECT_THROW(check_memory(std::nan(""), "nan"), Error);
  EXPECT_THROW(check_memory(std::numeric_limits<double>::infinity(), "inf"), Error);
  // A lower limit from the environment; a malformed or larger one is ignored.
  setenv("RLREC_MEMORY_LIMIT", "1000", 1);
  EXPECT_EQ(memory_limit_bytes(), 1000u);
  EXPECT_NO_THROW(check_memory(1000, "exactly"));
  EXPECT_THROW(check_memory(1001, "one more"), Error);
  setenv("RLREC_MEMORY_LIMIT", "12x", 1);
  EXPECT_EQ(memory_limit_bytes(), machine_memory_bytes());
  unsetenv("RLREC_MEMORY_LIMIT");
}

}  // namespace
}  // namespace rlrec
