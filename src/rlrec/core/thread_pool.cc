#include "rlrec/core/thread_pool.h"

#include <algorithm>

namespace rlrec {

ThreadPool::ThreadPool(int threads) {
  if (threads <= 0) threads = std::max(1u, std::thread::hardware_concurrency());
  errors_.resize(threads);
  for (int i = 1; i < threads; ++i) workers_.emplace_back([this, i] { worker_loop(i); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  start_cv_.notify_all();
  for (auto& t : workers_) t.join();
}

std::pair<size_t, size_t> ThreadPool::chunk(size_t n, size_t chunks, size_t c) {
  const size_t base = n / chunks, extra = n % chunks;
  const size_t begin = c * base + std::min(c, extra);
  return {begin, begin + base + (c < extra ? 1 : 0)};
}

void ThreadPool::run_chunk(size_t c) {
  auto [b, e] = chunk(job_n_, job_chunks_, c);
  if (b >= e) return;
  try {
    (*job_)(b, e);
  } catch (...) {
    errors_[c] = std::current_exception();
  }
}

void ThreadPool::parallel_for(size_t n, const std::function<void(size_t, size_t)>& fn) {
  if (n == 0) return;
  std::lock_guard run_lock(run_mutex_);
  const size_t chunks = std::min<size_t>(n, size());
  if (chunks == 1) {
    fn(0, n);
    return;
  }
  {
    std::lock_guard lock(mutex_);
    job_ = &fn;
    job_n_ = n;
    job_chunks_ = chunks;
    pending_ = chunks - 1;
    for (auto& e : errors_) e = nullptr;
    ++generation_;
  }
  start_cv_.notify_all();
  run_chunk(0);
  {
    std::unique_lock lock(mutex_);
    done_cv_.wait(lock, [&] { return pending_ == 0; });
    job_ = nullptr;
  }
  for (auto& e : errors_)
    if (e) std::rethrow_exception(e);
}

void ThreadPool::worker_loop(size_t index) {
  size_t seen = 0;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      start_cv_.wait(lock, [&] { return stop_ || generation_ != seen; });
      if (stop_) return;
      seen = generation_;
      if (index >= job_chunks_) continue;  // fewer chunks than threads this time
    }
    run_chunk(index);
    {
      std::lock_guard lock(mutex_);
      if (--pending_ == 0) done_cv_.notify_one();
    }
  }
}

}  // namespace rlrec
