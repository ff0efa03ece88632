// Safe outputs: nothing rlrec writes is lost, corrupted or written over by surprise.
//
// Every output (a file such as a log or an index, or a directory such as a run or a model) goes
// through three steps:
//   1. check_replaceable(): an existing path is replaced only when it is an rlrec output of the
//      same kind (the caller says how to recognize one) or, with `force`, a regular file. A
//      device, fifo, socket or a path of the other kind (file vs directory) is never replaced,
//      force or not.
//   2. OutputLock: an exclusive advisory lock (flock(2)) on "<path>.lock", held while writing. A
//      second writer of the same path gets one line naming the holder (pid, start time, command)
//      and the CLI exits 2. The kernel drops the lock when its holder dies, so a crashed writer
//      never blocks the next one; a stale lock file is reused.
//   3. TempFile / TempDir: the content is written under a unique name beside the target
//      ("<path>.tmp.<pid>.<n>"), flushed to disk, and renamed onto the target in one step, so a
//      reader sees the old content or the new one, never a mix. SIGINT and SIGTERM remove the
//      temporary files and lock files of the process before it dies (install_cleanup_handlers());
//      a temporary directory left by a killed process (SIGKILL, power loss) is removed by the next
//      writer of the same target (remove_stale_temporaries()).
// Errors are rlrec::Error: kInvalidArgument for what the user can change (a path held by another
// writer, a path that may not be replaced), kIo for what the OS refused.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

namespace rlrec {

enum class OutputKind { kFile, kDirectory };

struct OutputPolicy {
  bool force = false;  // may replace an existing regular file that is not an rlrec output
  // Recognizes an rlrec output of this kind at an existing path (e.g. a log's magic bytes, a run
  // directory's config.toml). Empty: nothing is recognized, so only `force` replaces a file.
  std::function<bool(const std::filesystem::path&)> is_own;
};

// Throws unless `path` may be (re)written as `kind` under `policy`. `what` names the output in the
// message ("log", "run directory"). Does nothing when the path does not exist.
void check_replaceable(const std::filesystem::path& path, OutputKind kind,
                       const OutputPolicy& policy, std::string_view what);

// The exclusive claim on an output path; released (and its lock file removed) on destruction.
class OutputLock {
 public:
  OutputLock(const std::filesystem::path& path, std::string_view what);
  ~OutputLock();
  OutputLock(OutputLock&& other) noexcept;
  OutputLock& operator=(OutputLock&&) = delete;
  OutputLock(const OutputLock&) = delete;
  OutputLock& operator=(const OutputLock&) = delete;
  const std::filesystem::path& lock_path() const { return lock_path_; }

 private:
  std::filesystem::path lock_path_;
  int fd_ = -1;
  int slot_ = -1;  // in the signal-cleanup table
};

// A temporary file beside `target`; commit() flushes it and renames it onto the target. Destroyed
// without commit(), it is removed.
class TempFile {
 public:
  explicit TempFile(const std::filesystem::path& target);
  ~TempFile();
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  const std::filesystem::path& path() const { return path_; }
  // fsyncs the file, renames it onto the target, fsyncs the target's directory.
  void commit();

 private:
  std::filesystem::path target_, path_;
  bool committed_ = false;
  int slot_ = -1;
};

// A temporary directory beside `target`; commit() flushes every file and directory under it to
// disk, then moves it onto the target, replacing an existing target directory (which
// check_replaceable() allowed) in one step (renameat2 RENAME_EXCHANGE, then the old one is
// removed), so that the target is always a complete directory, the old or the new one. Destroyed
// without commit(), it is removed; SIGINT and SIGTERM remove it with its content
// (install_cleanup_handlers()).
class TempDir {
 public:
  explicit TempDir(const std::filesystem::path& target);
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  void commit();

 private:
  std::filesystem::path target_, path_;
  bool committed_ = false;
  int slot_ = -1;
};

// Steps 1 and 2 at once, before any work is done (so that a second writer or a path that may not be
// replaced fails at once, not after a long computation), plus remove_stale_temporaries(path).
// Returns the claim to hold until the output is committed.
OutputLock claim_output(const std::filesystem::path& path, OutputKind kind,
                        const OutputPolicy& policy, std::string_view what);

// Writes `bytes` to `target` through a TempFile.
void write_file_atomically(const std::filesystem::path& target, std::string_view bytes);

// Removes "<target>.tmp.<pid>.*" files and directories whose process no longer runs.
void remove_stale_temporaries(const std::filesystem::path& target);

// SIGINT and SIGTERM handlers that remove this process's registered temporary files and lock files,
// then die of the same signal (exit status as without the handler). Idempotent.
void install_cleanup_handlers();

// The line those handlers print on stderr before dying (e.g. what a run saved and how to resume
// it); "" prints nothing. Call from one thread; the handler sees the previous or the new line.
void set_interrupt_message(std::string_view line);

}  // namespace rlrec
