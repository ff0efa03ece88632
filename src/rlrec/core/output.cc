#include "rlrec/core/output.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <sstream>
#include <vector>

#include "rlrec/core/error.h"

namespace rlrec {
namespace fs = std::filesystem;

namespace {

// ---- paths removed by the SIGINT/SIGTERM handler (async-signal-safe: fixed buffers, unlink) ----
constexpr int kSlots = 256;
struct Slot {
  std::atomic<int> state{0};  // 0 free, 1 being written, 2 registered
  bool directory = false;     // a TempDir: removed with its content
  char path[4096];
};
std::array<Slot, kSlots> g_slots;

int register_path(const fs::path& p, bool directory = false) {
  const std::string s = p.string();
  if (s.size() >= sizeof(Slot::path)) return -1;
  for (int i = 0; i < kSlots; ++i) {
    int expected = 0;
    if (g_slots[i].state.compare_exchange_strong(expected, 1)) {
      std::memcpy(g_slots[i].path, s.c_str(), s.size() + 1);
      g_slots[i].directory = directory;
      g_slots[i].state.store(2);
      return i;
    }
  }
  return -1;  // table full: the path is still removed by its owner, only not on a signal
}

void unregister_path(int slot) {
  if (slot >= 0) g_slots[slot].state.store(0);
}

// The line printed on SIGINT/SIGTERM (set_interrupt_message): two buffers, the atomic index names
// the complete one (-1: none), so the handler never reads a buffer being written.
constexpr size_t kMessageBytes = 8192;
char g_messages[2][kMessageBytes];
std::atomic<int> g_message{-1};

// Removes `name` (relative to the directory `parent`) with everything under it, using only
// async-signal-safe calls (openat, getdents64, unlinkat, close; a fixed buffer per level). Depth is
// bounded: rlrec's temporary directories are a few levels deep (a checkpoint: DIR/agent/FILE).
void remove_tree_in_handler(int parent, const char* name, int depth) {
  if (::unlinkat(parent, name, 0) == 0 || errno == ENOENT) return;
  if (depth > 8) return;
  const int fd = ::openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return;
  alignas(8) char buf[2048];
  for (bool removed = true; removed;) {  // rescan from the start while entries go
    removed = false;
    if (::lseek(fd, 0, SEEK_SET) != 0) break;
    for (ssize_t n; (n = ::getdents64(fd, buf, sizeof buf)) > 0;) {
      for (ssize_t off = 0; off < n;) {
        const auto* e = reinterpret_cast<const struct dirent64*>(buf + off);
        off += e->d_reclen;
        const char* en = e->d_name;
        if (en[0] == '.' && (en[1] == '\0' || (en[1] == '.' && en[2] == '\0'))) continue;
        if (e->d_type == DT_DIR) {
          remove_tree_in_handler(fd, en, depth + 1);
          removed = true;
        } else if (::unlinkat(fd, en, 0) == 0) {
          removed = true;
        } else if (errno == EISDIR) {  // d_type unknown on this file system
          remove_tree_in_handler(fd, en, depth + 1);
          removed = true;
        }
      }
    }
  }
  ::close(fd);
  ::unlinkat(parent, name, AT_REMOVEDIR);
}

extern "C" void cleanup_and_die(int sig) {
  for (auto& s : g_slots) {
    if (s.state.load() != 2) continue;
    if (s.directory)
      remove_tree_in_handler(AT_FDCWD, s.path, 0);
    else
      ::unlink(s.path);
  }
  const int m = g_message.load();
  if (m >= 0) {
    const char* text = g_messages[m];
    ssize_t ignored = ::write(STDERR_FILENO, text, std::strlen(text));
    (void)ignored;
  }
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

std::string os_error(int err) { return std::strerror(err); }

const char* type_name(const fs::file_status& st) {
  switch (st.type()) {
    case fs::file_type::regular:
      return "a regular file";
    case fs::file_type::directory:
      return "a directory";
    case fs::file_type::symlink:
      return "a symbolic link";
    case fs::file_type::block:
      return "a block device";
    case fs::file_type::character:
      return "a character device";
    case fs::file_type::fifo:
      return "a fifo";
    case fs::file_type::socket:
      return "a socket";
    default:
      return "not a regular file or directory";
  }
}

// "pid 123 since 2026-12-03T13:15:00Z: rlrec train --out runs/a"
std::string holder_description() {
  std::string cmd;
  std::ifstream in("/proc/self/cmdline", std::ios::binary);
  for (char c; in.get(c) && cmd.size() < 200;) cmd += c == '\0' ? ' ' : c;
  while (!cmd.empty() && cmd.back() == ' ') cmd.pop_back();
  char when[32] = "?";
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  if (gmtime_r(&now, &tm)) std::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return str_cat("pid ", ::getpid(), " since ", when, cmd.empty() ? "" : ": ", cmd);
}

std::atomic<unsigned> g_temp_counter{0};

fs::path temp_name(const fs::path& target) {
  return fs::path(target.string() + ".tmp." + std::to_string(::getpid()) + "." +
                  std::to_string(g_temp_counter.fetch_add(1)));
}

void fsync_path(const fs::path& p, int flags) {
  const int fd = ::open(p.c_str(), flags | O_CLOEXEC);
  if (fd < 0)
    throw_error(ErrorCode::kIo, "cannot open '", p.string(), "' to flush it: ", os_error(errno));
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0)
    throw_error(ErrorCode::kIo, "cannot flush '", p.string(), "' to disk: ", os_error(err));
}

void fsync_parent(const fs::path& p) {
  const fs::path dir = p.has_parent_path() ? p.parent_path() : fs::path(".");
  fsync_path(dir, O_RDONLY | O_DIRECTORY);
}

// Flushes every file under `root`, then every directory (deepest first, `root` last), so that a
// rename of `root` publishes content that is on disk.
void fsync_tree(const fs::path& root) {
  std::vector<fs::path> dirs{root};
  std::error_code ec;
  for (fs::recursive_directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
    const auto st = it->symlink_status();
    if (fs::is_directory(st))
      dirs.push_back(it->path());
    else if (fs::is_regular_file(st))
      fsync_path(it->path(), O_RDONLY);
  }
  if (ec)
    throw_error(ErrorCode::kIo, "cannot list '", root.string(), "' to flush it: ", ec.message());
  for (auto d = dirs.rbegin(); d != dirs.rend(); ++d) fsync_path(*d, O_RDONLY | O_DIRECTORY);
}

}  // namespace

// ------------------------------------ check_replaceable -----------------------------------------

void check_replaceable(const fs::path& path, OutputKind kind, const OutputPolicy& policy,
                       std::string_view what) {
  std::error_code ec;
  const fs::file_status st = fs::symlink_status(path, ec);
  if (ec || !fs::exists(st)) return;
  const bool want_dir = kind == OutputKind::kDirectory;
  if (st.type() != fs::file_type::regular && st.type() != fs::file_type::directory)
    invalid_argument(what, " '", path.string(), "' exists and is ", type_name(st),
                     "; rlrec never replaces one: choose another path");
  if (fs::is_directory(st) != want_dir)
    invalid_argument(what, " '", path.string(), "' exists and is ", type_name(st), ", not ",
                     want_dir ? "a directory" : "a regular file", ": choose another path");
  if (policy.is_own && policy.is_own(path)) return;
  if (policy.force && !want_dir) return;
  invalid_argument(what, " '", path.string(), "' exists and is not an rlrec ", what, "; ",
                   want_dir ? "choose another path (rlrec never replaces another directory)"
                            : "choose another path, or pass --force to replace it");
}

// ---------------------------------------- OutputLock --------------------------------------------

OutputLock::OutputLock(const fs::path& path, std::string_view what)
    : lock_path_(path.string() + ".lock") {
  for (int attempt = 0; attempt < 100; ++attempt) {
    fd_ = ::open(lock_path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0)
      throw_error(ErrorCode::kIo, "cannot create the lock file '", lock_path_.string(), "' for ",
                  what, " '", path.string(), "': ", os_error(errno));
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
      const int err = errno;
      std::string holder;
      char buf[512];
      const ssize_t n = ::pread(fd_, buf, sizeof buf - 1, 0);
      if (n > 0) holder.assign(buf, static_cast<size_t>(n));
      while (!holder.empty() && (holder.back() == '\n' || holder.back() == '\0')) holder.pop_back();
      ::close(fd_);
      fd_ = -1;
      if (err != EWOULDBLOCK)
        throw_error(ErrorCode::kIo, "cannot lock '", lock_path_.string(), "': ", os_error(err));
      invalid_argument(what, " '", path.string(), "' is being written by another rlrec process (",
                       holder.empty() ? "holder unknown" : holder,
                       "); wait for it to finish or choose another path");
    }
    // The holder before us may have removed the lock file after we opened it: then our lock is on
    // a name nobody else sees. Retry until the locked file is the one at the path.
    struct stat a {
    }, b{};
    if (::fstat(fd_, &a) == 0 && ::stat(lock_path_.c_str(), &b) == 0 && a.st_ino == b.st_ino &&
        a.st_dev == b.st_dev) {
      const std::string me = holder_description() + "\n";
      if (::ftruncate(fd_, 0) != 0 ||
          ::pwrite(fd_, me.data(), me.size(), 0) != static_cast<ssize_t>(me.size())) {
        // The description is a courtesy to the next writer; the lock holds without it.
      }
      slot_ = register_path(lock_path_);
      return;
    }
    ::close(fd_);
    fd_ = -1;
  }
  throw_error(ErrorCode::kIo, "cannot lock '", lock_path_.string(), "': it keeps being replaced");
}

