#include "rlrec/core/thread_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <numeric>
#include <stdexcept>
#include <vector>

namespace rlrec {
namespace {

TEST(ThreadPool, CoversEveryIndexOnce) {
  for (int threads : {1, 2, 4}) {
    ThreadPool pool(threads);
    for (size_t n : {1u, 3u, 100u, 1001u}) {
      std::vector<int> hits(n, 0);
      pool.parallel_for(n, [&](size_t b, size_t e) {
        for (size_t i = b; i < e; ++i) hits[i]++;
      });
      for (int h : hits) ASSERT_EQ(h, 1);
    }
  }
}

TEST(ThreadPool, RethrowsLowestChunkException) {
  ThreadPool pool(3);
  try {
    pool.parallel_for(9, [&](size_t b, size_t) { throw std::runtime_error(std::to_string(b)); });
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "0");
  }
  // The pool still works after an exception.
  std::atomic<int> sum{0};
  pool.parallel_for(10, [&](size_t b, size_t e) { sum += static_cast<int>(e - b); });
  EXPECT_EQ(sum.load(), 10);
}

TEST(ThreadPool, ChunksAreFixed) {
  EXPECT_EQ(ThreadPool::chunk(10, 3, 0), (std::pair<size_t, size_t>{0, 4}));
  EXPECT_EQ(ThreadPool::chunk(10, 3, 2), (std::pair<size_t, size_t>{7, 10}));
}

}  // namespace
}  // namespace rlrec
