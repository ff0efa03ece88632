// dist: the communicator of a job that may span several processes (Open MPI's mpirun, Slurm's
// srun).
//
// A job is `size()` processes (ranks 0 .. size-1) running the same command. Started without a
// launcher, or built without MPI (RLREC_WITH_MPI=OFF), a command runs as a job of one rank: every
// collective below is then a copy, and nothing of MPI is touched. Collectives must be called by
// every rank, in the same order.
//
// Determinism: all_reduce_sum adds the ranks' values in rank order ((v0 + v1) + v2 ...) on every
// rank, so the result is the same on all ranks and, for a given split of the work, on every run.
// Callers that need the result independent of size() split their sums into fixed blocks (whose
// partial sums do not depend on the ranks) and add the blocks in block order (sum_blocks below).
//
// Failure: abort() prints "error: rank R of P: MESSAGE" (one line) on stderr and ends the whole job
// (MPI_Abort), so a rank that fails never leaves the others waiting in a collective.
//
// Thread-safety: rank(), size(), local_size() and SharedCounter::fetch_add may be called from any
// thread; the collectives from one thread at a time (the MPI build requests MPI_THREAD_SERIALIZED).
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

namespace rlrec::dist {

// A job-wide counter for dynamic scheduling: fetch_add(n) returns the value before adding n, and
// the values handed out over all ranks and threads are 0, n, 2n, ... with no repeat or gap.
class SharedCounter {
 public:
  virtual ~SharedCounter() = default;
  virtual int64_t fetch_add(int64_t n = 1) = 0;
};

class Communicator {
 public:
  virtual ~Communicator() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  // Ranks of this job on this host (1 without a launcher): a rank's share of the cores.
  virtual int local_size() const = 0;

  virtual void barrier() = 0;
  // bytes of `root` on every rank.
  virtual void broadcast(std::string& bytes, int root) = 0;
  // Every rank's bytes, in rank order, on every rank.
  virtual std::vector<std::string> all_gather(const std::string& bytes) = 0;
  // Every rank's bytes, in rank order, on `root`; an empty vector on the other ranks.
  virtual std::vector<std::string> gather(const std::string& bytes, int root) = 0;
  // Element-wise sum over ranks in rank order, identical on every rank (header comment).
  void all_reduce_sum(std::span<double> values);
  void all_reduce_sum(std::span<int64_t> values);
  // A new counter starting at 0 (collective: every rank calls it, and the counter lives as long as
  // every rank's handle).
  virtual std::unique_ptr<SharedCounter> make_counter() = 0;
  // Prints "error: rank R of P: MESSAGE" (just "error: MESSAGE" for a job of one rank) and ends
  // the job with exit status `code`.
  [[noreturn]] virtual void abort(const std::string& message, int code) = 0;
};

// The job's communicator: MPI's world when a Session started MPI, otherwise a job of one rank.
Communicator& world();

// Starts MPI when the process was launched by mpirun/srun (OMPI_COMM_WORLD_SIZE, PMIX_RANK or
// PMI_RANK is set) and this build has MPI; finalizes it when destroyed. Create one in main only.
class Session {
 public:
  Session(int& argc, char**& argv);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
  bool mpi() const { return mpi_; }

 private:
  bool mpi_ = false;
};

// Whether this build has the MPI communicator.
bool built_with_mpi();

// [begin, end) of block range r of `n` blocks split over `parts` ranks (contiguous, sizes differ by
// at most one, lower ranks take the larger ones).
std::pair<int64_t, int64_t> share(int64_t n, int parts, int r);

// Sums per-block partial sums the way that does not depend on the ranks: every rank passes the
// partials of its share(n_blocks, size, rank) blocks, `width` values per block (block-major);
// returns, on every rank, the sum over blocks in block order of each of the `width` values.
std::vector<double> sum_blocks(Communicator& comm, std::span<const double> my_blocks, int width);

// Byte strings of plain values for the collectives (host byte order: a job runs on one kind of
// host).
class ByteWriter {
 public:
  template <class T>
  void put(const T& v) {
    static_assert(std::is_trivially_copyable_v<T>);
    bytes_.append(reinterpret_cast<const char*>(&v), sizeof(T));
  }
  void put_string(const std::string& s) {
    put<uint64_t>(s.size());
    bytes_ += s;
  }
  template <class T>
  void put_vector(const std::vector<T>& v) {
    static_assert(std::is_trivially_copyable_v<T>);
    put<uint64_t>(v.size());
    bytes_.append(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
  }
  std::string& bytes() { return bytes_; }

 private:
  std::string bytes_;
};

// Reads what ByteWriter wrote, in the same order; a short or malformed string is a bug (aborts).
class ByteReader {
 public:
  explicit ByteReader(const std::string& bytes) : bytes_(bytes) {}
  template <class T>
  T get() {
    static_assert(std::is_trivially_copyable_v<T>);
    T v;
    std::memcpy(&v, take(sizeof(T)), sizeof(T));
    return v;
  }
  std::string get_string() {
    const auto n = get<uint64_t>();
    return std::string(take(n), n);
  }
  template <class T>
  std::vector<T> get_vector() {
    const auto n = get<uint64_t>();
    std::vector<T> v(n);
    if (n) std::memcpy(v.data(), take(n * sizeof(T)), n * sizeof(T));
    return v;
  }
  bool done() const { return pos_ == bytes_.size(); }

 private:
  const char* take(size_t n);
  const std::string& bytes_;
  size_t pos_ = 0;
};

}  // namespace rlrec::dist
