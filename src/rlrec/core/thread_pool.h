// ThreadPool: a fixed set of worker threads for data-parallel loops.
//
// parallel_for(n, fn) splits [0, n) into at most size() contiguous chunks, in a fixed way that
// depends only on n and size(), and calls fn(begin, end) once per chunk; the calling thread runs
// the first chunk. It returns when every chunk is done. If chunks throw, the exception of the
// lowest chunk is rethrown in the caller (the others are dropped). Results are deterministic
// whatever the thread count as long as fn(begin, end) writes only to indices in [begin, end) and
// draws random numbers from per-index streams.
//
// Thread-safety: one parallel_for at a time per pool (calls from several threads are serialized).
// A pool of size 1 runs everything inline and starts no thread.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace rlrec {

class ThreadPool {
 public:
  // threads <= 0 means std::thread::hardware_concurrency().
  explicit ThreadPool(int threads = 1);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int size() const { return static_cast<int>(workers_.size()) + 1; }

  void parallel_for(size_t n, const std::function<void(size_t begin, size_t end)>& fn);

  // Chunk c of n items split into `chunks` parts: [begin, end).
  static std::pair<size_t, size_t> chunk(size_t n, size_t chunks, size_t c);

 private:
  void worker_loop(size_t index);
  void run_chunk(size_t c);

  std::vector<std::thread> workers_;
  std::mutex run_mutex_;  // serializes parallel_for calls
  std::mutex mutex_;
  std::condition_variable start_cv_, done_cv_;
  const std::function<void(size_t, size_t)>* job_ = nullptr;
  size_t job_n_ = 0, job_chunks_ = 0;
  size_t generation_ = 0;
  size_t pending_ = 0;
  bool stop_ = false;
  std::vector<std::exception_ptr> errors_;
};

}  // namespace rlrec
