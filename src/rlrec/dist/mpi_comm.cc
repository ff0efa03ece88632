// The Open MPI communicator (built with RLREC_WITH_MPI): MPI_COMM_WORLD, byte collectives over
// MPI_Gatherv / MPI_Allgatherv / MPI_Bcast, the shared counter as an MPI-3 window on rank 0 updated
// with MPI_Fetch_and_op (passive target: rank 0 need not take part while others draw work).
// Every MPI call holds one mutex, so threads of a rank never call MPI at the same time
// (MPI_THREAD_SERIALIZED).
#include <mpi.h>

#include <climits>
#include <cstdio>
#include <mutex>

#include "rlrec/core/check.h"
#include "rlrec/dist/detail.h"

namespace rlrec::dist {
namespace {

std::mutex& mpi_mutex() {
  static std::mutex m;
  return m;
}

int checked_count(size_t n) {
  RLREC_CHECK(n <= static_cast<size_t>(INT_MAX), "a collective of more than 2 GiB on one rank");
  return static_cast<int>(n);
}

class MpiCounter final : public SharedCounter {
 public:
  explicit MpiCounter(int rank) {
    std::lock_guard lock(mpi_mutex());
    const MPI_Aint bytes = rank == 0 ? sizeof(int64_t) : 0;
    MPI_Win_allocate(bytes, sizeof(int64_t), MPI_INFO_NULL, MPI_COMM_WORLD, &base_, &win_);
    if (rank == 0) {
      MPI_Win_lock(MPI_LOCK_EXCLUSIVE, 0, 0, win_);
      *base_ = 0;
      MPI_Win_unlock(0, win_);
    }
    MPI_Barrier(MPI_COMM_WORLD);
  }
  ~MpiCounter() override {
    std::lock_guard lock(mpi_mutex());
    MPI_Win_free(&win_);  // collective: every rank destroys its handle
  }
  int64_t fetch_add(int64_t n) override {
    std::lock_guard lock(mpi_mutex());
    int64_t old = 0;
    MPI_Win_lock(MPI_LOCK_SHARED, 0, 0, win_);
    MPI_Fetch_and_op(&n, &old, MPI_INT64_T, 0, 0, MPI_SUM, win_);
    MPI_Win_unlock(0, win_);
    return old;
  }

 private:
  int64_t* base_ = nullptr;
  MPI_Win win_ = MPI_WIN_NULL;
};

class MpiWorld final : public Communicator {
 public:
  MpiWorld() {
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
    MPI_Comm local;
    MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, rank_, MPI_INFO_NULL, &local);
    MPI_Comm_size(local, &local_size_);
    MPI_Comm_free(&local);
  }
  int rank() const override { return rank_; }
  int size() const override { return size_; }
  int local_size() const override { return local_size_; }

  void barrier() override {
    std::lock_guard lock(mpi_mutex());
    MPI_Barrier(MPI_COMM_WORLD);
  }
  void broadcast(std::string& bytes, int root) override {
    std::lock_guard lock(mpi_mutex());
    uint64_t n = bytes.size();
    MPI_Bcast(&n, 1, MPI_UINT64_T, root, MPI_COMM_WORLD);
    bytes.resize(n);
    MPI_Bcast(bytes.data(), checked_count(n), MPI_CHAR, root, MPI_COMM_WORLD);
  }
  std::vector<std::string> all_gather(const std::string& bytes) override {
    std::lock_guard lock(mpi_mutex());
    int n = checked_count(bytes.size());
    std::vector<int> counts(size_), offsets(size_);
    MPI_Allgather(&n, 1, MPI_INT, counts.data(), 1, MPI_INT, MPI_COMM_WORLD);
    const std::string all = gathered(counts, offsets);
    std::string buf(all.size(), '\0');
    MPI_Allgatherv(bytes.data(), n, MPI_CHAR, buf.data(), counts.data(), offsets.data(), MPI_CHAR,
                   MPI_COMM_WORLD);
    return split(buf, counts, offsets);
  }
  std::vector<std::string> gather(const std::string& bytes, int root) override {
    std::lock_guard lock(mpi_mutex());
    int n = checked_count(bytes.size());
    std::vector<int> counts(size_), offsets(size_);
    MPI_Gather(&n, 1, MPI_INT, counts.data(), 1, MPI_INT, root, MPI_COMM_WORLD);
    std::string buf;
    if (rank_ == root) buf.assign(gathered(counts, offsets).size(), '\0');
    MPI_Gatherv(bytes.data(), n, MPI_CHAR, buf.data(), counts.data(), offsets.data(), MPI_CHAR,
                root, MPI_COMM_WORLD);
    if (rank_ != root) return {};
    return split(buf, counts, offsets);
  }
  std::unique_ptr<SharedCounter> make_counter() override {
    return std::make_unique<MpiCounter>(rank_);
  }
  [[noreturn]] void abort(const std::string& message, int code) override {
    std::fprintf(stderr, "error: rank %d of %d: %s\n", rank_, size_, message.c_str());
    std::fflush(stderr);
    MPI_Abort(MPI_COMM_WORLD, code);  // ends every rank; does not return
    std::_Exit(code);
  }

 private:
  // Offsets from counts; returns a string of the total size (its content unused).
  static std::string gathered(const std::vector<int>& counts, std::vector<int>& offsets) {
    size_t total = 0;
    for (size_t r = 0; r < counts.size(); ++r) {
      offsets[r] = checked_count(total);
      total += static_cast<size_t>(counts[r]);
    }
    checked_count(total);
    return std::string(total, '\0');
  }
  static std::vector<std::string> split(const std::string& buf, const std::vector<int>& counts,
                                        const std::vector<int>& offsets) {
    std::vector<std::string> out;
    for (size_t r = 0; r < counts.size(); ++r) out.emplace_back(buf, offsets[r], counts[r]);
    return out;
  }

  int rank_ = 0, size_ = 1, local_size_ = 1;
};

std::unique_ptr<MpiWorld>& world_ptr() {
  static std::unique_ptr<MpiWorld> w;
  return w;
}

}  // namespace

namespace detail {

bool start_mpi(int& argc, char**& argv) {
  int provided = 0;
  MPI_Init_thread(&argc, &argv, MPI_THREAD_SERIALIZED, &provided);
  world_ptr() = std::make_unique<MpiWorld>();
  return true;
}

void stop_mpi() {
  world_ptr().reset();
  MPI_Finalize();
}

Communicator* mpi_world() { return world_ptr().get(); }

}  // namespace detail
}  // namespace rlrec::dist