OutputLock::OutputLock(OutputLock&& other) noexcept
    : lock_path_(std::move(other.lock_path_)), fd_(other.fd_), slot_(other.slot_) {
  other.fd_ = -1;
  other.slot_ = -1;
}

OutputLock::~OutputLock() {
  if (fd_ < 0) return;
  unregister_path(slot_);
  ::unlink(lock_path_.c_str());  // while still locked: a waiter re-checks the inode (see above)
  ::close(fd_);
}

// ----------------------------------------- TempFile ---------------------------------------------

TempFile::TempFile(const fs::path& target) : target_(target), path_(temp_name(target)) {
  slot_ = register_path(path_);
}

TempFile::~TempFile() {
  unregister_path(slot_);
  if (!committed_) {
    std::error_code ec;
    fs::remove(path_, ec);
  }
}

void TempFile::commit() {
  fsync_path(path_, O_RDONLY);
  if (::rename(path_.c_str(), target_.c_str()) != 0)
    throw_error(ErrorCode::kIo, "cannot rename '", path_.string(), "' to '", target_.string(),
                "': ", os_error(errno));
  committed_ = true;
  unregister_path(slot_);
  slot_ = -1;
  fsync_parent(target_);
}

void write_file_atomically(const fs::path& target, std::string_view bytes) {
  TempFile tmp(target);
  {
    std::ofstream os(tmp.path(), std::ios::binary | std::ios::trunc);
    if (!os) throw_error(ErrorCode::kIo, "cannot write '", tmp.path().string(), "'");
    os.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    os.flush();
    if (!os) throw_error(ErrorCode::kIo, "cannot write '", tmp.path().string(), "' (disk full?)");
  }
  tmp.commit();
}

