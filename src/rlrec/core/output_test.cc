// Safe outputs: what may be replaced, exclusive claims, temporaries that are renamed or removed,
// stale temporaries of dead writers, and removal of temporaries on SIGINT/SIGTERM.
#include "rlrec/core/output.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "rlrec/core/testing.h"

namespace rlrec {
namespace {

namespace fs = std::filesystem;

// A fresh empty directory per test.
fs::path scratch(const std::string& name) {
  const fs::path d = test::temp_path("output_" + name);
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write(const fs::path& p, const std::string& s) { std::ofstream(p, std::ios::binary) << s; }

int entries(const fs::path& d) {
  int n = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(d)) ++n;
  return n;
}

// A pid that no process has: a child that has exited and been reaped.
pid_t dead_pid() {
  const pid_t pid = ::fork();
  if (pid == 0) ::_exit(0);
  ::waitpid(pid, nullptr, 0);
  return pid;
}

TEST(CheckReplaceable, WhatMayBeReplacedAndWhatNever) {
  const fs::path d = scratch("replace");
  const OutputPolicy plain, forced{true, {}};
  const OutputPolicy own{false, [](const fs::path& p) { return read(p).rfind("RLREC", 0) == 0; }};
  check_replaceable(d / "absent", OutputKind::kFile, plain, "log");  // nothing there: fine
  write(d / "mine", "RLREC log");
  write(d / "theirs", "notes");
  check_replaceable(d / "mine", OutputKind::kFile, own, "log");  // an rlrec log: replaced
  std::string msg =
      test::error_of([&] { check_replaceable(d / "theirs", OutputKind::kFile, own, "log"); },
                     ErrorCode::kInvalidArgument);
  EXPECT_NE(msg.find(str_cat("'", (d / "theirs").string(), "' exists and is not an rlrec log")),
            std::string::npos)
      << msg;
  EXPECT_NE(msg.find("--force"), std::string::npos) << msg;
  check_replaceable(d / "theirs", OutputKind::kFile, forced, "log");  // --force replaces a file
  // The other kind, never: a directory where a file goes and the reverse, force or not.
  fs::create_directory(d / "dir");
  msg = test::error_of([&] { check_replaceable(d / "dir", OutputKind::kFile, forced, "log"); },
                       ErrorCode::kInvalidArgument);
  EXPECT_NE(msg.find("is a directory, not a regular file"), std::string::npos) << msg;
  msg = test::error_of(
      [&] { check_replaceable(d / "mine", OutputKind::kDirectory, forced, "run directory"); },
      ErrorCode::kInvalidArgument);
  EXPECT_NE(msg.find("is a regular file, not a directory"), std::string::npos) << msg;
  // A directory that is not an rlrec output is never replaced, even with force.
  msg = test::error_of(
      [&] { check_replaceable(d / "dir", OutputKind::kDirectory, forced, "run directory"); },
      ErrorCode::kInvalidArgument);
  EXPECT_NE(msg.find("never replaces another directory"), std::string::npos) << msg;
  // A fifo (and likewise a device or a socket), never.
  ASSERT_EQ(::mkfifo((d / "fifo").c_str(), 0644), 0);
  msg = test::error_of([&] { check_replaceable(d / "fifo", OutputKind::kFile, forced, "log"); },
                       ErrorCode::kInvalidArgument);
  EXPECT_NE(msg.find("is a fifo; rlrec never replaces one"), std::string::npos) << msg;
  msg = test::error_of([&] { check_replaceable("/dev/null", OutputKind::kFile, forced, "log"); },
                       ErrorCode::kInvalidArgument);
  EXPECT_NE(msg.find("is a character device"), std::string::npos) << msg;
}

TEST(OutputLock, ASecondWriterIsRefusedWithTheHolderNamed) {
  const fs::path d = scratch("lock");
  {
    OutputLock first(d / "run", "run directory");
    EXPECT_TRUE(fs::exists(d / "run.lock"));
    // flock is per open file description: a second claim in this very process conflicts too.
    const std::string msg = test::error_of([&] { OutputLock second(d / "run", "run directory"); },
                                           ErrorCode::kInvalidArgument);
    EXPECT_NE(msg.find(str_cat("run directory '", (d / "run").string(),
                               "' is being written by another rlrec process")),
              std::string::npos)
        << msg;
    EXPECT_NE(msg.find("pid " + std::to_string(::getpid()) + " since "), std::string::npos) << msg;
    OutputLock other(d / "other", "run directory");  // another path: independent
  }
  EXPECT_FALSE(fs::exists(d / "run.lock"));  // released and removed
  OutputLock again(d / "run", "run directory");
}

TEST(OutputLock, AKilledHolderDoesNotBlockTheNextWriter) {
  const fs::path d = scratch("lock_killed");
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  const pid_t child = ::fork();
  if (child == 0) {
    OutputLock held(d / "log", "log");
    char c = 1;
    (void)!::write(ready[1], &c, 1);
    ::pause();
    ::_exit(0);
  }
  char c;
  ASSERT_EQ(::read(ready[0], &c, 1), 1);
  const std::string msg =
      test::error_of([&] { OutputLock mine(d / "log", "log"); }, ErrorCode::kInvalidArgument);
  EXPECT_NE(msg.find("pid " + std::to_string(child)), std::string::npos) << msg;
  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);
  EXPECT_TRUE(fs::exists(d / "log.lock"));  // left behind by SIGKILL, but no longer locked
  OutputLock mine(d / "log", "log");
  ::close(ready[0]);
  ::close(ready[1]);
}

TEST(TempFile, CommitReplacesTheTargetAndAnAbandonedOneIsRemoved) {
  const fs::path d = scratch("tempfile");
  write(d / "out", "old");
  {
    TempFile tmp(d / "out");
    EXPECT_NE(tmp.path(), d / "out");
    EXPECT_EQ(tmp.path().parent_path(),
              d);  // beside the target: the rename stays on one filesystem
    write(tmp.path(), "half");
  }  // abandoned: removed, target untouched
  EXPECT_EQ(read(d / "out"), "old");
  EXPECT_EQ(entries(d), 1);
  write_file_atomically(d / "out", "new content");
  EXPECT_EQ(read(d / "out"), "new content");
  EXPECT_EQ(entries(d), 1);
  // Two temporaries of the same target never share a name.
  TempFile a(d / "out"), b(d / "out");
  EXPECT_NE(a.path(), b.path());
}

TEST(TempDir, CommitSwapsInTheNewDirectoryAndRemovesTheOld) {
  const fs::path d = scratch("tempdir");
  {
    TempDir first(d / "model");
    write(first.path() / "a", "1");
    first.commit();
  }
  EXPECT_EQ(read(d / "model" / "a"), "1");
  {
    TempDir second(d / "model");
    write(second.path() / "b", "2");
    second.commit();
  }
  EXPECT_FALSE(fs::exists(d / "model" / "a"));  // the old content is gone, not merged
  EXPECT_EQ(read(d / "model" / "b"), "2");
  {
    TempDir abandoned(d / "model");
    write(abandoned.path() / "c", "3");
  }
  EXPECT_EQ(entries(d), 1);
  EXPECT_EQ(entries(d / "model"), 1);
}

TEST(RemoveStaleTemporaries, RemovesThoseOfDeadWritersOnly) {
  const fs::path d = scratch("stale");
  const std::string dead = std::to_string(dead_pid()), me = std::to_string(::getpid());
  fs::create_directories(d / ("run.tmp." + dead + ".0") / "agent");
  write(d / ("log.tmp." + dead + ".3"), "x");
  write(d / ("run.tmp." + me + ".1"), "mine");    // this process still writes it
  write(d / "run.tmp.notapid.2", "not ours");     // not our naming: kept
  write(d / ("runner.tmp." + dead + ".0"), "x");  // another target: kept
  remove_stale_temporaries(d / "run");
  EXPECT_FALSE(fs::exists(d / ("run.tmp." + dead + ".0")));
  EXPECT_TRUE(fs::exists(d / ("run.tmp." + me + ".1")));
  EXPECT_TRUE(fs::exists(d / "run.tmp.notapid.2"));
  EXPECT_TRUE(fs::exists(d / ("runner.tmp." + dead + ".0")));
  EXPECT_TRUE(fs::exists(d / ("log.tmp." + dead + ".3")));
  remove_stale_temporaries(d / "log");
  EXPECT_FALSE(fs::exists(d / ("log.tmp." + dead + ".3")));
}

// Temporary files, temporary directory trees and lock files all go.
TEST(CleanupHandlers, SigtermAndSigintRemoveTemporariesAndLocksThenDieOfTheSignal) {
  for (int sig : {SIGTERM, SIGINT}) {
    const fs::path d = scratch("signal_" + std::to_string(sig));
    const pid_t child = ::fork();
    if (child == 0) {
      install_cleanup_handlers();
      OutputLock lock(d / "log", "log");
      TempFile tmp(d / "log");
      write(tmp.path(), std::string(1 << 20, 'x'));
      TempDir dir(d / "checkpoint");  // a directory tree: removed with its content
      fs::create_directories(dir.path() / "agent" / "deeper");
      for (int i = 0; i < 300; ++i)  // more entries than one getdents64 buffer holds
        write(dir.path() / "agent" / ("part-" + std::to_string(i) + ".bin"), "x");
      write(dir.path() / "agent" / "deeper" / "state.bin", "y");
      write(dir.path() / "runner.toml", "z");
      ::raise(sig);
      ::_exit(0);  // not reached
    }
    int status = 0;
    ::waitpid(child, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status)) << status;
    EXPECT_EQ(WTERMSIG(status), sig);
    EXPECT_EQ(entries(d), 0) << "temporary file or lock file left behind";
  }
}

TEST(CleanupHandlers, PrintTheInterruptMessageOnStderr) {
  const fs::path d = scratch("signal_message");
  const fs::path err = d / "stderr.txt";
  const pid_t child = ::fork();
  if (child == 0) {
    install_cleanup_handlers();
    const int fd = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(fd, STDERR_FILENO);
    set_interrupt_message("first");
    set_interrupt_message("interrupted: saved; resume with: rlrec train x --resume");
    ::raise(SIGTERM);
    ::_exit(0);  // not reached
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status)) << status;
  std::ifstream in(err);
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_EQ(ss.str(), "\ninterrupted: saved; resume with: rlrec train x --resume\n");
}

}  // namespace
}  // namespace rlrec