// ------------------------------------------ TempDir ---------------------------------------------

TempDir::TempDir(const fs::path& target) : target_(target), path_(temp_name(target)) {
  std::error_code ec;
  if (!fs::create_directory(path_, ec) || ec)
    throw_error(ErrorCode::kIo, "cannot create the directory '", path_.string(),
                "': ", ec ? ec.message() : std::string("it exists"));
  slot_ = register_path(path_, /*directory=*/true);
}

TempDir::~TempDir() {
  unregister_path(slot_);
  if (!committed_) {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
}

void TempDir::commit() {
  std::error_code ec;
  fsync_tree(path_);
  if (fs::is_directory(target_, ec)) {
    // Swap the new directory and the old one in one step, then remove the old one (now at path_):
    // at every moment the target is a complete directory, the old one or the new one.
    if (::renameat2(AT_FDCWD, path_.c_str(), AT_FDCWD, target_.c_str(), RENAME_EXCHANGE) != 0) {
      if (errno != EINVAL && errno != ENOSYS && errno != ENOTSUP)
        throw_error(ErrorCode::kIo, "cannot replace '", target_.string(), "' by '", path_.string(),
                    "': ", os_error(errno));
      // A file system without RENAME_EXCHANGE: move the old directory aside first (a crash
      // between the two renames leaves the target missing and the old one under a temporary
      // name, removed by the next writer).
      const fs::path aside = temp_name(target_);
      if (::rename(target_.c_str(), aside.c_str()) != 0 ||
          ::rename(path_.c_str(), target_.c_str()) != 0)
        throw_error(ErrorCode::kIo, "cannot replace '", target_.string(), "' by '", path_.string(),
                    "': ", os_error(errno));
      committed_ = true;
      fs::remove_all(aside, ec);
    } else {
      committed_ = true;
      // path_ (still registered for SIGINT/SIGTERM) now holds the old directory.
      fs::remove_all(path_, ec);
    }
  } else {
    if (::rename(path_.c_str(), target_.c_str()) != 0)
      throw_error(ErrorCode::kIo, "cannot rename '", path_.string(), "' to '", target_.string(),
                  "': ", os_error(errno));
    committed_ = true;
  }
  fsync_parent(target_);
}

OutputLock claim_output(const fs::path& path, OutputKind kind, const OutputPolicy& policy,
                        std::string_view what) {
  check_replaceable(path, kind, policy, what);
  OutputLock lock(path, what);
  remove_stale_temporaries(path);
  return lock;
}

// --------------------------------------- stale temporaries --------------------------------------

void remove_stale_temporaries(const fs::path& target) {
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  const std::string prefix = target.filename().string() + ".tmp.";
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.compare(0, prefix.size(), prefix) != 0) continue;
    const std::string rest = name.substr(prefix.size());
    const size_t dot = rest.find('.');
    if (dot == 0 || dot == std::string::npos) continue;
    const std::string pid_text = rest.substr(0, dot);
    if (pid_text.find_first_not_of("0123456789") != std::string::npos || pid_text.size() > 9)
      continue;
    const pid_t pid = static_cast<pid_t>(std::stol(pid_text));
    if (pid == ::getpid() || ::kill(pid, 0) == 0 || errno == EPERM)
      continue;  // its writer still runs
    std::error_code rm;
    fs::remove_all(it->path(), rm);
  }
}

void set_interrupt_message(std::string_view line) {
  if (line.empty()) {
    g_message.store(-1);
    return;
  }
  const int next = g_message.load() == 0 ? 1 : 0;  // write the buffer the handler does not read
  std::string text;
  text.reserve(kMessageBytes);
  text += '\n';
  text.append(line.substr(0, kMessageBytes - 3));
  text += '\n';
  std::memcpy(g_messages[next], text.c_str(), text.size() + 1);
  g_message.store(next);
}

void install_cleanup_handlers() {
  static std::atomic<bool> done{false};
  if (done.exchange(true)) return;
  struct sigaction sa {};
  sa.sa_handler = cleanup_and_die;
  sigemptyset(&sa.sa_mask);
  for (int sig : {SIGINT, SIGTERM}) ::sigaction(sig, &sa, nullptr);
}

}  // namespace rlrec
